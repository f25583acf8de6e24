import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContentBlock, MessageParam, StreamEvent } from '../../src/api/types';
import { canContinue, combineMeta, Conversation, titleFrom, type Exchange, type StoredMessage } from '../../src/core/conversation/conversation';
import { buildRequest, CONTINUE_PROMPT, NO_TOOLS_RESULT } from '../../src/core/conversation/conversationRequest';
import { LiveAnswer } from '../../src/core/conversation/conversationAnswer';
import { buildUserContent } from '../../src/core/request/prompt';

/** The events the API streams for a message with these blocks (text split into deltas of 5 chars). */
function eventsFor(blocks: ContentBlock[], stopReason = 'end_turn'): StreamEvent[] {
  const events: StreamEvent[] = [
    { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } },
  ];
  blocks.forEach((block, index) => {
    const chunks = (s: string) => s.match(/[\s\S]{1,5}/g) ?? [];
    switch (block.type) {
      case 'text':
        events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        for (const text of chunks(block.text)) events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
        break;
      case 'thinking':
        events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
        for (const thinking of chunks(block.thinking)) events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking } });
        if (block.signature) events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
        break;
      case 'redacted_thinking':
        events.push({ type: 'content_block_start', index, content_block: block });
        break;
      case 'tool_use': {
        events.push({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
        const json = JSON.stringify(block.input);
        events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: json.slice(0, 4) } });
        events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: json.slice(4) } });
        break;
      }
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push({ type: 'message_delta', delta: { stop_reason: stopReason }, usage: { output_tokens: 20 } }, { type: 'message_stop' });
  return events;
}

function received(blocks: ContentBlock[], upTo?: number): ContentBlock[] {
  const live = new LiveAnswer();
  const events = eventsFor(blocks);
  for (const event of upTo === undefined ? events : events.slice(0, upTo)) live.apply(event);
  return live.content();
}

const userContent = (turn: Exchange['user']) => buildUserContent(turn);

function conversationWith(...answers: { text: string; status?: Exchange['answer']['status']; messages: StoredMessage[] }[]): Conversation {
  const conversation = Conversation.create('c1', 1);
  answers.forEach((a, i) => {
    const exchange = conversation.addExchange({ text: a.text }, { user: `u${i}`, answer: `a${i}` }, 1 + i);
    exchange.answer.status = a.status ?? 'done';
    exchange.answer.messages = a.messages;
  });
  return conversation;
}

function roles(messages: MessageParam[]): string {
  return messages.map((m) => m.role[0]).join('');
}

