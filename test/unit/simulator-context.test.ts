// The simulator's small-context model refuses an over-long prompt as the API does (400 invalid_request_error
// "prompt is too long: N tokens > M maximum"), counting tokens as it reports input tokens; a prompt that fits is answered.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SMALL_CONTEXT_LENGTH, SMALL_CONTEXT_MODEL, startSimulator, type Simulator } from '../support/simulator';

let sim: Simulator;
before(async () => { sim = await startSimulator({ defaultDelayMs: 0 }); });
after(async () => { await sim.close(); });

const post = (text: string) => fetch(`${sim.url}/v1/messages`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-api-key': 'test-key', 'anthropic-version': '2023-06-01' },
  body: JSON.stringify({ model: SMALL_CONTEXT_MODEL, max_tokens: 100, messages: [{ role: 'user', content: text }] }),
});

test('a prompt over the small model\'s window is refused with the API\'s 400; one that fits is answered with its count', async () => {
  const long = 'x'.repeat((SMALL_CONTEXT_LENGTH + 10) * 4);
  const refused = await post(long);
  assert.equal(refused.status, 400);
  const body = await refused.json() as { type: string; error: { type: string; message: string } };
  assert.equal(body.error.type, 'invalid_request_error');
  assert.equal(body.error.message, `prompt is too long: ${SMALL_CONTEXT_LENGTH + 10} tokens > ${SMALL_CONTEXT_LENGTH} maximum`);
  sim.enqueue({ text: 'Fits.' });
  const fits = await post('x'.repeat(400));
  assert.equal(fits.status, 200);
  const json = await fits.json() as { usage: { input_tokens: number } };
  assert.equal(json.usage.input_tokens, 100);
});

test('a summary request is answered with a summary written from the conversation: goals, decisions, files the tools changed, an open question', async () => {
  const { isSummaryRequest, summariseConversation } = await import('../support/simulatorAnswer.js');
  const { summaryInstruction } = await import('../../src/core/context/summary.js');
  const instruction = summaryInstruction(['src/b.ts']);
  assert.equal(isSummaryRequest(instruction), true);
  assert.equal(isSummaryRequest('Summarise this function for me.'), false);
  const summary = summariseConversation([
    { role: 'user', content: 'Make the parser faster.' },
    { role: 'assistant', content: [{ type: 'text', text: 'We will cache the tokens. Details follow.' }, { type: 'tool_use', id: 't1', name: 'edit_file', input: { path: 'src/a.ts' } }, { type: 'tool_use', id: 't2', name: 'edit_file', input: { path: 'src/c.ts' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'Applied.' }, { type: 'tool_result', tool_use_id: 't2', content: 'The user declined this change.', is_error: true }] },
    { role: 'assistant', content: 'Done.' },
    { role: 'user', content: 'Now add tests.' },
    { role: 'user', content: instruction },
  ]);
  assert.equal(summary, [
    '## Goals\n- Make the parser faster.\n- Now add tests.',
    '## Decisions\n- We will cache the tokens.\n- Done.',
    '## Files changed\n- src/a.ts — edited\n- src/b.ts — changed',
    '## Open tasks\n- Now add tests.',
  ].join('\n\n'));
});
