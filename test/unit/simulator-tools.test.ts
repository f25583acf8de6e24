// The simulator holds requests to the API's tool rules, so a tool loop that sends a broken history fails its tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateMessagesRequest } from '../support/simulator';

const use = (id: string) => ({ type: 'tool_use', id, name: 'read_file', input: { path: 'a.ts' } });
const result = (id: string) => ({ type: 'tool_result', tool_use_id: id, content: 'ok' });
const body = (messages: unknown[]) => ({ model: 'm', max_tokens: 10, messages });

test('every tool_use needs a tool_result at the start of the next message; a tool_result needs its tool_use right before', () => {
  assert.doesNotThrow(() => validateMessagesRequest(body([
    { role: 'user', content: 'go' },
    { role: 'assistant', content: [use('t1'), use('t2')] },
    { role: 'user', content: [result('t1'), result('t2'), { type: 'text', text: 'and?' }] },
  ])));
  assert.throws(() => validateMessagesRequest(body([
    { role: 'user', content: 'go' },
    { role: 'assistant', content: [use('t1'), use('t2')] },
    { role: 'user', content: [result('t1')] },
  ])), /tool_use` ids were found without `tool_result` blocks immediately after: t2/);
  assert.throws(() => validateMessagesRequest(body([
    { role: 'user', content: 'go' },
    { role: 'assistant', content: [use('t1')] },
    { role: 'user', content: [{ type: 'text', text: 'first' }, result('t1')] },
  ])), /without `tool_result` blocks immediately after: t1/);
  assert.throws(() => validateMessagesRequest(body([
    { role: 'user', content: [result('ghost'), { type: 'text', text: 'hi' }] },
  ])), /unexpected `tool_use_id` found in `tool_result` blocks: ghost/);
  // The last message may be an assistant message with a tool_use (nothing follows yet).
  assert.doesNotThrow(() => validateMessagesRequest(body([{ role: 'user', content: 'go' }, { role: 'assistant', content: [use('t1')] }])));
});
