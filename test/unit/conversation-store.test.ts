import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Conversation, type ConversationData } from '../../src/core/conversation/conversation';
import { ConversationStore } from '../../src/core/conversation/conversationStore';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chat-store-'));
  dirs.push(dir);
  return join(dir, 'conversations');
}

function sample(id: string, title: string, updatedAt: number): ConversationData {
  const c = Conversation.create(id, updatedAt);
  const e = c.addExchange({ text: title, images: [{ id: 'img', name: 'a.png', mediaType: 'image/png', data: 'iVBORw0KGgo=' }] }, { user: `${id}-u`, answer: `${id}-a` }, updatedAt);
  e.answer.status = 'done';
  e.answer.messages = [{ content: [{ type: 'thinking', thinking: 't', signature: 'sig==' }, { type: 'text', text: `answer to ${title}` }], complete: true }];
  return c.toData();
}

test('save then load gives back the same data, images and signatures included', async () => {
  const store = new ConversationStore(await tempDir());
  const data = sample('c1', 'First', 10);
  await store.save(data);
  assert.deepEqual(await store.load('c1'), data);
  assert.deepEqual(await store.list(), [{ id: 'c1', title: 'First', updatedAt: 10 }]);
});

test('list is most recent first and survives a lost index; stale index entries are dropped', async () => {
  const dir = await tempDir();
  const store = new ConversationStore(dir);
  await store.save(sample('old', 'Old', 1));
  await store.save(sample('new', 'New', 5));
  await store.save(sample('mid', 'Mid', 3));
  assert.deepEqual((await store.list()).map((s) => s.id), ['new', 'mid', 'old']);
  await rm(join(dir, 'index.json'));
  await rm(join(dir, 'mid.json'));
  assert.deepEqual((await store.list()).map((s) => s.id), ['new', 'old']);
});

test('a corrupt or foreign file is skipped with a log line, not thrown', async () => {
  const dir = await tempDir();
  const logs: string[] = [];
  const store = new ConversationStore(dir, (m) => logs.push(m));
  await store.save(sample('good', 'Good', 1));
  await writeFile(join(dir, 'broken.json'), '{ not json');
  await writeFile(join(dir, 'odd.json'), JSON.stringify({ version: 1, id: 'odd' }));
  assert.deepEqual((await store.list()).map((s) => s.id), ['good']);
  assert.equal(await store.load('broken'), undefined);
  assert.equal(logs.length >= 2, true);
});

test('ids that are not safe file names are refused', async () => {
  const store = new ConversationStore(await tempDir());
  await assert.rejects(store.save({ ...sample('x', 'X', 1), id: '../escape' }));
  assert.equal(await store.load('../index'), undefined);
});

test('many saves at once are serialized: every conversation ends up in the index, no temp files left', async () => {
  const dir = await tempDir();
  const store = new ConversationStore(dir);
  await Promise.all(Array.from({ length: 20 }, (_, i) => store.save(sample(`c${i}`, `T${i}`, i))));
  assert.equal((await store.list()).length, 20);
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
  assert.equal(index.conversations.length, 20);
  assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), []);
});

test('two stores on one folder (two windows) do not drop each other from the index', async () => {
  const dir = await tempDir();
  const a = new ConversationStore(dir);
  const b = new ConversationStore(dir);
  await a.save(sample('from-a', 'A', 1));
  await b.save(sample('from-b', 'B', 2));
  await a.save(sample('from-a', 'A2', 3));
  assert.deepEqual((await b.list()).map((s) => [s.id, s.title]), [
    ['from-a', 'A2'],
    ['from-b', 'B'],
  ]);
});

test('delete removes the file and the index entry', async () => {
  const dir = await tempDir();
  const store = new ConversationStore(dir);
  await store.save(sample('a', 'A', 1));
  await store.save(sample('b', 'B', 2));
  await store.delete('a');
  assert.deepEqual((await store.list()).map((s) => s.id), ['b']);
  assert.deepEqual((await readdir(dir)).sort(), ['b.json', 'deleted', 'index.json']);
});

