// Issue 16, the conversation store under faults (SQLite-style): a full disk with short writes, failed renames, temp
// files left by kills, files torn by hand, a lost or unreadable index, and SIGKILLs of a writing process at random
// points. Each test counts what the store said was committed against what survives, and prints the figure
// (`# figure:` lines; the table in docs/DEVELOPMENT.md is made from them).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HostToWebview } from '../../src/common/protocol';
import { Conversation, type ConversationData } from '../../src/core/conversation/conversation';
import { ConversationController } from '../../src/core/conversation/conversationController';
import { type AnswerRunner } from '../../src/core/conversation/answerRun';
import { ConversationStore } from '../../src/core/conversation/conversationStore';
import { StorageWriteError } from '../../src/core/conversation/conversationFiles';
import { buildUserContent } from '../../src/core/request/prompt';
import { FaultyFs } from '../support/faultyFs';
import { killAtRandom } from '../support/killAtRandom';
import { startSimulator, type Simulator } from '../support/simulator';
import { simulatorRunner } from '../support/simulatorRunner';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** Kills per kill test (FASTROUTER_FAULT_KILLS to run more, e.g. 100 for the figures in docs/DEVELOPMENT.md). */
const KILLS = Number(process.env.FASTROUTER_FAULT_KILLS ?? 8);

async function tempDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'chat-faults-'));
  dirs.push(root);
  return join(root, 'conversations');
}

/** A chat of `turns` exchanges of about `bytesPerTurn` characters each. */
function chat(id: string, turns: number, bytesPerTurn = 200, title = `Chat ${id}`): ConversationData {
  const c = Conversation.create(id, 1000);
  for (let i = 0; i < turns; i++) {
    const e = c.addExchange({ text: i === 0 ? title : `q${i}` }, { user: `${id}-u${i}`, answer: `${id}-a${i}` }, 1000 + i);
    e.answer.status = 'done';
    e.answer.messages = [{ content: [{ type: 'text', text: `answer ${i} ${'z'.repeat(bytesPerTurn)}` }], complete: true }];
  }
  const data = c.toData();
  data.updatedAt = 1000 + turns;
  return data;
}

function temps(dir: string): string[] {
  const walk = (d: string): string[] => (existsSync(d) ? readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : n.endsWith('.tmp') ? [n] : [])) : []);
  return walk(dir);
}

test('a full disk: saves fail with the reason, leave no temp file behind, keep the last saved version, and succeed once there is room', async (t) => {
  const dir = await tempDir();
  const fs = new FaultyFs(dir);
  const store = new ConversationStore(dir, () => {}, {}, { fs });
  await store.save(chat('c', 2));
  // 240 KB free, a chat of ~300 KB: as in the issue, three saves into the space left.
  fs.quotaBytes = fs.usedBytes() + 240 * 1024;
  const big = chat('c', 150, 2000);
  let failed = 0;
  for (let i = 0; i < 3; i++) {
    const error = await store.save(big).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof StorageWriteError, `save ${i} failed as a write error: ${String(error)}`);
    assert.equal(error.reason, 'no space left on the disk');
    failed++;
  }
  assert.equal(fs.tempBytes(), 0, 'no temp file holds the space');
  assert.deepEqual(temps(dir), []);
  assert.equal((await new ConversationStore(dir).load('c'))?.exchanges.length, 2, 'the last saved version is whole');
  fs.quotaBytes = undefined;
  await store.save(big);
  assert.equal((await new ConversationStore(dir).load('c'))?.exchanges.length, 150);
  t.diagnostic(`figure: full disk | ${failed} saves into 240 KB free | ${fs.tempBytes()} bytes of temp files left; last saved version whole; next save with room succeeds`);
});

