// The chat controller end to end without VS Code: the real Messages client streaming from the local
// simulator over loopback HTTP, the real store in a temp folder, and the messages the webview would get.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { type ContentBlock, type MessageParam, type MessagesClientOptions } from '../../src/api';
import { buildRequest, CONTINUE_PROMPT } from '../../src/core/conversation/conversationRequest';
import { ConversationStore } from '../../src/core/conversation/conversationStore';
import { calibrationSamples, type PreviewSettings } from '../../src/core/cost/costPreview';
import { buildUserContent } from '../../src/core/request/prompt';
import type { AssistantTurn } from '../../src/common/chatTypes';
import type { HostToWebview } from '../../src/common/protocol';
import { controllerFixture, lastAnswer, until } from '../support/controllerFixture';
import { thinkingSignature } from '../support/simulatorAnswer';

const { sim, newController } = controllerFixture('chat-controller-');

async function setup(options: { dir?: string; prefill?: boolean; now?: () => number; client?: Partial<MessagesClientOptions>; previewSettings?: () => PreviewSettings } = {}) {
  const { prefill, ...rest } = options;
  return newController({ ...rest, prefillAllowed: () => prefill ?? true });
}

function answerText(turn: AssistantTurn): string {
  return turn.blocks.filter((b) => b.kind === 'text').map((b) => b.text).join('');
}

/** Text the webview received for block kind `kind` through delta messages. */
function deltaText(posted: HostToWebview[], kind: 'text' | 'thinking' = 'text'): string {
  return posted.flatMap((m) => (m.type === 'delta' ? m.chunks.filter((c) => c.kind === kind).map((c) => c.text) : [])).join('');
}

function requestMessages(i: number): MessageParam[] {
  return (sim.requests[i].body as { messages: MessageParam[] }).messages;
}

function assertAlternates(messages: MessageParam[]): void {
  messages.forEach((m, i) => assert.equal(m.role, i % 2 === 0 ? 'user' : 'assistant', `message ${i} has role ${m.role}`));
}

test('ask streams the answer into the conversation; the view gets the user turn, batched deltas of new text only, and the end', async () => {
  const { controller, posted } = await setup();
  const deltas = Array.from({ length: 60 }, (_, i) => `word${i} `);
  sim.enqueue({ text: deltas, deltaDelayMs: 1, cost: 0.0123 });
  await controller.ask({ text: 'Explain closures' });

  const answer = lastAnswer(controller);
  assert.equal(answer.status, 'done');
  assert.equal(answerText(answer), deltas.join(''));
  assert.deepEqual(answer.meta?.cost, { kind: 'billed', credits: 0.0123 });
  assert.equal(posted[0].type, 'turnAdded');
  assert.equal(posted[0].type === 'turnAdded' && posted[0].user.text, 'Explain closures');
  // Concatenated deltas equal the answer exactly: nothing repeated, nothing lost.
  assert.equal(deltaText(posted), deltas.join(''));
  const deltaMessages = posted.filter((m) => m.type === 'delta').length;
  assert.ok(deltaMessages < deltas.length, `${deltaMessages} delta messages for ${deltas.length} deltas: they are batched`);
  const end = posted.findIndex((m) => m.type === 'turnEnded');
  assert.ok(end > 0 && posted.slice(end).every((m) => m.type !== 'delta'), 'no delta after turnEnded');
  assert.ok(posted.some((m) => m.type === 'busy' && !m.busy), 'busy is cleared');
  const list = posted.at(-1);
  assert.equal(list?.type === 'conversations' && list.conversations[0].title, 'Explain closures');
  assert.equal(sim.requests.length, 1);
  assert.deepEqual(requestMessages(0), [{ role: 'user', content: 'Explain closures' }]);
});

test('multi-turn: the second request carries the first question and answer', async () => {
  const { controller } = await setup();
  sim.enqueue({ text: 'A closure captures variables.' }, { text: 'function f() { let x; return () => x; }' });
  await controller.ask({ text: 'What is a closure?' });
  await controller.ask({ text: 'Example?' });
  assert.deepEqual(requestMessages(1), [
    { role: 'user', content: 'What is a closure?' },
    { role: 'assistant', content: [{ type: 'text', text: 'A closure captures variables.' }] },
    { role: 'user', content: 'Example?' },
  ]);
  assert.equal(controller.turns().length, 4);
});

