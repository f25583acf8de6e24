// The checkpoint store on a real folder: content-addressed blobs (one copy per content), Restore of edits, a created
// file and a command's created/changed/deleted files, conflicts with the user's own edits, Redo, a reload, pruning,
// and .git/ never read or written.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { CheckpointStore, hashOf, MAX_SNAPSHOT_BYTES } from '../../src/core/checkpoints/checkpointStore';

let base: string;
let ws: string;
let dir: string;
let clock = 1_000_000;
const store = (options: { maxQuestions?: number } = {}) =>
  new CheckpointStore({ dir, roots: () => [ws], now: () => clock++, excluded: (_root, rel) => rel === 'hidden.txt', ...options });
const file = (name: string) => join(ws, name);
const read = (name: string) => readFile(file(name), 'utf8');
async function exists(name: string): Promise<boolean> {
  return stat(file(name)).then(() => true, () => false);
}
async function blobCount(): Promise<number> {
  let n = 0;
  for (const prefix of await readdir(join(dir, 'blobs')).catch(() => [] as string[])) n += (await readdir(join(dir, 'blobs', prefix))).length;
  return n;
}

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'checkpoints-'));
  ws = join(base, 'ws');
  dir = join(base, 'storage');
  await mkdir(join(ws, 'src'), { recursive: true });
  await mkdir(join(ws, '.git'), { recursive: true });
  await writeFile(join(ws, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  await writeFile(file('a.txt'), 'a1\n');
  await writeFile(file('src/b.txt'), 'b1\n');
  await writeFile(file('gone.txt'), 'will be deleted\n');
});
afterEach(() => rm(base, { recursive: true, force: true }));

test('blobs are content-addressed: the same content is kept once', async () => {
  const s = store();
  assert.equal(await s.putBlob(Buffer.from('same')), hashOf(Buffer.from('same')));
  await s.putBlob(Buffer.from('same'));
  await writeFile(file('copy1.txt'), 'dup\n');
  await writeFile(file('copy2.txt'), 'dup\n');
  await s.snapshot();
  // a1, b1, gone, dup (once), same
  assert.equal(await blobCount(), 5);
  // A second snapshot of unchanged files stores nothing.
  await s.snapshot();
  assert.equal(await blobCount(), 5);
});

test('Restore puts back edits, a created file and what a command created, changed and deleted', async () => {
  const s = store();
  // Question 1: edit_file on a.txt, create_file new.txt.
  await s.beforeWrite('q1', 'c', file('a.txt'));
  await writeFile(file('a.txt'), 'a2\n');
  await s.afterWrite('q1', file('a.txt'));
  await s.beforeWrite('q1', 'c', file('new.txt'));
  await writeFile(file('new.txt'), 'created\n');
  await s.afterWrite('q1', file('new.txt'));
  // Question 2: a command changes src/b.txt, creates made.txt, deletes gone.txt (and touches .git, which is ignored).
  const before = await s.snapshot();
  await writeFile(file('src/b.txt'), 'b2\n');
  await writeFile(file('made.txt'), 'made\n');
  await rm(file('gone.txt'));
  await writeFile(join(ws, '.git', 'HEAD'), 'changed by the command\n');
  const after = await s.snapshot();
  assert.deepEqual((await s.recordCommand('q2', 'c', before, after)).sort(), [file('gone.txt'), file('made.txt'), file('src/b.txt')].sort());

  const plan = await s.plan('q1');
  assert.deepEqual(plan.map((i) => [i.path.slice(ws.length + 1), i.conflict]), [['a.txt', false], ['gone.txt', false], ['made.txt', false], ['new.txt', false], ['src/b.txt', false]]);
  const summary = await s.restore('q1', plan);
  assert.deepEqual(summary.restored.map((p) => p.slice(ws.length + 1)).sort(), ['a.txt', 'gone.txt', 'src/b.txt']);
  assert.deepEqual(summary.deleted.map((p) => p.slice(ws.length + 1)).sort(), ['made.txt', 'new.txt']);
  assert.equal(await read('a.txt'), 'a1\n');
  assert.equal(await read('src/b.txt'), 'b1\n');
  assert.equal(await read('gone.txt'), 'will be deleted\n');
  assert.equal(await exists('new.txt'), false);
  assert.equal(await exists('made.txt'), false);
  // .git is never restored (nor snapshotted).
  assert.equal(await readFile(join(ws, '.git', 'HEAD'), 'utf8'), 'changed by the command\n');
  assert.equal(s.has('q1'), false);

  // Redo puts the question's changes back.
  const redone = await s.redo();
  assert.equal(redone.questionId, 'q1');
  assert.equal(await read('a.txt'), 'a2\n');
  assert.equal(await read('made.txt'), 'made\n');
  assert.equal(await exists('gone.txt'), false);
  assert.equal(s.has('q1'), true);
});

