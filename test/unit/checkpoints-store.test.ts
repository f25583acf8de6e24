// The checkpoint store on a real folder: content-addressed blobs (one copy per content), Restore of edits, a created
// file and a command's created/changed/deleted files, conflicts with the user's own edits, Redo, a reload, pruning,
// and .git/ never read or written.
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, beforeEach, test } from 'node:test';
import { hashOf } from '../../src/core/checkpoints/blobStore';
import { parseIndex } from '../../src/core/checkpoints/checkpointIndex';
import { CheckpointStore } from '../../src/core/checkpoints/checkpointStore';
import { MAX_SNAPSHOT_BYTES } from '../../src/core/checkpoints/checkpointTypes';
import { lineDelta } from '../../src/core/checkpoints/lineDelta';

let base: string;
let ws: string;
let dir: string;
let clock = 1_000_000;
const store = (options: { maxQuestions?: number; blobGraceMs?: number } = {}) =>
  new CheckpointStore({ dir, roots: () => [ws], now: () => clock++, excluded: (_root, rel) => rel === 'hidden.txt', blobGraceMs: 0, ...options });
const file = (name: string) => join(ws, name);
const read = (name: string) => readFile(file(name), 'utf8');
async function exists(name: string): Promise<boolean> {
  return stat(file(name)).then(() => true, () => false);
}
/** A tool's write of `name` in question `questionId` (conversation 'c'), between the store's beforeWrite and afterWrite. */
async function toolWrite(s: CheckpointStore, questionId: string, name: string, content: string | Buffer): Promise<void> {
  await s.beforeWrite(questionId, 'c', file(name));
  await writeFile(file(name), content);
  await s.afterWrite(questionId, file(name));
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
  assert.equal(await s.blobs.put(Buffer.from('same')), hashOf(Buffer.from('same')));
  await s.blobs.put(Buffer.from('same'));
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
  await toolWrite(s, 'q1', 'a.txt', 'a2\n');
  await toolWrite(s, 'q1', 'new.txt', 'created\n');
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
  await toolWrite(s, 'q1', 'a.txt', 'a2\n');
  await toolWrite(s, 'q2', 'a.txt', 'a3\n');
  await s.restore('q2', await s.plan('q2'));
  assert.equal(await read('a.txt'), 'a2\n');
  await s.restore('q1', await s.plan('q1'));
  assert.equal(await read('a.txt'), 'a1\n');
});

test('a file the user changed since is a conflict: kept unless the user says overwrite', async () => {
  const s = store();
  await toolWrite(s, 'q1', 'a.txt', 'a2\n');
  await toolWrite(s, 'q1', 'src/b.txt', 'b2\n');
  await writeFile(file('a.txt'), 'a2 and the user\'s own line\n');
  const plan = await s.plan('q1');
  assert.deepEqual(plan.map((i) => [i.path.slice(ws.length + 1), i.conflict]), [['a.txt', true], ['src/b.txt', false]]);
  const kept = await s.restore('q1', plan);
  assert.deepEqual(kept.kept, [file('a.txt')]);
  assert.equal(await read('a.txt'), 'a2 and the user\'s own line\n');
  assert.equal(await read('src/b.txt'), 'b1\n');
  // An open editor with unsaved changes is a conflict too.
  const s2 = store();
  await toolWrite(s2, 'q9', 'gone.txt', 'x\n');
  const dirty = new Map([[file('gone.txt'), hashOf('x and unsaved\n')]]);
  assert.deepEqual((await s2.plan('q9', dirty)).map((i) => i.conflict), [true]);
  const overwritten = await s2.restore('q9', await s2.plan('q9', dirty), new Set([file('gone.txt')]));
  assert.deepEqual(overwritten.restored, [file('gone.txt')]);
});

test('checkpoints survive a reload (a new store on the same folder)', async () => {
  const s = store();
  await toolWrite(s, 'q1', 'a.txt', 'a2\n');
  const reloaded = store();
  await reloaded.load();
  assert.equal(reloaded.has('q1'), true);
  await reloaded.restore('q1', await reloaded.plan('q1'));
  assert.equal(await read('a.txt'), 'a1\n');
  const again = store();
  await again.load();
  assert.equal(again.redoable?.questionId, 'q1');
});

