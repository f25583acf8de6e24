// What the host's zod schemas answer, pinned: the messages users and the model read (settings problems, tool input
// errors, invalid SSE events, model-list errors), the tool JSON Schemas sent as `tools`, and what the stores accept.
// Recorded from the classic-zod schemas before the host moved to zod/mini (issue 15: a smaller .vsix), so the move is
// proven to change no answer. A changed answer fails here; if the change is meant, re-record with
// `ZOD_SNAPSHOT=write node --import tsx --test test/unit/zod-behaviour.test.ts` and say why in the commit.
import '../../src/zodConfig';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  validateContentBlockDelta,
  validateContentBlockStart,
  validateContentBlockStop,
  validateMessage,
  validateMessageDelta,
  validateMessageStart,
  validateMessageStop,
} from '../../src/api/schemas';
import { ErrorBodySchema } from '../../src/api/schemas';
import { parseModelList } from '../../src/api/models';
import { readCachedModelList } from '../../src/core/models/modelList';
import { SETTING_KEYS, parseSettings, type SettingKey } from '../../src/core/request/settings';
import { parseToolCall, toolDefinitions } from '../../src/core/tools/definitions';
import { ConversationDataSchema, IndexSchema, JournalRecordSchema } from '../../src/core/conversation/storedConversation';

const SNAPSHOT = path.join(__dirname, 'fixtures', 'zod-behaviour.json');

/** Runs f and records what it returned or the message it threw. */
function outcome(f: () => unknown): unknown {
  try {
    const value = f();
    return { ok: value === undefined ? null : value };
  } catch (error) {
    return { threw: `${(error as Error).constructor.name}: ${(error as Error).message}` };
  }
}

/** A zod safeParse result as data: the output, or each issue's code, path and message. */
function parsed(result: { success: boolean; data?: unknown; error?: { issues: readonly { code: string; path: PropertyKey[]; message: string }[] } }): unknown {
  return result.success
    ? { data: result.data ?? null }
    : { issues: result.error!.issues.map((i) => ({ code: i.code, path: i.path.map(String), message: i.message })) };
}

const WRONG_VALUES: unknown[] = [
  undefined, null, '', '  ', 'text', ' x ', 0, -1, 0.5, 1, 1.5, 99, 1023, 1024, 5000, 1e12, Number.NaN, true, [], [''], ['a', 'b'],
  ['s', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's', 's'], {}, { a: true }, { a: 1 },
  'http://example.com', 'https://api.example.com/x?y=1', 'ftp://x', 'x-api-key', 'bearer', 'a'.repeat(201), 0.95, 0.96, 0.4, 600, 601, 4,
];

function toolInputs(): [string, unknown][] {
  return [
    ['read_file', { path: 'a.ts' }], ['read_file', { path: '  a.ts ' }], ['read_file', { path: '' }], ['read_file', {}],
    ['read_file', { path: 'a', start_line: 0 }], ['read_file', { path: 'a', start_line: 1.5 }], ['read_file', { path: 'a', start_line: 5, end_line: 2 }],
    ['read_file', { path: 'a', start_line: '3' }], ['read_file', { path: 7, end_line: -1 }], ['read_file', null], ['read_file', 'a.ts'],
    ['read_file', { path: 'a'.repeat(4097) }], ['read_file', { path: 'a', extra: 1 }],
    ['list_directory', {}], ['list_directory', { path: '' }], ['list_directory', { path: ' src ' }],
    ['find_files', { glob: '' }], ['find_files', { glob: '**/*.ts' }], ['find_files', { glob: 3 }],
    ['search_text', { query: '' }], ['search_text', { query: 'x', is_regexp: 'yes' }], ['search_text', { query: 'x', include: ' src/** ' }],
    ['get_diagnostics', {}], ['get_diagnostics', { path: '' }], ['get_diagnostics', { path: 'b.ts' }],
    ['edit_file', { path: 'a', old_text: '', new_text: 'x' }], ['edit_file', { path: 'a', old_text: 'x' }], ['edit_file', { path: 'a', old_text: 'x', new_text: '' }],
    ['create_file', { path: 'a' }], ['create_file', { path: 'a', content: '' }],
    ['run_command', { command: '  ' }], ['run_command', { command: 'ls', timeout_seconds: 0 }], ['run_command', { command: 'ls', timeout_seconds: 3601 }],
    ['run_command', { command: 'ls', timeout_seconds: 2.5, cwd: ' sub ' }], ['run_command', { command: 'x'.repeat(10_001) }],
    ['no_such_tool', {}], ['read_file', { _unparsed: '{"pa' }],
  ];
}

