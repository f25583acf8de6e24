// Imported first by main.ts: zod reads `jitless` when a schema is constructed (protocol.ts, at import time),
// and without it probes `new Function`, which the webview's CSP (no unsafe-eval) reports as a violation.
import * as z from 'zod';

z.config({ jitless: true });
