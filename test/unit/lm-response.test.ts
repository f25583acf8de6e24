// Streamed answers → VS Code response parts (issue 11 §1): text per delta, tool calls whole when their block stops,
// thinking kept (not shown) for the tool loop; over recorded transcripts and over the simulator's real HTTP stream.
// Also the provider's model list, request sources and error codes (pure parts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { ApiError, ConnectionError, MessagesClient, StreamEventReader, type StreamEvent } from '../../src/api';
import { badSettingFailure, blockingSettingProblem, lmFailure, noKeyFailure } from '../../src/core/lm/lmErrors';
import { parseSettings } from '../../src/core/request/settings';
import { lmModelInformation, lmModels, lmRequestSource } from '../../src/core/lm/lmModels';
import { LmResponseTranslator, ThinkingMemory, type LmOutput } from '../../src/core/lm/lmResponse';
import { BUILTIN_MODELS } from '../../src/core/models/modelCatalog';
import { startSimulator, type Simulator } from '../support/simulator';
import { thinkingSignature } from '../support/simulatorAnswer';

const ROOT = path.resolve(__dirname, '..', '..');

function eventsOf(fixture: string): StreamEvent[] {
  const events: StreamEvent[] = [];
  const reader = new StreamEventReader({ onEvent: (event) => events.push(event) });
  reader.push(new TextEncoder().encode(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'api', fixture), 'utf8')));
  reader.end();
  return events;
}

function translate(events: StreamEvent[]): LmOutput[] {
  const translator = new LmResponseTranslator();
  return events.flatMap((event) => translator.push(event));
}

let sim: Simulator;
before(async () => {
  sim = await startSimulator({ apiKeys: ['k'] });
});
after(async () => {
  await sim.close();
});

test('text deltas come out one part per delta, in order', () => {
  const outputs = translate(eventsOf('text.sse'));
  assert.ok(outputs.length > 1);
  assert.ok(outputs.every((o) => o.kind === 'text'));
  const expected = eventsOf('text.sse').flatMap((e) => (e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? [e.delta.text] : []));
  assert.deepEqual(outputs.map((o) => (o.kind === 'text' ? o.text : '')), expected);
});

test('a tool call comes out once, after its block stops, with its streamed input parsed', () => {
  const events = eventsOf('tool-use.sse');
  const translator = new LmResponseTranslator();
  const calls: Array<{ at: string; output: LmOutput }> = [];
  for (const event of events) for (const output of translator.push(event)) if (output.kind === 'toolCall') calls.push({ at: event.type, output });
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.at, 'content_block_stop');
  const start = events.find((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use') as Extract<StreamEvent, { type: 'content_block_start' }>;
  const block = start.content_block as { id: string; name: string };
  assert.deepEqual(calls[0]!.output, { kind: 'toolCall', callId: block.id, name: block.name, input: { location: 'San Francisco, CA', unit: 'fahrenheit' }, thinking: [] });
  assert.equal(translator.toolCalls, 1);
});

test('thinking is not shown; the signed thinking before a tool call travels with it (over the simulator\'s HTTP stream)', async () => {
  sim.enqueue({ thinking: 'Let me look at the file first.', text: 'Reading it.', toolUse: { name: 'read_file', input: { path: 'src/a.ts' }, id: 'toolu_sim1' } });
  const client = new MessagesClient({ apiKey: 'k', baseUrl: sim.url });
  const translator = new LmResponseTranslator();
  const outputs: LmOutput[] = [];
  for await (const event of client.stream({ model: 'anthropic/claude-sonnet-4-20250514', max_tokens: 4000, messages: [{ role: 'user', content: 'read a' }] })) {
    outputs.push(...translator.push(event));
  }
  assert.equal(outputs.map((o) => (o.kind === 'text' ? o.text : '')).join(''), 'Reading it.');
  const callOut = outputs.find((o) => o.kind === 'toolCall');
  assert.ok(callOut && callOut.kind === 'toolCall');
  assert.equal(callOut.callId, 'toolu_sim1');
  assert.deepEqual(callOut.input, { path: 'src/a.ts' });
  assert.deepEqual(callOut.thinking, [{ type: 'thinking', thinking: 'Let me look at the file first.', signature: thinkingSignature('Let me look at the file first.') }]);
  assert.ok(!outputs.some((o) => o.kind === 'text' && o.text.includes('look at the file')), 'thinking text is never reported');
});

test('redacted thinking, an empty or broken tool input, and unknown events', () => {
  const events: StreamEvent[] = [
    { type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'opaque' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 't1', name: 'noargs', input: {} } },
    { type: 'content_block_stop', index: 1 },
    { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 't2', name: 'broken', input: {} } },
    { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"a": ' } },
    { type: 'content_block_stop', index: 2 },
    { type: 'ping' },
  ];
  const outputs = translate(events);
  assert.deepEqual(outputs, [
    { kind: 'toolCall', callId: 't1', name: 'noargs', input: {}, thinking: [{ type: 'redacted_thinking', data: 'opaque' }] },
    { kind: 'toolCall', callId: 't2', name: 'broken', input: {}, thinking: [{ type: 'redacted_thinking', data: 'opaque' }] },
  ]);
});