test('Restore of a later question leaves the earlier one as it is', async () => {
  const s = store();
  await s.beforeWrite('q1', 'c', file('a.txt'));
  await writeFile(file('a.txt'), 'a2\n');
  await s.afterWrite('q1', file('a.txt'));
  await s.beforeWrite('q2', 'c', file('a.txt'));
  await writeFile(file('a.txt'), 'a3\n');
  await s.afterWrite('q2', file('a.txt'));
  await s.restore('q2', await s.plan('q2'));
  assert.equal(await read('a.txt'), 'a2\n');
  await s.restore('q1', await s.plan('q1'));
  assert.equal(await read('a.txt'), 'a1\n');
});

test('a file the user changed since is a conflict: kept unless the user says overwrite', async () => {
  const s = store();
  await s.beforeWrite('q1', 'c', file('a.txt'));
  await writeFile(file('a.txt'), 'a2\n');
  await s.afterWrite('q1', file('a.txt'));
  await s.beforeWrite('q1', 'c', file('src/b.txt'));
  await writeFile(file('src/b.txt'), 'b2\n');
  await s.afterWrite('q1', file('src/b.txt'));
  await writeFile(file('a.txt'), 'a2 and the user\'s own line\n');
  const plan = await s.plan('q1');
  assert.deepEqual(plan.map((i) => [i.path.slice(ws.length + 1), i.conflict]), [['a.txt', true], ['src/b.txt', false]]);
  const kept = await s.restore('q1', plan);
  assert.deepEqual(kept.kept, [file('a.txt')]);
  assert.equal(await read('a.txt'), 'a2 and the user\'s own line\n');
  assert.equal(await read('src/b.txt'), 'b1\n');
  // An open editor with unsaved changes is a conflict too.
  const s2 = store();
  await s2.beforeWrite('q9', 'c', file('gone.txt'));
  await writeFile(file('gone.txt'), 'x\n');
  await s2.afterWrite('q9', file('gone.txt'));
  assert.deepEqual((await s2.plan('q9', new Set([file('gone.txt')]))).map((i) => i.conflict), [true]);
  const overwritten = await s2.restore('q9', await s2.plan('q9', new Set([file('gone.txt')])), new Set([file('gone.txt')]));
  assert.deepEqual(overwritten.restored, [file('gone.txt')]);
});

test('checkpoints survive a reload (a new store on the same folder)', async () => {
  const s = store();
  await s.beforeWrite('q1', 'c', file('a.txt'));
  await writeFile(file('a.txt'), 'a2\n');
  await s.afterWrite('q1', file('a.txt'));
  const reloaded = store();
  await reloaded.load();
  assert.equal(reloaded.has('q1'), true);
  await reloaded.restore('q1', await reloaded.plan('q1'));
  assert.equal(await read('a.txt'), 'a1\n');
  const again = store();
  await again.load();
  assert.equal(again.redoable?.questionId, 'q1');
});

test('snapshots skip .git, node_modules, files.exclude, large and binary files', async () => {
  await mkdir(join(ws, 'node_modules', 'x'), { recursive: true });
  await writeFile(join(ws, 'node_modules', 'x', 'i.js'), 'x');
  await writeFile(file('hidden.txt'), 'hidden');
  await writeFile(file('big.txt'), Buffer.alloc(MAX_SNAPSHOT_BYTES + 1, 97));
  await writeFile(file('bin.dat'), Buffer.from([1, 0, 2]));
  const snap = await store().snapshot();
  assert.deepEqual([...snap.keys()].map((p) => p.slice(ws.length + 1)).sort(), ['a.txt', 'gone.txt', 'src/b.txt']);
});

test('pruning keeps the last 50 questions and 7 days, and drops blobs nothing refers to', async () => {
  const s = store({ maxQuestions: 3 });
  for (let i = 0; i < 5; i++) {
    await s.beforeWrite(`q${i}`, 'c', file('a.txt'));
    await writeFile(file('a.txt'), `version ${i}\n`);
    await s.afterWrite(`q${i}`, file('a.txt'));
  }
  const before = await blobCount();
  const pruned = await s.prune();
  assert.equal(pruned.questions, 2);
  assert.deepEqual(s.questions.map((q) => q.id), ['q2', 'q3', 'q4']);
  // a1 and "version 0" are no longer referred to.
  assert.equal(before - (await blobCount()), 2);
  assert.equal(pruned.blobs, 2);
  clock += 8 * 24 * 60 * 60 * 1000;
  assert.equal((await s.prune()).questions, 3);
  assert.equal(await blobCount(), 0);
});

test('never writes into .git', async () => {
  await assert.rejects(store().beforeWrite('q', 'c', join(ws, '.git', 'config')), /never touch \.git/);
});
