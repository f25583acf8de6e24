// The client against real loopback HTTP: the local simulator (test/support/simulator.ts) for API
// scenarios, small hand-made servers for exact headers and bodies. Time is injected: no test waits
// for a real backoff.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import {
  AbortedError,
  ApiError,
  ConnectionError,
  FastRouterError,
  IdleTimeoutError,
  MalformedStreamError,
  MessagesClient,
  messagesUrl,
  type MessagesClientOptions,
  type StreamEvent,
} from '../../src/api';
import { HTML_502_BODY, startSimulator, type Simulator } from '../support/simulator';
import {
  REQUEST,
  apiErrorBody,
  collect,
  event,
  instantSleep,
  readFixture,
  reply,
  sse,
  startServer,
  textOf,
  type TestServer,
} from './api-helpers';

/** A regression in abort or timeout handling would hang; make it fail instead. */
const HANG_GUARD = { timeout: 10_000 };

let sim: Simulator;
before(async () => {
  sim = await startSimulator();
});
after(() => sim.close());
beforeEach(() => sim.reset());

/** A client for the simulator with an instant, recording sleep and no jitter. */
function simClient(options: Partial<MessagesClientOptions> = {}) {
  const { sleep, waits } = instantSleep();
  const client = new MessagesClient({ apiKey: 'test-key', baseUrl: sim.url, sleep, random: () => 0, ...options });
  return { client, waits };
}

/** Resolves once `check()` holds, polling; fails the test after `ms` (a hang guard, not a speed check). */
async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function messagesOf(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e instanceof Error; e = (e as { cause?: unknown }).cause) parts.push(String(e), e.stack ?? '');
  return parts.join('\n');
}

describe('endpoint URL', () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'https://api.fastrouter.ai/api/v1/messages'],
    ['https://api.fastrouter.ai', 'https://api.fastrouter.ai/api/v1/messages'],
    ['https://api.fastrouter.ai/', 'https://api.fastrouter.ai/api/v1/messages'],
    ['https://api.fastrouter.ai/api', 'https://api.fastrouter.ai/api/v1/messages'],
    ['https://api.fastrouter.ai/api/', 'https://api.fastrouter.ai/api/v1/messages'],
    ['https://api.fastrouter.ai/api/v1', 'https://api.fastrouter.ai/api/v1/messages'],
    ['https://api.fastrouter.ai/api/v1/', 'https://api.fastrouter.ai/api/v1/messages'],
    ['https://api.fastrouter.ai/v1', 'https://api.fastrouter.ai/v1/messages'],
    ['https://api.fastrouter.ai/v1/', 'https://api.fastrouter.ai/v1/messages'],
    ['https://api.fastrouter.ai/api/v1/messages', 'https://api.fastrouter.ai/api/v1/messages'],
    ['https://api.anthropic.com', 'https://api.anthropic.com/v1/messages'],
    ['https://api.anthropic.com/v1/messages/', 'https://api.anthropic.com/v1/messages'],
    ['http://127.0.0.1:8787', 'http://127.0.0.1:8787/v1/messages'],
    ['http://127.0.0.1:8787/api//', 'http://127.0.0.1:8787/api/v1/messages'],
    ['https://proxy.example.com/llm/anthropic', 'https://proxy.example.com/llm/anthropic/v1/messages'],
    ['  https://api.fastrouter.ai/api/v1  ', 'https://api.fastrouter.ai/api/v1/messages'],
  ];
  for (const [base, expected] of cases) {
    test(`${JSON.stringify(base)} → ${expected}`, () => assert.equal(messagesUrl(base), expected));
  }

  test('bad base URLs are refused without echoing secrets in them', () => {
    for (const bad of ['not a url', 'ftp://api.fastrouter.ai', 'https://user:hunter2@api.fastrouter.ai', 'https://api.fastrouter.ai/?key=hunter2', 'https://api.fastrouter.ai/#hunter2']) {
      assert.throws(() => messagesUrl(bad), (error: unknown) => {
        assert.ok(error instanceof FastRouterError);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      }, bad);
    }
  });

  for (const [label, suffix, path] of [
    ['bare host', '', '/v1/messages'],
    ['…/v1', '/v1', '/v1/messages'],
    ['…/api', '/api', '/api/v1/messages'],
    ['…/api/v1/', '/api/v1/', '/api/v1/messages'],
  ] as const) {
    test(`over HTTP: base ${label} reaches ${path}`, async () => {
      const { client } = simClient({ baseUrl: sim.url + suffix });
      sim.enqueue({ text: 'ok' });
      const message = await client.stream(REQUEST).finalMessage();
      assert.equal(textOf(message), 'ok');
      assert.equal(sim.requests[0]!.path, path);
    });
  }
});

