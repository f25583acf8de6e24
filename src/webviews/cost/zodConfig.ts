// Imported first by main.ts: without `jitless` zod probes `new Function` when a schema is built, which the view's CSP
// (no unsafe-eval) reports as a violation.
import * as z from 'zod/mini';

z.config({ jitless: true });
