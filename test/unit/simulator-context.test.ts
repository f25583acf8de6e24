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
