// The cross-process file lock: one holder at a time within a process and across real processes, stale locks
// (dead owner, too old, crash before owner.json) taken over, a live lock waited for, and nothing left behind.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { acquireFileLock, LockTimeoutError, processAlive, tryAcquireFileLock, withFileLock } from '../../src/core/conversation/fileLock';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastrouter-lock-'));
  dirs.push(dir);
  return dir;
}

const MODULE = path.resolve(__dirname, '../../src/core/conversation/fileLock.ts');

function child(code: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
}

function exited(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('exit', (status) => resolve(status));
  });
}

/** A pid that surely belongs to no process: one that just exited. */
async function deadPid(): Promise<number> {
  const proc = spawn(process.execPath, ['-e', '0']);
  const pid = proc.pid!;
  await exited(proc);
  return pid;
}

test('tasks in one process run one at a time, in spite of awaits inside them', async () => {
  const lock = path.join(tempDir(), 'x.lock');
  let inside = 0;
  let most = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: 12 }, () =>
      withFileLock(lock, async () => {
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 2));
        inside--;
        done++;
      }),
    ),
  );
  assert.equal(done, 12);
  assert.equal(most, 1, 'never two holders at once');
  assert.equal(fs.existsSync(lock), false, 'released');
  assert.deepEqual(fs.readdirSync(path.dirname(lock)), [], 'nothing left behind');
});

test('three processes incrementing one counter under the lock lose no increment', async () => {
  const dir = tempDir();
  const counter = path.join(dir, 'counter.txt');
  fs.writeFileSync(counter, '0');
  const rounds = 40;
  const code = `
    import(${JSON.stringify(MODULE)}).then(async (m) => {
      const { withFileLock } = m.withFileLock ? m : m.default;
      const fs = require('node:fs');
      for (let i = 0; i < ${rounds}; i++) {
        await withFileLock(${JSON.stringify(path.join(dir, 'counter.lock'))}, async () => {
          const n = Number(fs.readFileSync(${JSON.stringify(counter)}, 'utf8'));
          await new Promise((r) => setImmediate(r));
          fs.writeFileSync(${JSON.stringify(counter)}, String(n + 1));
        });
      }
    });`;
  const statuses = await Promise.all([exited(child(code)), exited(child(code)), exited(child(code))]);
  assert.deepEqual(statuses, [0, 0, 0]);
  assert.equal(Number(fs.readFileSync(counter, 'utf8')), rounds * 3);
});

test('a lock whose owner process died is taken over at once', async () => {
  const lock = path.join(tempDir(), 'x.lock');
  fs.mkdirSync(lock);
  const pid = await deadPid();
  assert.equal(processAlive(pid), false);
  fs.writeFileSync(path.join(lock, 'owner.json'), JSON.stringify({ pid, host: os.hostname(), at: Date.now(), token: 'dead' }));
  const held = tryAcquireFileLock(lock);
  assert.ok(held, 'taken over without waiting');
  assert.equal(JSON.parse(fs.readFileSync(path.join(lock, 'owner.json'), 'utf8')).pid, process.pid);
  held.release();
  assert.equal(fs.existsSync(lock), false);
});

test('a process killed while holding the lock (SIGKILL) does not block the others', async () => {
  const lock = path.join(tempDir(), 'x.lock');
  const proc = child(`
    import(${JSON.stringify(MODULE)}).then(async (m) => {
      const { acquireFileLock } = m.acquireFileLock ? m : m.default;
      await acquireFileLock(${JSON.stringify(lock)});
      console.log('held');
      setInterval(() => {}, 1000);
    });`);
  await new Promise<void>((resolve) => proc.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve()));
  assert.equal(tryAcquireFileLock(lock), undefined, 'held by the live child');
  proc.kill('SIGKILL');
  await exited(proc);
  const held = await acquireFileLock(lock, { timeoutMs: 2000 });
  held.release();
});

test('a live owner is waited for; a hung one is taken over after staleMs; a timeout says so', async () => {
  const lock = path.join(tempDir(), 'x.lock');
  const first = tryAcquireFileLock(lock)!;
  assert.ok(first);
  assert.equal(tryAcquireFileLock(lock), undefined);
  await assert.rejects(acquireFileLock(lock, { timeoutMs: 50 }), LockTimeoutError);
  // The holder lets go a little later: the waiter gets it.
  setTimeout(() => first.release(), 30);
  const second = await acquireFileLock(lock, { timeoutMs: 5000 });
  // Alive (this process) but older than staleMs: a hung holder is overtaken.
  let clock = Date.now() + 60_000;
  const third = tryAcquireFileLock(lock, { staleMs: 15_000, now: () => clock });
  assert.ok(third, 'taken over from a holder older than staleMs');
  second.release();
  assert.ok(fs.existsSync(lock), 'the old holder\'s release does not remove the new holder\'s lock');
  third.release();
  clock = 0;
  assert.equal(fs.existsSync(lock), false);
});

test('a lock folder without owner.json (crash right after mkdir) is live while fresh, stale when old', () => {
  const lock = path.join(tempDir(), 'x.lock');
  fs.mkdirSync(lock);
  assert.equal(tryAcquireFileLock(lock), undefined, 'fresh: maybe its owner is about to write owner.json');
  const old = new Date(Date.now() - 10_000);
  fs.utimesSync(lock, old, old);
  const held = tryAcquireFileLock(lock);
  assert.ok(held);
  held.release();
});

test('the parent folder is created when missing', async () => {
  const lock = path.join(tempDir(), 'a', 'b', 'x.lock');
  assert.equal(await withFileLock(lock, () => 42), 42);
});