/** Window-like copy: what a store loaded, plus one new exchange asked at `at`. */
function withQuestion(data: ConversationData, id: string, at: number): ConversationData {
  const c = new Conversation(structuredClone(data));
  const e = c.addExchange({ text: id }, { user: `${id}-u`, answer: id }, at);
  e.answer.status = 'done';
  e.answer.messages = [{ content: [{ type: 'text', text: `answer to ${id}` }], complete: true }];
  return c.toData();
}

test('two windows asking in one chat from stale copies: the file keeps both questions, in the order asked', async () => {
  const dir = await tempDir();
  const a = new ConversationStore(dir);
  const b = new ConversationStore(dir);
  const q1 = sample('chat', 'q1', 10);
  await a.save(q1);
  const bCopy = (await b.load('chat'))!;
  const fromB = await b.save(withQuestion(bCopy, 'q2', 20));
  assert.equal(fromB.merged, undefined, 'nothing to merge: no one wrote since B read');
  // A still holds its copy without q2 and asks q3.
  const fromA = await a.save(withQuestion(q1, 'q3', 30));
  assert.ok(fromA.merged, 'A is told what the file now holds');
  assert.deepEqual(fromA.merged.exchanges.map((e) => e.user.text), ['q1', 'q2', 'q3']);
  const fresh = await new ConversationStore(dir).load('chat');
  assert.deepEqual(fresh?.exchanges.map((e) => e.user.text), ['q1', 'q2', 'q3']);
});

test('a chat deleted in one window is not brought back by another window\'s stale save', async () => {
  const dir = await tempDir();
  const a = new ConversationStore(dir);
  const b = new ConversationStore(dir);
  await a.save(sample('gone', 'Gone', 1));
  await a.save(sample('kept', 'Kept', 2));
  const stale = (await b.load('gone'))!;
  await a.delete('gone');
  const result = await b.save(withQuestion(stale, 'late', 5));
  assert.equal(result.deleted, true);
  assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.json')).sort(), ['index.json', 'kept.json']);
  assert.deepEqual((await b.list()).map((s) => s.id), ['kept']);
  assert.deepEqual(await b.read('gone'), { state: 'deleted' });
  // A stale file that an older version wrote back anyway stays hidden.
  await writeFile(join(dir, 'gone.json'), JSON.stringify(stale));
  assert.deepEqual((await a.list()).map((s) => s.id), ['kept']);
  assert.equal(await a.load('gone'), undefined);
});

test('two windows creating and deleting chats at once keep the index whole', async () => {
  const dir = await tempDir();
  const a = new ConversationStore(dir);
  const b = new ConversationStore(dir);
  await Promise.all([
    ...Array.from({ length: 15 }, (_, i) => a.save(sample(`a${i}`, `A${i}`, i))),
    ...Array.from({ length: 15 }, (_, i) => b.save(sample(`b${i}`, `B${i}`, i))),
  ]);
  await Promise.all([a.delete('b3'), b.delete('a4'), a.save(sample('a15', 'A15', 99)), b.delete('a0')]);
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { conversations: { id: string }[] };
  const expected = [...Array.from({ length: 16 }, (_, i) => `a${i}`), ...Array.from({ length: 15 }, (_, i) => `b${i}`)].filter((id) => !['b3', 'a4', 'a0'].includes(id));
  assert.deepEqual(index.conversations.map((s) => s.id).sort(), expected.sort());
  assert.deepEqual((await a.list()).map((s) => s.id).sort(), expected.sort());
});

