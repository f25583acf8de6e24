// Issue 16 §7, the conversation journal under faults: a save while an answer streams appends only the changed
// exchange (`<id>.journal`, one `<length> <crc32> <json>` line per record) instead of rewriting the whole chat. Each
// test injects a fault into that format (a torn tail, a damaged line, a SIGKILL mid-append, a full disk mid-append, two
// windows appending, a kill between a compaction's two renames, a torn base after a compaction) and counts what the
// store said was committed against what survives (`# figure:` lines, for the table in docs/DEVELOPMENT.md).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Conversation, type ConversationData, type Exchange } from '../../src/core/conversation/conversation';
import { ConversationController } from '../../src/core/conversation/conversationController';
import { mergeConversationData } from '../../src/core/conversation/conversationMerge';
import { ConversationStore } from '../../src/core/conversation/conversationStore';
import { StorageWriteError } from '../../src/core/conversation/conversationFiles';
import { buildUserContent } from '../../src/core/request/prompt';
import { FaultyFs } from '../support/faultyFs';
import { killAtRandom } from '../support/killAtRandom';
import { startSimulator } from '../support/simulator';
import { simulatorRunner } from '../support/simulatorRunner';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const KILLS = Number(process.env.FASTROUTER_FAULT_KILLS ?? 8);

async function tempDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'chat-journal-'));
  dirs.push(root);
  return join(root, 'conversations');
}

/** A chat of `turns` finished exchanges of about `bytesPerTurn` characters each. */
function chat(id: string, turns: number, bytesPerTurn = 500): Conversation {
  const c = Conversation.create(id, 1000);
  for (let i = 0; i < turns; i++) {
    const e = c.addExchange({ text: `q${i}` }, { user: `${id}-u${i}`, answer: `${id}-a${i}` }, 1000 + i);
    e.answer.status = 'done';
    e.answer.messages = [{ content: [{ type: 'text', text: `answer ${i} ${'z'.repeat(bytesPerTurn)}` }], complete: true }];
  }
  return c;
}

/** The answer streaming into `e`, `n` characters so far. */
function stream(e: Exchange, n: number, done = false): void {
  e.answer.status = done ? 'done' : 'streaming';
  e.answer.messages = [{ content: [{ type: 'text', text: `live ${e.answer.id} ${'w'.repeat(n)}` }], complete: done }];
  e.updatedAt = 5000 + n;
}

const stampOf = (path: string) => {
  const s = statSync(path);
  return `${s.ino}:${s.size}:${s.mtimeMs}`;
};
const texts = (data: ConversationData | undefined) => (data?.exchanges ?? []).map((e) => JSON.stringify(e.answer.messages));

test('a save naming the changed exchange appends it to the journal; the chat file is not rewritten, and a fresh store reads the chat whole', async () => {
  const dir = await tempDir();
  const store = new ConversationStore(dir);
  const c = chat('j', 30);
  await store.save(c.toData());
  const base = stampOf(join(dir, 'j.json'));
  const e = c.addExchange({ text: 'a new question' }, { user: 'u-new', answer: 'a-new' }, 9000);
  const first = await store.save(c.toData(), { changed: [e.answer.id] });
  assert.equal(first.appended, true);
  for (let n = 100; n <= 500; n += 100) {
    stream(e, n);
    const result = await store.save(c.toData(), { changed: [e.answer.id] });
    assert.equal(result.appended, true);
    assert.ok(result.size < 1000, `only the exchange is written (${result.size} characters)`);
  }
  stream(e, 600, true);
  await store.save(c.toData(), { changed: [e.answer.id] });
  assert.equal(stampOf(join(dir, 'j.json')), base, 'the chat file was not rewritten');
  const read = await new ConversationStore(dir).load('j');
  assert.deepEqual(read, JSON.parse(JSON.stringify(c.toData())));
  assert.deepEqual((await new ConversationStore(dir).list()).map((s) => s.id), ['j']);
});

test('a save that cannot be a delta writes the chat whole: an exchange removed, another one changed without being named, a legacy file', async () => {
  const dir = await tempDir();
  const c = chat('w', 5);
  // A file from before the journal (no generation): the first delta is written whole.
  await import('node:fs/promises').then((f) => f.mkdir(dir, { recursive: true }));
  writeFileSync(join(dir, 'w.json'), JSON.stringify(c.toData()));
  const legacy = new ConversationStore(dir);
  const loaded = new Conversation((await legacy.load('w'))!);
  const e = loaded.addExchange({ text: 'more' }, { user: 'u5', answer: 'a5' }, 9000);
  assert.equal((await legacy.save(loaded.toData(), { changed: [e.answer.id] })).appended, undefined);
  assert.equal((await legacy.save(loaded.toData(), { changed: [e.answer.id] })).appended, true);
  // A Restore took exchanges out: whole.
  loaded.exchanges.splice(2, 1);
  loaded.removed.push('w-a2');
  assert.equal((await legacy.save(loaded.toData(), { changed: [e.answer.id] })).appended, undefined);
  // An exchange replaced by another object that is not named: whole.
  loaded.exchanges[0] = { ...loaded.exchanges[0]!, answer: { ...loaded.exchanges[0]!.answer, status: 'interrupted' } };
  assert.equal((await legacy.save(loaded.toData(), { changed: [e.answer.id] })).appended, undefined);
  assert.deepEqual(await new ConversationStore(dir).load('w'), JSON.parse(JSON.stringify(loaded.toData())));
});

