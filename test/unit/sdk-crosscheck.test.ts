// Cross-check: the official @anthropic-ai/sdk and our MessagesClient consume the same simulator streams and arrive at the
// same message. The SDK is the reference implementation of the wire format, so agreement shows the simulator speaks it.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiError, MessagesClient, type Message, type MessageCreateParams } from '../../src/api';
import { longAnswerDeltas, startSimulator, type Scenario, type Simulator } from '../support/simulator';

const KEY = 'test-key';
const MODEL = 'anthropic/claude-sonnet-4-20250514';
const QUESTION = 'What does this do?\n```ts src/util/sum.ts\nexport function sum(xs: number[]) { return xs.reduce((a, b) => a + b, 0); }\n```';

let sim: Simulator;
let sdk: Anthropic;
let ours: MessagesClient;

before(async () => {
  sim = await startSimulator({ defaultDelayMs: 0 });
  sdk = new Anthropic({ apiKey: KEY, baseURL: sim.url, maxRetries: 0 });
  ours = new MessagesClient({ apiKey: KEY, baseUrl: sim.url, maxRetries: 0 });
});
after(async () => { await sim.close(); });
beforeEach(() => sim.reset());

function params(extra: Partial<MessageCreateParams> = {}): MessageCreateParams {
  return { model: MODEL, max_tokens: 4096, messages: [{ role: 'user', content: QUESTION }], ...extra };
}

/** The parts of a message both clients must agree on (ids differ per request). */
function comparable(message: { content: unknown[]; stop_reason: unknown; model: string; role: string; usage: { input_tokens: number; output_tokens: number } }) {
  return {
    model: message.model,
    role: message.role,
    stop_reason: message.stop_reason,
    content: message.content.map((block) => {
      const { id: _id, ...rest } = block as Record<string, unknown>;
      return rest;
    }),
    input_tokens: message.usage.input_tokens,
    output_tokens: message.usage.output_tokens,
  };
}

/** Streams one request with each client (each consumes its own copy of the scenario) and returns both results. */
async function streamBoth(scenario: Scenario | undefined, request: MessageCreateParams = params()) {
  if (scenario) sim.enqueue(scenario);
  const sdkStream = sdk.messages.stream(request as Anthropic.MessageStreamParams);
  const sdkEvents: string[] = [];
  sdkStream.on('streamEvent', (event) => sdkEvents.push(event.type));
  const sdkMessage = await sdkStream.finalMessage();

  if (scenario) sim.enqueue(scenario);
  const stream = ours.stream(request);
  const ourEvents: string[] = [];
  for await (const event of stream) ourEvents.push(event.type);
  const ourMessage = await stream.finalMessage();
  return { sdkMessage, sdkEvents, ourMessage, ourEvents: ourEvents.filter((type) => type !== 'ping') };
}

const textOf = (message: { content: unknown[] }) => message.content
  .filter((block): block is { type: 'text'; text: string } => (block as { type: string }).type === 'text')
  .map((block) => block.text).join('');

