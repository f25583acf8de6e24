// Rewinding a conversation to before a question (Restore, edit and resend): the question and what follows leave,
// the question comes back for the composer, no other window's older copy brings them back, and Redo restores them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Conversation } from '../../src/core/conversation/conversation';
import { mergeConversationData } from '../../src/core/conversation/conversationMerge';
import { redoAnswerId, rewindConversation, unrewindConversation } from '../../src/core/conversation/rewind';

function chat(): Conversation {
  const c = Conversation.create('c1', 1);
  for (const n of [1, 2, 3]) {
    const e = c.addExchange({ text: `question ${n}` }, { user: `u${n}`, answer: `a${n}` }, n);
    e.answer.status = 'done';
  }
  return c;
}

test('rewind takes the question and everything after it out, and gives the question back', () => {
  const c = chat();
  const rewound = rewindConversation(c, 'u2', 10)!;
  assert.deepEqual(c.exchanges.map((e) => e.user.id), ['u1']);
  assert.deepEqual(rewound.removed.map((e) => e.user.id), ['u2', 'u3']);
  assert.equal(rewound.question.text, 'question 2');
  assert.deepEqual(c.toData().removed, ['a2', 'a3']);
  assert.equal(rewindConversation(c, 'nope', 11), undefined);
});

test('a copy saved before the rewind (another window, the disk) does not bring the exchanges back', () => {
  const before = chat().toData();
  const c = chat();
  rewindConversation(c, 'u2', 10);
  const merged = mergeConversationData(c.toData(), before);
  assert.deepEqual(merged.data.exchanges.map((e) => e.user.id), ['u1']);
  // And the other way round: the old window adopting the rewound copy drops them too.
  const other = mergeConversationData(before, c.toData());
  assert.deepEqual(other.data.exchanges.map((e) => e.user.id), ['u1']);
  assert.deepEqual(other.data.removed, ['a2', 'a3']);
});

test('Redo puts the exchanges back with new answer ids, which survive a merge with the rewound copy', () => {
  const c = chat();
  const rewound = rewindConversation(c, 'u2', 10)!;
  const rewoundCopy = c.toData();
  let n = 0;
  unrewindConversation(c, rewound.removed, () => `new${++n}`, 11);
  assert.deepEqual(c.exchanges.map((e) => [e.user.id, e.answer.id]), [['u1', 'a1'], ['u2', 'new1'], ['u3', 'new2']]);
  const merged = mergeConversationData(c.toData(), rewoundCopy);
  assert.deepEqual(merged.data.exchanges.map((e) => e.user.id), ['u1', 'u2', 'u3']);
});

test('a Redo applied twice (a second window, a second click) brings each exchange back once, also through a merge', () => {
  const c = chat();
  const rewound = rewindConversation(c, 'u2', 10)!;
  const rewoundCopy = c.toData();
  const other = new Conversation(JSON.parse(JSON.stringify(rewoundCopy)));
  unrewindConversation(c, rewound.removed, redoAnswerId, 11);
  assert.deepEqual(unrewindConversation(c, rewound.removed, redoAnswerId, 12), [], 'the second time in one window does nothing');
  // Another window applies the same Redo to its own copy: the answers get the same ids, so the merge keeps one each.
  unrewindConversation(other, rewound.removed, redoAnswerId, 13);
  const merged = mergeConversationData(c.toData(), other.toData());
  assert.deepEqual(merged.data.exchanges.map((e) => [e.user.id, e.answer.id]), [['u1', 'a1'], ['u2', 'a2-redo'], ['u3', 'a3-redo']]);
});
