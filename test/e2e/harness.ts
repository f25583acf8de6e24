// Real code-server + real Chromium for the e2e tests and `npm start`: fresh folders per run, whole process groups stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT, ensureChromium, ensureTools } from '../../scripts/e2eToolchain';
import { CHROMIUM_ARGS } from '../support/chromium';

export { REPO_ROOT } from '../../scripts/e2eToolchain';
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
export const EXTENSION_ID = 'fastrouter-chat.fastrouter-chat';

/** Settings that keep code-server quiet, offline and deterministic (docs/DEVELOPMENT.md, "Tests in a real VS Code"). */
export const BASE_SETTINGS: Record<string, unknown> = {
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoIndent': 'none',
  'editor.formatOnType': false,
  'editor.acceptSuggestionOnEnter': 'off',
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'files.autoSave': 'off',
};

/** Processes that must die with this Node process even if a test crashes before its teardown. */
const liveGroups = new Set<number>();
process.on('exit', () => {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function makeRunDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `fastrouter-${prefix}-`));
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM the whole process group, then SIGKILL what is left; resolves once the group is empty. */
export async function killGroup(pgid: number, graceMs = 5000): Promise<void> {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    liveGroups.delete(pgid);
    return;
  }
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(pgid)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Gone between the check and the kill.
    }
    const hardDeadline = Date.now() + 5000;
    while (groupAlive(pgid) && Date.now() < hardDeadline) await new Promise((r) => setTimeout(r, 50));
  }
  liveGroups.delete(pgid);
}

export interface CodeServerOptions {
  /** Extra user settings (merged over BASE_SETTINGS), e.g. `fastrouter.baseUrl`. */
  settings?: Record<string, unknown>;
  /** Open this existing folder instead of a fresh workspace folder (npm start opens the repo). */
  folder?: string;
  /** Files to create in the workspace folder: relative path → content. */
  workspaceFiles?: Record<string, string>;
  /** .vsix files to install before starting. */
  installVsix?: string[];
  /** Extra environment for code-server and so for its extension host. */
  env?: Record<string, string>;
  /** Fixed port (npm start); default a free one. */
  port?: number;
  /** Parent folder for the fresh per-run folders; default a new temp dir. */
  runDir?: string;
  log?: (line: string) => void;
}

export interface CodeServer {
  url: string;
  port: number;
  runDir: string;
  userDataDir: string;
  extensionsDir: string;
  homeDir: string;
  workspaceDir: string;
  /** code-server's own stdout/stderr. */
  logFile: string;
  /** `http://127.0.0.1:PORT/?folder=WS` plus an optional smoke-test payload. */
  workbenchUrl(payload?: [string, string][]): string;
  /** `vscode-remote://` URI of a local path, for payload entries. */
  remoteUri(absPath: string): string;
  stop(): Promise<void>;
}

