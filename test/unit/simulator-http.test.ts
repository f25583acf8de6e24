// The local simulator over real loopback HTTP: keys, validation, error scenarios, non-streaming answers, control surface.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { HTML_502_BODY, startSimulator, type Simulator } from '../support/simulator';

const KEY = 'test-key';
const valid = { model: 'anthropic/claude-sonnet-4-20250514', max_tokens: 2048, messages: [{ role: 'user', content: 'Hello there' }] };

let sim: Simulator;
before(async () => { sim = await startSimulator({ defaultDelayMs: 0 }); });
after(async () => { await sim.close(); });
beforeEach(() => sim.reset());

function post(body: unknown, headers: Record<string, string> = { 'x-api-key': KEY }, path = '/v1/messages'): Promise<Response> {
  return fetch(sim.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface ErrorBody { type: string; error: { type: string; message: string }; request_id: string }

async function expectApiError(res: Response, status: number, type: string, messagePattern?: RegExp): Promise<ErrorBody> {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const requestId = res.headers.get('request-id');
  assert.match(requestId ?? '', /^req_01\w{22}$/);
  const body = await res.json() as ErrorBody;
  assert.equal(body.type, 'error');
  assert.equal(body.error.type, type);
  assert.equal(body.request_id, requestId);
  if (messagePattern) assert.match(body.error.message, messagePattern);
  return body;
}

describe('simulator: API key', () => {
  it('accepts the key in x-api-key and in Authorization: Bearer, on both paths', async () => {
    for (const [headers, path] of [[{ 'x-api-key': KEY }, '/v1/messages'], [{ authorization: `Bearer ${KEY}` }, '/api/v1/messages']] as const) {
      const res = await post(valid, headers, path);
      assert.equal(res.status, 200, `${JSON.stringify(Object.keys(headers))} ${path}`);
      const message = await res.json() as { type: string; role: string };
      assert.equal(message.type, 'message');
      assert.equal(message.role, 'assistant');
    }
    assert.deepEqual(sim.requests.map((r) => r.path), ['/v1/messages', '/api/v1/messages']);
    assert.equal(sim.requests[0].headers['x-api-key'], KEY);
    assert.equal(sim.requests[1].headers.authorization, `Bearer ${KEY}`);
  });

  it('answers 401 authentication_error for a wrong key, a missing key and a non-Bearer Authorization, never echoing the key', async () => {
    const wrong = await expectApiError(await post(valid, { 'x-api-key': 'sk-wrong-secret' }), 401, 'authentication_error');
    assert.doesNotMatch(JSON.stringify(wrong), /sk-wrong-secret/);
    await expectApiError(await post(valid, { authorization: 'Bearer sk-wrong-secret' }), 401, 'authentication_error');
    await expectApiError(await post(valid, {}), 401, 'authentication_error', /required/);
    await expectApiError(await post(valid, { authorization: `Basic ${KEY}` }), 401, 'authentication_error');
  });

  it('a rejected key does not consume a queued scenario', async () => {
    sim.enqueue({ text: 'queued answer', stopReason: 'max_tokens' });
    await expectApiError(await post(valid, { 'x-api-key': 'nope' }), 401, 'authentication_error');
    const message = await (await post(valid)).json() as { content: Array<{ text: string }>; stop_reason: string };
    assert.equal(message.content[0].text, 'queued answer');
    assert.equal(message.stop_reason, 'max_tokens');
  });

  it('acceptAnyKey accepts any non-empty key but still requires one', async () => {
    const open = await startSimulator({ acceptAnyKey: true, defaultDelayMs: 0 });
    try {
      const ok = await fetch(`${open.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'whatever' }, body: JSON.stringify(valid) });
      assert.equal(ok.status, 200);
      const none = await fetch(`${open.url}/v1/messages`, { method: 'POST', body: JSON.stringify(valid) });
      assert.equal(none.status, 401);
    } finally {
      await open.close();
    }
  });
});

describe('simulator: request validation (400 invalid_request_error)', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['body is not JSON', '{"model": ', /not valid JSON/],
    ['model missing', { ...valid, model: undefined }, /^model: Field required/],
    ['max_tokens missing', { ...valid, max_tokens: undefined }, /^max_tokens: Field required/],
    ['max_tokens zero', { ...valid, max_tokens: 0 }, /max_tokens: .*greater than or equal to 1/],
    ['max_tokens not an integer', { ...valid, max_tokens: 10.5 }, /max_tokens: .*integer/],
    ['messages missing', { ...valid, messages: undefined }, /^messages: Field required/],
    ['messages empty', { ...valid, messages: [] }, /at least one message/],
    ['first message from assistant', { ...valid, messages: [{ role: 'assistant', content: 'hi' }] }, /first message must use the "user" role/],
    ['unknown role', { ...valid, messages: [{ role: 'system', content: 'hi' }] }, /messages\.0\.role/],
    ['empty string content', { ...valid, messages: [{ role: 'user', content: '' }] }, /non-empty content/],
    ['empty block list', { ...valid, messages: [{ role: 'user', content: [] }] }, /non-empty content/],
    ['unknown block type', { ...valid, messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] }, /messages\.0\.content\.0: Input tag 'video'/],
    ['empty text block', { ...valid, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }, /text content blocks must be non-empty/],
    ['image with bad media type', { ...valid, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'AAAA' } }] }] }, /media_type/],
    ['image with bad base64', { ...valid, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'not base64!' } }] }] }, /base64/],
    ['tool_result in an assistant message', { ...valid, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 'x' }] }] }, /tool_result/],
    ['temperature above 1', { ...valid, temperature: 1.5 }, /^temperature: range: 0\.\.1/],
    ['temperature below 0', { ...valid, temperature: -0.1 }, /^temperature: range/],
    ['top_p above 1', { ...valid, top_p: 2 }, /^top_p/],
    ['unknown top-level field', { ...valid, temprature: 0.5 }, /^temprature: Extra inputs are not permitted/],
    ['thinking budget below 1024', { ...valid, thinking: { type: 'enabled', budget_tokens: 1000 } }, /budget_tokens: .*1024/],
    ['thinking budget not below max_tokens', { ...valid, max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 2048 } }, /`max_tokens` must be greater than `thinking.budget_tokens`/],
    ['thinking with temperature', { ...valid, temperature: 0.5, thinking: { type: 'enabled', budget_tokens: 1024 } }, /temperature.*thinking/],
    ['stream not boolean', { ...valid, stream: 'yes' }, /^stream/],
  ];
  for (const [name, body, message] of cases) {
    it(name, async () => {
      await expectApiError(await post(body), 400, 'invalid_request_error', message);
    });
  }

  it('accepts a full, valid request (system blocks, images, thinking, tools, history)', async () => {
    const res = await post({
      ...valid,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      temperature: 1,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
      stop_sequences: ['END'],
      metadata: { user_id: 'u1' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hm', signature: 'sig' }, { type: 'text', text: 'Sure.' }] },
        { role: 'user', content: 'Again' },
      ],
    });
    assert.equal(res.status, 200);
  });

  it('a rejected body does not consume a queued scenario', async () => {
    sim.enqueue({ text: 'kept' });
    await expectApiError(await post({ ...valid, max_tokens: undefined }), 400, 'invalid_request_error');
    const message = await (await post(valid)).json() as { content: Array<{ text: string }> };
    assert.equal(message.content[0].text, 'kept');
  });

  it('unknown paths answer 404 not_found_error', async () => {
    await expectApiError(await post(valid, { 'x-api-key': KEY }, '/v1/complete'), 404, 'not_found_error');
  });
});

describe('simulator: error scenarios', () => {
  const statuses: Array<[number, string]> = [
    [401, 'authentication_error'], [402, 'billing_error'], [403, 'permission_error'], [429, 'rate_limit_error'],
    [500, 'api_error'], [529, 'overloaded_error'],
  ];
  for (const [status, type] of statuses) {
    it(`status ${status} answers ${type} with the API's error body`, async () => {
      sim.enqueue({ status });
      await expectApiError(await post({ ...valid, stream: true }), status, type);
      assert.equal(sim.requests[0].status, status);
    });
  }

  it('429 carries retry-after, retry-after-ms and x-should-retry as asked', async () => {
    sim.enqueue({ status: 429, retryAfter: '3', retryAfterMs: 1500, shouldRetry: false, errorMessage: 'slow down' });
    const res = await post(valid);
    assert.equal(res.headers.get('retry-after'), '3');
    assert.equal(res.headers.get('retry-after-ms'), '1500');
    assert.equal(res.headers.get('x-should-retry'), 'false');
    await expectApiError(res, 429, 'rate_limit_error', /^slow down$/);
  });

  it('a custom errorType overrides the status default', async () => {
    sim.enqueue({ status: 500, errorType: 'overloaded_error' });
    await expectApiError(await post(valid), 500, 'overloaded_error');
  });

  it('an HTML 502 body is sent verbatim with its content type', async () => {
    sim.enqueue({ status: 502, rawBody: HTML_502_BODY, contentType: 'text/html' });
    const res = await post(valid);
    assert.equal(res.status, 502);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(await res.text(), HTML_502_BODY);
  });

  it('scenarios are consumed in order, then the default answer returns', async () => {
    sim.enqueue({ status: 529 }, { status: 500 });
    assert.equal((await post(valid)).status, 529);
    assert.equal((await post(valid)).status, 500);
    const res = await post(valid);
    assert.equal(res.status, 200);
    const message = await res.json() as { content: Array<{ text: string }> };
    assert.match(message.content[0].text, /local simulator/i);
  });
});

describe('simulator: non-streaming answers', () => {
  it('returns a full Message with the default answer about the code, usage and a cost from the price table', async () => {
    const question = 'Why is this slow?\n```python app/slow.py\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n```';
    const res = await post({ ...valid, messages: [{ role: 'user', content: question }] });
    assert.equal(res.status, 200);
    const message = await res.json() as {
      id: string; model: string; stop_reason: string; content: Array<{ type: string; text: string }>;
      usage: { input_tokens: number; output_tokens: number; cost: number };
    };
    assert.match(message.id, /^msg_01\w{22}$/);
    assert.equal(message.model, valid.model);
    assert.equal(message.stop_reason, 'end_turn');
    const text = message.content[0].text;
    assert.match(text, /local simulator/i);
    assert.match(text, /`app\/slow\.py` \(Python\)/);
    assert.match(text, /`fib`/);
    assert.match(text, /```python\n/);
    assert.match(text, /^- /m);
    assert.equal(message.usage.output_tokens, Math.ceil(text.length / 4));
    assert.ok(message.usage.input_tokens > 10);
    // Sonnet prices: $3 / $15 per million tokens.
    const expected = Math.round((message.usage.input_tokens * 3 + message.usage.output_tokens * 15) * 100) / 1e8;
    assert.equal(message.usage.cost, expected);
  });

  it('the default answer is deterministic for the same question', async () => {
    const a = await (await post(valid)).json() as { content: unknown };
    const b = await (await post(valid)).json() as { content: unknown };
    assert.deepEqual(a.content, b.content);
  });

  it('thinking and tool_use blocks, custom stop reason, explicit cost and usage', async () => {
    sim.enqueue({ thinking: 'Let me think.', text: 'Calling a tool.', toolUse: { name: 'lookup', input: { q: 'x', n: [1, 2] } }, cost: 0.5, usage: { input_tokens: 42, output_tokens: 7 } });
    const message = await (await post(valid)).json() as {
      content: Array<Record<string, unknown>>; stop_reason: string; usage: Record<string, number>;
    };
    assert.deepEqual(message.content.map((b) => b.type), ['thinking', 'text', 'tool_use']);
    assert.equal(message.content[0].thinking, 'Let me think.');
    assert.equal(typeof message.content[0].signature, 'string');
    assert.deepEqual(message.content[2].input, { q: 'x', n: [1, 2] });
    assert.match(String(message.content[2].id), /^toolu_01/);
    assert.equal(message.stop_reason, 'tool_use');
    assert.equal(message.usage.input_tokens, 42);
    assert.equal(message.usage.output_tokens, 7);
    assert.equal(message.usage.cost, 0.5);
  });

  it('cost: null leaves cost out of usage', async () => {
    sim.enqueue({ text: 'free', cost: null });
    const message = await (await post(valid)).json() as { usage: Record<string, number> };
    assert.equal('cost' in message.usage, false);
  });
});

describe('simulator: prompt caching and answers about code', () => {
  const longSystem = 'You are a careful reviewer. '.repeat(200);
  const cached = {
    ...valid,
    system: [{ type: 'text', text: longSystem, cache_control: { type: 'ephemeral' } }],
  };
  type Usage = { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number; output_tokens: number; cost: number };

  it('a cache_control prefix is written on first use and read afterwards, priced 1.25× and 0.1× input', async () => {
    const first = (await (await post(cached)).json() as { usage: Usage }).usage;
    const second = (await (await post({ ...cached, messages: [{ role: 'user', content: 'Another question' }] })).json() as { usage: Usage }).usage;
    const prefixTokens = Math.ceil(longSystem.length / 4);
    assert.equal(first.cache_creation_input_tokens, prefixTokens);
    assert.equal(first.cache_read_input_tokens, 0);
    assert.equal(second.cache_creation_input_tokens, 0);
    assert.equal(second.cache_read_input_tokens, prefixTokens);
    assert.equal(second.input_tokens, Math.ceil('Another question'.length / 4));
    const price = (u: Usage) => Math.round(((u.input_tokens + 1.25 * u.cache_creation_input_tokens + 0.1 * u.cache_read_input_tokens) * 3 + u.output_tokens * 15) * 100) / 1e8;
    assert.equal(first.cost, price(first));
    assert.equal(second.cost, price(second));
  });

  it('prefixes below the minimum cacheable size, and requests without cache_control, are not cached', async () => {
    const short = { ...valid, system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }] };
    for (const body of [short, short, { ...valid, system: longSystem }, { ...valid, system: longSystem }]) {
      const usage = (await (await post(body)).json() as { usage: Usage }).usage;
      assert.equal(usage.cache_creation_input_tokens + usage.cache_read_input_tokens, 0);
    }
  });

  it('reset() forgets the cache', async () => {
    await post(cached);
    sim.reset();
    const usage = (await (await post(cached)).json() as { usage: Usage }).usage;
    assert.ok(usage.cache_creation_input_tokens > 0);
  });

  it('names a file path given in the prose around an unlabelled code block', async () => {
    const content = 'Explain this code from `src/host/request/apiKey.ts` (lines 3-9):\n\n```typescript\nexport class ApiKeyStore {}\n```';
    const message = await (await post({ ...valid, messages: [{ role: 'user', content }] })).json() as { content: Array<{ text: string }> };
    assert.match(message.content[0].text, /`src\/host\/request\/apiKey\.ts` \(TypeScript\)/);
    assert.match(message.content[0].text, /`ApiKeyStore`/);
  });

  it('mentions attached images', async () => {
    const message = await (await post({ ...valid, messages: [{ role: 'user', content: [
      { type: 'text', text: 'What is in this screenshot?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
    ] }] })).json() as { content: Array<{ text: string }>; usage: Usage };
    assert.match(message.content[0].text, /1 image \(image\/png\)/);
    assert.ok(message.usage.input_tokens >= 1000, 'an image counts as many tokens');
  });
});

describe('simulator: non-streaming requests that never complete', () => {
  it('holdUntilAborted without streaming: no answer until the client aborts, and the abort is recorded', async () => {
    sim.enqueue({ holdUntilAborted: true });
    const controller = new AbortController();
    const held = fetch(`${sim.url}/v1/messages`, { method: 'POST', signal: controller.signal, headers: { 'x-api-key': KEY }, body: JSON.stringify(valid) })
      .then(() => 'answered', () => 'aborted');
    const early = await Promise.race([held, sleep(250).then(() => 'still waiting')]);
    assert.equal(early, 'still waiting');
    controller.abort();
    assert.equal(await held, 'aborted');
    await waitFor(() => sim.requests[0]?.aborted === true);
    assert.equal(sim.requests[0].completed, undefined);
  });

  it('errorAfterDeltas without streaming answers the error type with its usual status', async () => {
    sim.enqueue({ errorAfterDeltas: 3 }, { errorAfterDeltas: 3, errorType: 'api_error', errorMessage: 'upstream broke' });
    await expectApiError(await post(valid), 529, 'overloaded_error', /^Overloaded$/);
    await expectApiError(await post(valid), 500, 'api_error', /^upstream broke$/);
  });

  it('dropAfterDeltas without streaming: the connection closes with no answer', async () => {
    sim.enqueue({ dropAfterDeltas: 0 });
    const outcome = await post(valid).then(() => 'answered', (error: unknown) => error);
    assert.ok(outcome instanceof TypeError, 'fetch fails: the socket was destroyed');
    assert.equal(sim.requests[0].aborted, undefined);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await sleep(10);
  }
}

describe('simulator: HTTP control surface', () => {
  it('enqueue (one or many), requests and reset work over HTTP', async () => {
    const one = await fetch(`${sim.url}/__sim/enqueue`, { method: 'POST', body: JSON.stringify({ status: 402 }) });
    assert.deepEqual(await one.json(), { queued: 1 });
    const many = await fetch(`${sim.url}/__sim/enqueue`, { method: 'POST', body: JSON.stringify([{ status: 403 }, { text: 'third' }]) });
    assert.deepEqual(await many.json(), { queued: 3 });
    await expectApiError(await post(valid), 402, 'billing_error');
    await expectApiError(await post(valid), 403, 'permission_error');
    const third = await (await post({ ...valid, messages: [{ role: 'user', content: 'question three' }] })).json() as { content: Array<{ text: string }> };
    assert.equal(third.content[0].text, 'third');

    const recorded = await (await fetch(`${sim.url}/__sim/requests`)).json() as Array<{ path: string; body: { messages: Array<{ content: string }> }; status: number }>;
    assert.deepEqual(recorded.map((r) => r.status), [402, 403, 200]);
    assert.equal(recorded[2].body.messages[0].content, 'question three');

    sim.enqueue({ status: 500 });
    const reset = await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
    assert.equal(reset.status, 200);
    assert.equal(sim.requests.length, 0);
    assert.equal((await post(valid)).status, 200, 'reset clears the queue');
    assert.equal((await (await fetch(`${sim.url}/__sim/requests`)).json() as unknown[]).length, 1);
  });

  it('rejects an enqueue body that is not a scenario object', async () => {
    assert.equal((await fetch(`${sim.url}/__sim/enqueue`, { method: 'POST', body: '[1, 2]' })).status, 400);
    assert.equal((await fetch(`${sim.url}/__sim/enqueue`, { method: 'POST', body: 'nope' })).status, 400);
  });
});