test('every write that fails part-way (short write, failed fsync, rename, link) removes its temp file and keeps the file as it was', async (t) => {
  const dir = await tempDir();
  const fs = new FaultyFs(dir);
  const store = new ConversationStore(dir, () => {}, {}, { fs });
  await store.save(chat('c', 3));
  const faults: [Parameters<FaultyFs['failNext']>[0], string][] = [
    ['writeFile', 'ENOSPC'],
    ['fsync', 'EIO'],
    ['link', 'EMLINK'],
    ['rename', 'EIO'],
  ];
  for (const [op, code] of faults) {
    fs.failNext(op, code, (path) => path.includes('c.json'));
    const error = await store.save(chat('c', 4)).then(() => undefined, (e: unknown) => e);
    if (op === 'link') {
      // No hard link here (some file systems): the save still happens, without a previous generation.
      assert.equal(error, undefined);
      await store.save(chat('c', 3));
      continue;
    }
    assert.ok(error instanceof StorageWriteError, `${op}: ${String(error)}`);
    assert.deepEqual(temps(dir), [], `${op}: no temp file left`);
    assert.equal((await new ConversationStore(dir).load('c'))?.exchanges.length, 3, `${op}: the saved chat is unchanged`);
  }
  t.diagnostic(`figure: injected write faults | ${faults.length} kinds (short write, fsync, link, rename) | 0 temp files left, 0 saved turns lost`);
});

test('temp files left by a killed save are swept when a store starts', async () => {
  const dir = await tempDir();
  await new ConversationStore(dir).save(chat('c', 1));
  const leftovers = ['c.json.1b2c.tmp', 'index.json.9f9f.tmp', 'c.json.prev.77aa.tmp', join('deleted', 'x.1234.tmp')];
  for (const name of leftovers) {
    await import('node:fs/promises').then((f) => f.mkdir(join(dir, 'deleted'), { recursive: true }));
    writeFileSync(join(dir, name), 'x'.repeat(50_000));
  }
  assert.equal(temps(dir).length, 4);
  const fresh = new ConversationStore(dir);
  assert.deepEqual((await fresh.list()).map((s) => s.id), ['c']);
  assert.deepEqual(temps(dir), []);
});

test('saves are durable: the data is fsynced before the rename and the folder after it', async () => {
  const dir = await tempDir();
  const fs = new FaultyFs(dir);
  const store = new ConversationStore(dir, () => {}, {}, { fs });
  await store.save(chat('c', 1));
  fs.calls.length = 0;
  await store.save(chat('c', 2));
  const at = (op: string, pred: (path: string) => boolean) => fs.calls.findIndex(([o, p]) => o === op && pred(p));
  const fsync = at('fsync', (p) => p.includes('c.json.') && p.endsWith('.tmp'));
  const rename = at('rename', (p) => p.endsWith('c.json'));
  const prev = at('rename', (p) => p.endsWith('c.json.prev'));
  const syncDir = at('syncDir', (p) => p === dir);
  assert.ok(fsync >= 0 && prev > fsync && rename > prev && syncDir > rename, JSON.stringify(fs.calls));
});