async function runTool(node: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  const out = fs.openSync(logFile, 'a');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(node, args, { env, stdio: ['ignore', out, out] });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited ${code}; see ${logFile}`))));
    });
  } finally {
    fs.closeSync(out);
  }
}

/** Starts code-server 4.139 under Node 24 with fresh user-data, extensions, HOME and TMPDIR folders. */
export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const log = options.log ?? (() => {});
  const tools = await ensureTools(options.log ?? ((line) => console.error(line)));
  const runDir = options.runDir ?? makeRunDir('code-server');
  const dirs = {
    userDataDir: path.join(runDir, 'user-data'),
    extensionsDir: path.join(runDir, 'extensions'),
    homeDir: path.join(runDir, 'home'),
    tmpDir: path.join(runDir, 'tmp'),
    workspaceDir: options.folder ?? path.join(runDir, 'workspace'),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(path.join(dirs.userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...BASE_SETTINGS, ...options.settings }, null, 2),
  );
  for (const [rel, content] of Object.entries(options.workspaceFiles ?? {})) {
    const file = path.join(dirs.workspaceDir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  const configFile = path.join(runDir, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const logFile = path.join(runDir, 'code-server.log');

  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_'))),
    HOME: dirs.homeDir,
    TMPDIR: dirs.tmpDir,
    XDG_CONFIG_HOME: path.join(dirs.homeDir, '.config'),
    XDG_DATA_HOME: path.join(dirs.homeDir, '.local', 'share'),
    XDG_CACHE_HOME: path.join(dirs.homeDir, '.cache'),
    PATH: `${path.dirname(tools.node)}${path.delimiter}${process.env.PATH ?? ''}`,
    ...options.env,
  };
  // Never let a real key from the developer's shell reach the extension host of a test.
  delete env.FASTROUTER_API_KEY;
  const common = ['--config', configFile, '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir];
  for (const vsix of options.installVsix ?? []) {
    await runTool(tools.node, [tools.codeServerEntry, ...common, '--install-extension', vsix, '--force'], env, logFile);
  }

  const port = options.port ?? (await freePort());
  const out = fs.openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      tools.node,
      [
        tools.codeServerEntry, ...common,
        '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
        '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
        '--reconnection-grace-time', '5',
        '--vscode-option', 'enable-smoke-test-driver',
        dirs.workspaceDir,
      ],
      // detached = setsid: code-server and every helper it forks share one process group we can kill whole.
      { env, stdio: ['ignore', out, out], detached: true },
    );
  } finally {
    fs.closeSync(out);
  }
  const pgid = child.pid!;
  liveGroups.add(pgid);
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `code ${code}, signal ${signal}`));

  const url = `http://127.0.0.1:${port}`;
  // The run folder goes too, unless kept for debugging (FASTROUTER_E2E_KEEP=1).
  const stop = async (): Promise<void> => {
    await killGroup(pgid);
    if (!process.env.FASTROUTER_E2E_KEEP && options.runDir === undefined) fs.rmSync(runDir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) throw new Error(`code-server exited during startup (${exited}); see ${logFile}`);
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.ok) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 60 s; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  log(`[code-server] ${url} (run dir ${runDir})`);

  const remoteUri = (absPath: string): string => `vscode-remote://127.0.0.1:${port}${absPath}`;
  return {
    url,
    port,
    runDir,
    ...dirs,
    logFile,
    remoteUri,
    workbenchUrl(payload) {
      const query = new URLSearchParams({ folder: dirs.workspaceDir });
      if (payload) query.set('payload', JSON.stringify(payload));
      return `${url}/?${query.toString()}`;
    },
    stop,
  };
}

export interface BrowserSession {
  context: BrowserContext;
  /** The profile folder (searched by the canary test: IndexedDB/localStorage hold VS Code web's state). */
  profileDir: string;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Debian's Chromium through playwright-core (CHROMIUM_PATH overrides the binary), headless, fresh profile folder. */
export async function launchBrowser(options: { profileDir?: string } = {}): Promise<BrowserSession> {
  const executablePath = await ensureChromium();
  const owned = options.profileDir === undefined;
  const profileDir = options.profileDir ?? makeRunDir('chromium-profile');
  fs.mkdirSync(profileDir, { recursive: true });
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  let first: Page | undefined = context.pages()[0];
  return {
    context,
    profileDir,
    async newPage() {
      // Reuse the blank tab a persistent context opens with, so there is one page to watch.
      const page = first ?? (await context.newPage());
      first = undefined;
      return page;
    },
    async close() {
      await context.close().catch(() => {});
      if (owned) fs.rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot to test-results/NAME.png; never throws (used in failure paths). */
/**
 * Runs a UI test's body; when it fails, keeps a screenshot of the window as `<name>.png` in test-results/ (named in
 * the test's diagnostics) and rethrows.
 */
export async function screenshotOnFailure(t: { diagnostic(message: string): void }, page: Page | undefined, name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    const shot = await saveScreenshot(page, name);
    if (shot) t.diagnostic(`screenshot: ${path.relative(REPO_ROOT, shot)}`);
    throw error;
  }
}

export async function saveScreenshot(page: Page | undefined, name: string): Promise<string | undefined> {
  if (!page || page.isClosed()) return undefined;
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  try {
    await page.screenshot({ path: file, timeout: 10_000 });
    return file;
  } catch {
    return undefined;
  }
}