test('a damaged index keeps its whole records: a question or file entry that is not one is dropped, never acted on', async () => {
  const s = store();
  await toolWrite(s, 'q1', 'a.txt', 'a2\n');
  await toolWrite(s, 'q2', 'src/b.txt', 'b2\n');
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { questions: Array<{ id: string; files: Record<string, { before: unknown; after: unknown }> }> };
  // q2's entry names a "blob" outside the store, and a question without a chat or time is appended.
  const q2 = index.questions.find((q) => q.id === 'q2')!;
  q2.files[file('src/b.txt')].before = '../../../ws/a.txt';
  index.questions.push({ id: 'q3', files: {} } as (typeof index.questions)[number]);
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));

  const reloaded = store();
  await reloaded.load();
  assert.equal(reloaded.has('q1'), true, 'the whole record stays');
  assert.equal(reloaded.has('q3'), false, 'a question without a chat or time is dropped');
  assert.deepEqual(await reloaded.plan('q2'), [], 'the file entry with a bad hash is dropped: nothing of q2 is restored');
  await reloaded.restore('q1', await reloaded.plan('q1'));
  assert.equal(await read('a.txt'), 'a1\n');
  assert.equal(await read('src/b.txt'), 'b2\n', 'q2 left b.txt as it is');
});

