// Two windows, one chat: two real ConversationControllers, each with its own real ConversationStore, over one folder,
// answering from the real Messages client and the local simulator. Questions asked in either window all survive, in
// the order asked; each window shows the other's turns when it re-reads; a streaming answer is never lost; a chat
// deleted in one window does not come back from the other.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { type MessageParam } from '../../src/api';
import type { ConversationData } from '../../src/core/conversation/conversation';
import { ConversationStore } from '../../src/core/conversation/conversationStore';
import type { AssistantTurn, Turn } from '../../src/common/chatTypes';
import { controllerFixture, until } from '../support/controllerFixture';

const { sim, folder, newController } = controllerFixture('chat-two-windows-');

/** A window: its own controller and its own store over the shared folder. */
const window = (dir: string) => newController({ dir });

const questions = (turns: Turn[]) => turns.filter((t) => t.role === 'user').map((t) => (t.role === 'user' ? t.text : ''));
const answers = (turns: Turn[]) =>
  turns.filter((t): t is AssistantTurn => t.role === 'assistant').map((t) => t.blocks.map((b) => (b.kind === 'text' ? b.text : '')).join(''));

function requestMessages(i: number): MessageParam[] {
  return (sim.requests[i].body as { messages: MessageParam[] }).messages;
}

test('A asks q1, B opens the chat and asks q2, A asks q3: after a restart the chat holds q1, q2, q3', async () => {
  const dir = await folder();
  const a = await window(dir);
  sim.enqueue({ text: 'a1' }, { text: 'a2' }, { text: 'a3' });
  await a.controller.ask({ text: 'q1' });
  await a.controller.idle();
  const b = await window(dir);
  assert.equal(b.controller.conversation.id, a.controller.conversation.id, 'B opens the same (most recent) chat');
  await b.controller.ask({ text: 'q2' });
  await b.controller.idle();
  await a.controller.ask({ text: 'q3' });
  await a.controller.idle();
  // A's q3 went out with B's q2 as context.
  assert.deepEqual(
    requestMessages(2).map((m) => (typeof m.content === 'string' ? m.content : m.content.map((c) => (c.type === 'text' ? c.text : '')).join(''))),
    ['q1', 'a1', 'q2', 'a2', 'q3'],
  );
  assert.deepEqual(questions(a.controller.turns()), ['q1', 'q2', 'q3']);
  const restarted = await window(dir);
  assert.deepEqual(questions(restarted.controller.turns()), ['q1', 'q2', 'q3']);
  assert.deepEqual(answers(restarted.controller.turns()), ['a1', 'a2', 'a3']);
  assert.equal(restarted.controller.conversationList().length, 1);
});

test('a window shows the other window\'s new turns when it re-reads (view shown again, focus, file change)', async () => {
  const dir = await folder();
  const a = await window(dir);
  sim.enqueue({ text: 'first' }, { text: 'second' });
  await a.controller.ask({ text: 'one' });
  await a.controller.idle();
  const b = await window(dir);
  await b.controller.ask({ text: 'two' });
  await b.controller.idle();
  assert.deepEqual(questions(a.controller.turns()), ['one'], 'A has not looked yet');
  const mark = a.posted.length;
  await a.controller.refresh();
  assert.deepEqual(questions(a.controller.turns()), ['one', 'two']);
  const snapshot = a.posted.slice(mark).find((m) => m.type === 'snapshot');
  assert.ok(snapshot && snapshot.type === 'snapshot', 'the view gets the new turns');
  assert.deepEqual(questions(snapshot.snapshot.turns), ['one', 'two']);
  // Nothing new: no snapshot.
  const again = a.posted.length;
  await a.controller.refresh();
  assert.equal(a.posted.slice(again).filter((m) => m.type === 'snapshot').length, 0);
});

test('switching back to a chat shows what another window added to it meanwhile', async () => {
  const dir = await folder();
  const a = await window(dir);
  sim.enqueue({ text: 'x' }, { text: 'y' }, { text: 'z' });
  await a.controller.ask({ text: 'first chat' });
  const firstId = a.controller.conversation.id;
  await a.controller.newChat();
  await a.controller.ask({ text: 'second chat' });
  const secondId = a.controller.conversation.id;
  await a.controller.idle();
  // A has both chats in memory.
  await a.controller.switchChat(firstId);
  await a.controller.switchChat(secondId);
  const b = await window(dir);
  await b.controller.switchChat(firstId);
  await b.controller.ask({ text: 'from B' });
  await b.controller.idle();
  await a.controller.switchChat(firstId);
  assert.deepEqual(questions(a.controller.turns()), ['first chat', 'from B']);
});