test('two processes writing the same conversation at once, each from its own stale copy, lose no exchange', async () => {
  const dir = await tempDir();
  await new ConversationStore(dir).save(sample('shared', 'Shared', 1));
  const go = join(dir, '..', 'go');
  const rounds = 25;
  const modules = { store: join(__dirname, '../../src/core/conversation/conversationStore.ts'), conversation: join(__dirname, '../../src/core/conversation/conversation.ts') };
  const writer = (name: string) => {
    // The window never re-reads: it keeps its own copy, adds a question, saves (the store must merge).
    const code = `
      Promise.all([import(${JSON.stringify(modules.store)}), import(${JSON.stringify(modules.conversation)})]).then(async ([s, c]) => {
        const { ConversationStore } = s.ConversationStore ? s : s.default;
        const { Conversation } = c.Conversation ? c : c.default;
        const store = new ConversationStore(${JSON.stringify(dir)});
        // Both start together: each loads its copy before the other has written anything.
        console.log('ready');
        while (!require('node:fs').existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 2));
        const conversation = new Conversation(await store.load('shared'));
        for (let i = 0; i < ${rounds}; i++) {
          const e = conversation.addExchange({ text: '${name}-' + i }, { user: '${name}-u' + i, answer: '${name}-' + i }, Date.now());
          e.answer.status = 'done';
          await store.save(conversation.toData());
          await new Promise((r) => setTimeout(r, Math.random() * 3));
        }
      });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ready = new Promise<void>((resolve) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
    const exited = new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    return { ready, exited };
  };
  const children = [writer('one'), writer('two')];
  await Promise.all(children.map((c) => c.ready));
  await writeFile(go, '');
  assert.deepEqual(await Promise.all(children.map((c) => c.exited)), [0, 0]);
  const saved = (await new ConversationStore(dir).load('shared'))!;
  const texts = saved.exchanges.map((e) => e.user.text);
  assert.equal(texts.length, 1 + rounds * 2, 'every exchange of both processes');
  for (const name of ['one', 'two']) {
    const mine = texts.filter((t) => t.startsWith(`${name}-`));
    assert.deepEqual(mine, Array.from({ length: rounds }, (_, i) => `${name}-${i}`), `${name}'s questions in the order asked`);
  }
  const times = saved.exchanges.map((e) => e.askedAt ?? 0);
  assert.deepEqual(times, [...times].sort((x, y) => x - y), 'ordered as asked');
  assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp') || n.includes('.lock')), [], 'no temp files or locks left');
});

test('a save writes exactly JSON.stringify of the conversation, whatever the text holds ($& and friends included)', async () => {
  const dir = await tempDir();
  const store = new ConversationStore(dir);
  const c = new Conversation(sample('s', 'Costs $& and $1 and $$', 1));
  for (let i = 0; i < 5; i++) {
    const e = c.addExchange({ text: `q${i} $&` }, { user: `u${i}`, answer: `a${i}` }, 10 + i);
    e.answer.status = 'done';
    e.answer.messages = [{ content: [{ type: 'text', text: `answer $' ${i}` }], complete: true }];
  }
  const check = async () => {
    await store.save(c.toData());
    assert.equal(withoutGeneration(await readFile(join(dir, 's.json'), 'utf8')), JSON.stringify(c.toData()));
  };
  await check();
  // Edits as the controller makes them: each moves the exchange's stamp or status.
  c.exchanges[2]!.answer.messages = [{ content: [{ type: 'text', text: 'retried' }], complete: true }];
  c.exchanges[2]!.updatedAt = 99;
  await check();
  c.exchanges[3]!.answer.status = 'interrupted';
  await check();
  c.title = 'Renamed';
  await check();
  // The live answer is a fresh object at each save.
  const data = c.toData();
  data.exchanges = data.exchanges.map((e, i) => (i === 4 ? { ...e, answer: { ...e.answer, status: 'streaming', messages: [{ content: [{ type: 'text', text: 'live' }], complete: false }] } } : e));
  await store.save(data);
  assert.equal(withoutGeneration(await readFile(join(dir, 's.json'), 'utf8')), JSON.stringify(data));
});

/** The file as written, less the generation the store puts first (journal records name it). */
function withoutGeneration(text: string): string {
  return text.replace(/^\{"gen":"[0-9a-f-]{36}",/, '{');
}