test('torn chat files (cut by hand at random points) open from the previous generation, say which, and are moved aside into History', async (t) => {
  const dir = await tempDir();
  const logs: string[] = [];
  const writer = new ConversationStore(dir);
  let committed = 0;
  let previous = 0;
  const ids = Array.from({ length: 10 }, (_, i) => `t${i}`);
  for (const [i, id] of ids.entries()) {
    const turns = 20 + i * 3;
    await writer.save(chat(id, turns - 1, 300));
    await writer.save(chat(id, turns, 300));
    committed += turns;
    previous += turns - 1;
    const file = join(dir, `${id}.json`);
    truncateSync(file, Math.floor(statSync(file).size * (0.1 + 0.8 * Math.random())));
  }
  const store = new ConversationStore(dir, (m) => logs.push(m));
  let opened = 0;
  let survived = 0;
  for (const id of ids) {
    const result = await store.read(id);
    assert.equal(result.state, 'ok', id);
    if (result.state !== 'ok') continue;
    opened++;
    survived += result.data.exchanges.length;
    assert.equal(result.restored?.savedAt, result.data.updatedAt);
    assert.match(result.restored?.damagedFile ?? '', new RegExp(`[/\\\\]${id}\\.[^/\\\\]*\\.damaged$`));
    assert.ok(existsSync(result.restored!.damagedFile!));
  }
  assert.equal(opened, 10);
  assert.equal(survived, previous);
  assert.ok(logs.some((l) => /could not be read \(moved aside to .*\); the version saved at .* was restored/.test(l)), logs.join('\n'));
  // The damaged files stay, listed in History (with the title their head still holds), and the chats open again.
  const listed = await new ConversationStore(dir).list();
  assert.equal(listed.filter((s) => s.damaged).length, 10);
  assert.ok(listed.filter((s) => s.damaged).every((s) => /^Chat t\d$/.test(s.title) && existsSync(s.damaged!)));
  assert.equal(listed.filter((s) => !s.damaged).length, 10);
  for (const id of ids) assert.ok(await new ConversationStore(dir).load(id));
  t.diagnostic(`figure: torn chat files | 10 files cut at random points, ${committed} turns | 10 of 10 open; ${survived} turns restored from the previous generation (the last save of each, ${committed - survived} turns, lost); 10 damaged files kept and listed`);
});

test('a chat whose two generations are both torn is moved aside and listed in History, never silently dropped', async () => {
  const dir = await tempDir();
  const writer = new ConversationStore(dir);
  await writer.save(chat('both', 5, 100, 'Lost thoughts'));
  await writer.save(chat('both', 6, 100, 'Lost thoughts'));
  for (const name of ['both.json', 'both.json.prev']) writeFileSync(join(dir, name), (await readFile(join(dir, name), 'utf8')).slice(0, 120));
  const store = new ConversationStore(dir);
  const result = await store.read('both');
  assert.equal(result.state, 'damaged');
  const listed = await store.list();
  assert.equal(listed.length, 2, JSON.stringify(listed));
  assert.ok(listed.every((s) => s.damaged && s.title === 'Lost thoughts'));
});

test('a deleted chat stays deleted when the index is lost, and when a kill lands between the tombstone and the file removal', async (t) => {
  const dir = await tempDir();
  const deleter = new ConversationStore(dir);
  const other = new ConversationStore(dir);
  const ids = Array.from({ length: 10 }, (_, i) => `d${i}`);
  for (const id of ids) await other.save(chat(id, 2));
  for (const id of ids) await other.load(id);
  for (const id of ids) await deleter.delete(id);
  await rm(join(dir, 'index.json'));
  let back = 0;
  for (const id of ids) if (!(await other.save(chat(id, 3))).deleted) back++;
  assert.equal(back, 0);
  assert.deepEqual(await new ConversationStore(dir).list(), []);
  // What a kill right after the tombstone leaves: the tombstone written, the file still there, the index unchanged.
  await other.save(chat('half', 2));
  await import('node:fs/promises').then((f) => f.writeFile(join(dir, 'deleted', 'half'), '1'));
  assert.equal((await other.save(chat('half', 3))).deleted, true);
  assert.deepEqual(await new ConversationStore(dir).list(), []);
  assert.equal(existsSync(join(dir, 'half.json')), false, 'the half-done deletion was finished at start');
  t.diagnostic(`figure: deletions, index lost | 10 chats deleted, index removed, stale copies saved by another window | 0 of 10 came back`);
});

test('an unreadable index is rebuilt whole from the files (tombstones kept)', async () => {
  const dir = await tempDir();
  const store = new ConversationStore(dir);
  for (let i = 0; i < 20; i++) await store.save(chat(`i${i}`, 1));
  await store.delete('i0');
  writeFileSync(join(dir, 'index.json'), '{"version":1,"conversations":[{"id":"i1","ti');
  const fresh = new ConversationStore(dir);
  assert.equal((await fresh.list()).length, 19);
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { conversations: unknown[]; deleted: { id: string }[] };
  assert.equal(index.conversations.length, 19);
  assert.ok(index.deleted.some((d) => d.id === 'i0'));
  assert.equal((await fresh.save(chat('i0', 2))).deleted, true);
});