const sseEvents: [string, (v: unknown) => unknown, unknown][] = [
  ['message_start', validateMessageStart, { type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'c', content: [], usage: { input_tokens: 1, output_tokens: 0, cost: null, extra: 2 } } }],
  ['message_start', validateMessageStart, { type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'c', content: [{ type: 'text', text: 'hi', x: 1 }, { type: 'server_tool_use', id: 's', y: [1] }], stop_reason: null, usage: { input_tokens: 1, output_tokens: 0, cost: 0.2 } } }],
  ['message_start', validateMessageStart, { type: 'message_start', message: { id: 'm', role: 'user', content: [{ type: 'text' }], usage: {} } }],
  ['message_start', validateMessageStart, { type: 'message_start' }],
  ['message_start', validateMessageStart, null],
  ['message', validateMessage, { id: 'm', type: 'message', role: 'assistant', model: 'c', content: [{ type: 'thinking', thinking: 't' }, { type: 'tool_use', id: 't', name: 'n' }], usage: { input_tokens: 1, output_tokens: 2 } }],
  ['message', validateMessage, { id: 'm', type: 'message', role: 'assistant', model: 'c', content: [{ type: 'tool_use', id: 't' }], usage: { input_tokens: '1', output_tokens: 2 } }],
  ['content_block_start', validateContentBlockStart, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
  ['content_block_start', validateContentBlockStart, { type: 'content_block_start', index: -1, content_block: { type: 'text' } }],
  ['content_block_start', validateContentBlockStart, { type: 'content_block_start', index: 1.5, content_block: { type: 'web_search_tool_result', content: [] } }],
  ['content_block_start', validateContentBlockStart, { type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'd' } }],
  ['content_block_start', validateContentBlockStart, { type: 'content_block_start', index: 0, content_block: 'text' }],
  ['content_block_delta', validateContentBlockDelta, { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 's' } }],
  ['content_block_delta', validateContentBlockDelta, { type: 'content_block_delta', index: 0, delta: { type: 'citations_delta', citation: { type: 'c', cited_text: 'x', more: 1 } } }],
  ['content_block_delta', validateContentBlockDelta, { type: 'content_block_delta', index: 0, delta: { type: 'brand_new_delta', z: 1 } }],
  ['content_block_delta', validateContentBlockDelta, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 5 } }],
  ['content_block_delta', validateContentBlockDelta, { type: 'content_block_delta', index: 'a', delta: { type: 'text_delta', text: 'x' } }],
  ['content_block_delta', validateContentBlockDelta, { type: 'content_block_delta', index: 0 }],
  ['content_block_stop', validateContentBlockStop, { type: 'content_block_stop', index: -2 }],
  ['content_block_stop', validateContentBlockStop, { type: 'content_block_stop' }],
  ['message_delta', validateMessageDelta, { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3, cost: null, z: 1 } }],
  ['message_delta', validateMessageDelta, { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null } }],
  ['message_delta', validateMessageDelta, { type: 'message_delta', delta: {} }],
  ['message_delta', validateMessageDelta, { type: 'message_delta', delta: { stop_reason: 3 }, usage: { output_tokens: 'x' } }],
  ['message_stop', validateMessageStop, { type: 'message_stop', extra: 1 }],
  ['message_stop', validateMessageStop, { type: 'stop' }],
];

const modelLists: unknown[] = [
  null, [], { data: 'x' }, { data: [] }, { data: [{}] },
  { data: [{ id: 'anthropic/claude-sonnet-4', name: 'Anthropic: Claude Sonnet 4', context_length: 200000, pricing: { prompt: '0.000003', completion: '0.000015', input_cache_read: '-1' } }] },
  { data: [{ id: 'a', pricing: { prompt: 'abc', completion: '1' } }, { id: 'b', context_length: -5 }, { id: 'c', context_length: 1.5, name: 'C' }, { id: 'd', top_provider: { context_length: 1000, max_completion_tokens: null }, pricing: null }] },
  { data: [{ id: 'claude-opus-4-1', display_name: 'Claude Opus 4.1', max_input_tokens: 200000, max_tokens: 32000 }, { id: 'claude-x', display_name: 5 }, { id: '', display_name: 'E' }] },
  { data: [{ id: 'x', pricing: { prompt: 1e-6, completion: '', input_cache_write: '2e-6' } }, { id: 'x', name: 'dup' }] },
];

