// Imported first by extension.ts, before any module builds a zod schema. zod decides at the first schema whether it may
// compile validators with `new Function`, and to decide it reads the global `navigator`, which VS Code's extension host
// reports as a PendingMigrationError in its log on every activation. Without JIT nothing reads it; the client's hot path
// (deltas) is hand-checked anyway, and `npm run bench -- --only client` measures the rest (docs/DEVELOPMENT.md, Benchmarks).
import * as z from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini loads no locale: without English every issue says only "Invalid input" (classic zod loaded it for us).
z.config({ ...en(), jitless: true });