test('B asking while A streams in the same chat: A\'s streaming answer is kept whole, and both questions survive', async () => {
  const dir = await folder();
  const a = await window(dir);
  sim.enqueue({ text: 'base' });
  await a.controller.ask({ text: 'start' });
  await a.controller.idle();
  const b = await window(dir);
  const words = Array.from({ length: 60 }, (_, i) => `w${i} `);
  sim.enqueue({ text: words, deltaDelayMs: 8 }, { text: 'B answer' });
  const asked = a.controller.ask({ text: 'A long' });
  // A has saved its streaming answer at least once (saveDelayMs 20) before B writes.
  await until(() => answers(a.controller.turns()).at(-1)!.length > 30, 'A streaming');
  const id = a.controller.conversation.id;
  await until(async () => JSON.stringify((await new ConversationStore(dir).load(id)) ?? {}).includes('w1 '), 'A\'s streaming answer on disk');
  await b.controller.ask({ text: 'B meanwhile' });
  await b.controller.idle();
  await asked;
  await a.controller.idle();
  assert.equal(answers(a.controller.turns()).find((t) => t.startsWith('w0')), words.join(''), 'A\'s answer is whole in A');
  const restarted = await window(dir);
  const turns = restarted.controller.turns();
  assert.deepEqual(questions(turns), ['start', 'A long', 'B meanwhile']);
  assert.deepEqual(answers(turns), ['base', words.join(''), 'B answer']);
  const long = turns.filter((t): t is AssistantTurn => t.role === 'assistant')[1];
  assert.equal(long.status, 'done', 'the finished copy won over the streaming copies');
});

test('an answer retried in one window wins over the other window\'s older copy of it', async () => {
  const dir = await folder();
  const a = await window(dir);
  sim.enqueue({ text: ['one ', 'two ', 'three'], errorAfterDeltas: 1, errorType: 'overloaded_error' });
  await a.controller.ask({ text: 'q' });
  await a.controller.idle();
  const failed = a.controller.turns().at(-1) as AssistantTurn;
  assert.equal(failed.status, 'error');
  const b = await window(dir); // B holds the failed copy
  sim.enqueue({ text: 'fixed' }, { text: 'b answer' });
  await a.controller.retry(failed.id);
  await a.controller.idle();
  await b.controller.ask({ text: 'q from B' }); // B saves its copy, whose first answer is the old error
  await b.controller.idle();
  const restarted = await window(dir);
  const turns = restarted.controller.turns().filter((t): t is AssistantTurn => t.role === 'assistant');
  assert.deepEqual(turns.map((t) => [t.status, answers([t])[0]]), [['done', 'fixed'], ['done', 'b answer']]);
  assert.deepEqual(requestMessages(2).length, 3, 'B\'s question carried the retried answer as context');
});

test('a chat deleted in one window is gone from the other, and its stale copy is never saved back', async () => {
  const dir = await folder();
  const a = await window(dir);
  sim.enqueue({ text: 'keep' }, { text: 'doomed' });
  await a.controller.ask({ text: 'kept chat' });
  const keptId = a.controller.conversation.id;
  await a.controller.newChat();
  await a.controller.ask({ text: 'doomed chat' });
  await a.controller.idle();
  const doomedId = a.controller.conversation.id;
  const b = await window(dir);
  assert.equal(b.controller.conversation.id, doomedId);
  await a.controller.deleteChat(doomedId);
  // B still shows it; its next question finds it deleted and starts a new chat instead of writing it back.
  sim.enqueue({ text: 'fresh' });
  await b.controller.ask({ text: 'after the delete' });
  await b.controller.idle();
  assert.notEqual(b.controller.conversation.id, doomedId);
  assert.deepEqual(questions(b.controller.turns()), ['after the delete']);
  assert.ok(b.posted.some((m) => m.type === 'notice' && /deleted in another window/.test(m.message)), 'B is told why');
  await a.controller.refresh();
  const ids = a.controller.conversationList().map((s) => s.id);
  assert.ok(!ids.includes(doomedId), 'not back in A\'s list');
  assert.ok(ids.includes(keptId));
  const restarted = await window(dir);
  assert.ok(!restarted.controller.conversationList().some((s) => s.id === doomedId));
  assert.equal(restarted.controller.conversationList().length, 2);
});

test('a chat deleted elsewhere while this window streams into it: the answer stops and is not saved back', async () => {
  const dir = await folder();
  const a = await window(dir);
  sim.enqueue({ text: 'x' });
  await a.controller.ask({ text: 'chat' });
  await a.controller.idle();
  const id = a.controller.conversation.id;
  const b = await window(dir);
  sim.enqueue({ holdUntilAborted: true, deltaDelayMs: 5 });
  const asked = a.controller.ask({ text: 'streaming' });
  await until(() => answers(a.controller.turns()).at(-1)!.length > 20, 'streaming text');
  await b.controller.deleteChat(id);
  await asked; // stopped at its next save, without a click
  await a.controller.idle();
  assert.ok(!(await new ConversationStore(dir).list()).some((s) => s.id === id));
  assert.notEqual(a.controller.conversation.id, id);
});

test('an answer saved as streaming: cut at once when its process is gone, still streaming while that window lives', async () => {
  const dir = await folder();
  const store = new ConversationStore(dir);
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const saved = (id: string, pid: number): ConversationData => ({
    version: 1, id, title: id, createdAt: Date.now(), updatedAt: Date.now(),
    exchanges: [{
      user: { id: `${id}-u`, role: 'user', text: id, context: [], images: [] },
      answer: { id: `${id}-a`, status: 'streaming', messages: [{ content: [{ type: 'text', text: 'partial' }], complete: false }] },
      askedAt: Date.now(), updatedAt: Date.now(), streamingPid: pid,
    }],
  });
  await store.save(saved('cut', dead));
  await store.save(saved('live', process.pid));
  const w = await window(dir);
  await w.controller.switchChat('cut');
  assert.equal((w.controller.turns().at(-1) as AssistantTurn).status, 'interrupted', 'its window reloaded or closed');
  await w.controller.switchChat('live');
  assert.equal((w.controller.turns().at(-1) as AssistantTurn).status, 'streaming', 'another window is still writing it');
});