const SIGNED_THINKING: ContentBlock = { type: 'thinking', thinking: 'The user wants a loop. Consider edge cases.', signature: 'EqQBCkgIARABGAIiQL+sig/with+base64==' };
const REDACTED: ContentBlock = { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP' };

test('a streamed answer is accumulated exactly as sent: thinking with signature, redacted thinking, text, tool input', () => {
  const blocks: ContentBlock[] = [SIGNED_THINKING, REDACTED, { type: 'text', text: 'Here is a loop:\n```js\nfor (;;) {}\n```' }, { type: 'tool_use', id: 'toolu_1', name: 'run', input: { cmd: 'ls -la', n: 2 } }];
  assert.deepEqual(received(blocks), blocks);
});

test('multi-turn history: every earlier question and answer is sent, then the new question', () => {
  const conversation = conversationWith(
    { text: 'What is a closure?', messages: [{ content: [{ type: 'text', text: 'A function with its scope.' }], complete: true }] },
    { text: 'Show an example', messages: [] },
  );
  const { messages, continueMode } = buildRequest(conversation.exchanges, 1, 'answer', userContent);
  assert.equal(continueMode, undefined);
  assert.deepEqual(messages, [
    { role: 'user', content: 'What is a closure?' },
    { role: 'assistant', content: [{ type: 'text', text: 'A function with its scope.' }] },
    { role: 'user', content: 'Show an example' },
  ]);
});

test('thinking blocks and their signatures go back unchanged in the next request (also redacted thinking)', () => {
  const answerBlocks: ContentBlock[] = [SIGNED_THINKING, REDACTED, { type: 'text', text: 'Use a for loop.' }];
  const content = received(answerBlocks);
  const conversation = conversationWith({ text: 'How to loop?', messages: [{ content, complete: true }] }, { text: 'And backwards?', messages: [] });
  // Through JSON, as persisted, and back: still byte-identical.
  const reloaded = new Conversation(JSON.parse(JSON.stringify(conversation.toData())));
  const { messages } = buildRequest(reloaded.exchanges, 1, 'answer', userContent);
  assert.deepEqual(messages[1], { role: 'assistant', content: answerBlocks });
  const sentThinking = (messages[1].content as ContentBlock[])[0];
  assert.equal(sentThinking.type === 'thinking' && sentThinking.signature, SIGNED_THINKING.signature);
});

test('a stopped partial answer goes back as its text only: unsigned thinking is never sent', () => {
  const blocks: ContentBlock[] = [SIGNED_THINKING, { type: 'text', text: 'The first half of the answer' }];
  const events = eventsFor(blocks);
  // Cut before the text block ends (the user pressed Stop).
  const cut = events.findIndex((e) => e.type === 'content_block_stop' && e.index === 1) - 2;
  const live = new LiveAnswer();
  for (const event of events.slice(0, cut)) live.apply(event);
  const partial = live.content();
  assert.equal(partial[1].type === 'text' && partial[1].text, 'The first half of th');
  const conversation = conversationWith(
    { text: 'Explain', status: 'stopped', messages: [{ content: partial, complete: false }] },
    { text: 'Go on', messages: [] },
  );
  const { messages } = buildRequest(conversation.exchanges, 1, 'answer', userContent);
  assert.deepEqual(messages, [
    { role: 'user', content: 'Explain' },
    { role: 'assistant', content: [{ type: 'text', text: 'The first half of th' }] },
    { role: 'user', content: 'Go on' },
  ]);
});

test('a question that got no answer (failed, or stopped before any text) is not sent as context at all', () => {
  const conversation = conversationWith(
    { text: 'First', messages: [{ content: [{ type: 'text', text: 'One' }], complete: true }] },
    { text: '401 test', status: 'error', messages: [{ content: [{ type: 'thinking', thinking: 'half a thought', signature: '' }], complete: false }] },
    { text: '402 test', status: 'error', messages: [] },
    { text: '429 test', status: 'stopped', messages: [{ content: [{ type: 'text', text: '' }], complete: false }] },
    { text: 'Fourth', messages: [] },
  );
  const { messages } = buildRequest(conversation.exchanges, 4, 'answer', userContent);
  assert.deepEqual(messages, [
    { role: 'user', content: 'First' },
    { role: 'assistant', content: [{ type: 'text', text: 'One' }] },
    { role: 'user', content: 'Fourth' },
  ]);
  assert.doesNotMatch(JSON.stringify(messages), /40[12] test|429 test/, 'no failed question goes out glued to the next one');
});

test('a failed or stopped answer that has some text is still context: the user saw it', () => {
  const conversation = conversationWith(
    { text: 'First', status: 'error', messages: [{ content: [{ type: 'text', text: 'Partial answ' }], complete: false }] },
    { text: 'Second', messages: [] },
  );
  const { messages } = buildRequest(conversation.exchanges, 1, 'answer', userContent);
  assert.deepEqual(messages, [
    { role: 'user', content: 'First' },
    { role: 'assistant', content: [{ type: 'text', text: 'Partial answ' }] },
    { role: 'user', content: 'Second' },
  ]);
});

test('retry asks again with the same history, leaving out the answer being retried', () => {
  const conversation = conversationWith(
    { text: 'Q1', messages: [{ content: [{ type: 'text', text: 'A1' }], complete: true }] },
    { text: 'Q2', status: 'error', messages: [{ content: [{ type: 'text', text: 'partial A2' }], complete: false }] },
  );
  const { messages } = buildRequest(conversation.exchanges, 1, 'answer', userContent);
  assert.equal(roles(messages), 'uau');
  assert.equal(messages[2].content, 'Q2');
});

test('continue with prefill: the partial answer is the last message (role assistant), trailing whitespace trimmed', () => {
  const conversation = conversationWith({ text: 'Write a long essay', messages: [{ content: [{ type: 'text', text: 'Paragraph one.\n\nParagraph tw  \n' }], complete: true }] });
  conversation.exchanges[0].answer.meta = { model: 'm', inputTokens: 1, outputTokens: 100, cost: { kind: 'billed', credits: 0.01 }, durationMs: 10, stopReason: 'max_tokens' };
  assert.equal(canContinue(conversation.exchanges[0].answer), true);
  const { messages, continueMode } = buildRequest(conversation.exchanges, 0, 'continue', userContent, { prefill: true });
  assert.equal(continueMode, 'prefill');
  assert.deepEqual(messages, [
    { role: 'user', content: 'Write a long essay' },
    { role: 'assistant', content: [{ type: 'text', text: 'Paragraph one.\n\nParagraph tw' }] },
  ]);
  // The stored message is not changed by building the request.
  const stored = conversation.exchanges[0].answer.messages[0].content[0];
  assert.equal(stored.type === 'text' && stored.text, 'Paragraph one.\n\nParagraph tw  \n');
});

test('a prefilled continuation streams into the same text block of the same turn', () => {
  const existing: ContentBlock[] = [{ type: 'text', text: 'Paragraph one.\n\nParagraph tw' }];
  const live = new LiveAnswer(existing, 0);
  const updates = eventsFor([{ type: 'text', text: 'o ends here.' }]).map((e) => live.apply(e)).filter(Boolean);
  assert.deepEqual(live.content(), [{ type: 'text', text: 'Paragraph one.\n\nParagraph two ends here.' }]);
  for (const u of updates) assert.equal(u!.kind === 'delta' && u!.chunk.block, 0, 'deltas target the existing block');
});

test('continue without prefill (thinking on): the answer, then a user message asking to continue', () => {
  const content: ContentBlock[] = [SIGNED_THINKING, { type: 'text', text: 'Cut off mid' }];
  const conversation = conversationWith({ text: 'Long one', messages: [{ content, complete: true }] });
  const { messages, continueMode } = buildRequest(conversation.exchanges, 0, 'continue', userContent, { prefill: false });
  assert.equal(continueMode, 'message');
  assert.deepEqual(messages, [
    { role: 'user', content: 'Long one' },
    { role: 'assistant', content },
    { role: 'user', content: CONTINUE_PROMPT },
  ]);
  // Later, the continued answer (two assistant messages) is sent with the continue prompt between them.
  conversation.exchanges[0].answer.messages.push({ content: [{ type: 'text', text: ' and the rest.' }], complete: true });
  conversation.addExchange({ text: 'Thanks' }, { user: 'u9', answer: 'a9' }, 5);
  const next = buildRequest(conversation.exchanges, 1, 'answer', userContent).messages;
  assert.equal(roles(next), 'uauau');
  assert.deepEqual(next[3], { role: 'assistant', content: [{ type: 'text', text: ' and the rest.' }] });
});

test('a continuation in a new message gets view block indices after the existing blocks', () => {
  const live = new LiveAnswer([], 2);
  const updates = eventsFor([SIGNED_THINKING, { type: 'text', text: 'more' }]).map((e) => live.apply(e)).filter(Boolean);
  const blocks = new Set(updates.map((u) => (u!.kind === 'delta' ? u!.chunk.block : u!.block)));
  assert.deepEqual([...blocks], [2, 3]);
});

test('a tool_use in an earlier answer is followed by a tool_result (the API requires one)', () => {
  const content = received([{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: 'toolu_9', name: 'search', input: { q: 'x' } }]);
  const conversation = conversationWith({ text: 'Find x', messages: [{ content, complete: true }] }, { text: 'Never mind', messages: [] });
  const { messages } = buildRequest(conversation.exchanges, 1, 'answer', userContent);
  assert.deepEqual(messages[1].content, content);
  assert.deepEqual(messages[2], {
    role: 'user',
    content: [
      { type: 'tool_result', tool_use_id: 'toolu_9', content: NO_TOOLS_RESULT, is_error: true },
      { type: 'text', text: 'Never mind' },
    ],
  });
});

test('code and images of a user turn become a fenced block and base64 image blocks', () => {
  const conversation = Conversation.create('c', 1);
  conversation.addExchange(
    { text: 'What does this do?', context: [{ id: 'c', kind: 'selection', languageId: 'python', path: '/w/a.py', startLine: 3, endLine: 4, text: 'x = 1\nprint(x)' }], images: [{ id: 'i1', name: 'a.png', mediaType: 'image/png', data: 'iVBORw0KGgo=' }] },
    { user: 'u', answer: 'a' },
    2,
  );
  const [message] = buildRequest(conversation.exchanges, 0, 'answer', userContent).messages;
  const content = message.content as Exclude<MessageParam['content'], string>;
  assert.deepEqual(content[0], { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } });
  assert.ok(content[1].type === 'text' && content[1].text.includes('```python\nx = 1\nprint(x)\n```'));
  assert.ok(content[1].type === 'text' && content[1].text.endsWith('What does this do?'));
});

