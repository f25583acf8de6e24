// Undo of a History delete: the store keeps what it deleted for the session and brings it back as it was, for this
// window and every other (the tombstone goes); what it never deleted cannot be brought back.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Conversation } from '../../src/core/conversation/conversation';
import { ConversationStore } from '../../src/core/conversation/conversationStore';

const dirs: string[] = [];
after(async () => { for (const dir of dirs) await rm(dir, { recursive: true, force: true }); });

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chat-undelete-'));
  dirs.push(dir);
  return dir;
}

function chat(id: string): Conversation {
  const c = Conversation.create(id, 1000);
  c.addExchange({ text: `question of ${id}` }, { user: `${id}-u`, answer: `${id}-a` }, 1000);
  return c;
}

test('a deleted conversation comes back as it was, in this window and another', async () => {
  const dir = await tempDir();
  const store = new ConversationStore(dir);
  const other = new ConversationStore(dir);
  await store.save(chat('c1').toData());
  await store.save(chat('c2').toData());
  await store.delete('c1');
  assert.deepEqual((await store.list()).map((s) => s.id), ['c2']);
  assert.equal(store.canUndelete('c1'), true);
  assert.equal(await store.undelete('c1'), true);
  assert.deepEqual((await store.list()).map((s) => s.id).sort(), ['c1', 'c2']);
  assert.equal((await store.load('c1'))?.exchanges[0].user.text, 'question of c1');
  assert.equal((await other.load('c1'))?.exchanges[0].user.text, 'question of c1', 'another window reads it again');
  assert.deepEqual((await other.list()).map((s) => s.id).sort(), ['c1', 'c2']);
  // It saves again normally (a tombstone would refuse it).
  const again = await store.save({ ...chat('c1').toData(), title: 'renamed' });
  assert.equal(again.deleted, undefined);
  assert.equal(store.canUndelete('c1'), false, 'one Undo per delete');
});

test('a conversation this store did not delete cannot be brought back', async () => {
  const dir = await tempDir();
  const store = new ConversationStore(dir);
  const other = new ConversationStore(dir);
  await store.save(chat('c1').toData());
  await other.delete('c1');
  assert.equal(await store.undelete('c1'), false);
  assert.equal(await store.undelete('nope'), false);
  assert.deepEqual((await store.list()).map((s) => s.id), []);
});
