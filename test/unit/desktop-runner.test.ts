// `npm run test:desktop` (issue 11 §3), checked here where desktop VS Code cannot be downloaded: the suites both
// hosts run (one index), the exact options handed to @vscode/test-electron's runTests, the xvfb decision, and a
// whole runner pass with runTests replaced by a hand-written stand-in that looks at what it was given.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { TestOptions } from '@vscode/test-electron';
import { runDesktop } from '../e2e/desktop';
import { DESKTOP_VSCODE_VERSION, desktopTestOptions, needsXvfb, xvfbCommand, type DesktopRunInput } from '../e2e/desktopOptions';
import { SUITE_DIR, SUITE_INDEX, SUITE_WORKSPACE_FILES, bundleSuites, suiteFiles } from '../e2e/suites';
import { suiteModules } from '../e2e/suite/index';

const ROOT = path.resolve(__dirname, '..', '..');
const tempDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `fastrouter-${name}-`));

test('suite discovery: every suite/*.test.ts, and the bundled index finds exactly those (same set in both hosts)', async () => {
  const sources = suiteFiles();
  for (const name of ['chat.test.ts', 'host.test.ts', 'languageModels.test.ts', 'smoke.test.ts']) assert.ok(sources.includes(name), name);
  assert.deepEqual(sources, fs.readdirSync(SUITE_DIR).filter((n) => n.endsWith('.test.ts')).sort());
  assert.ok(!sources.includes('index.ts') && !sources.includes('simulator.ts'), 'the index and helpers are not suites');
  const out = tempDir('suites');
  try {
    const bundled = await bundleSuites(out);
    assert.deepEqual(bundled, sources);
    assert.ok(fs.existsSync(path.join(out, SUITE_INDEX)), 'one index for both hosts');
    assert.deepEqual(suiteModules(out), sources.map((n) => n.replace(/\.ts$/, '.js')));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

const input: DesktopRunInput = {
  env: {},
  platform: 'linux',
  isRoot: false,
  repoRoot: '/repo',
  suiteIndex: '/repo/out/e2e/suite/index.js',
  simulatorUrl: 'http://127.0.0.1:4000',
  userDataDir: '/run/user-data',
  extensionsDir: '/run/extensions',
  workspaceDir: '/run/workspace',
  resultsFile: '/run/results.json',
};
const LAUNCH = ['/run/workspace', '--user-data-dir', '/run/user-data', '--extensions-dir', '/run/extensions', '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--disable-telemetry'];
const TESTS_ENV = {
  FASTROUTER_SIM_URL: 'http://127.0.0.1:4000',
  FASTROUTER_E2E_RESULTS: '/run/results.json',
  FASTROUTER_E2E_WORKSPACE: '/run/workspace',
  FASTROUTER_E2E_HOST: 'desktop',
};

test('runTests options: the pinned VS Code version by default, downloaded into .vscode-test', () => {
  assert.deepEqual(desktopTestOptions(input), {
    version: DESKTOP_VSCODE_VERSION,
    cachePath: path.join('/repo', '.vscode-test'),
    extensionDevelopmentPath: '/repo',
    extensionTestsPath: '/repo/out/e2e/suite/index.js',
    extensionTestsEnv: TESTS_ENV,
    launchArgs: LAUNCH,
  });
  assert.match(DESKTOP_VSCODE_VERSION, /^\d+\.\d+\.\d+$/, 'pinned to an exact version');
});

test('runTests options: VSCODE_EXECUTABLE_PATH is used as it is (no download), a grep and a version override pass through', () => {
  const options = desktopTestOptions({ ...input, env: { VSCODE_EXECUTABLE_PATH: '/opt/code/code', FASTROUTER_E2E_GREP: 'language model' } });
  assert.deepEqual(options, {
    vscodeExecutablePath: '/opt/code/code',
    extensionDevelopmentPath: '/repo',
    extensionTestsPath: '/repo/out/e2e/suite/index.js',
    extensionTestsEnv: { ...TESTS_ENV, FASTROUTER_E2E_GREP: 'language model' },
    launchArgs: LAUNCH,
  });
  assert.equal(desktopTestOptions({ ...input, env: { VSCODE_TEST_VERSION: '1.104.0' } }).version, '1.104.0');
  assert.deepEqual(desktopTestOptions({ ...input, isRoot: true }).launchArgs, [...LAUNCH, '--no-sandbox'], 'Electron as root on Linux');
  assert.deepEqual(desktopTestOptions({ ...input, isRoot: true, platform: 'darwin' }).launchArgs, LAUNCH);
});

test('xvfb: only on Linux without a display, and never twice', () => {
  assert.equal(needsXvfb('linux', {}), true);
  assert.equal(needsXvfb('linux', { DISPLAY: ':0' }), false);
  assert.equal(needsXvfb('linux', { WAYLAND_DISPLAY: 'wayland-0' }), false);
  assert.equal(needsXvfb('linux', { FASTROUTER_UNDER_XVFB: '1' }), false);
  assert.equal(needsXvfb('darwin', {}), false);
  assert.equal(needsXvfb('win32', {}), false);
  const { command, args } = xvfbCommand('/usr/bin/node', ['--import', 'tsx'], '/repo/test/e2e/desktop.ts');
  assert.equal(command, 'xvfb-run');
  assert.deepEqual(args.slice(-4), ['/usr/bin/node', '--import', 'tsx', '/repo/test/e2e/desktop.ts']);
  assert.ok(args.includes('--auto-servernum'));
});

test('a runner pass: suites bundled, simulator up, settings and workspace written, then runTests; its failures fail the run', async () => {
  const out = tempDir('desktop-out');
  const logged: string[] = [];
  let seen: TestOptions | undefined;
  try {
    const code = await runDesktop({
      env: {},
      platform: 'linux',
      outDir: out,
      log: (line) => logged.push(line),
      runTests: async (options) => {
        seen = options;
        assert.ok(fs.existsSync(options.extensionTestsPath), 'the suite index is bundled before VS Code starts');
        const env = options.extensionTestsEnv!;
        const userData = options.launchArgs![options.launchArgs!.indexOf('--user-data-dir') + 1]!;
        const settings = JSON.parse(fs.readFileSync(path.join(userData, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
        assert.equal(settings['fastrouter.baseUrl'], env.FASTROUTER_SIM_URL, 'the extension talks to the simulator');
        assert.equal((await fetch(`${env.FASTROUTER_SIM_URL}/__sim/requests`)).status, 200, 'the simulator answers during the run');
        for (const [file, content] of Object.entries(SUITE_WORKSPACE_FILES)) assert.equal(fs.readFileSync(path.join(env.FASTROUTER_E2E_WORKSPACE!, file), 'utf8'), content);
        fs.writeFileSync(env.FASTROUTER_E2E_RESULTS!, JSON.stringify({ files: ['smoke.test.js'], results: [{ title: 't', fullTitle: 'harness smoke t', file: 'smoke.test.js', state: 'passed' }] }));
        return 0;
      },
    });
    assert.equal(code, 0);
    assert.equal(seen?.extensionDevelopmentPath, ROOT);
    assert.equal(seen?.version, DESKTOP_VSCODE_VERSION);
    assert.ok(logged.includes('desktop VS Code: 1 passed, 0 failed, 0 pending (smoke.test.js)'), logged.join('\n'));
    assert.ok(!fs.existsSync(path.dirname(seen!.extensionTestsEnv!.FASTROUTER_E2E_RESULTS!)), 'the run folder is removed');

    const download = await runDesktop({ env: {}, platform: 'linux', outDir: out, log: (line) => logged.push(line), runTests: () => Promise.reject(new Error('getaddrinfo ENOTFOUND update.code.visualstudio.com')) });
    assert.equal(download, 1);
    assert.ok(logged.some((line) => line.includes('ENOTFOUND update.code.visualstudio.com')));
    assert.equal(await runDesktop({ env: {}, platform: 'linux', outDir: out, log: () => {}, runTests: async () => 1 }), 1);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('npm scripts and packages: test:desktop runs this runner; @vscode/test-electron is pinned and installs nothing at install time', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
  assert.match(pkg.scripts['test:desktop']!, /test\/e2e\/desktop\.ts/);
  assert.match(pkg.devDependencies['@vscode/test-electron']!, /^\d+\.\d+\.\d+$/, 'an exact version');
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; hasInstallScript?: boolean }> };
  const entry = lock.packages['node_modules/@vscode/test-electron'];
  assert.equal(entry?.version, pkg.devDependencies['@vscode/test-electron']);
  assert.notEqual(entry?.hasInstallScript, true, 'no install script: `npm ci` stays offline-safe');
  assert.ok(!pkg.scripts.test!.includes('desktop') && !'desktop.ts'.endsWith('.test.ts'), '`npm test` (code-server) does not run the desktop runner');
});
