// The local simulator's SSE streams over real loopback HTTP: framing, event order, usage and cost, every stream scenario,
// byte cutting, and that it notices a client going away.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { longAnswerDeltas, startSimulator, type Simulator } from '../support/simulator';
import { parseSseText, type ParsedSseEvent } from '../support/sse';

const request = { model: 'claude-sonnet-4-20250514', max_tokens: 4096, stream: true, messages: [{ role: 'user', content: 'Explain streams' }] };

let sim: Simulator;
before(async () => { sim = await startSimulator({ defaultDelayMs: 0 }); });
after(async () => { await sim.close(); });
beforeEach(() => sim.reset());

function open(body: unknown = request, signal?: AbortSignal): Promise<Response> {
  return fetch(`${sim.url}/v1/messages`, {
    method: 'POST', signal, headers: { 'x-api-key': 'test-key', 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
}

/** Reads the whole body, keeping each chunk as it arrived. */
async function readChunks(res: Response): Promise<{ chunks: Uint8Array[]; bytes: Buffer; text: string; times: number[] }> {
  const chunks: Uint8Array[] = [];
  const times: number[] = [];
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    times.push(performance.now());
  }
  const bytes = Buffer.concat(chunks);
  return { chunks, bytes, text: bytes.toString('utf8'), times };
}

async function streamEvents(body: unknown = request): Promise<ParsedSseEvent[]> {
  const res = await open(body);
  assert.equal(res.status, 200);
  return parseSseText((await readChunks(res)).text);
}

type Data = Record<string, unknown> & { delta?: Record<string, unknown>; usage?: Record<string, number>; message?: Record<string, unknown> };
const data = (event: ParsedSseEvent) => event.data as Data;
const deltas = (events: ParsedSseEvent[]) => events.filter((e) => e.event === 'content_block_delta').map((e) => data(e).delta!);
const textOf = (events: ParsedSseEvent[]) => deltas(events).filter((d) => d.type === 'text_delta').map((d) => d.text).join('');

/** Checks the order the API promises: start, (block start, deltas, block stop)*, message_delta, message_stop; pings anywhere. */
function assertWellOrdered(events: ParsedSseEvent[]): void {
  const names = events.map((e) => e.event).filter((n) => n !== 'ping');
  assert.equal(names[0], 'message_start');
  assert.deepEqual(names.slice(-2), ['message_delta', 'message_stop']);
  let open: number | undefined;
  let next = 0;
  for (const event of events.slice(1, -2)) {
    const d = data(event);
    if (event.event === 'ping') continue;
    assert.equal(d.type, event.event, 'the data type matches the event name');
    if (event.event === 'content_block_start') { assert.equal(open, undefined); assert.equal(d.index, next); open = next; }
    else if (event.event === 'content_block_delta') assert.equal(d.index, open);
    else if (event.event === 'content_block_stop') { assert.equal(d.index, open); open = undefined; next++; }
    else assert.fail(`unexpected ${event.event} inside the message`);
  }
  assert.equal(open, undefined);
}

describe('simulator: SSE framing and the default answer', () => {
  it('frames every event as `event:`/`data:`/blank line with the SSE content type and a request-id', async () => {
    const res = await open();
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.match(res.headers.get('request-id') ?? '', /^req_01/);
    const { text } = await readChunks(res);
    assert.match(text, /^event: message_start\ndata: \{/);
    assert.ok(text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n'));
    for (const frame of text.slice(0, -2).split('\n\n')) assert.match(frame, /^event: [a-z_]+\ndata: \{.*\}$/);
  });

  it('streams the default answer as many small text deltas, in the API order, with cumulative usage and cost', async () => {
    const events = await streamEvents();
    assertWellOrdered(events);
    assert.ok(events.some((e) => e.event === 'ping'), 'a ping, as the real API sends');
    const start = data(events[0]).message!;
    assert.match(String(start.id), /^msg_01/);
    assert.equal(start.model, request.model);
    assert.deepEqual(start.content, []);
    const startUsage = start.usage as Record<string, number>;
    assert.equal(startUsage.output_tokens, 1);
    const text = textOf(events);
    assert.match(text, /local simulator/i);
    assert.ok(deltas(events).length > 50, 'many small deltas');
    const final = events.find((e) => e.event === 'message_delta')!;
    assert.equal(data(final).delta!.stop_reason, 'end_turn');
    const usage = data(final).usage!;
    assert.equal(usage.output_tokens, Math.ceil(text.length / 4));
    assert.equal(usage.input_tokens, startUsage.input_tokens);
    // Default: cost in both events; the message_delta value is the whole message's cost and is larger.
    assert.ok(startUsage.cost > 0 && usage.cost > startUsage.cost);
    assert.equal(usage.cost, Math.round((usage.input_tokens * 3 + usage.output_tokens * 15) * 100) / 1e8);
  });

  it('mentions the file and language of a fenced block with a path', async () => {
    const events = await streamEvents({ ...request, messages: [{ role: 'user', content: [{ type: 'text', text: 'Review:\n```ts src/api/client.ts\nexport class MessagesClient {}\n```' }] }] });
    const text = textOf(events);
    assert.match(text, /`src\/api\/client\.ts` \(TypeScript\)/);
    assert.match(text, /`MessagesClient`/);
    assert.match(text, /```ts\n[\s\S]*\n```/);
  });

  it('the default answer streams with a delay per delta when the simulator is configured so', async () => {
    const slow = await startSimulator({ defaultDelayMs: 5 });
    try {
      const started = performance.now();
      const res = await fetch(`${slow.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'test-key' }, body: JSON.stringify(request) });
      const events = parseSseText((await readChunks(res)).text);
      const count = deltas(events).length;
      assert.ok(performance.now() - started >= count * 5 * 0.9, 'the deltas were spread out over time');
    } finally {
      await slow.close();
    }
  });
});

describe('simulator: stream scenarios', () => {
  it('text as an array is sent as exactly those deltas; a string is split into word-sized deltas', async () => {
    sim.enqueue({ text: ['Hel', 'lo', ' wörld 🌍'] }, { text: 'one two three' });
    assert.deepEqual(deltas(await streamEvents()).map((d) => d.text), ['Hel', 'lo', ' wörld 🌍']);
    assert.deepEqual(deltas(await streamEvents()).map((d) => d.text), ['one ', 'two ', 'three']);
  });

  it('extended thinking: a thinking block with thinking_delta pieces and a signature_delta, before the text', async () => {
    sim.enqueue({ thinking: 'First I consider the input.', text: 'Answer.' });
    const events = await streamEvents();
    assertWellOrdered(events);
    const starts = events.filter((e) => e.event === 'content_block_start').map((e) => data(e).content_block);
    assert.deepEqual(starts, [{ type: 'thinking', thinking: '', signature: '' }, { type: 'text', text: '' }]);
    const thinking = deltas(events).filter((d) => d.type === 'thinking_delta');
    assert.ok(thinking.length > 1);
    assert.equal(thinking.map((d) => d.thinking).join(''), 'First I consider the input.');
    const signatures = deltas(events).filter((d) => d.type === 'signature_delta');
    assert.equal(signatures.length, 1);
    assert.match(String(signatures[0].signature), /^[A-Za-z0-9+/]+=*$/);
  });

  it('a request with thinking enabled gets a default thinking block', async () => {
    const events = await streamEvents({ ...request, thinking: { type: 'enabled', budget_tokens: 1024 } });
    const first = events.find((e) => e.event === 'content_block_start')!;
    assert.deepEqual((data(first).content_block as Record<string, unknown>).type, 'thinking');
    assert.match(deltas(events).filter((d) => d.type === 'thinking_delta').map((d) => d.thinking).join(''), /Local simulator thinking/);
  });

  it('tool_use: the input JSON arrives in input_json_delta pieces and the stop reason is tool_use', async () => {
    const input = { path: 'src/a.ts', lines: [1, 2, 3], note: 'ünïcode' };
    sim.enqueue({ text: 'Let me look.', toolUse: { name: 'read_file', input, id: 'toolu_01abc' } });
    const events = await streamEvents();
    assertWellOrdered(events);
    const toolStart = events.filter((e) => e.event === 'content_block_start')[1];
    assert.deepEqual(data(toolStart).content_block, { type: 'tool_use', id: 'toolu_01abc', name: 'read_file', input: {} });
    const pieces = deltas(events).filter((d) => d.type === 'input_json_delta').map((d) => d.partial_json as string);
    assert.ok(pieces.length > 2);
    assert.deepEqual(JSON.parse(pieces.join('')), input);
    assert.equal(data(events.find((e) => e.event === 'message_delta')!).delta!.stop_reason, 'tool_use');
  });

  it('a long answer: 20,000 deltas arrive complete and in order', async () => {
    const long = longAnswerDeltas(20_000);
    sim.enqueue({ text: long });
    const events = await streamEvents();
    assertWellOrdered(events);
    assert.equal(deltas(events).length, 20_000);
    assert.equal(textOf(events), long.join(''));
  });

  it('custom stop reason, stop_sequence and usage overrides', async () => {
    sim.enqueue({ text: 'cut', stopReason: 'max_tokens', usage: { input_tokens: 100, output_tokens: 4096, cache_read_input_tokens: 50 } },
      { text: 'done', stopReason: 'stop_sequence' });
    const final = data((await streamEvents()).find((e) => e.event === 'message_delta')!);
    assert.equal(final.delta!.stop_reason, 'max_tokens');
    assert.equal(final.usage!.output_tokens, 4096);
    assert.equal(final.usage!.cache_read_input_tokens, 50);
    const second = data((await streamEvents({ ...request, stop_sequences: ['END'] })).find((e) => e.event === 'message_delta')!);
    assert.deepEqual(second.delta, { stop_reason: 'stop_sequence', stop_sequence: 'END' });
  });

  const costCases: Array<[string, object, number | undefined, number | undefined]> = [
    ['start only', { costIn: 'start', cost: 0.25 }, 0.25, undefined],
    ['delta only', { costIn: 'delta', cost: 0.25 }, undefined, 0.25],
    ['both (start carries less than the final)', { costIn: 'both', cost: 0.25 }, undefined, 0.25],
    ['none', { costIn: 'none' }, undefined, undefined],
    ['cost null', { cost: null }, undefined, undefined],
  ];
  for (const [name, scenario, inStart, inDelta] of costCases) {
    it(`cost carried in: ${name}`, async () => {
      sim.enqueue({ text: 'priced', ...scenario });
      const events = await streamEvents();
      const startUsage = data(events[0]).message!.usage as Record<string, number>;
      const deltaUsage = data(events.find((e) => e.event === 'message_delta')!).usage!;
      if (name.startsWith('both')) assert.ok(startUsage.cost > 0 && startUsage.cost < 0.25);
      else assert.equal(startUsage.cost, inStart);
      assert.equal(deltaUsage.cost, inDelta);
    });
  }

  it('event: error mid-stream after N deltas, then the stream ends without message_stop', async () => {
    sim.enqueue({ text: ['a', 'b', 'c', 'd'], errorAfterDeltas: 2 });
    const events = await streamEvents();
    assert.deepEqual(deltas(events).map((d) => d.text), ['a', 'b']);
    const last = events.at(-1)!;
    assert.equal(last.event, 'error');
    assert.deepEqual(last.data, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    assert.equal(events.some((e) => e.event === 'message_stop'), false);
  });

  it('event: error with a custom type and message', async () => {
    sim.enqueue({ text: ['a'], errorAfterDeltas: 0, errorType: 'api_error', errorMessage: 'boom' });
    const events = await streamEvents();
    assert.deepEqual(events.map((e) => e.event), ['message_start', 'error']);
    assert.deepEqual(events[1].data, { type: 'error', error: { type: 'api_error', message: 'boom' } });
  });

  it('connection dropped after N deltas: the body read fails after those deltas arrived', async () => {
    sim.enqueue({ text: ['a', 'b', 'c', 'd', 'e'], dropAfterDeltas: 3 });
    const res = await open();
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let received = '';
    const failure = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        received += Buffer.from(value).toString('utf8');
      }
    })().catch((error: unknown) => error);
    assert.ok(failure instanceof Error, 'reading the body fails: the connection was destroyed mid-stream');
    const events = parseSseText(received);
    assert.deepEqual(deltas(events).map((d) => d.text), ['a', 'b', 'c']);
    assert.equal(sim.requests[0].aborted, undefined, 'a drop by the simulator is not a client abort');
  });

  it('stall after N deltas: silence without pings until the client gives up, which the simulator notices', async () => {
    sim.enqueue({ text: ['a', 'b', 'c'], stallAfterDeltas: 1, pingEveryMs: 20 });
    const controller = new AbortController();
    const res = await open(request, controller.signal);
    const reader = res.body!.getReader();
    let received = '';
    while (!received.includes('"text":"a"')) received += Buffer.from((await reader.read()).value!).toString('utf8');
    const next = reader.read().then(() => 'data', () => 'error');
    const outcome = await Promise.race([next, sleep(300).then(() => 'silence')]);
    assert.equal(outcome, 'silence', 'no bytes (not even pings) after the stall');
    controller.abort();
    await waitFor(() => sim.requests[0].aborted === true);
    assert.equal(sim.requests[0].completed, undefined);
  });

  it('pings every pingEveryMs while waiting between deltas', async () => {
    sim.enqueue({ text: ['a', 'b', 'c'], deltaDelayMs: 120, pingEveryMs: 30 });
    const events = await streamEvents();
    assertWellOrdered(events);
    const pings = events.filter((e) => e.event === 'ping');
    assert.ok(pings.length >= 5, `expected periodic pings, got ${pings.length}`);
    for (const ping of pings) assert.deepEqual(ping.data, { type: 'ping' });
  });

  it('deltaDelayMs spaces the deltas out', async () => {
    sim.enqueue({ text: ['a', 'b', 'c', 'd'], deltaDelayMs: 60 });
    const res = await open();
    const started = performance.now();
    await readChunks(res);
    assert.ok(performance.now() - started >= 4 * 60 * 0.9);
  });

  it('holdUntilAborted streams until the client closes, then records the abort and stops writing', async () => {
    sim.enqueue({ text: ['Working'], holdUntilAborted: true, deltaDelayMs: 10 });
    const controller = new AbortController();
    const res = await open(request, controller.signal);
    const reader = res.body!.getReader();
    let received = '';
    while ((received.match(/waiting/g) ?? []).length < 3) received += Buffer.from((await reader.read()).value!).toString('utf8');
    controller.abort();
    await waitFor(() => sim.requests[0].aborted === true);
    const sentAtAbort = sim.requests[0].bytesSent;
    await sleep(150);
    assert.equal(sim.requests[0].bytesSent, sentAtAbort, 'no bytes written after the client went away');
    assert.equal(sim.requests[0].completed, undefined);
  });
});

describe('simulator: byte cutting', () => {
  /** The same scenario twice gives the same bytes apart from the message id. */
  const normalise = (text: string) => text.replace(/msg_01\w{22}/g, 'msg_ID');

  it('chunkSize cuts the stream into pieces of that size at most, and the bytes are unchanged', async () => {
    const scenario = { text: ['naïve ', 'café ', '🌍 ', 'done'], cost: 0.01 };
    sim.enqueue(scenario, { ...scenario, chunkSize: 7 });
    const whole = await readChunks(await open());
    const cut = await readChunks(await open());
    assert.equal(normalise(cut.text), normalise(whole.text));
    assert.ok(cut.chunks.length > 10, `many chunks (${cut.chunks.length})`);
    let offset = 0;
    for (const chunk of cut.chunks) {
      // Chunks may coalesce on the way, but every boundary falls on a multiple of the chunk size.
      offset += chunk.length;
      if (offset < cut.bytes.length) assert.equal(offset % 7, 0);
    }
  });

  it('splitAt cuts at the given offsets, also inside a multi-byte character', async () => {
    sim.enqueue({ text: ['🌍'], cost: 0.01 });
    const reference = await readChunks(await open());
    const globe = reference.bytes.indexOf(Buffer.from('🌍'));
    const splitAt = [globe + 1, globe + 2, globe + 3];
    sim.enqueue({ text: ['🌍'], cost: 0.01, splitAt });
    const cut = await readChunks(await open());
    assert.equal(normalise(cut.text), normalise(reference.text));
    const boundaries = cut.chunks.slice(0, -1).map((_, i) => cut.chunks.slice(0, i + 1).reduce((n, c) => n + c.length, 0));
    for (const boundary of boundaries) assert.ok(splitAt.includes(boundary), `boundary ${boundary} is a requested split`);
    assert.ok(boundaries.length >= 1);
  });

  it('a raw SSE transcript with status 200 is replayed verbatim, cut as asked', async () => {
    const transcript = 'event: message_start\r\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}\r\n\r\n: comment\r\n\r\nevent: message_stop\r\ndata: {"type":"message_stop"}\r\n\r\n';
    sim.enqueue({ rawBody: transcript, chunkSize: 1 });
    const res = await open();
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const { text, chunks } = await readChunks(res);
    assert.equal(text, transcript);
    assert.ok(chunks.length > 1);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await sleep(10);
  }
}