test('an answer that was streaming when the window closed is marked interrupted and sent back as text only', () => {
  const conversation = conversationWith({ text: 'Q', status: 'streaming', messages: [{ content: [SIGNED_THINKING, { type: 'text', text: 'half' }], complete: false }] });
  assert.equal(conversation.markInterrupted(), true);
  assert.equal(conversation.exchanges[0].answer.status, 'interrupted');
  assert.equal(conversation.markInterrupted(), false);
  const turns = conversation.turns();
  assert.equal(turns[1].role === 'assistant' && turns[1].status, 'interrupted');
  assert.equal(canContinue(conversation.exchanges[0].answer), true);
  const { messages } = buildRequest(conversation.exchanges, 0, 'continue', userContent, { prefill: true });
  assert.deepEqual(messages[1], { role: 'assistant', content: [{ type: 'text', text: 'half' }] });
});

test('turns for the view: user turns and assistant turns with one view block per content block', () => {
  const conversation = conversationWith({ text: 'Q', messages: [{ content: [SIGNED_THINKING, REDACTED, { type: 'text', text: 'A' }], complete: true }] });
  assert.deepEqual(conversation.turns(), [
    { id: 'u0', role: 'user', text: 'Q', context: [], images: [] },
    {
      id: 'a0',
      role: 'assistant',
      status: 'done',
      blocks: [
        { kind: 'thinking', text: SIGNED_THINKING.type === 'thinking' ? SIGNED_THINKING.thinking : '' },
        { kind: 'thinking', text: '', redacted: true },
        { kind: 'text', text: 'A' },
      ],
    },
  ]);
});

