import { z } from 'zod';

// zod must not compile validators with `new Function` under the webview's CSP (no unsafe-eval).
z.config({ jitless: true });

document.body.dataset.ready = 'true';
