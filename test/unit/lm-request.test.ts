// VS Code language model requests → Messages requests (issue 11 §1): system messages, images, tool calls and
// results, merging and alternation, repairs the API demands, thinking round trip, tool_choice, max_tokens, options.
// Each built request is also checked by the simulator's validator, which mirrors the API's 400s.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { ContentBlockParam, MessageParam } from '../../src/api';
import { LmRequestError, buildLmRequest, promptTsxText, supportsThinking, type LmMessage, type LmRequestInput, type ThinkingBlock } from '../../src/core/lm/lmRequest';
import { defaultSettings, type FastRouterSettings } from '../../src/core/request/settings';
import { validateMessagesRequest } from '../support/simulator';

const ROOT = path.resolve(__dirname, '..', '..');
const PNG = new Uint8Array(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'images', 'canvas-37x23.png')));
const SONNET = { id: 'anthropic/claude-sonnet-4-20250514', maxOutputTokens: 64_000 };
const text = (t: string) => ({ kind: 'text' as const, text: t });
const user = (...parts: LmMessage['parts']): LmMessage => ({ role: 'user', parts });
const assistant = (...parts: LmMessage['parts']): LmMessage => ({ role: 'assistant', parts });
const system = (t: string): LmMessage => ({ role: 'system', parts: [text(t)] });
const call = (callId: string, name = 'read_file', input: unknown = { path: 'a.ts' }) => ({ kind: 'toolCall' as const, callId, name, input });
const result = (callId: string, t = 'contents', isError = false) => ({ kind: 'toolResult' as const, callId, content: [text(t)], isError });

function build(messages: LmMessage[], extra: Partial<LmRequestInput> = {}, settings: Partial<FastRouterSettings> = {}) {
  const built = buildLmRequest({ model: SONNET, messages, toolMode: 'auto', settings: { ...defaultSettings(), ...settings }, ...extra });
  // Whatever we build must pass the API's own rules (as the simulator enforces them).
  validateMessagesRequest({ ...built.params, stream: true });
  return built;
}

const blocks = (message: MessageParam) => message.content as ContentBlockParam[];

