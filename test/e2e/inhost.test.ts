// In-host e2e: bundles test/e2e/suite/*.test.ts, runs them with mocha inside code-server's real extension host
// (extension loaded unpacked from the repo root: dist/extension.js from `npm run build`), against the local simulator.
// Each mocha test becomes a node subtest here.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../support/simulator';
import { REPO_ROOT, RESULTS_DIR, launchBrowser, saveScreenshot, startCodeServer, type BrowserSession, type CodeServer } from './harness';
import type { InHostResult } from './suite/index';
import { OUT_DIR, SUITE_INDEX, SUITE_WORKSPACE_FILES, bundleSuites } from './suites';

const RUN_TIMEOUT_MS = Number(process.env.FASTROUTER_E2E_TIMEOUT_MS ?? 20 * 60_000);

let sim: Simulator | undefined;
let server: CodeServer | undefined;
let browser: BrowserSession | undefined;

before(async () => {
  sim = await startSimulator({ apiKeys: ['test-key'] });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await sim?.close();
});

test('in-host suites in code-server', { timeout: RUN_TIMEOUT_MS + 180_000 }, async (t) => {
  const suiteFiles = await bundleSuites();
  assert.ok(suiteFiles.length > 0, 'at least one suite file');
  assert.ok(fs.existsSync(path.join(REPO_ROOT, 'dist', 'extension.js')), 'dist/extension.js exists (run `npm run build`)');

  server = await startCodeServer({
    settings: { 'fastrouter.baseUrl': sim!.url },
    workspaceFiles: SUITE_WORKSPACE_FILES,
    log: (line) => t.diagnostic(line),
  });
  const resultsFile = path.join(server.runDir, 'inhost-results.json');
  const extensionEnvironment = {
    FASTROUTER_SIM_URL: sim!.url,
    FASTROUTER_E2E_RESULTS: resultsFile,
    FASTROUTER_E2E_WORKSPACE: server.workspaceDir,
    FASTROUTER_E2E_HOST: 'code-server',
    ...(process.env.FASTROUTER_E2E_GREP ? { FASTROUTER_E2E_GREP: process.env.FASTROUTER_E2E_GREP } : {}),
  };

  browser = await launchBrowser();
  const page: Page = await browser.newPage();
  const hostLog: string[] = [];
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  // The workbench reports the extensionTestsPath outcome through these two hooks (smoke-test driver).
  await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
    hostLog.push(`${type}: ${(Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
  });
  page.on('pageerror', (error) => hostLog.push(`pageerror: ${error.message}`));

  await page.goto(
    server.workbenchUrl([
      ['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)],
      ['extensionTestsPath', server.remoteUri(path.join(OUT_DIR, SUITE_INDEX))],
      ['extensionEnvironment', JSON.stringify(extensionEnvironment)],
    ]),
    // The outcome comes through codeAutomationExit; the page's load event can take over 30 s on a loaded machine.
    { waitUntil: 'commit', timeout: 120_000 },
  );

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), RUN_TIMEOUT_MS)));
  const exitCode = await Promise.race([exited, timeout]);
  clearTimeout(timer);

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'inhost-log.txt'), hostLog.join('\n') + '\n');
  if (exitCode !== 0) {
    await saveScreenshot(page, 'inhost-failure');
    fs.copyFileSync(server.logFile, path.join(RESULTS_DIR, 'inhost-code-server.log'));
  }

  const report = fs.existsSync(resultsFile)
    ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { files: string[]; results: InHostResult[] })
    : undefined;
  if (!report) {
    assert.fail(
      `the in-host run wrote no results (exit: ${exitCode}). Extension host log (also in test-results/inhost-log.txt):\n` +
        hostLog.slice(-60).join('\n'),
    );
  }
  t.diagnostic(`in-host: ${report.results.filter((r) => r.state === 'passed').length} passed, ${report.results.filter((r) => r.state === 'failed').length} failed, files: ${report.files.join(', ')}`);
  for (const result of report.results) {
    const name = `${result.file ?? '?'} › ${result.fullTitle}`;
    if (result.state === 'pending') {
      await t.test(name, { skip: 'pending in mocha' }, () => {});
      continue;
    }
    await t.test(name, (st) => {
      if (result.durationMs !== undefined) st.diagnostic(`${result.durationMs} ms in the extension host`);
      if (result.state === 'failed') {
        const error = new Error(result.error ?? 'failed');
        error.stack = result.error;
        throw error;
      }
    });
  }
  assert.equal(exitCode, 0, `the workbench reported exit code ${String(exitCode)} for the in-host run`);
});