test(`SIGKILL of a saving process at random points (${KILLS} kills): every committed turn survives, no temp file stays`, { timeout: 300_000 }, async (t) => {
  const dir = await tempDir();
  let committed = 0;
  let survived = 0;
  let lost = 0;
  let opened = 0;
  for (let k = 0; k < KILLS; k++) {
    const before = (await new ConversationStore(dir).load('chat'))?.exchanges.length ?? 0;
    const result = await killAtRandom('save', dir, { minCommits: before + 1, maxCommits: before + 6 });
    const after = (await new ConversationStore(dir).load('chat'))?.exchanges.length ?? 0;
    if (after > 0) opened++;
    committed += result.committed - before;
    survived += Math.min(after, result.committed) - before;
    lost += Math.max(0, result.committed - after);
  }
  assert.equal(lost, 0);
  assert.equal(opened, KILLS);
  await new ConversationStore(dir).list();
  assert.deepEqual(temps(dir), []);
  t.diagnostic(`figure: SIGKILL while saving | ${KILLS} kills, ${committed} saves committed | ${survived} survive, ${lost} lost; the chat opens after every kill; 0 temp files after the next start`);
});

test(`SIGKILL of a deleting process at random points (${KILLS} kills): no deleted chat comes back from another window's stale copy`, { timeout: 300_000 }, async (t) => {
  let deletions = 0;
  let back = 0;
  for (let k = 0; k < KILLS; k++) {
    const dir = await tempDir();
    const other = new ConversationStore(dir);
    const ids = Array.from({ length: 40 }, (_, i) => `c${i}`);
    for (const id of ids) await other.save(chat(id, 1, 20));
    for (const id of ids) await other.load(id);
    const { committed } = await killAtRandom('delete', dir, { maxCommits: 30 });
    deletions += committed;
    // The other window still holds every chat and saves its copy; one deleted (or being deleted) must stay gone.
    for (const id of ids.slice(0, committed)) if (!(await other.save(chat(id, 2, 20))).deleted) back++;
    const listed = new Set((await new ConversationStore(dir).list()).map((s) => s.id));
    for (const id of ids.slice(0, committed)) assert.equal(listed.has(id), false, id);
  }
  assert.equal(back, 0);
  t.diagnostic(`figure: SIGKILL while deleting | ${KILLS} kills, ${deletions} deletions committed | 0 came back when another window saved its stale copies`);
});