test('an answer given elsewhere (inline explanation) joins the chat without a request and is history for the next question', async () => {
  const { controller, posted, dir } = await setup();
  const code = { id: 'sel-1', kind: 'selection' as const, languageId: 'typescript', path: 'src/add.ts', startLine: 1, endLine: 3, text: 'function add(a, b) {\n  return a + b;\n}\n' };
  const meta = { model: 'sim-model', inputTokens: 40, outputTokens: 9, cost: { kind: 'billed' as const, credits: 0.002 }, durationMs: 300, stopReason: 'end_turn' };
  await controller.addAnswered({ text: 'Explain this code concisely.', context: [code] }, { content: [{ type: 'text', text: '`add` returns the sum.' }], status: 'done', meta });

  assert.equal(sim.requests.length, 0, 'no request: the answer is already there');
  const answer = lastAnswer(controller);
  assert.equal(answer.status, 'done');
  assert.equal(answerText(answer), '`add` returns the sum.');
  assert.deepEqual(answer.meta, meta);
  const added = posted.find((m) => m.type === 'turnAdded');
  assert.ok(added && added.type === 'turnAdded');
  assert.equal(added.user.context[0]?.path, 'src/add.ts');
  assert.equal(added.assistant.status, 'done');
  assert.deepEqual(added.assistant.blocks, [{ kind: 'text', text: '`add` returns the sum.' }]);
  await controller.idle();
  const saved = await new ConversationStore(dir).load(controller.conversation.id);
  assert.equal(saved?.exchanges.length, 1, 'saved like any exchange');

  sim.enqueue({ text: 'Numbers or strings.' });
  await controller.ask({ text: 'What types can a and b be?' });
  assert.equal(sim.requests.length, 1);
  const messages = requestMessages(0);
  assert.equal(messages.length, 3);
  assert.match(String(messages[0].content), /```typescript\nfunction add\(a, b\)/);
  assert.deepEqual(messages[1], { role: 'assistant', content: [{ type: 'text', text: '`add` returns the sum.' }] });
  assert.deepEqual(messages[2], { role: 'user', content: 'What types can a and b be?' });
});

test('stop aborts the HTTP request and keeps the partial answer, marked stopped; the next request sends it as text', async () => {
  const { controller, posted } = await setup();
  sim.enqueue({ holdUntilAborted: true, deltaDelayMs: 5 });
  const asked = controller.ask({ text: 'Go on forever' });
  await until(() => deltaText(posted).length > 20, 'some streamed text');
  controller.stop();
  await asked;
  const answer = lastAnswer(controller);
  assert.equal(answer.status, 'stopped');
  assert.ok(answerText(answer).length > 20);
  await until(() => sim.requests[0]?.aborted === true, 'the simulator to see the connection closed');

  sim.enqueue({ text: 'ok' });
  await controller.ask({ text: 'Thanks' });
  const messages = requestMessages(1);
  assertAlternates(messages);
  assert.deepEqual(messages[1], { role: 'assistant', content: [{ type: 'text', text: answerText(answer) }] });
});

test('an error mid-stream keeps the partial text with the error; Retry runs the answer again from scratch', async () => {
  const { controller, posted } = await setup();
  sim.enqueue({ text: ['one ', 'two ', 'three ', 'four '], errorAfterDeltas: 2, errorType: 'overloaded_error', errorMessage: 'Overloaded' });
  await controller.ask({ text: 'Count' });
  let answer = lastAnswer(controller);
  assert.equal(answer.status, 'error');
  assert.equal(answerText(answer), 'one two ');
  assert.ok(answer.error?.actions.includes('retry'));
  const ended = posted.find((m) => m.type === 'turnEnded');
  assert.equal(ended?.type === 'turnEnded' && ended.status, 'error');

  sim.enqueue({ text: 'one two three' });
  await controller.retry(answer.id);
  answer = lastAnswer(controller);
  assert.equal(answer.status, 'done');
  assert.equal(answerText(answer), 'one two three');
  assert.ok(posted.some((m) => m.type === 'turnRestarted' && m.turnId === answer.id && m.blocks.length === 0));
  // The retried request is the same question, without the failed partial.
  assert.deepEqual(requestMessages(1), [{ role: 'user', content: 'Count' }]);
});

test('failed questions are not sent with the next one; Retry on an earlier failed one asks it again at the end', async () => {
  const { controller } = await setup();
  sim.enqueue({ status: 401, errorType: 'authentication_error' });
  await controller.ask({ text: '401 test' });
  const failed = lastAnswer(controller);
  assert.equal(failed.status, 'error');
  sim.enqueue({ status: 402, errorType: 'billing_error' });
  await controller.ask({ text: '402 test' });
  sim.enqueue({ text: 'Fine.' });
  await controller.ask({ text: 'Real question' });
  const sent = requestMessages(sim.requests.length - 1);
  assert.deepEqual(sent, [{ role: 'user', content: 'Real question' }], 'the failed questions are not context');
  const turns = controller.turns();
  assert.deepEqual(turns.filter((t) => t.role === 'user').map((t) => t.role === 'user' && t.text), ['401 test', '402 test', 'Real question'], 'they stay visible');

  sim.enqueue({ text: 'Now it works.' });
  await controller.retry(failed.id);
  const request = requestMessages(sim.requests.length - 1);
  assert.deepEqual(request, [
    { role: 'user', content: 'Real question' },
    { role: 'assistant', content: [{ type: 'text', text: 'Fine.' }] },
    { role: 'user', content: '401 test' },
  ], 'asked again after the conversation as it is now');
  const last = controller.turns().slice(-2);
  assert.ok(last[0].role === 'user' && last[0].text === '401 test');
  assert.equal(answerText(lastAnswer(controller)), 'Now it works.');
});

test('an image over the API limit is caught before sending; Remove Images drops it and the question goes through', async () => {
  const { controller } = await setup();
  const head = Buffer.from('89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff61', 'hex');
  const big = { id: 'big', name: 'photo.png', mediaType: 'image/png' as const, data: Buffer.concat([head, Buffer.alloc(4_500_000)]).toString('base64') };
  const requestsBefore = sim.requests.length;
  await controller.ask({ text: 'What is in this photo?', images: [big] });
  let answer = lastAnswer(controller);
  assert.equal(answer.status, 'error');
  assert.equal(answer.error?.code, 'image_limit');
  assert.match(answer.error?.message ?? '', /photo\.png is 4\.29 MB; the API takes images of at most 3\.75 MB/);
  assert.equal(sim.requests.length, requestsBefore, 'nothing was sent');

  sim.enqueue({ text: 'I cannot see the photo any more.' });
  await controller.removeImages(answer.id);
  answer = lastAnswer(controller);
  assert.equal(answer.status, 'done');
  const sent = JSON.stringify(requestMessages(sim.requests.length - 1));
  assert.doesNotMatch(sent, /"type":"image"/, 'the image is no longer sent');
  assert.match(sent, /An image \(photo\.png\) was attached here; the user removed it from the conversation/);
  const user = controller.turns().at(-2);
  assert.ok(user?.role === 'user' && user.images[0].omitted === true, 'the turn shows it as removed');
});

test('an image the API refuses offers Remove Images, so the conversation does not fail again at every question', async () => {
  const { controller } = await setup();
  const image = { id: 'img1', name: 'shot.png', mediaType: 'image/png' as const, data: Buffer.from('89504e470d0a1a0a0000000d4948445200000010000000100806000000', 'hex').toString('base64') };
  sim.enqueue({ status: 400, errorType: 'invalid_request_error', errorMessage: 'messages.0.content.0.image.source.base64.data: The image was specified using the image/png media type, but it does not appear to be a valid png image' });
  await controller.ask({ text: 'Look', images: [image] });
  const answer = lastAnswer(controller);
  assert.equal(answer.error?.code, 'invalid_request');
  assert.equal(answer.error?.actions[0], 'removeImages');
  assert.deepEqual(answer.error?.imageIds, ['img1']);
  sim.enqueue({ text: 'Without the image: hello.' });
  await controller.removeImages(answer.id);
  assert.equal(answerText(lastAnswer(controller)), 'Without the image: hello.');
});

test('thinking blocks come back in the next request unchanged, with the signature the API sent', async () => {
  const { controller, posted } = await setup();
  const thinking = 'The user asks about recursion. I should give a base case first.';
  sim.enqueue({ thinking, text: 'Start with the base case.' }, { text: 'Sure.' });
  await controller.ask({ text: 'Recursion?' });
  assert.equal(deltaText(posted, 'thinking'), thinking);
  assert.deepEqual(lastAnswer(controller).blocks[0], { kind: 'thinking', text: thinking });
  await controller.ask({ text: 'More?' });
  const sent = requestMessages(1)[1].content as ContentBlock[];
  assert.deepEqual(sent, [
    { type: 'thinking', thinking, signature: thinkingSignature(thinking) },
    { type: 'text', text: 'Start with the base case.' },
  ]);
});

test('a web search the endpoint ran is kept verbatim and in order, saved, shown as a row, and sent back unchanged', async () => {
  const { controller, posted, dir } = await setup();
  const result = [{ type: 'web_search_result', url: 'https://nodejs.org/en/blog/release/v24.0.0', title: 'Node.js 24', encrypted_content: 'EpcBCioIAhgBIiQ4', page_age: '2 days ago' }];
  sim.enqueue(
    { serverTool: { id: 'srvtoolu_01A', name: 'web_search', input: { query: 'node 24 release date' }, result }, text: 'Node 24 was released in May.' },
    { text: 'You are welcome.' },
  );
  await controller.ask({ text: 'When did Node 24 come out?' });
  const expected = [
    { type: 'server_tool_use', id: 'srvtoolu_01A', name: 'web_search', input: { query: 'node 24 release date' } },
    { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_01A', content: result },
    { type: 'text', text: 'Node 24 was released in May.' },
  ];
  // The view: a row per unmodelled block, in place, the search's row with its query once the input is whole.
  assert.deepEqual(lastAnswer(controller).blocks, [
    { kind: 'opaque', type: 'server_tool_use', label: 'Searched the web: node 24 release date' },
    { kind: 'opaque', type: 'web_search_tool_result', label: 'web_search_tool_result' },
    { kind: 'text', text: 'Node 24 was released in May.' },
  ]);
  const rows = posted.flatMap((m) => (m.type === 'block' ? [[m.block, m.value.kind === 'opaque' ? m.value.label : m.value.kind]] : []));
  assert.deepEqual(rows, [[0, 'Searching the web…'], [0, 'Searched the web: node 24 release date'], [1, 'web_search_tool_result']]);
  await controller.idle();
  // Saved as received.
  const saved = await new ConversationStore(dir).load(controller.conversation.id);
  assert.deepEqual(saved?.exchanges[0]?.answer.messages[0]?.content, expected);
  // Restored by another window, and sent back unchanged with the next question.
  const second = await setup({ dir });
  assert.deepEqual(second.controller.turns(), controller.turns());
  await second.controller.ask({ text: 'Thanks!' });
  assert.deepEqual(requestMessages(1)[1], { role: 'assistant', content: expected });
  assert.equal(answerText(lastAnswer(second.controller)), 'You are welcome.', JSON.stringify(lastAnswer(second.controller)));
});

test('a block of a type added later is kept whole in its place, shown as a row with its type, and goes back as received', async () => {
  const { controller, posted } = await setup();
  const future = { type: 'future_block', id: 'fb_1', payload: { a: [1, null] } };
  sim.enqueue({ text: 'Before it.', extraBlocks: [future] });
  await controller.ask({ text: 'Q' });
  assert.deepEqual(lastAnswer(controller).blocks, [{ kind: 'text', text: 'Before it.' }, { kind: 'opaque', type: 'future_block', label: 'future_block' }]);
  assert.ok(posted.some((m) => m.type === 'block' && m.block === 1 && m.value.kind === 'opaque'));
  const request = buildRequest(controller.conversation.exchanges, 0, 'continue', buildUserContent, { prefill: false });
  assert.deepEqual(request.messages[1], { role: 'assistant', content: [{ type: 'text', text: 'Before it.' }, future] });
});

test('a stopped answer does not send back a half of a web search (only complete answers return their server blocks)', async () => {
  const { controller } = await setup();
  sim.enqueue({ serverTool: { id: 'srvtoolu_02', name: 'web_search', input: { query: 'q' }, result: [] }, text: 'a b c d e f g h', deltaDelayMs: 40 }, { text: 'Next.' });
  const asking = controller.ask({ text: 'Search' });
  await until(() => { const turn = controller.turns().at(-1); return turn?.role === 'assistant' && answerText(turn).length > 0; }, 'some text');
  controller.stop();
  await asking;
  assert.equal(lastAnswer(controller).status, 'stopped');
  assert.equal(lastAnswer(controller).blocks[0]?.kind, 'opaque');
  await controller.ask({ text: 'Next?' });
  const sent = requestMessages(1)[1].content as ContentBlock[];
  assert.deepEqual(sent.map((b) => b.type), ['text']);
});

test('a 429 with retry-after shows the wait on the answer, cleared when the stream starts; the answer then arrives', async () => {
  const waits: number[] = [];
  const { controller, posted } = await setup({ client: { maxRetries: 2, sleep: async (ms) => { waits.push(ms); }, random: () => 0 } });
  sim.enqueue({ status: 429, retryAfter: '27' }, { status: 529 }, { text: 'After the wait.' });
  await controller.ask({ text: 'Q' });
  const answerId = lastAnswer(controller).id;
  const retrying = posted.filter((m) => m.type === 'retrying');
  assert.deepEqual(retrying, [
    { type: 'retrying', turnId: answerId, retry: { reason: 'rate_limit', delayMs: 27_000, retry: 1, maxRetries: 2 } },
    { type: 'retrying', turnId: answerId, retry: { reason: 'overloaded', delayMs: 1000, retry: 2, maxRetries: 2 } },
    { type: 'retrying', turnId: answerId, retry: null },
  ]);
  assert.deepEqual(waits, [27_000, 1000]);
  // Cleared before the first text reaches the view.
  const cleared = posted.findIndex((m) => m.type === 'retrying' && m.retry === null);
  const firstDelta = posted.findIndex((m) => m.type === 'delta');
  assert.ok(cleared >= 0 && cleared < firstDelta, `cleared at ${cleared}, first delta at ${firstDelta}`);
  assert.equal(answerText(lastAnswer(controller)), 'After the wait.');
  assert.equal(lastAnswer(controller).status, 'done');
});

test('Stop during the wait before a retry ends the answer at once, stopped, without another request', { timeout: 10_000 }, async () => {
  const { controller, posted } = await setup({ client: { maxRetries: 2 } });
  sim.enqueue({ status: 429, retryAfter: '30' });
  const asking = controller.ask({ text: 'Q' });
  await until(() => posted.some((m) => m.type === 'retrying'), 'the countdown');
  // A view that is shown again (a new page) gets the countdown with the time that is left.
  // A fixed wait that is what is tested: some of the 30 s must have passed for "the time that is left" to be less.
  await new Promise((resolve) => setTimeout(resolve, 50));
  posted.length = 0;
  controller.postRetryState();
  const resent = posted.find((m) => m.type === 'retrying');
  assert.ok(resent?.type === 'retrying' && resent.retry !== null && resent.retry.reason === 'rate_limit' && resent.retry.delayMs < 30_000 && resent.retry.delayMs > 25_000, JSON.stringify(resent));
  const stoppedAt = Date.now();
  controller.stop();
  await asking;
  assert.ok(Date.now() - stoppedAt < 2000, 'stopped without waiting out the 30 s');
  assert.equal(lastAnswer(controller).status, 'stopped');
  assert.equal(sim.requests.length, 1);
  const ended = posted.find((m) => m.type === 'turnEnded');
  assert.equal(ended?.type === 'turnEnded' && ended.status, 'stopped');
  posted.length = 0;
  controller.postRetryState();
  assert.deepEqual(posted, [], 'nothing to count down once the answer ended');
});

test('Continue after max_tokens prefills the partial answer and appends the rest to the same turn', async () => {
  const { controller, posted } = await setup({ prefill: true });
  sim.enqueue({ text: ['First part, ', 'cut here '], stopReason: 'max_tokens', cost: 0.5 }, { text: ['and the rest.'], cost: 0.25 });
  await controller.ask({ text: 'Long answer please' });
  const first = lastAnswer(controller);
  assert.equal(first.meta?.stopReason, 'max_tokens');
  await controller.continue(first.id);

  const messages = requestMessages(1);
  assert.deepEqual(messages, [
    { role: 'user', content: 'Long answer please' },
    { role: 'assistant', content: [{ type: 'text', text: 'First part, cut here' }] },
  ]);
  const answer = lastAnswer(controller);
  assert.equal(answer.id, first.id);
  assert.equal(answer.blocks.length, 1);
  assert.equal(answerText(answer), 'First part, cut hereand the rest.');
  assert.deepEqual(answer.meta?.cost, { kind: 'billed', credits: 0.75 });
  assert.equal(answer.meta?.stopReason, 'end_turn');
  const restarted = posted.find((m) => m.type === 'turnRestarted');
  assert.deepEqual(restarted, { type: 'turnRestarted', turnId: first.id, blocks: [{ kind: 'text', text: 'First part, cut here' }] });
});

test('Continue without prefill (thinking on) asks in a user message and adds the new blocks to the turn', async () => {
  const { controller } = await setup({ prefill: false });
  sim.enqueue({ thinking: 'plan', text: 'Half', stopReason: 'max_tokens' }, { thinking: 'resume', text: ' and done.' });
  await controller.ask({ text: 'Q' });
  await controller.continue(lastAnswer(controller).id);
  const messages = requestMessages(1);
  assertAlternates(messages);
  assert.deepEqual(messages[2], { role: 'user', content: CONTINUE_PROMPT });
  assert.deepEqual(
    lastAnswer(controller).blocks.map((b) => [b.kind, b.kind === 'tool_use' ? b.input : b.kind === 'opaque' ? b.label : b.text]),
    [
      ['thinking', 'plan'],
      ['text', 'Half'],
      ['thinking', 'resume'],
      ['text', ' and done.'],
    ],
  );
});

test('a snapshot taken mid-stream holds the text so far, and later deltas continue from there without repeats', async () => {
  const { controller, posted } = await setup();
  const deltas = Array.from({ length: 40 }, (_, i) => `d${i} `);
  sim.enqueue({ text: deltas, deltaDelayMs: 3 });
  const asked = controller.ask({ text: 'Stream' });
  await until(() => deltaText(posted).length > 30, 'some deltas');
  // The view is recreated: it asks for a snapshot, then only later deltas count.
  const snapshot = controller.snapshot();
  const mark = posted.length;
  assert.equal(snapshot.busy, true);
  await asked;
  const turn = snapshot.turns.at(-1);
  assert.ok(turn && turn.role === 'assistant' && turn.status === 'streaming');
  assert.equal(answerText(turn) + deltaText(posted.slice(mark)), deltas.join(''));
});

/** A window that asked in two chats ("Question one", then "Question two" in a new chat), both answered and saved. */
async function twoSavedChats() {
  const first = await setup();
  sim.enqueue({ text: 'Answer one' }, { text: 'Answer two' });
  await first.controller.ask({ text: 'Question one' });
  const firstId = first.controller.conversation.id;
  await first.controller.newChat();
  await first.controller.ask({ text: 'Question two' });
  await first.controller.idle();
  return { first, firstId };
}

test('conversations persist: a new controller over the same folder restores them, most recent first', async () => {
  const { first, firstId } = await twoSavedChats();

  const second = await setup({ dir: first.dir });
  assert.deepEqual(second.controller.conversationList().map((c) => c.title), ['Question two', 'Question one']);
  assert.deepEqual(second.controller.turns(), first.controller.turns());
  await second.controller.switchChat(firstId);
  assert.equal(answerText(lastAnswer(second.controller)), 'Answer one');
  // Nothing big in the index: titles and times only.
  const index = JSON.parse(await readFile(join(first.dir, 'index.json'), 'utf8'));
  assert.deepEqual(Object.keys(index.conversations[0]).sort(), ['id', 'title', 'updatedAt']);

  await second.controller.deleteChat(firstId);
  const third = await setup({ dir: first.dir });
  assert.deepEqual(third.controller.conversationList().map((c) => c.title), ['Question two']);
});

test('an answer that was streaming when the window closed comes back marked interrupted, with its text', async () => {
  const first = await setup();
  sim.enqueue({ holdUntilAborted: true, deltaDelayMs: 5 });
  const asked = first.controller.ask({ text: 'Long' });
  await until(() => deltaText(first.posted).length > 20, 'some streamed text');
  // Wait for a debounced save (saveDelayMs 20) that holds streamed text, while the answer still streams.
  const store = new ConversationStore(first.dir);
  const id = first.controller.conversation.id;
  await until(async () => {
    const saved = await store.load(id);
    const message = saved?.exchanges[0]?.answer.messages[0];
    return saved?.exchanges[0].answer.status === 'streaming' && !!message && JSON.stringify(message.content).length > 60;
  }, 'a save that holds streamed text while the answer streams');
  // Reopened a minute later: the answer has not been saved since, so its window is gone.
  const reloaded = await setup({ dir: first.dir, now: () => Date.now() + 60_000 });
  const answer = lastAnswer(reloaded.controller);
  assert.equal(answer.status, 'interrupted');
  assert.ok(answerText(answer).length > 20, 'the partial text survived');
  first.controller.stop();
  await asked;
});

test('deleting the active chat shows the next one; New Chat on an empty chat keeps it', async () => {
  const { controller, posted } = await setup();
  sim.enqueue({ text: 'a' }, { text: 'b' });
  await controller.ask({ text: 'one' });
  const oneId = controller.conversation.id;
  await controller.newChat();
  const emptyId = controller.conversation.id;
  await controller.newChat();
  assert.equal(controller.conversation.id, emptyId);
  await controller.ask({ text: 'two' });
  const twoId = controller.conversation.id;
  await controller.deleteChat(twoId);
  assert.equal(controller.conversation.id, oneId);
  const snap = posted.at(-1);
  assert.equal(snap?.type === 'snapshot' && snap.snapshot.conversationId, oneId);
  assert.deepEqual(controller.conversationList().map((c) => c.id), [oneId]);
});

test('export as Markdown has the questions, answers and a fence that survives backticks in code', async () => {
  const { controller } = await setup();
  sim.enqueue({ text: 'Use `x`.' });
  await controller.ask({ text: 'How?', context: [{ id: 'c', kind: 'selection', languageId: 'markdown', path: '/w/readme.md', startLine: 1, endLine: 3, text: '```js\nx\n```' }] });
  const markdown = controller.exportMarkdown();
  assert.match(markdown, /^# How\?/);
  assert.match(markdown, /## You\n\nHow\?/);
  assert.ok(markdown.includes('````markdown\n```js\nx\n```\n````'));
  assert.match(markdown, /## Assistant\n\nUse `x`\./);
});

test('cost preview: the snapshot carries the base; after an answer the view gets a new one, calibrated by its real input tokens', async () => {
  const system = 'You are helpful.';
  const { controller, posted } = await setup({ previewSettings: () => ({ system, inputCreditsPerToken: 3e-6 }) });
  const empty = controller.snapshot().estimate;
  assert.ok(empty && empty.conversationTokens === 0 && empty.calibration === 1 && empty.inputCreditsPerToken === 3e-6);

  const question = 'Explain closures in JavaScript with one short example, please.';
  // What the first request is estimated at, so the simulator can report twice as many real input tokens.
  const [probe] = calibrationSamples(
    [{ user: { id: 'u', role: 'user', text: question, context: [], images: [] }, answer: { id: 'a', status: 'done', messages: [{ content: [], complete: true }], meta: { model: 'm', inputTokens: 1, outputTokens: 1, cost: { kind: 'unknown' }, durationMs: 1, stopReason: null } } }],
    buildUserContent,
    { system },
  );
  sim.enqueue({ text: ['A closure keeps the variables ', 'of the scope it was made in.'], usage: { input_tokens: probe.estimated * 2 - 1 } });
  await controller.ask({ text: question });
  const ended = posted.findIndex((m) => m.type === 'turnEnded');
  const update = posted.slice(ended).find((m) => m.type === 'estimate');
  assert.ok(update && update.type === 'estimate', 'an estimate follows the answer');
  assert.ok(Math.abs(update.estimate.calibration - (probe.estimated * 2 - 1) / probe.estimated) < 1e-9, `calibration ${update.estimate.calibration}`);
  assert.ok(update.estimate.conversationTokens > 10, 'the question and answer are context now');
  assert.ok(update.estimate.baseTokens > empty.baseTokens * 1.5);
  assert.deepEqual(controller.snapshot().estimate, update.estimate);
});

test('an attached selection or image dropped from the context is not sent with later questions (a note instead), and can be added back', async () => {
  const { controller, posted } = await setup({ previewSettings: () => ({}) });
  const code = Array.from({ length: 120 }, (_, i) => `const unique${i} = ${i};`).join('\n');
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
  sim.enqueue({ text: ['Seen.'] });
  await controller.ask({
    text: 'Look at this',
    context: [{ id: 'ctx1', kind: 'selection', languageId: 'typescript', path: 'src/big.ts', startLine: 1, endLine: 120, text: code }],
    images: [{ id: 'img1', name: 'shot.png', mediaType: 'image/png', data: png }],
  });
  const userId = controller.turns()[0].id;
  const before = controller.estimate()!.conversationTokens;

  posted.length = 0;
  assert.equal(await controller.setOmitted(userId, 'ctx1', true), true);
  assert.equal(await controller.setOmitted(userId, 'img1', true), true);
  const snapshot = posted.filter((m) => m.type === 'snapshot').at(-1);
  assert.ok(snapshot && snapshot.type === 'snapshot');
  const turn = snapshot.snapshot.turns[0];
  assert.ok(turn.role === 'user' && turn.context[0].omitted === true && turn.images[0].omitted === true, 'the view shows both marked');
  assert.ok(snapshot.snapshot.estimate!.conversationTokens < before - 300, `the preview follows: ${before} → ${snapshot.snapshot.estimate!.conversationTokens}`);

  sim.enqueue({ text: ['Fine.'] });
  await controller.ask({ text: 'And now?' });
  const sent = JSON.stringify(requestMessages(sim.requests.length - 1));
  assert.doesNotMatch(sent, /unique42/, 'the code is not sent again');
  assert.doesNotMatch(sent, /"type":"image"/, 'nor the image');
  assert.match(sent, /src\/big\.ts.*the user removed it from the conversation/);
  assert.match(sent, /An image \(shot\.png\) was attached here; the user removed it/);

  assert.equal(await controller.setOmitted(userId, 'ctx1', false), true);
  sim.enqueue({ text: ['Back.'] });
  await controller.ask({ text: 'With the code again?' });
  assert.match(JSON.stringify(requestMessages(sim.requests.length - 1)), /unique42/, 'added back, it is sent again');
  assert.equal(await controller.setOmitted(userId, 'nope', true), false, 'an unknown attachment is ignored');
});

test('chat actions take effect in the order they were asked: a question sent right after a switch or New Chat lands in that chat and its answer runs to the end', async () => {
  const { first, firstId } = await twoSavedChats();

  // A second window over the same folder, whose first chat (the newest) is "Question two". The user picks
  // "Question one" in History and sends at once, without waiting for the chat to open (reading it takes time).
  const second = await setup({ dir: first.dir });
  sim.enqueue({ text: 'Answer three' }, { text: 'Answer four' });
  const switched = second.controller.switchChat(firstId);
  const asked = second.controller.ask({ text: 'Question three' });
  await Promise.all([switched, asked]);
  assert.equal(second.controller.conversation.id, firstId);
  assert.deepEqual(second.controller.turns().filter((t) => t.role === 'user').map((t) => t.text), ['Question one', 'Question three']);
  assert.equal(lastAnswer(second.controller).status, 'done');
  assert.equal(answerText(lastAnswer(second.controller)), 'Answer three');

  // New Chat, then a question at once: the question is the new chat's first, and its answer is not stopped.
  const cleared = second.controller.newChat();
  const askedNew = second.controller.ask({ text: 'Question four' });
  await Promise.all([cleared, askedNew]);
  assert.notEqual(second.controller.conversation.id, firstId);
  assert.deepEqual(second.controller.turns().filter((t) => t.role === 'user').map((t) => t.text), ['Question four']);
  assert.equal(lastAnswer(second.controller).status, 'done');
  assert.equal(answerText(lastAnswer(second.controller)), 'Answer four');
});
