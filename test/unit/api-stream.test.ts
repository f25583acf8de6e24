// The stream reader: recorded transcripts over loopback HTTP, split at every byte, other line endings,
// comments, unknown events, and malformed data.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ConnectionError,
  MalformedStreamError,
  MessagesClient,
  StreamEventReader,
  type Message,
  type StreamEvent,
} from '../../src/api';
import {
  REQUEST,
  collect,
  event,
  exactChunksFetch,
  readFixture,
  sse,
  startServer,
  textOf,
  type Outcome,
  type TestServer,
} from './api-helpers';

const encoder = new TextEncoder();

// Hand-written from the transcripts (not computed by the client) so the client is checked against them.
const EXPECTED: Record<string, { types: string[]; message: Message }> = {
  'text.sse': {
    types: ['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'],
    message: {
      id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY',
      type: 'message',
      role: 'assistant',
      model: 'anthropic/claude-sonnet-4-20250514',
      content: [{ type: 'text', text: 'Hello!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 25, output_tokens: 15, cost: 0.0003 },
    },
  },
  'thinking.sse': {
    types: [
      'message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop',
    ],
    message: {
      id: 'msg_01GCDthinkingExample',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-20250514',
      content: [
        {
          type: 'thinking',
          thinking:
            'I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n1071 = 2 × 462 + 147\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0\n\nSo GCD(1071, 462) = 21',
          signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds',
        },
        { type: 'text', text: 'The greatest common divisor of 1071 and 462 is **21**.' },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 46, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 91, cost: 0.001503 },
    },
  },
  'tool-use.sse': {
    types: [
      'message_start', 'content_block_start', 'ping',
      ...Array<string>(13).fill('content_block_delta'),
      'content_block_stop', 'content_block_start',
      ...Array<string>(9).fill('content_block_delta'),
      'content_block_stop', 'message_delta', 'message_stop',
    ],
    message: {
      id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-20250514',
      content: [
        { type: 'text', text: "Okay, let's check the weather for San Francisco, CA:" },
        { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'fahrenheit' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 472, output_tokens: 89, cost: 0.002751 },
    },
  },
  'unicode.sse': {
    types: ['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'],
    message: {
      id: 'msg_unicode',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-20250514',
      content: [{ type: 'text', text: 'Café → 中文 😀 🇫🇷 naïve' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 9 },
    },
  },
};
const FIXTURES = Object.keys(EXPECTED);

let server: TestServer;
/** Body for the next request to the shared server. */
let nextBody: string | Uint8Array[] = '';

before(async () => {
  server = await startServer((req, res, seen) => sse(typeof nextBody === 'string' ? [nextBody] : nextBody)(req, res, seen));
});
after(() => server.close());

function streamOverHttp(body: string | Uint8Array[]): Promise<Outcome> {
  nextBody = body;
  const client = new MessagesClient({ apiKey: 'test-key', baseUrl: server.url, maxRetries: 0 });
  return collect(client.stream(REQUEST));
}

/** The client over a body that arrives in exactly these chunks (TCP would merge some of them). */
function streamChunks(chunks: Uint8Array[]): Promise<Outcome> {
  const client = new MessagesClient({ apiKey: 'test-key', baseUrl: 'http://127.0.0.1:9', fetch: exactChunksFetch(chunks), maxRetries: 0 });
  return collect(client.stream(REQUEST));
}

/** The client's byte → event stage alone: cheap enough to run thousands of chunkings. */
function readChunks(chunks: Uint8Array[]): Outcome {
  const events: StreamEvent[] = [];
  const reader = new StreamEventReader({ onEvent: (e) => events.push(e) });
  try {
    for (const chunk of chunks) reader.push(chunk);
    reader.end();
  } catch (error) {
    return { events, error };
  }
  return { events, message: reader.complete ? reader.message : undefined };
}

/** Byte offsets that fall inside a multi-byte UTF-8 character of `text`. */
function offsetsInsideCharacters(text: string): number[] {
  const inside: number[] = [];
  let offset = 0;
  for (const ch of text) {
    const size = encoder.encode(ch).length;
    for (let k = 1; k < size; k++) inside.push(offset + k);
    offset += size;
  }
  return inside;
}

function assertComplete(outcome: Outcome, fixture: string, label: string): void {
  assert.equal(outcome.error, undefined, `${label}: ${String(outcome.error)}`);
  assert.deepEqual(outcome.message, EXPECTED[fixture]!.message, label);
}

describe('recorded transcripts', () => {
  for (const fixture of FIXTURES) {
    test(`${fixture} over HTTP gives the documented events and message`, async () => {
      const outcome = await streamOverHttp(readFixture(fixture));
      assertComplete(outcome, fixture, fixture);
      assert.deepEqual(outcome.events.map((e) => e.type), EXPECTED[fixture]!.types);
    });
  }

  for (const fixture of FIXTURES) {
    test(`${fixture} split into two chunks at every byte boundary gives the same events and message`, async () => {
      const bytes = encoder.encode(readFixture(fixture));
      const whole = await streamChunks([bytes]);
      assertComplete(whole, fixture, 'whole');
      for (let at = 1; at < bytes.length; at++) {
        const split = readChunks([bytes.subarray(0, at), bytes.subarray(at)]);
        assertComplete(split, fixture, `split at byte ${at}`);
        assert.deepEqual(split.events, whole.events, `events, split at byte ${at}`);
      }
      // And through the whole client (fetch body → reader) at a spread of boundaries.
      for (let at = 1; at < bytes.length; at += 97) {
        const split = await streamChunks([bytes.subarray(0, at), bytes.subarray(at)]);
        assertComplete(split, fixture, `client, split at byte ${at}`);
        assert.deepEqual(split.events, whole.events, `client events, split at byte ${at}`);
      }
    });
  }

  test('split inside every multi-byte character over real HTTP (two writes each)', async () => {
    const text = readFixture('unicode.sse');
    const bytes = encoder.encode(text);
    const inside = offsetsInsideCharacters(text);
    assert.ok(inside.length >= 20, 'the fixture has multi-byte characters');
    for (const at of inside) {
      const outcome = await streamOverHttp([bytes.subarray(0, at), bytes.subarray(at)]);
      assertComplete(outcome, 'unicode.sse', `HTTP split at byte ${at}`);
    }
  });

  for (const fixture of FIXTURES) {
    test(`${fixture} with every byte in its own HTTP write`, async () => {
      const bytes = encoder.encode(readFixture(fixture));
      const pieces = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
      assertComplete(await streamOverHttp(pieces), fixture, 'one byte per write');
    });
  }
});

describe('framing', () => {
  test('multi-byte characters split across chunks in every way (one byte per chunk, then every 2- and 3-way cut inside a character)', async () => {
    const text = readFixture('unicode.sse');
    const bytes = encoder.encode(text);
    assertComplete(await streamChunks(Array.from(bytes, (b) => Uint8Array.of(b))), 'unicode.sse', 'one byte per chunk');
    const inside = offsetsInsideCharacters(text);
    let cuts = 0;
    for (const a of inside) {
      for (const b of inside) {
        if (b <= a || b - a > 3) continue;
        cuts++;
        assertComplete(readChunks([bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]), 'unicode.sse', `cuts at ${a} and ${b}`);
      }
    }
    assert.ok(cuts >= 20);
  });

  for (const [name, eol] of [['CRLF', '\r\n'], ['CR', '\r']] as const) {
    test(`${name} line endings give the same result, split at every byte boundary`, async () => {
      for (const fixture of ['text.sse', 'thinking.sse']) {
        const converted = readFixture(fixture).replace(/\n/g, eol);
        assert.ok(!converted.includes('\n') || eol === '\r\n');
        assertComplete(await streamOverHttp(converted), fixture, `${name} over HTTP`);
        const bytes = encoder.encode(converted);
        for (let at = 1; at < bytes.length; at++) {
          assertComplete(readChunks([bytes.subarray(0, at), bytes.subarray(at)]), fixture, `${name} split at ${at}`);
        }
      }
    });
  }

  test('a body ending in a lone CR still completes its last event', async () => {
    const body = readFixture('text.sse').replace(/\n/g, '\r').replace(/\r+$/, '\r\r');
    assertComplete(await streamOverHttp(body), 'text.sse', 'trailing CR');
  });

  test('comments anywhere and extra pings change nothing but the ping events', async () => {
    const original = readFixture('text.sse');
    const noisy = original
      .split('\n\n')
      .map((block) => block.replace(/\n/g, '\n: keep-alive comment\n'))
      .join('\n\n:comment without a space\n\nevent: ping\ndata: {"type":"ping"}\n\n');
    const outcome = await streamOverHttp(noisy);
    assertComplete(outcome, 'text.sse', 'with comments');
    const pings = outcome.events.filter((e) => e.type === 'ping').length;
    assert.ok(pings > 1, 'the added pings arrive as ping events');
    assert.deepEqual(
      outcome.events.filter((e) => e.type !== 'ping').map((e) => e.type),
      EXPECTED['text.sse']!.types.filter((t) => t !== 'ping'),
    );
  });

  test('several data lines of one event are joined with a newline', async () => {
    const body = readFixture('text.sse').replace(
      'data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}',
      'data: {"type": "content_block_delta",\ndata: "index": 0,\ndata:"delta": {"type": "text_delta", "text": "Hello"}}',
    );
    assert.notEqual(body, readFixture('text.sse'));
    assertComplete(await streamOverHttp(body), 'text.sse', 'multi-line data');
  });

  test('an event without an `event:` line is dispatched by the type in its data', async () => {
    const body = readFixture('text.sse').replace('event: content_block_stop\n', '');
    assertComplete(await streamOverHttp(body), 'text.sse', 'no event line');
  });
});

describe('forward compatibility and malformed data', () => {
  const start = event('message_start', {
    type: 'message_start',
    message: { id: 'm', type: 'message', role: 'assistant', model: 'x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } },
  });
  const textStart = (index: number) => event('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
  const textDelta = (index: number, text: string) => event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
  const stop = (index: number) => event('content_block_stop', { type: 'content_block_stop', index });
  const end =
    event('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } }) +
    event('message_stop', { type: 'message_stop' });

  test('unknown event types and unknown delta types are skipped; blocks of unknown types are kept whole, in order', async () => {
    const body =
      start +
      'event: future_event\ndata: {"type":"future_event","x":1}\n\n' +
      'event: another_new_event\ndata: this is not JSON\n\n' +
      textStart(0) +
      textDelta(0, 'Hi') +
      event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'future_delta', stuff: [1, 2] } }) +
      stop(0) +
      // A server-side tool block we do not model: kept as sent, its input JSON parsed like a tool_use's.
      event('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} } }) +
      event('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"query":"x"}' } }) +
      stop(1) +
      textStart(2) +
      textDelta(2, ' there') +
      stop(2) +
      end;
    const outcome = await streamOverHttp(body);
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.deepEqual(outcome.message?.content, [
      { type: 'text', text: 'Hi' },
      { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
      { type: 'text', text: ' there' },
    ]);
    const seen = outcome.events.map((e) => (e.type === 'content_block_delta' ? `${e.type}:${e.index}:${e.delta.type}` : `${e.type}${'index' in e ? `:${e.index}` : ''}`));
    assert.deepEqual(seen, [
      'message_start', 'content_block_start:0', 'content_block_delta:0:text_delta', 'content_block_stop:0',
      'content_block_start:1', 'content_block_delta:1:input_json_delta', 'content_block_stop:1',
      'content_block_start:2', 'content_block_delta:2:text_delta', 'content_block_stop:2', 'message_delta', 'message_stop',
    ]);
  });

  test('a keep-alive ping whose data is empty, blank, {} or not JSON is ignored, wherever it comes', async () => {
    for (const ping of ['event: ping\ndata:\n\n', 'event: ping\ndata: \n\n', 'event: ping\ndata: {}\n\n', 'event: ping\ndata: keep-alive\n\n', 'event: ping\ndata: {"type":"ping"}\n\n']) {
      const outcome = await streamOverHttp(ping + start + ping + textStart(0) + ping + textDelta(0, 'Hello') + stop(0) + ping + end);
      assert.equal(outcome.error, undefined, `${JSON.stringify(ping)}: ${String(outcome.error)}`);
      assert.equal(textOf(outcome.message), 'Hello');
      assert.equal(outcome.message?.stop_reason, 'end_turn');
      assert.equal(outcome.events.filter((e) => e.type === 'ping').length, 4, JSON.stringify(ping));
    }
  });

  test('events with no data (named or not) and unnamed events that are not JSON are skipped, as the SDK skips them', async () => {
    const outcome = await streamOverHttp(
      start + 'event: content_block_delta\ndata:\n\n' + 'data: \n\n' + 'data: not json\n\n' + textStart(0) + textDelta(0, 'ok') + stop(0) + end,
    );
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.equal(textOf(outcome.message), 'ok');
  });

  test('a block of a type added later keeps every field and its parsed input; other deltas for it leave it as sent', async () => {
    const future = { type: 'future_tool_call', id: 'ftc_1', nested: { a: [1, { b: null }] }, input: {} };
    const outcome = await streamOverHttp(
      start +
        event('content_block_start', { type: 'content_block_start', index: 0, content_block: future }) +
        event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"path":' } }) +
        event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'ignored' } }) +
        event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '"a.ts"}' } }) +
        stop(0) +
        event('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [{ type: 'web_search_result', url: 'https://example.com', title: 'Example', encrypted_content: 'Eq…' }] } }) +
        stop(1) +
        textStart(2) + textDelta(2, 'Done.') + stop(2) +
        end,
    );
    assert.equal(outcome.error, undefined, String(outcome.error));
    assert.deepEqual(outcome.message?.content, [
      { ...future, input: { path: 'a.ts' } },
      { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [{ type: 'web_search_result', url: 'https://example.com', title: 'Example', encrypted_content: 'Eq…' }] },
      { type: 'text', text: 'Done.' },
    ]);
  });

  test('a message_delta without usage (or with an empty one) finishes the message with the usage seen so far', async () => {
    for (const usage of [undefined, {}, { output_tokens: null }]) {
      const delta = { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, ...(usage === undefined ? {} : { usage }) };
      const outcome = await streamOverHttp(start + textStart(0) + textDelta(0, 'Hello') + stop(0) + event('message_delta', delta) + event('message_stop', { type: 'message_stop' }));
      assert.equal(outcome.error, undefined, `${JSON.stringify(usage)}: ${String(outcome.error)}`);
      assert.equal(textOf(outcome.message), 'Hello');
      assert.equal(outcome.message?.stop_reason, 'end_turn');
      assert.deepEqual(outcome.message?.usage, { input_tokens: 1, output_tokens: 1 });
    }
  });

  test('one event over the 32 MB cap is a clear MalformedStreamError that keeps the partial answer', async () => {
    const huge = 'x'.repeat(33 * 1024 * 1024);
    // Sent in 1 MB pieces: the cap trips while the event is still arriving, before it is whole.
    const body = start + textStart(0) + textDelta(0, 'partial') + 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"' + huge + '"}}\n\n' + stop(0) + end;
    const bytes = encoder.encode(body);
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += 1024 * 1024) pieces.push(bytes.subarray(at, at + 1024 * 1024));
    const outcome = await streamOverHttp(pieces);
    assert.ok(outcome.error instanceof MalformedStreamError, String(outcome.error));
    assert.match((outcome.error as Error).message, /larger than 32 MB/);
    assert.equal(textOf((outcome.error as MalformedStreamError).partialMessage), 'partial');
  });

  test('the cap also holds for an event that arrives whole in one chunk, and a smaller cap applies as given', () => {
    const reader = new StreamEventReader({ maxEventChars: 1000 });
    reader.push(encoder.encode(start + textStart(0) + textDelta(0, 'kept')));
    assert.throws(() => reader.push(encoder.encode(textDelta(0, 'y'.repeat(2000)))), (error: unknown) => error instanceof MalformedStreamError && /larger than/.test(error.message));
    assert.equal(textOf(reader.message), 'kept');
  });

  test('a known event with a wrong shape is a MalformedStreamError; the partial message is kept and the request stopped', async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const local = await startServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(start + textStart(0) + textDelta(0, 'partial') + 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":5}}\n\n');
      await hold; // keep the response open: only the client can close it
      res.end();
    });
    try {
      const client = new MessagesClient({ apiKey: 'test-key', baseUrl: local.url });
      const stream = client.stream(REQUEST);
      const outcome = await collect(stream);
      assert.ok(outcome.error instanceof MalformedStreamError, String(outcome.error));
      assert.equal(outcome.finalError, outcome.error);
      assert.match((outcome.error as Error).message, /content_block_delta/);
      assert.match((outcome.error as Error).message, /delta/);
      assert.equal(textOf((outcome.error as MalformedStreamError).partialMessage), 'partial');
      assert.equal(textOf(stream.partialMessage), 'partial');
      await local.requests[0]!.closed;
      assert.equal(local.requests[0]!.closedEarly, true, 'the client closed the connection');
      assert.equal(local.requests.length, 1, 'malformed data is not retried');
    } finally {
      release();
      await local.close();
    }
  });

  test('a known event whose data is not JSON is a MalformedStreamError', async () => {
    const outcome = await streamOverHttp(start + textStart(0) + 'event: content_block_delta\ndata: {"type": "content_bl\n\n' + stop(0) + end);
    assert.ok(outcome.error instanceof MalformedStreamError);
    assert.match((outcome.error as Error).message, /not JSON/);
    assert.deepEqual(outcome.events.map((e) => e.type), ['message_start', 'content_block_start']);
  });

  test('a message_start without usage is malformed', async () => {
    const outcome = await streamOverHttp(
      event('message_start', { type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'x', content: [] } }) + end,
    );
    assert.ok(outcome.error instanceof MalformedStreamError);
    assert.match((outcome.error as Error).message, /usage/);
    assert.equal(outcome.events.length, 0);
  });

  test('events out of order over the wire are rejected (delta before its block started)', async () => {
    const outcome = await streamOverHttp(start + textDelta(0, 'too early') + end);
    assert.ok(outcome.error instanceof MalformedStreamError);
    assert.match((outcome.error as Error).message, /Out-of-order/);
  });

  test('a body that ends before message_stop is a ConnectionError with the partial message', async () => {
    const outcome = await streamOverHttp(start + textStart(0) + textDelta(0, 'half an ans'));
    assert.ok(outcome.error instanceof ConnectionError, String(outcome.error));
    assert.equal(textOf((outcome.error as ConnectionError).partialMessage), 'half an ans');
    assert.equal(outcome.events.length, 3);
  });

  test('events keep their order and every event is delivered before the end', async () => {
    const deltas = Array.from({ length: 500 }, (_, i) => `w${i} `);
    const outcome = await streamOverHttp(start + textStart(0) + deltas.map((d) => textDelta(0, d)).join('') + stop(0) + end);
    const texts = outcome.events.flatMap((e: StreamEvent) => (e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? [e.delta.text] : []));
    assert.deepEqual(texts, deltas);
    assert.equal(textOf(outcome.message), deltas.join(''));
  });
});
