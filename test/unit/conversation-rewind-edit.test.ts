// Edit and resend's use of the rewind: the question and later turns go, the files their
// tools changed are named, and a merge with another window's older copy does not bring the removed turns back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Conversation, type Exchange } from '../../src/core/conversation/conversation';
import { mergeConversationData } from '../../src/core/conversation/conversationMerge';
import { changedFiles, rewindConversation } from '../../src/core/conversation/rewind';

function exchange(id: string, askedAt: number, changes: Array<{ path: string; state: 'applied' | 'rejected' | 'done' }> = []): Exchange {
  return {
    user: { id: `${id}-u`, role: 'user', text: id, context: [], images: [] },
    answer: {
      id,
      status: 'done',
      messages: [{
        content: [{ type: 'text', text: id }],
        complete: true,
        ...(changes.length ? { toolResults: changes.map((c, i) => ({ toolUseId: `${id}-t${i}`, content: 'ok', state: c.state, change: { path: c.path, added: 1, removed: 0 } })) } : {}),
      }],
    },
    askedAt,
    updatedAt: askedAt,
  };
}

function conversation(exchanges: Exchange[]): Conversation {
  return new Conversation({ version: 1, id: 'c', title: 'q1', createdAt: 1, updatedAt: 1, exchanges });
}

test('rewinding to a question removes it and every later exchange and lists the files their tools changed', () => {
  const c = conversation([
    exchange('q1', 10, [{ path: 'early.ts', state: 'applied' }]),
    exchange('q2', 20, [{ path: 'src/a.ts', state: 'applied' }, { path: 'src/declined.ts', state: 'rejected' }]),
    exchange('q3', 30, [{ path: 'src/b.ts', state: 'applied' }, { path: 'src/a.ts', state: 'applied' }]),
  ]);
  const result = rewindConversation(c, 'q2-u', 100);
  assert.ok(result);
  assert.deepEqual(result.removed.map((e) => e.answer.id), ['q2', 'q3']);
  assert.deepEqual(changedFiles(result.removed), ['src/a.ts', 'src/b.ts'], 'applied changes only, each file once, never the kept turn\'s');
  assert.deepEqual(c.exchanges.map((e) => e.answer.id), ['q1']);
  assert.deepEqual(c.toData().removed, ['q2', 'q3']);
  assert.equal(c.updatedAt, 100);
});

test('an unknown question changes nothing', () => {
  const c = conversation([exchange('q1', 10)]);
  assert.equal(rewindConversation(c, 'nope', 100), undefined);
  assert.equal(c.exchanges.length, 1);
  assert.equal(c.toData().removed, undefined, 'files without a rewind keep their old shape');
});

test('a merge with another window\'s copy that still holds the removed turns keeps them out, from either side', () => {
  const c = conversation([exchange('q1', 10), exchange('q2', 20)]);
  const theirs = c.toData();
  const theirsCopy = { ...theirs, exchanges: [...theirs.exchanges, exchange('q3', 30)] };
  rewindConversation(c, 'q2-u', 100);
  c.exchanges.push(exchange('q2b', 110));
  const ours = c.toData();
  const merged = mergeConversationData(ours, theirsCopy);
  assert.deepEqual(merged.data.exchanges.map((e) => e.answer.id), ['q1', 'q3', 'q2b'], 'q2 stays out; q3, asked elsewhere meanwhile, stays');
  const back = mergeConversationData(theirsCopy, ours);
  assert.deepEqual(back.data.exchanges.map((e) => e.answer.id), ['q1', 'q3', 'q2b'], 'the other window drops q2 as well');
  assert.deepEqual(back.data.removed, ['q2']);
});
