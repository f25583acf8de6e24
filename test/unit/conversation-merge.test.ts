// Merging two windows' copies of one conversation: the union of exchanges in the order asked, the newer copy of
// an exchange winning, this window's streaming answer never replaced, older files without times still merging.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConversationData, Exchange } from '../../src/core/conversation/conversation';
import { mergeConversationData, mergeExchanges } from '../../src/core/conversation/conversationMerge';

function exchange(id: string, askedAt: number | undefined, updatedAt: number | undefined, status: Exchange['answer']['status'] = 'done', text = id): Exchange {
  return {
    user: { id: `${id}-u`, role: 'user', text: id, context: [], images: [] },
    answer: { id, status, messages: [{ content: [{ type: 'text', text }], complete: status === 'done' }] },
    ...(askedAt !== undefined ? { askedAt } : {}),
    ...(updatedAt !== undefined ? { updatedAt } : {}),
  };
}

const ids = (list: Exchange[]) => list.map((e) => e.answer.id);

function data(exchanges: Exchange[], title = 'q1', updatedAt = 1): ConversationData {
  return { version: 1, id: 'c', title, createdAt: 1, updatedAt, exchanges };
}

test('the union of both copies, in the order the questions were asked', () => {
  const q1 = exchange('q1', 10, 11);
  const mine = [q1, exchange('q3', 30, 31)];
  const theirs = [q1, exchange('q2', 20, 21)];
  assert.deepEqual(ids(mergeExchanges(mine, theirs)), ['q1', 'q2', 'q3']);
  assert.deepEqual(ids(mergeExchanges(theirs, mine)), ['q1', 'q2', 'q3'], 'both windows arrive at the same order');
});

test('the copy changed last wins: a finished, retried or continued answer over an older one', () => {
  const old = exchange('q1', 10, 11, 'error', 'partial');
  const retried = exchange('q1', 10, 50, 'done', 'full answer');
  assert.equal(mergeExchanges([old], [retried])[0], retried);
  assert.equal(mergeExchanges([retried], [old])[0], retried);
  // Same time: the one further along (another window's interrupted mark over a stale streaming copy).
  const streaming = exchange('q1', 10, 11, 'streaming');
  const interrupted = exchange('q1', 10, 11, 'interrupted');
  assert.equal(mergeExchanges([streaming], [interrupted])[0], interrupted);
});

test('this window\'s streaming answer is never replaced by another copy, even a newer one', () => {
  const live = exchange('q1', 10, 11, 'streaming', '');
  const other = exchange('q1', 10, 99, 'interrupted', 'stale text');
  const merged = mergeExchanges([live], [other], 'q1');
  assert.equal(merged[0], live);
});

test('files from before exchanges had times: old exchanges keep their order, new ones follow', () => {
  const a = exchange('a', undefined, undefined);
  const b = exchange('b', undefined, undefined);
  const mine = [a, b, exchange('mine', 100, 100)];
  const theirs = [a, b, exchange('theirs', 90, 90)];
  assert.deepEqual(ids(mergeExchanges(mine, theirs)), ['a', 'b', 'theirs', 'mine']);
});

test('merging whole conversations: identity kept for what did not change, title from the first question, times joined', () => {
  const q1 = exchange('q1', 10, 11);
  const mine = data([q1], 'New chat', 5);
  const theirs = data([exchange('q1', 10, 11), exchange('q2', 20, 21)], 'q1', 30);
  const result = mergeConversationData(mine, theirs);
  assert.equal(result.changed, true);
  assert.equal(result.data.exchanges[0], q1, 'an equal copy keeps this window\'s object');
  assert.equal(result.data.title, 'q1');
  assert.equal(result.data.updatedAt, 30);
  const same = mergeConversationData(data([q1]), data([exchange('q1', 10, 11)]));
  assert.equal(same.changed, false, 'nothing new from the other copy');
});
