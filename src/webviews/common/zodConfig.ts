// Imported first by each webview's main.ts: zod reads `jitless` when a schema is constructed (the protocol modules, at
// import time), and without it probes `new Function`, which the webview's CSP (no unsafe-eval) reports as a violation.
// zod's core holds the setting for both its full and its mini API, so one import serves both bundles.
import { config } from 'zod/v4/core';

config({ jitless: true });
