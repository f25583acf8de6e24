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
