// Entry point the extension host loads as `extensionTestsPath`, in code-server and in desktop VS Code alike: runs
// every bundled suite/*.test.js with mocha (tdd UI) and writes a JSON result per test to FASTROUTER_E2E_RESULTS,
// which test/e2e/inhost.test.ts turns into node subtests and test/e2e/desktop.ts prints.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface InHostResult {
  title: string;
  fullTitle: string;
  file?: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

/** The bundled suites next to this index, in the order mocha runs them (the same in code-server and desktop VS Code). */
export function suiteModules(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.endsWith('.test.js')).sort();
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 120_000, color: false, reporter: 'spec' });
  const grep = process.env.FASTROUTER_E2E_GREP;
  if (grep) mocha.grep(grep);
  const files = suiteModules(__dirname);
  for (const name of files) mocha.addFile(path.join(__dirname, name));

  const results: InHostResult[] = [];
  const record = (test: Mocha.Test, state: InHostResult['state'], error?: unknown): void => {
    results.push({
      title: test.title,
      fullTitle: test.fullTitle(),
      file: test.file ? path.basename(test.file) : undefined,
      state,
      durationMs: test.duration,
      error: error === undefined ? undefined : error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  };

  const failures = await new Promise<number>((resolve, reject) => {
    try {
      const runner = mocha.run((count) => resolve(count));
      runner.on('pass', (test) => record(test, 'passed'));
      runner.on('pending', (test) => record(test, 'pending'));
      // Hook failures ("before all" etc.) arrive here too, with the hook as the "test".
      runner.on('fail', (test, error) => record(test as Mocha.Test, 'failed', error));
    } catch (error) {
      reject(error);
    }
  });

  const out = process.env.FASTROUTER_E2E_RESULTS;
  if (out) fs.writeFileSync(out, JSON.stringify({ files, results }, null, 2));
  if (failures > 0) throw new Error(`${failures} in-host test(s) failed`);
}
