// `npm run bench`: runs every benchmark in bench/ in turn. Each bench file exports an async run function (and optionally a
// formatter for its result); a bench file that is not there is skipped. Options: --only NAME (or bare names), --deltas N,
// --rounds N, --base REF (the workbench bench's baseline).
// Numbers only, no pass/fail.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface BenchEntry {
  name: string;
  file: string;
  /** Exported `async (options) => result`; it may print as it goes. */
  run: string;
  /** Exported `(result) => string`, printed after the run when given. */
  format?: string;
  /** Runs only when named (`--only NAME` or a bare NAME): it starts code-server, which takes an e2e slot. */
  onlyByName?: boolean;
}

/** Add a bench here: its file in bench/ and the functions it exports. */
const BENCHES: BenchEntry[] = [
  { name: 'client', file: 'client.ts', run: 'benchClient' },
  { name: 'render', file: 'render.ts', run: 'runRenderBench', format: 'formatRenderBench' },
  { name: 'chatHost', file: 'chatHost.ts', run: 'benchChatHost' },
  { name: 'ledger', file: 'ledger.ts', run: 'benchLedger' },
  { name: 'tools', file: 'tools.ts', run: 'benchTools' },
  { name: 'checkpoints', file: 'checkpoints.ts', run: 'benchCheckpoints' },
  { name: 'models', file: 'models.ts', run: 'benchModels' },
  { name: 'costPreview', file: 'costPreview.ts', run: 'benchCostPreview' },
  { name: 'storage', file: 'storage.ts', run: 'benchStorage', format: 'formatStorageBench' },
  { name: 'longChat', file: 'longChat.ts', run: 'benchLongChat', format: 'formatLongChat' },
  { name: 'context', file: 'context.ts', run: 'benchContext' },
  { name: 'editStream', file: 'editStream.ts', run: 'benchEditStream' },
  { name: 'highlight', file: 'highlight.ts', run: 'benchHighlight' },
  // Needs code-server: run it on its own through the slot script (`npm run bench -- workbench`); `npm run bench` skips it.
  { name: 'workbench', file: 'workbench.ts', run: 'benchWorkbench', format: 'formatWorkbenchBench', onlyByName: true },
];

export interface BenchRunOptions { deltas?: number; rounds?: number; /** The workbench bench's baseline git ref. */ base?: string }

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { only: { type: 'string' }, deltas: { type: 'string' }, rounds: { type: 'string' }, base: { type: 'string' } },
    allowPositionals: true,
  });
  const only = new Set([...positionals, ...(values.only === undefined ? [] : [values.only])]);
  const options: BenchRunOptions = {
    deltas: values.deltas === undefined ? undefined : Number(values.deltas),
    rounds: values.rounds === undefined ? undefined : Number(values.rounds),
    base: values.base,
  };
  for (const bench of BENCHES) {
    if (only.size > 0 ? !only.has(bench.name) : bench.onlyByName) continue;
    const path = join(__dirname, bench.file);
    if (!existsSync(path)) {
      console.log(`(${bench.name} benchmark: bench/${bench.file} not present, skipped)`);
      continue;
    }
    const module = await import(pathToFileURL(path).href) as Record<string, unknown>;
    const run = module[bench.run];
    if (typeof run !== 'function') throw new Error(`bench/${bench.file} does not export ${bench.run}()`);
    const result = await (run as (options: BenchRunOptions) => Promise<unknown>)(options);
    const format = bench.format === undefined ? undefined : module[bench.format];
    if (typeof format === 'function') console.log((format as (result: unknown) => string)(result));
    console.log('');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