describe('request headers and body', () => {
  test('x-api-key style (default): key, version, content type, stream: true and the request fields', async () => {
    const { client } = simClient();
    sim.enqueue({ text: 'hi' });
    const request = { ...REQUEST, system: 'Be brief.', temperature: 0.2, stop_sequences: ['END'] };
    await client.stream(request).finalMessage();
    const seen = sim.requests[0]!;
    assert.equal(seen.headers['x-api-key'], 'test-key');
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers['anthropic-version'], '2023-06-01');
    assert.match(String(seen.headers['content-type']), /^application\/json/);
    assert.equal(seen.headers.accept, 'text/event-stream');
    assert.deepEqual(seen.body, { ...request, stream: true });
  });

  test('bearer style: Authorization: Bearer KEY and no x-api-key', async () => {
    const { client } = simClient({ authHeader: 'bearer' });
    sim.enqueue({ text: 'hi' });
    assert.equal(textOf(await client.stream(REQUEST).finalMessage()), 'hi');
    const seen = sim.requests[0]!;
    assert.equal(seen.headers.authorization, 'Bearer test-key');
    assert.equal(seen.headers['x-api-key'], undefined);
    assert.equal(seen.headers['anthropic-version'], '2023-06-01');
  });

  test('the key is trimmed; an empty key or one with line breaks is refused without quoting it', () => {
    assert.throws(() => new MessagesClient({ apiKey: '   ' }), FastRouterError);
    assert.throws(() => new MessagesClient({ apiKey: 'sk-abc\ndef-SECRET' }), (error: unknown) => {
      assert.ok(error instanceof FastRouterError);
      assert.doesNotMatch(error.message, /SECRET|sk-abc/);
      return true;
    });
  });

  test('request-id is exposed on the stream', async () => {
    const server = await startServer(sse([readFixture('text.sse')], { 'request-id': 'req_from_header' }));
    try {
      const stream = new MessagesClient({ apiKey: 'k', baseUrl: server.url }).stream(REQUEST);
      await stream.finalMessage();
      assert.equal(stream.requestId, 'req_from_header');
    } finally {
      await server.close();
    }
  });
});