test('a torn journal tail (cut by hand at every byte of the last record) drops only that record', async (t) => {
  const dir = await tempDir();
  const store = new ConversationStore(dir);
  const c = chat('t', 20);
  await store.save(c.toData());
  const e = c.addExchange({ text: 'streaming' }, { user: 'u', answer: 'a' }, 9000);
  await store.save(c.toData(), { changed: ['a'] });
  stream(e, 300);
  await store.save(c.toData(), { changed: ['a'] });
  const committed = JSON.parse(JSON.stringify(c.toData())) as ConversationData;
  stream(e, 900);
  await store.save(c.toData(), { changed: ['a'] });
  const journal = join(dir, 't.journal');
  const whole = readFileSync(journal);
  const lastStart = whole.lastIndexOf('\n', whole.length - 3);
  let cuts = 0;
  let survived = 0;
  for (let cut = lastStart; cut < whole.length - 1; cut += 7) {
    writeFileSync(journal, whole.subarray(0, cut));
    const logs: string[] = [];
    const read = await new ConversationStore(dir, (m) => logs.push(m)).load('t');
    cuts++;
    assert.deepEqual(read, committed, `cut at ${cut}`);
    survived++;
    if (cut > lastStart + 1) assert.ok(logs.some((l) => /journal record\(s\) dropped/.test(l)), logs.join('\n'));
  }
  // A store that finds the tail torn appends after it on a fresh line: the next record is not glued to the fragment.
  writeFileSync(journal, whole.subarray(0, lastStart + 40));
  const next = new ConversationStore(dir);
  const reopened = new Conversation((await next.load('t'))!);
  const again = reopened.exchanges.at(-1)!;
  stream(again, 1200);
  assert.equal((await next.save(reopened.toData(), { changed: ['a'] })).appended, true);
  assert.deepEqual(texts(await new ConversationStore(dir).load('t')), texts(reopened.toData()));
  t.diagnostic(`figure: torn journal tail | ${cuts} cuts inside the last record | the chat as of the record before: ${survived} of ${cuts}; the next append starts on a fresh line`);
});

test('a damaged line in the middle of the journal is skipped; the records around it are kept', async () => {
  const dir = await tempDir();
  const store = new ConversationStore(dir);
  const c = chat('m', 10);
  await store.save(c.toData());
  const one = c.addExchange({ text: 'one' }, { user: 'u1', answer: 'one' }, 9000);
  stream(one, 100, true);
  await store.save(c.toData(), { changed: ['one'] });
  const two = c.addExchange({ text: 'two' }, { user: 'u2', answer: 'two' }, 9001);
  stream(two, 100, true);
  await store.save(c.toData(), { changed: ['two'] });
  const three = c.addExchange({ text: 'three' }, { user: 'u3', answer: 'three' }, 9002);
  stream(three, 100, true);
  await store.save(c.toData(), { changed: ['three'] });
  const journal = join(dir, 'm.journal');
  const lines = readFileSync(journal, 'utf8').split('\n');
  const middle = lines.findIndex((l) => l.includes('"two"'));
  lines[middle] = lines[middle]!.replace('live two', 'live tw0');
  writeFileSync(journal, lines.join('\n'));
  const read = await new ConversationStore(dir).load('m');
  assert.deepEqual(read?.exchanges.map((e) => e.answer.id).slice(-2), ['one', 'three']);
});

