// `npm run test:desktop`: the same in-host mocha suites as `npm test` (one index, test/e2e/suite/index.ts), run in
// desktop VS Code through @vscode/test-electron's runTests, against the local simulator. Uses VSCODE_EXECUTABLE_PATH
// when given, else downloads the pinned version (desktopOptions.ts) into .vscode-test/ — which needs a machine that
// can reach update.code.visualstudio.com. On Linux without a display it re-runs itself under xvfb-run.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTests, type TestOptions } from '@vscode/test-electron';
import { startSimulator } from '../support/simulator';
import { desktopTestOptions, needsXvfb, xvfbCommand } from './desktopOptions';
import { BASE_SETTINGS, makeRunDir } from './harness';
import type { InHostResult } from './suite/index';
import { OUT_DIR, SUITE_INDEX, bundleSuites, writeSuiteWorkspace } from './suites';
import { REPO_ROOT } from '../../scripts/e2eToolchain';

async function underXvfb(): Promise<number> {
  const { command, args } = xvfbCommand(process.execPath, process.execArgv, __filename);
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, FASTROUTER_UNDER_XVFB: '1' } });
    child.on('error', (error) => {
      console.error(`No display and xvfb-run could not start (${error.message}). Install xvfb (Debian: apt-get install xvfb) or set DISPLAY.`);
      resolve(1);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function printResults(file: string, log: (line: string) => void): void {
  if (!fs.existsSync(file)) {
    log('The suites wrote no results (VS Code did not start them; see the output above).');
    return;
  }
  const { files, results } = JSON.parse(fs.readFileSync(file, 'utf8')) as { files: string[]; results: InHostResult[] };
  for (const r of results) log(`${r.state === 'passed' ? 'ok' : r.state === 'pending' ? 'skip' : 'FAIL'}  ${r.file ?? '?'} › ${r.fullTitle}${r.error ? `\n${r.error}` : ''}`);
  const count = (state: InHostResult['state']) => results.filter((r) => r.state === state).length;
  log(`desktop VS Code: ${count('passed')} passed, ${count('failed')} failed, ${count('pending')} pending (${files.join(', ')})`);
}

export interface DesktopRunDeps {
  runTests: (options: TestOptions) => Promise<number>;
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  log: (line: string) => void;
  /** Where the suites are bundled (default out/e2e/suite). */
  outDir?: string;
}

/** Bundles the suites, starts the simulator, prepares fresh folders and hands the suites to runTests. 0 = all passed. */
export async function runDesktop(deps: DesktopRunDeps): Promise<number> {
  const outDir = deps.outDir ?? OUT_DIR;
  await bundleSuites(outDir);
  const sim = await startSimulator({ apiKeys: ['test-key'] });
  const runDir = makeRunDir('desktop');
  const dirs = {
    userDataDir: path.join(runDir, 'user-data'),
    extensionsDir: path.join(runDir, 'extensions'),
    workspaceDir: path.join(runDir, 'workspace'),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(path.join(dirs.userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.userDataDir, 'User', 'settings.json'), JSON.stringify({ ...BASE_SETTINGS, 'fastrouter.baseUrl': sim.url }, null, 2));
  writeSuiteWorkspace(dirs.workspaceDir);
  const resultsFile = path.join(runDir, 'desktop-results.json');
  const options = desktopTestOptions({
    env: deps.env,
    platform: deps.platform,
    isRoot: process.getuid?.() === 0,
    repoRoot: REPO_ROOT,
    suiteIndex: path.join(outDir, SUITE_INDEX),
    simulatorUrl: sim.url,
    resultsFile,
    ...dirs,
  });
  try {
    const code = await deps.runTests(options);
    return code === 0 ? 0 : 1;
  } catch (error) {
    deps.log(`The desktop run failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    printResults(resultsFile, deps.log);
    await sim.close();
    if (!deps.env.FASTROUTER_E2E_KEEP) fs.rmSync(runDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const built = fs.existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'));
  if (!built) console.error('dist/extension.js is missing: run `npm run build` first (`npm run test:desktop` does).');
  const run = !built
    ? Promise.resolve(1)
    : needsXvfb(process.platform, process.env)
      ? underXvfb()
      : runDesktop({ runTests, env: process.env, platform: process.platform, log: (line) => console.log(line) });
  run.then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