describe('HTTP errors and their retry policy', () => {
  const noRetry: Array<[number, string]> = [
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
  ];
  for (const [status, type] of noRetry) {
    test(`${status} → ApiError ${type}, not retried`, async () => {
      const { client, waits } = simClient();
      sim.enqueue({ status });
      const stream = client.stream(REQUEST);
      const outcome = await collect(stream);
      const error = outcome.error as ApiError;
      assert.ok(error instanceof ApiError, String(error));
      assert.equal(error.status, status);
      assert.equal(error.type, type);
      assert.match(error.requestId ?? '', /^req_/);
      assert.equal(error.requestId, stream.requestId);
      assert.match(error.message, new RegExp(`^${status} ${type}: `));
      assert.equal(error.partialMessage, undefined);
      assert.equal(outcome.finalError, error);
      assert.equal(sim.requests.length, 1);
      assert.deepEqual(waits, []);
      assert.equal(stream.attempts, 1);
    });
  }

  test('a wrong key: 401 from the endpoint, the key in no message', async () => {
    const { client } = simClient({ apiKey: 'wrong-key-XYZ' });
    const error = (await collect(client.stream(REQUEST))).error;
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 401);
    assert.doesNotMatch(messagesOf(error), /wrong-key-XYZ/);
  });

  test('429 with retry-after: waits what the server says, 2 retries by default, then the error', async () => {
    const { client, waits } = simClient();
    sim.enqueue({ status: 429, retryAfter: '3' }, { status: 429, retryAfter: '3' }, { status: 429, retryAfter: '3' });
    const stream = client.stream(REQUEST);
    const error = (await collect(stream)).error as ApiError;
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 429);
    assert.equal(error.type, 'rate_limit_error');
    assert.equal(error.retryAfterMs, 3000);
    assert.deepEqual(waits, [3000, 3000]);
    assert.equal(sim.requests.length, 3);
    assert.equal(stream.attempts, 3);
  });

  test('onRetry tells the caller about each wait before it starts: why (status, type) and for how long', async () => {
    const { client, waits } = simClient();
    sim.enqueue({ status: 429, retryAfter: '27' }, { status: 529, retryAfterMs: 1500 }, { text: 'at last' });
    const seen: unknown[] = [];
    const stream = client.stream(REQUEST, { onRetry: (info) => seen.push({ ...info, waitsSoFar: waits.length }) });
    assert.equal(textOf(await stream.finalMessage()), 'at last');
    assert.deepEqual(seen, [
      { retry: 1, maxRetries: 2, delayMs: 27_000, status: 429, errorType: 'rate_limit_error', waitsSoFar: 0 },
      { retry: 2, maxRetries: 2, delayMs: 1500, status: 529, errorType: 'overloaded_error', waitsSoFar: 1 },
    ]);
    assert.deepEqual(waits, [27_000, 1500]);
  });

  test('onRetry: backoff, a connection failure and an event: error before any event are reported too; a throwing listener changes nothing', async () => {
    const { client, waits } = simClient();
    const overloadedEvent = 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    sim.enqueue({ status: 500 }, { rawBody: overloadedEvent }, { text: 'ok' });
    const seen: unknown[] = [];
    const stream = client.stream(REQUEST, { onRetry: (info) => { seen.push(info); throw new Error('listener bug'); } });
    assert.equal(textOf(await stream.finalMessage()), 'ok');
    assert.deepEqual(seen, [
      { retry: 1, maxRetries: 2, delayMs: 500, status: 500, errorType: 'api_error' },
      { retry: 2, maxRetries: 2, delayMs: 1000, status: undefined, errorType: 'overloaded_error' },
    ]);
    assert.deepEqual(waits, [500, 1000]);

    const refused = simClient({ baseUrl: 'http://127.0.0.1:9', maxRetries: 1 });
    const connection: unknown[] = [];
    const error = await refused.client.stream(REQUEST, { onRetry: (info) => connection.push(info) }).finalMessage().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ConnectionError);
    assert.deepEqual(connection, [{ retry: 1, maxRetries: 1, delayMs: 500, status: undefined, errorType: undefined }]);
  });

  test('no onRetry call when nothing is retried (a 400, or an answer that streams)', async () => {
    const { client } = simClient();
    sim.enqueue({ status: 400 }, { text: 'fine' });
    const seen: unknown[] = [];
    await client.stream(REQUEST, { onRetry: (info) => seen.push(info) }).finalMessage().catch(() => undefined);
    await client.stream(REQUEST, { onRetry: (info) => seen.push(info) }).finalMessage();
    assert.deepEqual(seen, []);
  });

  test('429 then success: the answer arrives after one wait', async () => {
    const { client, waits } = simClient();
    sim.enqueue({ status: 429, retryAfter: '1' }, { text: 'finally' });
    assert.equal(textOf(await client.stream(REQUEST).finalMessage()), 'finally');
    assert.deepEqual(waits, [1000]);
    assert.equal(sim.requests.length, 2);
  });

  for (const [status, type] of [[500, 'api_error'], [503, 'api_error'], [504, 'timeout_error'], [529, 'overloaded_error'], [408, 'timeout_error']] as const) {
    test(`${status} → retried with exponential backoff (0.5 s, 1 s), then ApiError ${type}`, async () => {
      const { client, waits } = simClient();
      sim.enqueue({ status }, { status }, { status });
      const error = (await collect(client.stream(REQUEST))).error as ApiError;
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, status);
      assert.equal(error.type, type);
      assert.deepEqual(waits, [500, 1000]);
      assert.equal(sim.requests.length, 3);
    });
  }

  test('backoff jitter takes off up to a quarter; the cap is 8 s', async () => {
    const { client, waits } = simClient({ random: () => 0.999999, maxRetries: 6 });
    for (let i = 0; i < 7; i++) sim.enqueue({ status: 500 });
    await collect(client.stream(REQUEST));
    assert.deepEqual(waits.map((w) => Math.round(w)), [375, 750, 1500, 3000, 6000, 6000]);
    assert.ok(waits.every((w, i) => w <= Math.min(500 * 2 ** i, 8000)));
  });

  test('an HTML 502 page from a proxy: a clear ApiError naming the status, retried like any 5xx', async () => {
    const { client, waits } = simClient();
    for (let i = 0; i < 3; i++) sim.enqueue({ status: 502, rawBody: HTML_502_BODY, contentType: 'text/html' });
    const error = (await collect(client.stream(REQUEST))).error as ApiError;
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, 502);
    assert.equal(error.type, 'api_error');
    assert.match(error.message, /502/);
    assert.match(error.message, /text\/html/);
    assert.doesNotMatch(error.message, /<html|<center/);
    assert.match(error.requestId ?? '', /^req_/);
    assert.equal(waits.length, 2);
  });

  test('retry-after-ms wins over retry-after', async () => {
    const { client, waits } = simClient({ maxRetries: 1 });
    sim.enqueue({ status: 529, retryAfterMs: 250, retryAfter: '10' }, { text: 'ok' });
    await client.stream(REQUEST).finalMessage();
    assert.deepEqual(waits, [250]);
  });

  test('retry-after as an HTTP date is measured from the injected clock', async () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    const { client, waits } = simClient({ maxRetries: 1, now: () => now });
    sim.enqueue({ status: 503, retryAfter: new Date(now + 7000).toUTCString() }, { text: 'ok' });
    await client.stream(REQUEST).finalMessage();
    assert.deepEqual(waits, [7000]);
  });

  test('retry-after is capped at 60 s', async () => {
    const { client, waits } = simClient({ maxRetries: 1 });
    sim.enqueue({ status: 429, retryAfter: '3600' }, { text: 'ok' });
    await client.stream(REQUEST).finalMessage();
    assert.deepEqual(waits, [60_000]);
  });

  test('x-should-retry: false stops a retry the status would allow', async () => {
    const { client, waits } = simClient();
    sim.enqueue({ status: 529, shouldRetry: false }, { text: 'never fetched' });
    const error = (await collect(client.stream(REQUEST))).error;
    assert.ok(error instanceof ApiError);
    assert.equal(sim.requests.length, 1);
    assert.deepEqual(waits, []);
  });

  test('x-should-retry: true retries a status that would not be', async () => {
    const { client, waits } = simClient();
    sim.enqueue({ status: 400, shouldRetry: true }, { text: 'second time lucky' });
    assert.equal(textOf(await client.stream(REQUEST).finalMessage()), 'second time lucky');
    assert.equal(sim.requests.length, 2);
    assert.deepEqual(waits, [500]);
  });

  test('maxRetries: 0 makes one attempt', async () => {
    const { client, waits } = simClient({ maxRetries: 0 });
    sim.enqueue({ status: 529 }, { text: 'x' });
    assert.ok((await collect(client.stream(REQUEST))).error instanceof ApiError);
    assert.equal(sim.requests.length, 1);
    assert.deepEqual(waits, []);
  });
});