test('a full disk mid-append: the save fails with the reason, the chat reads as last committed, and the next save with room writes it whole', async (t) => {
  const dir = await tempDir();
  const fs = new FaultyFs(dir);
  const store = new ConversationStore(dir, () => {}, {}, { fs });
  const c = chat('f', 40);
  await store.save(c.toData());
  const e = c.addExchange({ text: 'will it fit?' }, { user: 'u', answer: 'a' }, 9000);
  await store.save(c.toData(), { changed: ['a'] });
  stream(e, 500);
  await store.save(c.toData(), { changed: ['a'] });
  const committed = JSON.parse(JSON.stringify(c.toData())) as ConversationData;
  let failures = 0;
  for (let i = 0; i < 20; i++) {
    fs.quotaBytes = fs.usedBytes() + 50 + i * 40;
    stream(e, 2000 + i);
    const error = await store.save(c.toData(), { changed: ['a'] }).then(() => undefined, (err: unknown) => err);
    assert.ok(error instanceof StorageWriteError, String(error));
    assert.equal(error.reason, 'no space left on the disk');
    failures++;
    assert.deepEqual(await new ConversationStore(dir).load('f'), committed, `run ${i}: the chat as last committed`);
  }
  assert.equal(fs.tempBytes(), 0);
  fs.quotaBytes = undefined;
  stream(e, 3000, true);
  const result = await store.save(c.toData(), { changed: ['a'] });
  assert.equal(result.appended, undefined, 'after a failed append the chat is written whole');
  assert.deepEqual(await new ConversationStore(dir).load('f'), JSON.parse(JSON.stringify(c.toData())));
  t.diagnostic(`figure: full disk mid-append | ${failures} short appends (ENOSPC) | ${failures} said; the chat read as last committed after each; whole after the next save with room`);
});

test('two windows appending to the same chat at once keep every exchange of both', async (t) => {
  const dir = await tempDir();
  const seed = new ConversationStore(dir);
  await seed.save(chat('two', 20).toData());
  const windows = await Promise.all(['A', 'B'].map(async (name) => {
    const store = new ConversationStore(dir);
    return { name, store, chat: new Conversation((await store.load('two'))!) };
  }));
  const rounds = 15;
  let appended = 0;
  let saves = 0;
  await Promise.all(windows.map(async (w) => {
    for (let i = 0; i < rounds; i++) {
      const e = w.chat.addExchange({ text: `${w.name}-${i}` }, { user: `${w.name}-u${i}`, answer: `${w.name}-a${i}` }, 10_000 + i * 2 + (w.name === 'A' ? 0 : 1));
      for (const [n, done] of [[10, false], [200, true]] as const) {
        stream(e, n, done);
        const result = await w.store.save(w.chat.toData(), { changed: [e.answer.id] });
        saves++;
        if (result.appended) appended++;
        if (result.merged) {
          // What the window does with a merge (ConversationSync.adopt): it takes the other window's exchanges in,
          // keeping its own objects.
          const merged = mergeConversationData(w.chat.toData(), result.merged, e.answer.id);
          w.chat.exchanges.splice(0, w.chat.exchanges.length, ...merged.data.exchanges);
        }
      }
    }
  }));
  const final = await new ConversationStore(dir).load('two');
  const ids = new Set(final?.exchanges.map((e) => e.answer.id));
  let kept = 0;
  for (const w of ['A', 'B']) for (let i = 0; i < rounds; i++) if (ids.has(`${w}-a${i}`)) kept++;
  assert.equal(kept, rounds * 2);
  for (const e of final!.exchanges.filter((x) => /^[AB]-a/.test(x.answer.id))) assert.equal(e.answer.status, 'done', e.answer.id);
  t.diagnostic(`figure: two windows appending | ${rounds * 2} exchanges, ${saves} saves (${appended} appended, the rest merged and written whole) | ${kept} of ${rounds * 2} kept, every answer done`);
});

test('an answer end folds a grown journal into a new chat file; the previous generation (file + journal) stays whole for a torn file', async () => {
  const dir = await tempDir();
  const store = new ConversationStore(dir);
  const c = chat('p', 100, 400);
  await store.save(c.toData());
  const e = c.addExchange({ text: 'long' }, { user: 'u', answer: 'a' }, 9000);
  for (let n = 1000; n <= 20_000; n += 1000) {
    stream(e, n);
    assert.equal((await store.save(c.toData(), { changed: ['a'] })).appended, true);
  }
  const beforeCompaction = JSON.parse(JSON.stringify(c.toData())) as ConversationData;
  stream(e, 21_000, true);
  e.updatedAt = 99_999;
  const end = await store.save(c.toData(), { changed: ['a'], compact: true });
  assert.equal(end.appended, undefined, 'folded: written whole');
  assert.equal(existsSync(join(dir, 'p.journal')), false);
  assert.ok(existsSync(join(dir, 'p.journal.prev')));
  // The new file is torn (cut by hand): the previous generation opens with its journal applied.
  truncateSync(join(dir, 'p.json'), 5000);
  const result = await new ConversationStore(dir).read('p');
  assert.equal(result.state, 'ok');
  assert.deepEqual(result.state === 'ok' ? result.data : undefined, beforeCompaction);
});

