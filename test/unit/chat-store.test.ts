import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Conversation, type ConversationData } from '../../src/chat/conversation';
import { ConversationStore } from '../../src/chat/conversationStore';

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
  assert.deepEqual((await readdir(dir)).sort(), ['b.json', 'index.json']);
});