describe('connection failures', () => {
  test('nothing listening: ConnectionError after the retries, naming the host', async () => {
    const closed = await startServer(reply(200, ''));
    const url = closed.url;
    await closed.close();
    const { sleep, waits } = instantSleep();
    const client = new MessagesClient({ apiKey: 'sk-never-shown', baseUrl: url, sleep, random: () => 0 });
    const stream = client.stream(REQUEST);
    const error = (await collect(stream)).error;
    assert.ok(error instanceof ConnectionError, String(error));
    assert.match(error.message, new RegExp(new URL(url).host.replace('.', '\\.')));
    assert.match(error.message, /ECONNREFUSED/);
    assert.deepEqual(waits, [500, 1000]);
    assert.equal(stream.attempts, 3);
    assert.doesNotMatch(messagesOf(error), /sk-never-shown/);
  });

  test('a connection dropped before the first event is retried', async () => {
    const server = await startServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(': about to fail\n\n', () => res.destroy());
      },
      sse([readFixture('text.sse')]),
    );
    try {
      const { sleep, waits } = instantSleep();
      const message = await new MessagesClient({ apiKey: 'k', baseUrl: server.url, sleep, random: () => 0 }).stream(REQUEST).finalMessage();
      assert.equal(textOf(message), 'Hello!');
      assert.equal(server.requests.length, 2);
      assert.deepEqual(waits, [500]);
    } finally {
      await server.close();
    }
  });

  test('no retry after the first event: a drop mid-answer is a ConnectionError with the partial answer', async () => {
    const { client, waits } = simClient();
    sim.enqueue({ text: ['one ', 'two ', 'three ', 'four'], dropAfterDeltas: 2 }, { text: 'must not be fetched' });
    const stream = client.stream(REQUEST);
    const outcome = await collect(stream);
    const error = outcome.error as ConnectionError;
    assert.ok(error instanceof ConnectionError, String(error));
    assert.equal(textOf(error.partialMessage), 'one two ');
    assert.equal(textOf(stream.partialMessage), 'one two ');
    assert.equal(outcome.finalError, error);
    assert.equal(sim.requests.length, 1);
    assert.deepEqual(waits, []);
  });
});