describe('cross-check with @anthropic-ai/sdk', () => {
  it('default answer: same text, token usage and event sequence; our client keeps usage.cost', async () => {
    const { sdkMessage, sdkEvents, ourMessage, ourEvents } = await streamBoth(undefined);
    assert.deepEqual(comparable(ourMessage), comparable(sdkMessage));
    assert.match(textOf(ourMessage), /local simulator/i);
    assert.match(textOf(ourMessage), /`src\/util\/sum\.ts`/);
    assert.deepEqual(ourEvents, sdkEvents);
    assert.ok(ourEvents.filter((type) => type === 'content_block_delta').length > 50);
    const final = sim.requests[1];
    assert.equal(final.status, 200);
    assert.equal(typeof ourMessage.usage.cost, 'number');
    assert.ok((ourMessage.usage.cost ?? 0) > 0);
  });

  it('cost sent only in message_delta: ours keeps it, the SDK loses it', async () => {
    const { sdkMessage, ourMessage } = await streamBoth({ text: 'Priced.', costIn: 'delta', cost: 0.0123 });
    assert.deepEqual(comparable(ourMessage), comparable(sdkMessage));
    assert.equal(ourMessage.usage.cost, 0.0123);
    // Documents why we do not rely on the SDK's accumulation (PROTOCOL.md, "Cost").
    assert.equal((sdkMessage.usage as unknown as Record<string, unknown>).cost, undefined);
  });

  it('cost in message_start and message_delta: ours ends with the last value (the final cost)', async () => {
    const { ourMessage } = await streamBoth({ text: 'Priced twice.', costIn: 'both', cost: 0.5 });
    assert.equal(ourMessage.usage.cost, 0.5);
  });

  it('extended thinking: same thinking text, signature and answer', async () => {
    const request = params({ thinking: { type: 'enabled', budget_tokens: 1024 } });
    const { sdkMessage, ourMessage, sdkEvents, ourEvents } = await streamBoth({ thinking: 'Step one. Step two: add them up.', text: 'It sums numbers.' }, request);
    assert.deepEqual(comparable(ourMessage), comparable(sdkMessage));
    const thinking = ourMessage.content[0];
    assert.equal(thinking.type, 'thinking');
    assert.equal(thinking.type === 'thinking' && thinking.thinking, 'Step one. Step two: add them up.');
    assert.ok(thinking.type === 'thinking' && thinking.signature.length > 10);
    assert.deepEqual(ourEvents, sdkEvents);
  });

  it('tool_use: same parsed tool input and stop reason', async () => {
    const input = { city: 'Zürich', days: [1, 2, 3], options: { units: 'metric', detail: null } };
    const { sdkMessage, ourMessage } = await streamBoth({ text: 'Checking the weather.', toolUse: { name: 'get_weather', input } },
      params({ tools: [{ name: 'get_weather', input_schema: { type: 'object' } }] }));
    assert.deepEqual(comparable(ourMessage), comparable(sdkMessage));
    const tool = ourMessage.content.find((block) => block.type === 'tool_use');
    assert.deepEqual(tool && tool.type === 'tool_use' && tool.input, input);
    assert.equal(ourMessage.stop_reason, 'tool_use');
  });

  it('stream cut every 5 bytes and inside multi-byte characters: same message as the whole stream', async () => {
    const text = ['Grüße ', 'aus ', 'Zürich ', '🌍🚀 ', '— ', '日本語 ', 'テキスト'];
    const { sdkMessage, ourMessage } = await streamBoth({ text, chunkSize: 5 });
    assert.deepEqual(comparable(ourMessage), comparable(sdkMessage));
    assert.equal(textOf(ourMessage), text.join(''));
  });

  it('stream cut at explicit offsets with CRLF-free framing: same message', async () => {
    const splitAt = Array.from({ length: 400 }, (_, i) => i * 3 + 1);
    const { sdkMessage, ourMessage } = await streamBoth({ thinking: 'Ünïcödé thinking', text: ['a', 'ß', '€', '𝄞'], splitAt });
    assert.deepEqual(comparable(ourMessage), comparable(sdkMessage));
    assert.equal(textOf(ourMessage), 'aß€𝄞');
  });

  it('long answer (5,000 deltas): same text and usage', async () => {
    const { sdkMessage, ourMessage } = await streamBoth({ text: longAnswerDeltas(5_000) });
    assert.deepEqual(comparable(ourMessage), comparable(sdkMessage));
    assert.equal(textOf(ourMessage).length, longAnswerDeltas(5_000).join('').length);
  });

  it('custom stop reason max_tokens', async () => {
    const { sdkMessage, ourMessage } = await streamBoth({ text: 'Cut sh', stopReason: 'max_tokens' });
    assert.deepEqual(comparable(ourMessage), comparable(sdkMessage));
    assert.equal(ourMessage.stop_reason, 'max_tokens');
  });

  it('non-streaming create(): same message from both', async () => {
    sim.enqueue({ thinking: 'Hmm.', text: 'Plain answer.', cost: 0.002 });
    const sdkMessage = await sdk.messages.create({ ...params(), thinking: { type: 'enabled', budget_tokens: 1024 } } as Anthropic.MessageCreateParamsNonStreaming);
    sim.enqueue({ thinking: 'Hmm.', text: 'Plain answer.', cost: 0.002 });
    const ourMessage: Message = await ours.create(params({ thinking: { type: 'enabled', budget_tokens: 1024 } }));
    assert.deepEqual(comparable(ourMessage), comparable(sdkMessage));
    assert.equal(ourMessage.usage.cost, 0.002);
    assert.equal(sim.requests[0].body && (sim.requests[0].body as { stream?: boolean }).stream, undefined);
  });

  it('mid-stream event: error: both reject with overloaded_error after the same partial text', async () => {
    const scenario: Scenario = { text: ['one ', 'two ', 'three'], errorAfterDeltas: 2 };
    sim.enqueue(scenario);
    const sdkStream = sdk.messages.stream(params() as Anthropic.MessageStreamParams);
    let sdkText = '';
    sdkStream.on('text', (delta) => { sdkText += delta; });
    const sdkError = await sdkStream.finalMessage().then(() => undefined, (error: unknown) => error);
    assert.ok(sdkError instanceof Anthropic.APIError);
    assert.match(String((sdkError as Error).message), /overloaded_error/);

    sim.enqueue(scenario);
    const stream = ours.stream(params());
    const ourError = await stream.finalMessage().then(() => undefined, (error: unknown) => error);
    assert.ok(ourError instanceof ApiError);
    assert.equal(ourError.type, 'overloaded_error');
    assert.equal(ourError.status, undefined);
    assert.equal(sdkText, 'one two ');
    assert.equal(textOf(ourError.partialMessage ?? stream.partialMessage!), sdkText);
  });

  describe('shapes from the field (issue 7): what the SDK accepts, ours accepts with the same result', () => {
    for (const pingData of ['', ' ', '{}', 'keep-alive']) {
      it(`a ping whose data is ${JSON.stringify(pingData)}: same answer, no error`, async () => {
        const { sdkMessage, ourMessage, sdkEvents, ourEvents } = await streamBoth({ text: 'Hello', pingData, pingEveryMs: 1, deltaDelayMs: 3 });
        assert.deepEqual(comparable(ourMessage), comparable(sdkMessage));
        assert.equal(textOf(ourMessage), 'Hello');
        assert.equal(ourMessage.stop_reason, 'end_turn');
        assert.deepEqual(ourEvents, sdkEvents);
      });
    }

    it('the exact transcript of the report (message_start, an empty ping, a text block "Hello"): "Hello", end_turn from both', async () => {
      const message = { id: 'msg_1', type: 'message', role: 'assistant', model: MODEL, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } };
      const rawBody = [
        `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message })}\n\n`,
        'event: ping\ndata:\n\n',
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}\n\n',
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}\n\n',
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
      ].join('');
      const { sdkMessage, ourMessage } = await streamBoth({ rawBody });
      assert.deepEqual(comparable(ourMessage), comparable(sdkMessage));
      assert.equal(textOf(ourMessage), 'Hello');
      assert.equal(ourMessage.stop_reason, 'end_turn');
    });

    it('web search (server_tool_use + web_search_tool_result): both keep the blocks verbatim, in order, with the same parsed input', async () => {
      const result = [{ type: 'web_search_result', url: 'https://ziglang.org/download/0.14.0/release-notes.html', title: 'Zig 0.14 Release Notes', encrypted_content: 'EqgfCioIARgBIiQ3YTAwMjY1Mi1mZjM5', page_age: null }];
      const scenario: Scenario = { serverTool: { id: 'srvtoolu_01', name: 'web_search', input: { query: 'zig 0.14 release notes' }, result }, text: 'Zig 0.14 came out in March.' };
      const { sdkMessage, ourMessage, sdkEvents, ourEvents } = await streamBoth(scenario);
      assert.deepEqual(JSON.parse(JSON.stringify(ourMessage.content)), JSON.parse(JSON.stringify(sdkMessage.content)));
      assert.deepEqual(comparable(ourMessage), comparable(sdkMessage));
      assert.deepEqual(ourMessage.content.map((block) => block.type), ['server_tool_use', 'web_search_tool_result', 'text']);
      assert.deepEqual((ourMessage.content[0] as { input: unknown }).input, { query: 'zig 0.14 release notes' });
      assert.deepEqual(ourMessage.content[1], { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_01', content: result });
      assert.deepEqual(ourEvents, sdkEvents);
    });

    it('a block of a type neither client knows (a future type): both keep it whole and in place', async () => {
      const future = { type: 'future_widget', id: 'fw_1', payload: { rows: [1, 2, { deep: 'yes' }] }, note: null };
      const { sdkMessage, ourMessage } = await streamBoth({ text: 'Before the widget.', extraBlocks: [future] });
      assert.deepEqual(JSON.parse(JSON.stringify(ourMessage.content)), JSON.parse(JSON.stringify(sdkMessage.content)));
      assert.deepEqual(ourMessage.content[1], future);
    });

    it('a message_delta without usage: ours finishes with the usage seen so far (the SDK fails on it)', async () => {
      sim.enqueue({ text: 'No usage at the end.', omitDeltaUsage: true });
      const sdkOutcome = await sdk.messages.stream(params() as Anthropic.MessageStreamParams).finalMessage().then((m) => m, (error: unknown) => error);
      sim.enqueue({ text: 'No usage at the end.', omitDeltaUsage: true });
      const ourMessage = await ours.stream(params()).finalMessage();
      assert.equal(textOf(ourMessage), 'No usage at the end.');
      assert.equal(ourMessage.stop_reason, 'end_turn');
      assert.equal(ourMessage.usage.output_tokens, 1, 'the count from message_start');
      assert.equal(typeof ourMessage.usage.cost, 'number', 'the cost from message_start is kept');
      // Documents the SDK's behaviour on these bytes (a TypeError reading usage.output_tokens in 1.x).
      assert.ok(sdkOutcome instanceof Error, 'the SDK rejects a message_delta without usage');
    });

    it('one event of 2 MB (under the 32 MB cap): same message from both', async () => {
      const big = 'z'.repeat(2 * 1024 * 1024);
      const { sdkMessage, ourMessage } = await streamBoth({ text: ['start ', big, ' end'] });
      assert.deepEqual(comparable(ourMessage), comparable(sdkMessage));
      assert.equal(textOf(ourMessage).length, big.length + 10);
    });
  });

  it('both send the key (the SDK as Bearer, ours as x-api-key by default) and the version header', async () => {
    await streamBoth({ text: 'hi' });
    assert.equal(sim.requests.length, 2);
    assert.equal(sim.requests[0].headers.authorization, `Bearer ${KEY}`);
    assert.equal(sim.requests[1].headers['x-api-key'], KEY);
    assert.equal(sim.requests[1].headers['anthropic-version'], '2023-06-01');
    for (const request of sim.requests) {
      assert.match(String(request.headers['anthropic-version']), /^\d{4}-\d{2}-\d{2}$/);
      assert.equal((request.body as { stream: boolean }).stream, true);
    }
  });
});
