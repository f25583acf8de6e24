// A lock shared by every process on this machine (every VS Code window's extension host), for short
// read-modify-write steps on files in one folder: the conversation index, ledger compaction.
//
// Design: the lock is a directory, created with mkdir (atomic on every local file system: exactly one
// creator wins). The winner writes `owner.json` in it (pid, host name, time, a random token). A lock is
// stale when its owner process is gone (same host, `kill(pid, 0)` says no such process) or when it is
// older than `staleMs` (a hung owner, another host, or a crash before owner.json was written).
// Breaking a stale lock is itself guarded by a second, very short-lived mkdir lock (`<lock>.break`),
// inside which the owner is read again: two waiters that both saw the same stale lock can never remove
// the fresh lock the first of them just took. Release renames the directory away before removing it,
// so nobody ever sees a half-removed lock.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface FileLockOptions {
  /** A lock older than this is taken over even if its owner seems alive (default 15 s). */
  staleMs?: number;
  /** Give up waiting after this long (default 30 s): LockTimeoutError. */
  timeoutMs?: number;
  /** First wait between tries; doubles up to 100 ms (default 5 ms). */
  retryMs?: number;
  now?: () => number;
}

export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

interface Owner {
  pid: number;
  host: string;
  at: number;
  token: string;
}

/** A held lock; `release` is idempotent. */
export interface HeldLock {
  readonly token: string;
  release(): void;
}

const OWNER_FILE = 'owner.json';
/** The break guard is held for microseconds; one this old was left by a crash. */
const BREAK_STALE_MS = 5_000;

/** Runs `task` while holding the lock at `lockDir` (a path that must not be used for anything else). */
export async function withFileLock<T>(lockDir: string, task: () => Promise<T> | T, options: FileLockOptions = {}): Promise<T> {
  const lock = await acquireFileLock(lockDir, options);
  try {
    return await task();
  } finally {
    lock.release();
  }
}

export async function acquireFileLock(lockDir: string, options: FileLockOptions = {}): Promise<HeldLock> {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.timeoutMs ?? 30_000);
  let wait = options.retryMs ?? 5;
  for (;;) {
    const lock = tryAcquireFileLock(lockDir, options);
    if (lock) return lock;
    if (now() > deadline) throw new LockTimeoutError(`Timed out waiting for the lock ${lockDir}`);
    // A little jitter so waiters in several processes do not retry in lockstep.
    await new Promise((resolve) => setTimeout(resolve, wait + Math.random() * wait));
    wait = Math.min(wait * 2, 100);
  }
}

/** One attempt: the lock, or undefined when someone else holds a lock that is not stale. */
export function tryAcquireFileLock(lockDir: string, options: FileLockOptions = {}): HeldLock | undefined {
  const now = options.now ?? Date.now;
  const staleMs = options.staleMs ?? 15_000;
  const owner: Owner = { pid: process.pid, host: os.hostname(), at: now(), token: randomUUID() };
  let brokeStale = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.mkdirSync(lockDir);
    } catch (error) {
      if (code(error) === 'ENOENT') {
        fs.mkdirSync(path.dirname(lockDir), { recursive: true });
        continue;
      }
      if (code(error) !== 'EEXIST') throw error;
      // Held: take it over only if it is stale, then try once more.
      if (!brokeStale && breakIfStale(lockDir, staleMs, now)) {
        brokeStale = true;
        continue;
      }
      return undefined;
    }
    try {
      fs.writeFileSync(path.join(lockDir, OWNER_FILE), JSON.stringify(owner));
    } catch (error) {
      removeDir(lockDir);
      throw error;
    }
    return held(lockDir, owner.token);
  }
  return undefined;
}

function held(lockDir: string, token: string): HeldLock {
  let released = false;
  return {
    token,
    release() {
      if (released) return;
      released = true;
      // Only remove the lock if it is still ours (a stale takeover may have replaced it).
      if (readOwner(lockDir)?.token !== token) return;
      removeDir(lockDir);
    },
  };
}

/** Removes the lock at `lockDir` when it is stale; true when it did (or the lock was already gone). */
function breakIfStale(lockDir: string, staleMs: number, now: () => number): boolean {
  const seen = lockState(lockDir, staleMs, now);
  if (seen.state !== 'stale') return seen.state === 'gone';
  const guard = `${lockDir}.break`;
  try {
    fs.mkdirSync(guard);
  } catch (error) {
    if (code(error) !== 'EEXIST') return false;
    // A guard left by a process that died inside it; removing it can race only with another such cleanup.
    if (ageOf(guard, now) > BREAK_STALE_MS) removeDir(guard);
    return false;
  }
  try {
    // Read again under the guard: only the very lock that was judged stale is removed.
    const again = lockState(lockDir, staleMs, now);
    if (again.state === 'gone') return true;
    if (again.state !== 'stale' || again.token !== seen.token) return false;
    removeDir(lockDir);
    return true;
  } finally {
    try {
      fs.rmdirSync(guard);
    } catch {
      // already gone
    }
  }
}

type LockState = { state: 'gone' } | { state: 'live' } | { state: 'stale'; token: string | undefined };

function lockState(lockDir: string, staleMs: number, now: () => number): LockState {
  const owner = readOwner(lockDir);
  if (!owner) {
    // Just created (owner.json not written yet) or left by a crash right after mkdir: judge by its age.
    let age: number;
    try {
      age = now() - fs.statSync(lockDir).mtimeMs;
    } catch {
      return { state: 'gone' };
    }
    return age > Math.min(staleMs, 2_000) ? { state: 'stale', token: undefined } : { state: 'live' };
  }
  if (now() - owner.at > staleMs) return { state: 'stale', token: owner.token };
  if (owner.host === os.hostname() && !processAlive(owner.pid)) return { state: 'stale', token: owner.token };
  return { state: 'live' };
}

function readOwner(lockDir: string): Owner | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(path.join(lockDir, OWNER_FILE), 'utf8')) as Partial<Owner>;
    if (typeof value.pid !== 'number' || typeof value.at !== 'number' || typeof value.token !== 'string') return undefined;
    return { pid: value.pid, at: value.at, token: value.token, host: typeof value.host === 'string' ? value.host : '' };
  } catch {
    return undefined;
  }
}

export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return code(error) === 'EPERM';
  }
}

function ageOf(dir: string, now: () => number): number {
  try {
    return now() - fs.statSync(dir).mtimeMs;
  } catch {
    return 0;
  }
}

/** Renames the directory to a unique name first, so a half-removed lock is never seen at `dir`. */
function removeDir(dir: string): void {
  const doomed = `${dir}.removed-${randomUUID()}`;
  try {
    fs.renameSync(dir, doomed);
  } catch {
    return;
  }
  fs.rmSync(doomed, { recursive: true, force: true });
}

function code(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}