const cachedLists: unknown[] = [
  undefined, {}, { url: 'u', fetchedAt: 1, models: [] },
  { url: 'u', fetchedAt: 1, models: [{ id: 'a', name: 'A', contextLength: 10, pricing: { input: 0, output: 1, extra: 1 }, other: true }] },
  { url: 'u', fetchedAt: 1, models: [{ id: '', name: 'A' }] }, { url: 'u', fetchedAt: 1, models: [{ id: 'a', name: 'A', contextLength: 0 }] },
  { url: 'u', fetchedAt: 1, models: [{ id: 'a', name: 'A', pricing: { input: -1, output: 1 } }] },
];

const meta = { model: 'm', inputTokens: 1, outputTokens: 2, cost: { kind: 'billed', credits: 0.5 }, durationMs: 3, stopReason: 'end_turn' };
const exchange = {
  user: { id: 'u1', text: 'hi', code: { path: 'a.ts', languageId: 'ts', text: 'x', startLine: 1, endLine: 2 } },
  answer: {
    id: 'a1', status: 'done', meta, messages: [{ content: [{ type: 'text', text: 'x', extra: 1 }], complete: true, toolResults: [{ toolUseId: 't', content: 'c', state: 'applied', change: { path: 'a', added: 1, removed: 0 } }] }],
    changes: [{ path: 'a', added: 1, removed: 0, fsPath: '/w/a', before: null }],
  },
  askedAt: 1, extra: 'dropped',
};
const conversations: unknown[] = [
  { version: 1, id: 'c', title: 't', createdAt: 1, updatedAt: 2, exchanges: [exchange], compactions: [{ id: 'k', throughAnswerId: 'a1', summary: 's', trigger: 'auto', createdAt: 1, updatedAt: 1, meta }] },
  { version: 1, id: '', title: 't', createdAt: 1, updatedAt: 2, exchanges: [] },
  { version: 2, id: 'c', title: 't', createdAt: '1', updatedAt: 2, exchanges: [{ user: { id: 'u' }, answer: { id: 'a', status: 'nope', messages: [] } }] },
  { version: 1, id: 'c', title: 't', createdAt: 1, updatedAt: 2, exchanges: [{ ...exchange, answer: { ...exchange.answer, changes: [{ path: 'a', added: 1, removed: 0 }] } }] },
];

function record(): unknown {
  const settings: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    settings[key] = WRONG_VALUES.map((value) => {
      const { settings: s, problems } = parseSettings({ [key]: value } as Partial<Record<SettingKey, unknown>>);
      const setting = s[key as keyof typeof s] ?? null;
      return [setting === parseSettings({}).settings[key as keyof typeof s] ? '(default)' : setting, ...problems.map((p) => p.message)];
    });
  }
  return {
    tools: toolDefinitions(),
    toolCalls: toolInputs().map(([name, input]) => parseToolCall(name, input)),
    settings,
    sse: sseEvents.map(([, f, value]) => outcome(() => f(value))),
    errorBodies: [{ error: { type: 'overloaded_error', message: 'x' }, request_id: null, z: 1 }, { type: 'error' }, { type: 'nope', error: { type: 1 } }]
      .map((value) => parsed(ErrorBodySchema.safeParse(value))),
    modelLists: modelLists.map((value) => outcome(() => parseModelList(value))),
    cachedLists: cachedLists.map((value) => readCachedModelList(value) ?? null),
    conversations: conversations.map((value) => parsed(ConversationDataSchema.safeParse(value))),
    journal: [{ gen: 'g', title: 't', updatedAt: 1, exchange }, { gen: 'g', title: 't', updatedAt: 1 }].map((value) => parsed(JournalRecordSchema.safeParse(value))),
    index: [{ version: 1, conversations: [], deleted: [{ id: 'x', at: 1 }] }, { version: 1, conversations: [{ id: 1 }] }].map((value) => parsed(IndexSchema.safeParse(value))),
  };
}

test('the host schemas answer as recorded (messages, tool JSON Schemas, what the stores accept)', () => {
  const now = JSON.parse(JSON.stringify(record())) as unknown;
  if (process.env.ZOD_SNAPSHOT === 'write') writeFileSync(SNAPSHOT, `${JSON.stringify(now, null, 1)}\n`);
  const recorded = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Record<string, unknown>;
  for (const [part, value] of Object.entries(now as Record<string, unknown>)) assert.deepEqual(value, recorded[part], part);
  // The tools go into every request: the same bytes, key order included (a changed prefix misses the prompt cache).
  assert.equal(JSON.stringify((now as Record<string, unknown>).tools), JSON.stringify(recorded.tools), 'tools, as sent');
});