describe('event: error in the stream', () => {
  test('mid-stream: ApiError with the event type and no status; the partial message is kept; not retried', async () => {
    const { client, waits } = simClient();
    sim.enqueue({ text: ['a ', 'b ', 'c ', 'd ', 'e'], errorAfterDeltas: 3, errorType: 'overloaded_error', errorMessage: 'Overloaded' });
    const stream = client.stream(REQUEST);
    const outcome = await collect(stream);
    const error = outcome.error as ApiError;
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, undefined);
    assert.equal(error.type, 'overloaded_error');
    assert.match(error.message, /Overloaded/);
    assert.equal(error.requestId, stream.requestId);
    assert.equal(textOf(error.partialMessage), 'a b c ');
    assert.equal(outcome.finalError, error);
    const deltas = outcome.events.filter((e) => e.type === 'content_block_delta');
    assert.equal(deltas.length, 3, 'the events before the error were delivered');
    assert.equal(sim.requests.length, 1);
    assert.deepEqual(waits, []);
  });

  test('before any event, a transient error event is retried', async () => {
    const server = await startServer(
      sse([event('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })]),
      sse([readFixture('text.sse')]),
    );
    try {
      const { sleep, waits } = instantSleep();
      const message = await new MessagesClient({ apiKey: 'k', baseUrl: server.url, sleep, random: () => 0 }).stream(REQUEST).finalMessage();
      assert.equal(textOf(message), 'Hello!');
      assert.deepEqual(waits, [500]);
    } finally {
      await server.close();
    }
  });

  test('an error event that echoes the key has it redacted', async () => {
    const key = 'sk-fr-ECHOED-0123456789';
    const server = await startServer(sse([event('error', { type: 'error', error: { type: 'invalid_request_error', message: `bad key ${key}` } })]));
    try {
      const error = (await collect(new MessagesClient({ apiKey: key, baseUrl: server.url }).stream(REQUEST))).error;
      assert.ok(error instanceof ApiError);
      assert.doesNotMatch(messagesOf(error), /ECHOED/);
      assert.match(error.message, /\[redacted\]/);
    } finally {
      await server.close();
    }
  });
});

describe('abort', () => {
  test('stream.abort() closes the HTTP request at once; iteration and finalMessage end with AbortedError and the partial', HANG_GUARD, async () => {
    const { client } = simClient();
    sim.enqueue({ holdUntilAborted: true, text: ['first '], deltaDelayMs: 20 });
    const stream = client.stream(REQUEST);
    const seen: StreamEvent[] = [];
    let caught: unknown;
    try {
      for await (const e of stream) {
        seen.push(e);
        if (e.type === 'content_block_delta') stream.abort();
      }
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof AbortedError, String(caught));
    await assert.rejects(stream.finalMessage(), AbortedError);
    assert.equal(textOf((caught as AbortedError).partialMessage), 'first ');
    await eventually(() => sim.requests[0]!.aborted === true, 'the simulator sees the connection close');
    const sent = sim.requests[0]!.bytesSent;
    // A fixed wait that is what is tested: that nothing MORE is written needs a window to look in (no event to await).
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(sim.requests[0]!.bytesSent, sent, 'the server stopped writing');
  });

  test('aborting the signal does the same', HANG_GUARD, async () => {
    const { client } = simClient();
    sim.enqueue({ holdUntilAborted: true, text: ['x '], deltaDelayMs: 20 });
    const controller = new AbortController();
    const stream = client.stream(REQUEST, { signal: controller.signal });
    for await (const e of stream) {
      if (e.type === 'content_block_delta') {
        controller.abort();
        break;
      }
    }
    await assert.rejects(stream.finalMessage(), AbortedError);
    await eventually(() => sim.requests[0]!.aborted === true, 'the simulator sees the connection close');
  });

  test('leaving for-await early aborts the request', HANG_GUARD, async () => {
    const { client } = simClient();
    sim.enqueue({ holdUntilAborted: true, text: ['x '], deltaDelayMs: 20 });
    const stream = client.stream(REQUEST);
    for await (const e of stream) if (e.type === 'content_block_delta') break;
    const error = await stream.finalMessage().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof AbortedError);
    assert.ok(error.partialMessage !== undefined);
    await eventually(() => sim.requests[0]!.aborted === true, 'the simulator sees the connection close');
  });

  test('an already aborted signal sends nothing', HANG_GUARD, async () => {
    const { client } = simClient();
    const stream = client.stream(REQUEST, { signal: AbortSignal.abort() });
    const outcome = await collect(stream);
    assert.ok(outcome.error instanceof AbortedError);
    assert.equal(outcome.error.partialMessage, undefined);
    assert.equal(sim.requests.length, 0);
  });

  test('abort during the wait before a retry ends it (real sleep, 30 s retry-after)', { timeout: 5000 }, async () => {
    const client = new MessagesClient({ apiKey: 'test-key', baseUrl: sim.url });
    sim.enqueue({ status: 529, retryAfter: '30' });
    const retries: number[] = [];
    const stream = client.stream(REQUEST, { onRetry: (info) => retries.push(info.delayMs) });
    await eventually(() => retries.length === 1, 'the wait is announced');
    assert.deepEqual(retries, [30_000]);
    stream.abort();
    await assert.rejects(stream.finalMessage(), AbortedError);
    assert.equal(sim.requests.length, 1);
  });

  test('abort after the stream finished changes nothing', HANG_GUARD, async () => {
    const { client } = simClient();
    sim.enqueue({ text: 'done' });
    const stream = client.stream(REQUEST);
    const message = await stream.finalMessage();
    stream.abort();
    assert.equal(textOf(await stream.finalMessage()), 'done');
    assert.equal(textOf(message), 'done');
  });

  test('no unhandled rejections when nobody awaits finalMessage() or iterates', HANG_GUARD, async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { client } = simClient({ maxRetries: 0 });
      sim.enqueue({ status: 500 }, { holdUntilAborted: true, text: ['x'] }, { text: ['a', 'b'], errorAfterDeltas: 1 });
      client.stream(REQUEST); // fails with 500, never observed
      const held = client.stream(REQUEST);
      await eventually(() => sim.requests.length >= 2, 'second request');
      held.abort(); // aborted, never observed
      client.stream(REQUEST); // mid-stream error, never observed
      await eventually(() => sim.requests.length === 3 && sim.requests.every((r) => r.completed || r.aborted), 'all requests end');
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('idle timeout', () => {
  test('no bytes for the idle time: IdleTimeoutError, the partial kept, the request closed', HANG_GUARD, async () => {
    const { client, waits } = simClient({ idleTimeoutMs: 150 });
    sim.enqueue({ text: ['one ', 'two ', 'three'], stallAfterDeltas: 2 });
    const stream = client.stream(REQUEST);
    const outcome = await collect(stream);
    const error = outcome.error as IdleTimeoutError;
    assert.ok(error instanceof IdleTimeoutError, String(error));
    assert.equal(error.timeoutMs, 150);
    assert.match(error.message, /150 ms/);
    assert.equal(textOf(error.partialMessage), 'one two ');
    await eventually(() => sim.requests[0]!.aborted === true, 'the simulator sees the connection close');
    assert.equal(sim.requests.length, 1);
    assert.deepEqual(waits, []);
  });

  test('pings keep a slow stream alive', HANG_GUARD, async () => {
    const { client } = simClient({ idleTimeoutMs: 200 });
    sim.enqueue({ text: ['slow ', 'but ', 'alive'], deltaDelayMs: 350, pingEveryMs: 40 });
    const outcome = await collect(client.stream(REQUEST));
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.equal(textOf(outcome.message), 'slow but alive');
    assert.ok(outcome.events.filter((e) => e.type === 'ping').length >= 3, 'pings arrived as events');
  });

  test('a server that never answers times out too (no retry)', HANG_GUARD, async () => {
    const server = await startServer(() => undefined);
    try {
      const { sleep, waits } = instantSleep();
      const stream = new MessagesClient({ apiKey: 'k', baseUrl: server.url, idleTimeoutMs: 100, sleep }).stream(REQUEST);
      const error = (await collect(stream)).error;
      assert.ok(error instanceof IdleTimeoutError, String(error));
      // No retry: no backoff wait and never a second request. (Under load the 100 ms can pass before the server's
      // 'request' event has run in this same process, so the one request may not have been seen yet.)
      assert.deepEqual(waits, []);
      assert.ok(server.requests.length <= 1, `requests: ${server.requests.length}`);
      if (server.requests[0]) await server.requests[0].closed;
    } finally {
      await server.close();
    }
  });
});

describe('cost', () => {
  for (const [costIn, expected] of [['start', 0.5], ['delta', 0.5], ['both', 0.5], ['none', undefined]] as const) {
    test(`cost in ${costIn}: usage.cost is ${String(expected)}`, async () => {
      const { client } = simClient();
      sim.enqueue({ text: 'priced', cost: 0.5, costIn });
      const message = await client.stream(REQUEST).finalMessage();
      assert.equal(message.usage.cost, expected);
    });
  }

  test('cost in both with different values: the last one wins, not the sum', async () => {
    const { client } = simClient();
    sim.enqueue({ text: 'x', cost: 0.9, costIn: 'both' });
    const stream = client.stream(REQUEST);
    const starts: number[] = [];
    for await (const e of stream) if (e.type === 'message_start' && e.message.usage.cost !== undefined) starts.push(e.message.usage.cost);
    assert.equal(starts.length, 1);
    assert.notEqual(starts[0], 0.9, 'the simulator sends a smaller start cost');
    assert.equal((await stream.finalMessage()).usage.cost, 0.9);
  });

  test('no cost at all (another compatible endpoint): cost is undefined', async () => {
    const { client } = simClient();
    sim.enqueue({ text: 'x', cost: null });
    const message = await client.stream(REQUEST).finalMessage();
    assert.equal(message.usage.cost, undefined);
    assert.ok(message.usage.output_tokens > 0);
  });
});

describe('consumption', () => {
  test('finalMessage() alone works; the events wait for a late iteration, in order', async () => {
    const { client } = simClient();
    sim.enqueue({ text: ['a', 'b', 'c'] });
    const stream = client.stream(REQUEST);
    const message = await stream.finalMessage();
    assert.equal(textOf(message), 'abc');
    const types: string[] = [];
    for await (const e of stream) types.push(e.type);
    assert.deepEqual(types.filter((t) => t !== 'ping'), ['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  });

  test('a stream can be iterated once', async () => {
    const { client } = simClient();
    sim.enqueue({ text: 'x' });
    const stream = client.stream(REQUEST);
    for await (const _e of stream) {
      // drain
    }
    assert.throws(() => stream[Symbol.asyncIterator](), FastRouterError);
  });

  test('thinking and tool_use from the simulator', async () => {
    const { client } = simClient();
    sim.enqueue({ thinking: 'Consider it.', text: 'Calling a tool.', toolUse: { name: 'lookup', input: { q: 'x', n: [1, 2] }, id: 'toolu_9' } });
    const message = await client.stream(REQUEST).finalMessage();
    assert.deepEqual(message.content.map((b) => b.type), ['thinking', 'text', 'tool_use']);
    assert.equal((message.content[0] as { thinking: string }).thinking, 'Consider it.');
    assert.ok((message.content[0] as { signature: string }).signature.length > 0);
    assert.deepEqual(message.content[2], { type: 'tool_use', id: 'toolu_9', name: 'lookup', input: { q: 'x', n: [1, 2] } });
    assert.equal(message.stop_reason, 'tool_use');
  });

  test('a 200 answer that is JSON instead of an event stream: its API error is reported', async () => {
    const server = await startServer(reply(200, apiErrorBody('overloaded_error', 'try later')));
    try {
      const error = (await collect(new MessagesClient({ apiKey: 'k', baseUrl: server.url, maxRetries: 0 }).stream(REQUEST))).error;
      assert.ok(error instanceof ApiError, String(error));
      assert.equal(error.type, 'overloaded_error');
    } finally {
      await server.close();
    }
  });

  test('a 200 HTML page instead of an event stream is a MalformedStreamError naming the content type', async () => {
    const server = await startServer(reply(200, '<html>captive portal</html>'));
    try {
      const error = (await collect(new MessagesClient({ apiKey: 'k', baseUrl: server.url }).stream(REQUEST))).error;
      assert.ok(error instanceof MalformedStreamError, String(error));
      assert.match(error.message, /text\/html/);
      assert.equal(server.requests.length, 1);
    } finally {
      await server.close();
    }
  });
});

describe('the key never appears in an error', () => {
  const KEY = 'sk-fr-TOPSECRET-9f8e7d6c5b4a';
  const cases: Array<[string, () => Promise<TestServer>]> = [
    ['an error body quoting the key', () => startServer(reply(401, apiErrorBody('authentication_error', `invalid x-api-key ${KEY}`)))],
    ['an HTML page quoting the key', () => startServer(reply(502, `<html>bad gateway for ${KEY}</html>`))],
    ['a JSON 200 quoting the key', () => startServer(reply(200, apiErrorBody('invalid_request_error', `key ${KEY} unknown`)))],
    ['a malformed stream', () => startServer(sse([`event: message_start\ndata: {"type":"message_start","key":"${KEY}"}\n\n`]))],
    ['a stalled stream', () => startServer(() => undefined)],
  ];
  for (const [name, start] of cases) {
    test(name, async () => {
      const server = await start();
      try {
        for (const authHeader of ['x-api-key', 'bearer'] as const) {
          const { sleep } = instantSleep();
          const client = new MessagesClient({ apiKey: KEY, baseUrl: server.url, authHeader, sleep, idleTimeoutMs: 100, requestTimeoutMs: 100, maxRetries: 1 });
          const outcome = await collect(client.stream(REQUEST));
          assert.ok(outcome.error instanceof FastRouterError, String(outcome.error));
          assert.doesNotMatch(messagesOf(outcome.error), /TOPSECRET/);
          assert.doesNotMatch(JSON.stringify(outcome.error), /TOPSECRET/);
          const createError = await client.create(REQUEST).then(() => undefined, (e: unknown) => e);
          assert.ok(createError instanceof FastRouterError, String(createError));
          assert.doesNotMatch(messagesOf(createError), /TOPSECRET/);
        }
      } finally {
        await server.close();
      }
    });
  }
});

describe('create() (non-streaming)', () => {
  test('returns the message with usage and cost; sends stream: false', async () => {
    const { client } = simClient();
    sim.enqueue({ text: 'A whole answer.', cost: 0.42 });
    const message = await client.create(REQUEST);
    assert.equal(textOf(message), 'A whole answer.');
    assert.equal(message.usage.cost, 0.42);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal((sim.requests[0]!.body as { stream: boolean }).stream, false);
    assert.equal(sim.requests[0]!.headers.accept, 'application/json');
  });

  test('same retries: 529 then success', async () => {
    const { client, waits } = simClient();
    sim.enqueue({ status: 529 }, { text: 'ok' });
    assert.equal(textOf(await client.create(REQUEST)), 'ok');
    assert.deepEqual(waits, [500]);
  });

  test('same errors: 402 billing_error, not retried', async () => {
    const { client } = simClient();
    sim.enqueue({ status: 402 });
    const error = await client.create(REQUEST).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 402);
    assert.equal(error.type, 'billing_error');
    assert.equal(sim.requests.length, 1);
  });

  test('abort via signal closes the request', HANG_GUARD, async () => {
    const { client } = simClient();
    sim.enqueue({ holdUntilAborted: true });
    const controller = new AbortController();
    const pending = client.create(REQUEST, { signal: controller.signal });
    await eventually(() => sim.requests.length === 1, 'the request arrives');
    controller.abort();
    await assert.rejects(pending, AbortedError);
    await eventually(() => sim.requests[0]!.aborted === true, 'the simulator sees the connection close');
  });

  test('a body that is not JSON is a MalformedStreamError', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "msg_1", "content": [');
    });
    try {
      await assert.rejects(new MessagesClient({ apiKey: 'k', baseUrl: server.url }).create(REQUEST), MalformedStreamError);
    } finally {
      await server.close();
    }
  });
});

describe('agreement with the official SDK on the recorded transcripts', () => {
  for (const fixture of ['text.sse', 'thinking.sse', 'tool-use.sse']) {
    test(`${fixture}: same content, stop reason and token counts; we also keep usage.cost`, async () => {
      const server = await startServer(sse([readFixture(fixture)]));
      try {
        const ours = await new MessagesClient({ apiKey: 'k', baseUrl: server.url }).stream(REQUEST).finalMessage();
        const sdk = new Anthropic({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
        const theirs = await sdk.messages.stream(REQUEST as Anthropic.MessageStreamParams).finalMessage();
        assert.deepEqual(JSON.parse(JSON.stringify(ours.content)), JSON.parse(JSON.stringify(theirs.content.map(stripNulls))));
        assert.equal(ours.stop_reason, theirs.stop_reason);
        assert.equal(ours.usage.input_tokens, theirs.usage.input_tokens);
        assert.equal(ours.usage.output_tokens, theirs.usage.output_tokens);
        assert.equal(typeof ours.usage.cost, 'number', 'FastRouter cost kept');
      } finally {
        await server.close();
      }
    });
  }
});

/** The SDK adds `citations: null` to text blocks it builds; compare without empty fields. */
function stripNulls(block: object): object {
  return Object.fromEntries(Object.entries(block).filter(([, v]) => v !== null && v !== undefined));
}

describe('abort with events still queued', () => {
  test('events not yet handed out are dropped; the next step rejects with AbortedError', HANG_GUARD, async () => {
    const { client } = simClient();
    sim.enqueue({ holdUntilAborted: true, text: ['a ', 'b ', 'c ', 'd '] });
    const stream = client.stream(REQUEST);
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.done, false);
    // Let several more events queue up unread.
    await eventually(() => textOf(stream.partialMessage).length >= 8, 'more deltas arrive');
    stream.abort();
    await assert.rejects(iterator.next(), AbortedError);
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    await eventually(() => sim.requests[0]!.aborted === true, 'the simulator sees the connection close');
  });
});