test('a kill between a new chat file and setting its journal aside: the old records are not applied to the new file, but still to the previous one', async () => {
  const dir = await tempDir();
  const fs = new FaultyFs(dir);
  const store = new ConversationStore(dir, () => {}, {}, { fs });
  const c = chat('k', 10);
  await store.save(c.toData());
  const e = c.addExchange({ text: 'q' }, { user: 'u', answer: 'a' }, 9000);
  stream(e, 100);
  await store.save(c.toData(), { changed: ['a'] });
  const older = JSON.parse(JSON.stringify(c.toData())) as ConversationData;
  // What a kill right after the rename of the new file leaves: the journal of the old generation in place.
  fs.failNext('rename', 'EIO', (p) => p.endsWith('k.journal.prev'));
  stream(e, 50, true);
  e.updatedAt = 1;
  c.title = 'Whole again';
  await store.save(c.toData());
  assert.ok(existsSync(join(dir, 'k.journal')));
  assert.deepEqual(await new ConversationStore(dir).load('k'), JSON.parse(JSON.stringify(c.toData())), 'the new file, without the old records');
  truncateSync(join(dir, 'k.json'), 300);
  const restored = await new ConversationStore(dir).read('k');
  assert.deepEqual(restored.state === 'ok' ? restored.data : restored, older, 'the previous file with its records');
});

test(`SIGKILL of a process appending to the journal at random points (${KILLS} kills): every committed answer survives whole`, { timeout: 300_000 }, async (t) => {
  const dir = await tempDir();
  let lost = 0;
  let opened = 0;
  /** Places of the answers a child said were saved done (an answer cut by a kill stays, streaming, in its place). */
  const committedAt: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    const before = Math.max(40, (await new ConversationStore(dir).load('chat'))?.exchanges.length ?? 0);
    const result = await killAtRandom('journal', dir, { minCommits: before + 1, maxCommits: before + 6 });
    for (let i = before; i < result.committed; i++) committedAt.push(i);
    const data = await new ConversationStore(dir).load('chat');
    if (data) opened++;
    const whole = (i: number) => data?.exchanges[i]?.answer.status === 'done' && JSON.stringify(data.exchanges[i]!.answer.messages).includes(`answer ${i} ${'y'.repeat(1500)}`);
    lost = committedAt.filter((i) => !whole(i)).length;
    if (lost > 0) break;
  }
  const committed = committedAt.length;
  assert.equal(lost, 0);
  assert.equal(opened, KILLS);
  const names = readdirSync(dir);
  assert.deepEqual(names.filter((n) => n.endsWith('.tmp')).length, 0);
  t.diagnostic(`figure: SIGKILL while appending | ${KILLS} kills, ${committed} answers committed (4 saves each: question, 2 streaming, end) | ${committed - lost} survive whole, ${lost} lost`);
});

test('the chat saves a streaming answer by appending: the chat file is not rewritten while the answer streams', async () => {
  const sim = await startSimulator({ defaultDelayMs: 2 });
  const dir = await tempDir();
  const fs = new FaultyFs(dir);
  try {
    const seeded = chat('big', 200, 1500);
    await new ConversationStore(dir).save(seeded.toData());
    const controller = new ConversationController({
      runner: simulatorRunner(sim.url),
      store: new ConversationStore(dir, () => {}, {}, { fs }),
      userContent: buildUserContent,
      post: () => {},
      model: () => 'sim-model',
      prefillAllowed: () => true,
      log: () => {},
      saveDelayMs: 5,
    });
    await controller.ready;
    await controller.switchChat('big');
    fs.calls.length = 0;
    sim.enqueue({ text: Array.from({ length: 60 }, (_, i) => `part ${i} of a long answer. `).join(''), chunkSize: 20 });
    await controller.ask({ text: 'Tell me more.' });
    await controller.idle();
    // The chat file may be written whole once the answer has ended (the journal folded in), never before.
    const lastAppend = fs.calls.map(([op, p]) => op === 'append' && p.endsWith('big.journal')).lastIndexOf(true);
    const rewrites = fs.calls.slice(0, lastAppend).filter(([op, p]) => op === 'writeFile' && p.includes('big.json')).length;
    const appends = fs.calls.filter(([op, p]) => op === 'append' && p.endsWith('big.journal')).length;
    assert.equal(rewrites, 0, 'no rewrite while the answer streamed');
    assert.ok(appends >= 3, `the question and the streaming answer appended (${appends})`);
    const saved = await new ConversationStore(dir).load('big');
    assert.equal(saved?.exchanges.length, 201);
    assert.equal(saved?.exchanges.at(-1)?.answer.status, 'done');
    assert.match(JSON.stringify(saved?.exchanges.at(-1)?.answer.messages), /part 59 of a long answer/);
    controller.dispose();
  } finally {
    await sim.close();
  }
});