// §1 — the chat says a failed save, keeps the chat dirty and saves it again; the question is on disk before its request.
describe('the chat on a full disk', () => {
  let sim: Simulator;
  const controllers: ConversationController[] = [];
  before(async () => {
    sim = await startSimulator({ defaultDelayMs: 1 });
  });
  after(async () => {
    for (const c of controllers) {
      c.stop();
      await c.idle();
      c.dispose();
    }
    await sim.close();
  });

  async function setup(options: { runner?: AnswerRunner; quota?: boolean } = {}) {
    const dir = await tempDir();
    const disk = new FaultyFs(dir);
    const posted: HostToWebview[] = [];
    const unsaved: (string | undefined)[] = [];
    const store = new ConversationStore(dir, () => {}, {}, { fs: disk });
    const controller = new ConversationController({
      runner: options.runner ?? simulatorRunner(sim.url),
      store,
      userContent: buildUserContent,
      post: (message) => posted.push(message),
      model: () => 'sim-model',
      prefillAllowed: () => true,
      log: () => {},
      saveDelayMs: 20,
      saveRetryMs: 30,
      unsavedChanged: (reason) => unsaved.push(reason),
    });
    controllers.push(controller);
    await controller.ready;
    return { controller, posted, unsaved, disk, dir };
  }

  const notices = (posted: HostToWebview[]) => posted.flatMap((m) => (m.type === 'notice' ? [`${m.level}: ${m.message}`] : []));

  test('a failed save is said in the chat with the reason, the chat stays dirty, and it is saved again on a timer once there is room', async (t) => {
    const { controller, posted, unsaved, disk, dir } = await setup();
    disk.quotaBytes = disk.usedBytes() + 100;
    sim.enqueue({ text: 'An answer that will not fit on the disk at first.' });
    await controller.ask({ text: 'Will this be kept?' });
    await controller.idle();
    assert.deepEqual(notices(posted), ['error: This chat could not be saved: no space left on the disk. It stays in this window and is saved when there is room.']);
    assert.deepEqual(unsaved, ['no space left on the disk']);
    assert.equal(controller.hasUnsaved, true);
    assert.equal(disk.tempBytes(), 0);
    // The page painted again says it again.
    posted.length = 0;
    controller.postStandingNotices();
    assert.equal(notices(posted).length, 1);
    disk.quotaBytes = undefined;
    await eventually(() => !controller.hasUnsaved, 'the retry timer saved the chat');
    await controller.idle();
    const saved = await new ConversationStore(dir).load(controller.conversation.id);
    assert.equal(saved?.exchanges.length, 1);
    assert.equal(saved?.exchanges[0]?.answer.status, 'done');
    assert.ok(notices(posted).includes('info: This chat is saved again.'));
    assert.deepEqual(unsaved, ['no space left on the disk', undefined]);
    t.diagnostic('figure: chat on a full disk | 1 question + answer, disk full | said in the chat, kept dirty, saved by the retry timer once there was room: 2 of 2 turns on disk');
  });

  test('a failed save is retried at the next change: the next question saves both', async () => {
    const { controller, disk, dir } = await setup();
    disk.quotaBytes = disk.usedBytes() + 100;
    sim.enqueue({ text: 'first' });
    await controller.ask({ text: 'one' });
    await controller.idle();
    assert.equal(controller.hasUnsaved, true);
    disk.quotaBytes = undefined;
    sim.enqueue({ text: 'second' });
    await controller.ask({ text: 'two' });
    await controller.idle();
    assert.equal(controller.hasUnsaved, false);
    assert.equal((await new ConversationStore(dir).load(controller.conversation.id))?.exchanges.length, 2);
  });

  test('a chat still unsaved when the window closes gets one last save', async () => {
    const { controller, disk, dir } = await setup();
    disk.quotaBytes = disk.usedBytes() + 100;
    sim.enqueue({ text: 'kept until the end' });
    await controller.ask({ text: 'last words' });
    await controller.idle();
    assert.equal(controller.hasUnsaved, true);
    disk.quotaBytes = undefined;
    controller.dispose();
    await eventually(() => !controller.hasUnsaved, 'the last save on dispose');
    await controller.idle();
    assert.equal((await new ConversationStore(dir).load(controller.conversation.id))?.exchanges[0]?.user.text, 'last words');
  });

  test('the question is on disk before its request goes out', async () => {
    let dir = '';
    const onDisk: boolean[] = [];
    const inner = simulatorRunner(sim.url);
    const runner: AnswerRunner = {
      run(input, signal, onEvent, options) {
        // What a crash at this moment would leave: the files as they are when the request is made.
        // The chat's file or its journal (a question is appended to the journal when the chat is on disk already).
        const files = readdirSync(dir).filter((n) => (n.endsWith('.json') || n.endsWith('.journal')) && n !== 'index.json');
        onDisk.push(files.some((n) => readFileSync(join(dir, n), 'utf8').includes('asked just before a crash')));
        return inner.run(input, signal, onEvent, options);
      },
    };
    const setupResult = await setup({ runner });
    dir = setupResult.dir;
    sim.enqueue({ text: 'ok' });
    await setupResult.controller.ask({ text: 'asked just before a crash' });
    await setupResult.controller.idle();
    assert.deepEqual(onDisk, [true]);
  });
});

async function eventually(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