test('system messages become the system prompt; no fastrouter.systemPrompt is added to other callers\' requests', () => {
  const { params } = build([system('You are a test.'), user(text('Hi')), system('Be brief.')]);
  assert.equal(params.system, 'You are a test.\n\nBe brief.');
  assert.deepEqual(params.messages, [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
  assert.equal(build([user(text('Hi'))]).params.system, undefined);
});

test('consecutive same-role messages merge so roles alternate; empty text parts and empty messages go', () => {
  const { params } = build([user(text('a')), user(text('  ')), user(text('b')), assistant(text('c')), assistant(), assistant(text('d')), user(text('e'))]);
  assert.deepEqual(params.messages.map((m) => m.role), ['user', 'assistant', 'user']);
  assert.deepEqual(blocks(params.messages[0]!), [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }]);
  assert.deepEqual(blocks(params.messages[1]!), [{ type: 'text', text: 'c' }, { type: 'text', text: 'd' }]);
});

test('a conversation that starts with the assistant gets a user turn first; a final assistant prefill loses trailing spaces', () => {
  const { params, notes } = build([assistant(text('Earlier answer.')), user(text('Go on')), assistant(text('Sure:  \n'))]);
  assert.equal(params.messages[0]!.role, 'user');
  assert.deepEqual(blocks(params.messages[3]!), [{ type: 'text', text: 'Sure:' }]);
  assert.ok(notes.includes('a user turn was put first'));
  assert.throws(() => build([system('only a system prompt')]), LmRequestError);
});

test('images from data parts become base64 image blocks; text and JSON data parts become text; markers are dropped', () => {
  const { params, notes } = build([
    user(
      text('What is this?'),
      { kind: 'data', mimeType: 'image/png', data: PNG },
      { kind: 'data', mimeType: 'image/jpg', data: PNG },
      { kind: 'data', mimeType: 'image/bmp', data: new Uint8Array([1, 2]) },
      { kind: 'data', mimeType: 'text/plain', data: new TextEncoder().encode('some notes') },
      { kind: 'data', mimeType: 'application/json', data: new TextEncoder().encode('{"a":1}') },
      { kind: 'data', mimeType: 'cache_control', data: new TextEncoder().encode('ephemeral') },
      { kind: 'other', type: 'LanguageModelThinkingPart' },
    ),
  ]);
  const content = blocks(params.messages[0]!);
  assert.deepEqual(content.map((b) => b.type), ['text', 'image', 'image', 'text', 'text', 'text']);
  assert.deepEqual(content[1], { type: 'image', source: { type: 'base64', media_type: 'image/png', data: Buffer.from(PNG).toString('base64') } });
  assert.equal((content[2] as { source: { media_type: string } }).source.media_type, 'image/jpeg');
  assert.match((content[3] as { text: string }).text, /image\/bmp image was left out/);
  assert.equal((content[4] as { text: string }).text, 'some notes');
  assert.equal((content[5] as { text: string }).text, '{"a":1}');
  assert.ok(notes.includes('data part cache_control ignored'));
  assert.ok(notes.includes('LanguageModelThinkingPart part left out'));
});

test('tool calls and results map to tool_use / tool_result, results first in their message, errors flagged', () => {
  const { params } = build([
    user(text('Read a.ts')),
    assistant(text('Reading.'), call('c1'), call('c2', 'list', {})),
    user(text('here you go'), result('c2', 'x, y', true), { kind: 'toolResult', callId: 'c1', content: [text('export {}'), { kind: 'data', mimeType: 'image/png', data: PNG }] }),
  ]);
  assert.deepEqual(blocks(params.messages[1]!), [
    { type: 'text', text: 'Reading.' },
    { type: 'tool_use', id: 'c1', name: 'read_file', input: { path: 'a.ts' } },
    { type: 'tool_use', id: 'c2', name: 'list', input: {} },
  ]);
  const answer = blocks(params.messages[2]!);
  assert.deepEqual(answer.map((b) => b.type), ['tool_result', 'tool_result', 'text']);
  assert.deepEqual(answer[0], { type: 'tool_result', tool_use_id: 'c2', content: [{ type: 'text', text: 'x, y' }], is_error: true });
  const c1 = answer[1] as { tool_use_id: string; content: ContentBlockParam[] };
  assert.equal(c1.tool_use_id, 'c1');
  assert.deepEqual(c1.content.map((b) => b.type), ['text', 'image']);
});

test('a tool call without a result is answered as not run; a result without its call becomes text', () => {
  const missing = build([user(text('go')), assistant(call('c1'), call('c2')), user(result('c1'))]);
  const results = blocks(missing.params.messages[2]!);
  assert.deepEqual(results.map((b) => (b as { tool_use_id: string }).tool_use_id), ['c1', 'c2']);
  assert.equal((results[1] as { is_error?: boolean }).is_error, true);
  const trailing = build([user(text('go')), assistant(call('c9'))]);
  assert.equal(trailing.params.messages.length, 3, 'a trailing tool call gets a user turn with its result');
  const orphan = build([user(text('go'), result('zz', 'old output'))]);
  assert.deepEqual(blocks(orphan.params.messages[0]!), [{ type: 'text', text: 'go' }, { type: 'text', text: 'Result of tool call zz:\nold output' }]);
  // Tool parts in the wrong role are left out rather than sent for a 400.
  const wrong = build([user(text('go'), call('u1')), assistant(text('ok'), result('u1'))]);
  assert.deepEqual(wrong.notes.sort(), ['tool call in a user message left out', 'tool result in an assistant message left out']);
});

test('tools and tool mode: definitions with an object schema; required → any (one tool → that tool); auto → the API default', () => {
  const tools = [{ name: 'read_file', description: 'Read a file', inputSchema: { properties: { path: { type: 'string' } }, required: ['path'] } }, { name: 'list', description: 'List' }];
  const auto = build([user(text('hi'))], { tools });
  assert.deepEqual(auto.params.tools, [
    { name: 'read_file', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
    { name: 'list', description: 'List', input_schema: { type: 'object' } },
  ]);
  assert.equal(auto.params.tool_choice, undefined);
  assert.deepEqual(build([user(text('hi'))], { tools, toolMode: 'required' }).params.tool_choice, { type: 'any' });
  assert.deepEqual(build([user(text('hi'))], { tools: tools.slice(0, 1), toolMode: 'required' }).params.tool_choice, { type: 'tool', name: 'read_file' });
  assert.equal(build([user(text('hi'))], { toolMode: 'required' }).params.tool_choice, undefined, 'no tools, no tool_choice');
});

test('max_tokens: the setting (or modelOptions.max_tokens), never above the model\'s output limit', () => {
  assert.equal(build([user(text('hi'))], {}, { maxTokens: 4096 }).params.max_tokens, 4096);
  assert.equal(build([user(text('hi'))], { model: { id: 'anthropic/claude-3-5-haiku-20241022', maxOutputTokens: 8192 } }, { maxTokens: 100_000 }).params.max_tokens, 8192);
  assert.equal(build([user(text('hi'))], { modelOptions: { max_tokens: 500 } }, { maxTokens: 4096 }).params.max_tokens, 500);
  assert.equal(build([user(text('hi'))], { modelOptions: { max_tokens: 'lots' } }, { maxTokens: 4096 }).params.max_tokens, 4096);
});

test('sampling: settings, overridden by valid modelOptions; invalid options ignored', () => {
  const { params } = build([user(text('hi'))], { modelOptions: { temperature: 0.2, top_p: 2, top_k: 5, stop_sequences: ['END'] } }, { temperature: 0.9 });
  assert.equal(params.temperature, 0.2);
  assert.equal(params.top_p, undefined);
  assert.equal(params.top_k, 5);
  assert.deepEqual(params.stop_sequences, ['END']);
  assert.equal(build([user(text('hi'))], {}, { temperature: 0.9 }).params.temperature, 0.9);
});

test('thinking when configured: budget below max_tokens, sampling dropped, off for models without it', () => {
  const on = build([user(text('hi'))], { modelOptions: { temperature: 0.3 } }, { thinkingBudgetTokens: 2048, maxTokens: 1000 });
  assert.deepEqual(on.params.thinking, { type: 'enabled', budget_tokens: 2048 });
  assert.equal(on.params.max_tokens, 3048, 'the answer room on top of the budget');
  assert.equal(on.params.temperature, undefined);
  const haiku = build([user(text('hi'))], { model: { id: 'anthropic/claude-3-5-haiku-20241022', maxOutputTokens: 8192 } }, { thinkingBudgetTokens: 2048 });
  assert.equal(haiku.params.thinking, undefined);
  assert.ok(haiku.notes.includes('thinking off: the model has none'));
  const tooBig = build([user(text('hi'))], { model: { id: 'anthropic/claude-sonnet-4-x', maxOutputTokens: 4000 } }, { thinkingBudgetTokens: 8000 });
  assert.equal(tooBig.params.thinking, undefined);
  assert.equal(tooBig.params.max_tokens, 4000);
  const fits = build([user(text('hi'))], { model: { id: 'anthropic/claude-sonnet-4-x', maxOutputTokens: 4000 } }, { thinkingBudgetTokens: 3000, maxTokens: 2000 });
  assert.equal(fits.params.max_tokens, 4000, 'budget + answer room, capped by the model');
  assert.equal(supportsThinking('anthropic/claude-3-7-sonnet-20250219'), true);
  assert.equal(supportsThinking('claude-3-5-sonnet-20241022'), false);
  assert.equal(supportsThinking('anthropic/claude-opus-4-5-20251101'), true);
});

test('thinking round trip: the blocks remembered for a tool call go back first in that assistant turn', () => {
  const remembered: ThinkingBlock[] = [{ type: 'thinking', thinking: 'I should read the file.', signature: 'sig-1' }, { type: 'redacted_thinking', data: 'opaque' }];
  const messages = [user(text('Read a.ts')), assistant(text('Reading.'), call('c1')), user(result('c1'))];
  const { params } = build(messages, { thinkingFor: (id) => (id === 'c1' ? remembered : undefined) }, { thinkingBudgetTokens: 2048 });
  assert.deepEqual(params.thinking, { type: 'enabled', budget_tokens: 2048 });
  assert.deepEqual(blocks(params.messages[1]!).slice(0, 2), remembered);
  assert.equal(blocks(params.messages[1]!)[2]!.type, 'text');
});

test('thinking turns itself off where the API would refuse it: a tool loop without its thinking, a required tool, a prefill', () => {
  const loop = [user(text('Read a.ts')), assistant(call('c1')), user(result('c1'))];
  const unknown = build(loop, { thinkingFor: () => undefined }, { thinkingBudgetTokens: 2048 });
  assert.equal(unknown.params.thinking, undefined);
  assert.ok(unknown.notes.includes('thinking off: the tool call being answered has no thinking to send back'));
  assert.equal(blocks(unknown.params.messages[1]!)[0]!.type, 'tool_use');
  const required = build([user(text('hi'))], { tools: [{ name: 't', description: 'd' }], toolMode: 'required' }, { thinkingBudgetTokens: 2048 });
  assert.equal(required.params.thinking, undefined);
  const prefill = build([user(text('hi')), assistant(text('Sure'))], {}, { thinkingBudgetTokens: 2048 });
  assert.equal(prefill.params.thinking, undefined);
  // Thinking off: remembered blocks are not sent either.
  const off = build(loop, { thinkingFor: () => [{ type: 'thinking', thinking: 't', signature: 's' }] });
  assert.equal(blocks(off.params.messages[1]!)[0]!.type, 'tool_use');
});

test('prompt-tsx tool results are read as their text nodes', () => {
  const tree = { node: { type: 1, ctor: 2, children: [{ type: 2, text: 'line one\n', priority: 1 }, { type: 1, children: [{ type: 2, text: 'line two' }] }] } };
  assert.equal(promptTsxText(tree), 'line one\nline two');
  assert.equal(promptTsxText('plain'), 'plain');
  assert.equal(promptTsxText(42), '');
});