test('the index reader keeps a whole Redo and drops one that lost a part (it would put back a different change)', () => {
  const h = hashOf('x');
  const question = { id: 'q1', conversationId: 'c', at: 1, files: { '/w/a.txt': { before: h, after: null } } };
  const redo = { conversationId: 'c', questionId: 'q1', files: { '/w/a.txt': { before: null, after: h } }, questions: [question], payload: h };
  assert.deepEqual(parseIndex(JSON.stringify({ version: 1, questions: [question], redo })), { version: 1, questions: [question], redo });
  for (const broken of [
    { ...redo, files: { '/w/a.txt': { before: null, after: 'not a hash' } } },
    { ...redo, questions: [{ ...question, at: 'later' }] },
    { ...redo, payload: '../payload' },
  ]) assert.deepEqual(parseIndex(JSON.stringify({ version: 1, questions: [question], redo: broken })), { version: 1, questions: [question] });
  assert.deepEqual(parseIndex('{"version":1,"questions":[tor'), { version: 1, questions: [] }, 'a torn index starts again');
  assert.deepEqual(parseIndex('{"version":2,"questions":[]}'), { version: 1, questions: [] }, 'another version is not read');
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
    await toolWrite(s, `q${i}`, 'a.txt', `version ${i}\n`);
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

test('two windows write the index at once: every entry of both is kept (the index lock)', { timeout: 60_000 }, async () => {
  // Two processes (two windows' extension hosts) on one store folder, each recording 40 questions as fast as it can,
  // released together so their read-modify-writes of the index overlap.
  const perWriter = 40;
  const moduleUrl = join(__dirname, '../../src/core/checkpoints/checkpointStore.ts');
  const code = (name: string) => `
    const { CheckpointStore } = require(${JSON.stringify(moduleUrl)});
    const { writeFileSync } = require('node:fs');
    const s = new CheckpointStore({ dir: ${JSON.stringify(dir)}, roots: () => [] });
    process.stdout.write('ready\\n');
    process.stdin.once('data', async () => {
      for (let i = 0; i < ${perWriter}; i++) {
        const path = ${JSON.stringify(ws)} + '/${name}-' + i + '.txt';
        await s.beforeWrite('${name}-q' + i, 'c', path);
        writeFileSync(path, 'made by ${name} ' + i);
        await s.afterWrite('${name}-q' + i, path);
      }
      process.exit(0);
    });`;
  const children = ['w1', 'w2'].map((name) => spawn(process.execPath, ['--import', 'tsx', '-e', code(name)], { stdio: ['pipe', 'pipe', 'inherit'] }));
  await Promise.all(children.map((c) => new Promise<void>((resolve, reject) => {
    c.on('error', reject);
    c.stdout!.once('data', () => resolve());
  })));
  const exits = children.map((c) => new Promise<number | null>((resolve) => c.on('exit', resolve)));
  for (const c of children) c.stdin!.write('go\n');
  assert.deepEqual(await Promise.all(exits), [0, 0]);
  const fresh = store();
  await fresh.load();
  assert.equal(fresh.questions.length, 2 * perWriter, 'no question lost');
  assert.ok(fresh.questions.every((q) => Object.values(q.files).every((f) => f.before === null && f.after !== null)), 'every after recorded');
});

test('an edit into unsaved changes: Restore puts back the file and the user\'s unsaved text; Redo the edit', async () => {
  const s = store();
  const path = file('a.txt');
  // On disk "a1"; the editor holds the user's unsaved "a1 + mine"; edit_file changes the editor only.
  await s.beforeWrite('q1', 'c', path, 'a1\nmine\n');
  await s.afterWrite('q1', path, 'a2\nmine\n');
  const plan = await s.plan('q1', new Map([[path, hashOf('a2\nmine\n')]]));
  assert.equal(plan.length, 1);
  assert.equal(plan[0].conflict, false);
  assert.equal(plan[0].text, hashOf('a1\nmine\n'));
  const summary = await s.restore('q1', plan);
  assert.deepEqual(summary.restored, [path]);
  assert.deepEqual(summary.texts, [{ path, text: hashOf('a1\nmine\n') }]);
  assert.equal((await s.blobs.get(summary.texts[0].text)).toString(), 'a1\nmine\n', 'the unsaved text is kept');
  assert.equal(await read('a.txt'), 'a1\n', 'the file on disk stays as saved');
  const redone = await s.redo(new Map([[path, hashOf('a1\nmine\n')]]));
  assert.deepEqual(redone.texts, [{ path, text: hashOf('a2\nmine\n') }]);

  // The user saved the edit: the file goes back as saved before, and their unsaved text into the editor.
  await s.beforeWrite('q2', 'c', path, 'a1\nmine\n');
  await s.afterWrite('q2', path, 'a2\nmine\n');
  await writeFile(path, 'a2\nmine\n');
  const saved = await s.plan('q2');
  assert.equal(saved[0].conflict, false);
  const back = await s.restore('q2', saved);
  assert.equal(await read('a.txt'), 'a1\n');
  assert.deepEqual(back.texts, [{ path, text: hashOf('a1\nmine\n') }]);

  // The user typed more after the edit: a conflict.
  await s.beforeWrite('q3', 'c', path, 'a1\nmine\n');
  await s.afterWrite('q3', path, 'a2\nmine\n');
  assert.equal((await s.plan('q3', new Map([[path, hashOf('a2\nmine\nmore\n')]])))[0].conflict, true);
});

test('a question\'s changed files: lines added and removed against before it, commands included', async () => {
  const s = store();
  await writeFile(file('long.txt'), Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') + '\n');
  await toolWrite(s, 'q1', 'long.txt', Array.from({ length: 50 }, (_, i) => (i === 3 ? 'three' : i === 40 ? 'forty' : `line ${i}`)).join('\n') + '\n');
  const before = await s.snapshot();
  await writeFile(file('made.txt'), 'one\ntwo\n');
  await rm(file('gone.txt'));
  await s.recordCommand('q1', 'c', before, await s.snapshot());
  const changes = await s.changes('q1');
  assert.deepEqual(changes.map((c) => [c.path.slice(ws.length + 1), c.added, c.removed, c.before === null, c.now === null]), [
    ['gone.txt', 0, 1, false, true],
    ['long.txt', 2, 2, false, false],
    ['made.txt', 2, 0, true, false],
  ]);
  // Unsaved text in an editor counts as what the file is now.
  const unsaved = await s.changes('q1', new Map([[file('made.txt'), 'one\n']]));
  assert.deepEqual(unsaved.find((c) => c.path === file('made.txt')), { path: file('made.txt'), before: null, now: hashOf('one\n'), added: 1, removed: 0 });
});

test('what the chat keeps with a Restore comes back with Redo after a reload', async () => {
  const s = store();
  await toolWrite(s, 'q1', 'a.txt', 'a2\n');
  await s.restore('q1', await s.plan('q1'));
  await s.keepWithRestore('q1', JSON.stringify({ turns: ['the question', 'its answer'] }));
  assert.equal((await s.prune()).blobs, 0, 'the kept turns are referenced');
  const reloaded = store();
  const redone = await reloaded.redo();
  assert.equal(redone.questionId, 'q1');
  assert.equal(redone.conversationId, 'c');
  assert.deepEqual(JSON.parse(redone.payload!.toString()), { turns: ['the question', 'its answer'] });
  assert.equal(await read('a.txt'), 'a2\n');
});

test('prune leaves young unreferenced blobs (another window may be about to refer to them)', async () => {
  const s = store({ blobGraceMs: 60 * 60 * 1000 });
  await s.blobs.put('orphan');
  assert.equal((await s.prune()).blobs, 0);
  assert.equal((await store().prune()).blobs, 1);
});

test('line counts are a shortest diff: two edits far apart are two lines each way', () => {
  const base = Array.from({ length: 1000 }, (_, i) => `l${i}`);
  const changed = base.map((l, i) => (i === 10 || i === 900 ? `${l}!` : l));
  assert.deepEqual(lineDelta(base.join('\n'), changed.join('\n')), { added: 2, removed: 2 });
  assert.deepEqual(lineDelta('', 'a\nb\n'), { added: 2, removed: 0 });
  assert.deepEqual(lineDelta('a\nb\n', ''), { added: 0, removed: 2 });
  assert.deepEqual(lineDelta('a\nb\nc\n', 'a\nx\nc\ny\n'), { added: 2, removed: 1 });
  assert.deepEqual(lineDelta('same\n', 'same\n'), { added: 0, removed: 0 });
});

test('Restore never writes in place: a damaged checkpoint copy is refused and the file left whole; mode and symlinks kept', async () => {
  const s = store();
  await writeFile(file('run.sh'), '#!/bin/sh\necho one\n', { mode: 0o755 });
  await symlink('src/b.txt', file('link.txt'));
  await toolWrite(s, 'q1', 'a.txt', 'a2\n');
  await toolWrite(s, 'q1', 'run.sh', '#!/bin/sh\necho two\n');
  await toolWrite(s, 'q1', 'link.txt', 'b2 through the link\n');
  // The copy of a.txt's content before the question is damaged on disk (as after a power cut before it was flushed).
  const blob = join(dir, 'blobs', hashOf('a1\n').slice(0, 2), hashOf('a1\n').slice(2));
  await writeFile(blob, '');
  const summary = await s.restore('q1', await s.plan('q1'));
  assert.deepEqual(summary.failed?.map((f) => [f.path, /damaged/.test(f.reason)]), [[file('a.txt'), true]]);
  assert.equal(await read('a.txt'), 'a2\n', 'a damaged copy is never written over the file');
  assert.equal(await read('run.sh'), '#!/bin/sh\necho one\n');
  assert.equal((await stat(file('run.sh'))).mode & 0o777, 0o755, 'the mode is kept');
  assert.equal((await lstat(file('link.txt'))).isSymbolicLink(), true, 'the symlink stays a symlink');
  assert.equal(await read('src/b.txt'), 'b1\n', 'its target is restored');
  assert.deepEqual((await readdir(ws)).filter((n) => n.includes('tmp')), [], 'no temporary file is left');
});

test('Restore on a full disk: the file that does not fit is left whole and reported, the others are restored', async (t) => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return t.skip('needs root on Linux to mount a small tmpfs (CI runs as root)');
  const small = join(base, 'small');
  await mkdir(small);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', small]);
  if (mounted.status !== 0) return t.skip(`mount failed: ${mounted.stderr.toString().trim()}`);
  try {
    ws = small;
    const s = store();
    await writeFile(file('big.txt'), 'x'.repeat(100_000));
    await writeFile(file('small.txt'), 'small before\n');
    await toolWrite(s, 'q1', 'big.txt', 'shrunk by the question\n');
    await toolWrite(s, 'q1', 'small.txt', 'small after\n');
    // Fill the disk: 100 KB no longer fits, a few bytes still do.
    await writeFile(join(small, 'filler'), Buffer.alloc(200_000));
    const summary = await s.restore('q1', await s.plan('q1'));
    assert.deepEqual(summary.failed, [{ path: file('big.txt'), reason: 'the disk is full' }]);
    assert.equal(await read('big.txt'), 'shrunk by the question\n', 'not cut short: whole, as it was');
    assert.equal(await read('small.txt'), 'small before\n');
    assert.deepEqual((await readdir(small)).sort(), ['big.txt', 'filler', 'small.txt'], 'no temporary file is left');
  } finally {
    spawnSync('umount', [small]);
  }
});