test('titles come from the first line of the first question, shortened', () => {
  assert.equal(titleFrom({ text: '  How do I sort a map?\nmore details' }), 'How do I sort a map?');
  assert.equal(titleFrom({ text: 'x'.repeat(100) }).length, 60);
  assert.equal(titleFrom({ text: '', context: [{ id: 'c', kind: 'selection', languageId: 'ts', path: '/a/b/util.ts', startLine: 1, endLine: 2, text: 'x' }] }), 'Code from util.ts');
  const conversation = Conversation.create('c', 1);
  conversation.addExchange({ text: 'First question' }, { user: 'u', answer: 'a' }, 2);
  conversation.addExchange({ text: 'Second question' }, { user: 'u2', answer: 'a2' }, 3);
  assert.equal(conversation.title, 'First question');
});

test('cost of a continued answer adds up only when both parts are of the same kind', () => {
  const base = { model: 'm', inputTokens: 5, outputTokens: 10, durationMs: 100, stopReason: 'max_tokens' };
  const billed = combineMeta({ ...base, cost: { kind: 'billed', credits: 0.5 } }, { ...base, outputTokens: 3, stopReason: 'end_turn', cost: { kind: 'billed', credits: 0.25 } });
  assert.deepEqual(billed, { model: 'm', inputTokens: 5, outputTokens: 13, durationMs: 200, stopReason: 'end_turn', cost: { kind: 'billed', credits: 0.75 } });
  const mixed = combineMeta({ ...base, cost: { kind: 'billed', credits: 0.5 } }, { ...base, cost: { kind: 'estimate', credits: 0.25 } });
  assert.deepEqual(mixed?.cost, { kind: 'unknown' });
});