test('ThinkingMemory keeps the most recent calls only, and ignores empty thinking', () => {
  const memory = new ThinkingMemory(2);
  memory.remember('a', [{ type: 'thinking', thinking: 'A', signature: 's' }]);
  memory.remember('b', [{ type: 'thinking', thinking: 'B', signature: 's' }]);
  memory.remember('none', []);
  memory.remember('c', [{ type: 'thinking', thinking: 'C', signature: 's' }]);
  assert.equal(memory.size, 2);
  assert.equal(memory.recall('a'), undefined);
  assert.equal(memory.recall('none'), undefined);
  assert.equal(memory.recall('c')?.[0]?.type, 'thinking');
});

test('model information: the Claude models, output = what is requested, input room = context − output, capabilities, price in the tooltip', () => {
  const models = lmModels([...BUILTIN_MODELS, { ...BUILTIN_MODELS[0]!, id: 'openai/gpt-5' }, BUILTIN_MODELS[0]!]);
  assert.deepEqual(models.map((m) => m.id), BUILTIN_MODELS.map((m) => m.id));
  const sonnet = lmModelInformation(BUILTIN_MODELS.find((m) => m.id === 'anthropic/claude-sonnet-4-20250514')!, { maxTokens: 8192 });
  assert.deepEqual(
    { ...sonnet, tooltip: undefined },
    {
      id: 'anthropic/claude-sonnet-4-20250514',
      name: 'Claude Sonnet 4',
      family: 'claude-sonnet-4',
      version: '20250514',
      tooltip: undefined,
      maxInputTokens: 200_000 - 8192,
      maxOutputTokens: 8192,
      capabilities: { imageInput: true, toolCalling: true },
      isUserSelectable: true,
    },
  );
  assert.match(sonnet.tooltip, /3\.00 in \/ 15\.00 out credits per million tokens/);
  const haiku = lmModelInformation(BUILTIN_MODELS.find((m) => m.id.includes('3-5-haiku'))!, { maxTokens: 100_000 });
  assert.equal(haiku.maxInputTokens, 200_000 - 8192, 'output capped by the model');
  assert.equal(haiku.maxInputTokens + haiku.maxOutputTokens, 200_000, 'input + output = the context window');
  assert.match(haiku.tooltip, /0\.80 in \/ 4\.00 out/);
});

test('request sources: VS Code chat for VS Code and its chat extension, else the extension id', () => {
  assert.equal(lmRequestSource('core'), 'lm:VS Code chat');
  assert.equal(lmRequestSource('GitHub.copilot-chat'), 'lm:VS Code chat');
  assert.equal(lmRequestSource('Acme.Helper'), 'lm:acme.helper');
  assert.equal(lmRequestSource(undefined), 'lm:unknown');
  assert.equal(lmRequestSource(42), 'lm:unknown');
});

test('errors: no key / rejected key → NoPermissions offering Set API Key; moderation and billing → Blocked; 404 → NotFound; others Unknown', () => {
  assert.deepEqual({ ...noKeyFailure(), message: '' }, { code: 'NoPermissions', message: '', needsKey: true, reason: 'no_key' });
  assert.match(noKeyFailure().message, /FastRouter: Set API Key/);
  const rejected = lmFailure(new ApiError('invalid x-api-key sk-secret-123', { status: 401, type: 'authentication_error' }), { apiKey: 'sk-secret-123' });
  assert.equal(rejected.code, 'NoPermissions');
  assert.ok(rejected.needsKey);
  assert.doesNotMatch(rejected.message, /sk-secret-123/);
  assert.equal(lmFailure(new ApiError('blocked', { status: 403, type: 'permission_error' })).code, 'Blocked');
  assert.equal(lmFailure(new ApiError('no credits', { status: 402, type: 'billing_error' })).code, 'Blocked');
  assert.equal(lmFailure(new ApiError('nope', { status: 404, type: 'not_found_error' }), { model: 'x' }).code, 'NotFound');
  const limited = lmFailure(new ApiError('slow down', { status: 429, type: 'rate_limit_error' }));
  assert.deepEqual([limited.code, limited.needsKey, limited.reason], ['Unknown', false, 'rate_limit']);
  assert.equal(lmFailure(new ConnectionError('down')).reason, 'network');
});

test('an invalid setting that shapes the request stops it (naming the setting); fastrouter.model and systemPrompt do not apply here', () => {
  const { problems } = parseSettings({ model: '', baseUrl: 'ftp://example.com', maxSelectionChars: 1 });
  const blocking = blockingSettingProblem(problems);
  assert.equal(blocking?.key, 'baseUrl');
  const failure = badSettingFailure(blocking!);
  assert.equal(failure.code, 'Unknown');
  assert.match(failure.message, /fastrouter\.baseUrl/);
  assert.equal(blockingSettingProblem(parseSettings({ model: '', systemPrompt: 42, maxSelectionChars: 1 }).problems), undefined);
  assert.equal(blockingSettingProblem(parseSettings({ temperature: 7 }).problems)?.key, 'temperature');
});
