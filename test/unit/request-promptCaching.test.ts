// Prompt caching: where the breakpoints go (system as a text block, last tool, last user turn), the API's limit of 4
// counting those a request already has, the stored conversation left untouched, what caching saved; and, against the
// simulator (cross-checked with the official SDK), that a follow-up question is read from the cache.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { after, before, beforeEach, describe, it } from 'node:test';
import { MessagesClient, type ContentBlockParam, type MessageCreateParams, type MessageParam, type Tool } from '../../src/api';
import { MAX_CACHE_BREAKPOINTS, cacheSavings, countCacheBreakpoints, totalCacheSavings, withPromptCaching } from '../../src/core/request/promptCaching';
import { defaultSettings, requestParams } from '../../src/core/request/settings';
import { startSimulator, type Simulator } from '../support/simulator';

const EPHEMERAL = { type: 'ephemeral' };
const tool = (name: string): Tool => ({ name, description: `${name} tool`, input_schema: { type: 'object', properties: {} } });

function request(extra: Partial<MessageCreateParams> = {}): MessageCreateParams {
  return {
    model: 'anthropic/claude-sonnet-4-20250514',
    max_tokens: 1000,
    system: 'Be precise.',
    messages: [
      { role: 'user', content: 'First question' },
      { role: 'assistant', content: [{ type: 'text', text: 'First answer' }] },
      { role: 'user', content: [{ type: 'text', text: 'Second question' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
    ],
    ...extra,
  };
}

describe('withPromptCaching: breakpoint placement', () => {
  it('marks the system prompt (as a text block), the last tool and the last block of the last user turn', () => {
    const { params, added, existing } = withPromptCaching(request({ tools: [tool('a'), tool('b')] }));
    assert.equal(existing, 0);
    assert.deepEqual(added, ['lastUserTurn', 'system', 'tools', 'previousUserTurn']);
    assert.deepEqual(params.system, [{ type: 'text', text: 'Be precise.', cache_control: EPHEMERAL }]);
    assert.equal(params.tools![0].cache_control, undefined);
    assert.deepEqual(params.tools![1].cache_control, EPHEMERAL);
    const last = params.messages[2].content as ContentBlockParam[];
    assert.equal((last[0] as { cache_control?: unknown }).cache_control, undefined);
    assert.deepEqual((last[1] as { cache_control?: unknown }).cache_control, EPHEMERAL, 'the last block: everything before it is cached');
    assert.deepEqual(params.messages[0].content, [{ type: 'text', text: 'First question', cache_control: EPHEMERAL }], 'the turn before: where the previous request wrote');
    assert.deepEqual(params.messages[1], request().messages[1], 'the answer between unchanged');
    assert.equal(countCacheBreakpoints(params), 4);
  });

  it('a last user turn sent as a string becomes a marked text block; no tools, no system: only that', () => {
    const { params, added } = withPromptCaching({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    assert.deepEqual(added, ['lastUserTurn']);
    assert.deepEqual(params.messages[0].content, [{ type: 'text', text: 'Hi', cache_control: EPHEMERAL }]);
    assert.equal(params.system, undefined);
    assert.equal(params.tools, undefined);
  });

  it('the rolling breakpoint follows the last user turn, also when it holds tool results', () => {
    const messages: MessageParam[] = [
      { role: 'user', content: 'Read the file' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'hm', signature: 's' }, { type: 'tool_use', id: 't1', name: 'read', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'contents' }] },
    ];
    const { params } = withPromptCaching({ model: 'm', max_tokens: 10, messages });
    assert.deepEqual((params.messages[2].content as ContentBlockParam[])[0], { type: 'tool_result', tool_use_id: 't1', content: 'contents', cache_control: EPHEMERAL });
    assert.deepEqual(params.messages[0].content, [{ type: 'text', text: 'Read the file', cache_control: EPHEMERAL }]);
    assert.equal(countCacheBreakpoints(params), 2);
  });

  it('never more than 4, counting the ones the request has; the last user turn first, then system, then tools, then the turn before', () => {
    const marked = (n: number): Tool[] => Array.from({ length: n }, (_, i) => ({ ...tool(`m${i}`), cache_control: { type: 'ephemeral' } }));
    for (const [already, expected] of [
      [1, ['lastUserTurn', 'system', 'previousUserTurn']],
      [2, ['lastUserTurn', 'system']],
      [3, ['lastUserTurn']],
      [4, []],
      [5, []],
    ] as const) {
      const { params, added, existing } = withPromptCaching(request({ tools: marked(already) }));
      assert.equal(existing, already);
      assert.deepEqual(added, expected, `${already} already`);
      // The tools are marked already, so two places are left: the last user turn and the system prompt.
      assert.equal(countCacheBreakpoints(params), already + expected.length, `${already} already: total`);
      assert.ok(countCacheBreakpoints(params) <= Math.max(MAX_CACHE_BREAKPOINTS, already), 'never adds past 4');
    }
    // Marks inside tool results and on system blocks count too, and a marked place is not marked twice.
    const inner = withPromptCaching(request({
      system: [{ type: 'text', text: 'A', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'B' }],
      messages: [
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: [{ type: 'text', text: 'r', cache_control: { type: 'ephemeral' } }] }] },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: 'q', cache_control: { type: 'ephemeral' } }] },
      ],
    }));
    assert.equal(inner.existing, 3);
    assert.deepEqual(inner.added, [], 'system, last turn and the turn before (inside its tool result) already marked, no tools');
  });

  it('leaves the request it was given untouched (it is the stored conversation)', () => {
    const original = request({ tools: [tool('a')] });
    const copy = structuredClone(original);
    const { params } = withPromptCaching(original);
    assert.deepEqual(original, copy);
    assert.notEqual(params.messages, original.messages);
  });

  it('puts no mark where the API refuses one: empty text, thinking, an empty system prompt', () => {
    const { params, added } = withPromptCaching({
      model: 'm',
      max_tokens: 10,
      system: '',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'q' }, { type: 'text', text: '' }] }],
    });
    assert.deepEqual(added, ['lastUserTurn']);
    assert.deepEqual((params.messages[0].content as ContentBlockParam[])[0], { type: 'text', text: 'q', cache_control: EPHEMERAL });
    assert.equal(params.system, '');
  });
});

describe('what caching saved', () => {
  const sonnet = { input: 3e-6 };
  it('reads save 0.9 × the input price, writes cost 0.25 × more', () => {
    assert.ok(Math.abs(cacheSavings({ cacheReadTokens: 1_000_000, cacheWriteTokens: 0 }, sonnet) - 2.7) < 1e-9);
    assert.ok(Math.abs(cacheSavings({ cacheReadTokens: 0, cacheWriteTokens: 1_000_000 }, sonnet) + 0.75) < 1e-9);
    assert.ok(Math.abs(cacheSavings({ cacheReadTokens: 2900, cacheWriteTokens: 500 }, sonnet) - (2900 * 2.7e-6 - 500 * 0.75e-6)) < 1e-15);
    // The list's own cache prices win over the multipliers.
    assert.ok(Math.abs(cacheSavings({ cacheReadTokens: 1000, cacheWriteTokens: 1000 }, { input: 1e-6, cacheRead: 0.5e-6, cacheWrite: 2e-6 }) - (0.5e-3 - 1e-3)) < 1e-15);
  });

  it('adds up per model; models without a price are left out and counted', () => {
    const total = totalCacheSavings(
      {
        'anthropic/claude-sonnet-4-20250514': { cacheReadTokens: 10_000, cacheWriteTokens: 2_000 },
        'anthropic/claude-opus-4-1-20250805': { cacheReadTokens: 1_000, cacheWriteTokens: 0 },
        'mystery-model': { cacheReadTokens: 5_000, cacheWriteTokens: 0 },
        'no-cache': { cacheReadTokens: 0, cacheWriteTokens: 0 },
      },
      (model) => (model.includes('sonnet') ? { input: 3e-6 } : model.includes('opus') ? { input: 15e-6 } : undefined),
    );
    assert.equal(total.readTokens, 11_000);
    assert.equal(total.writeTokens, 2_000);
    assert.equal(total.unpricedModels, 1);
    assert.ok(Math.abs(total.credits - (10_000 * 2.7e-6 - 2_000 * 0.75e-6 + 1_000 * 13.5e-6)) < 1e-12);
  });
});

describe('a follow-up question is read from the cache (simulator; SDK cross-check)', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ defaultDelayMs: 0 });
  });
  after(() => sim.close());
  beforeEach(() => sim.reset());

  const settings = { ...defaultSettings(), systemPrompt: 'You review code carefully. '.repeat(180) };
  const code = 'export const add = (a: number, b: number) => a + b;\n'.repeat(60);
  const turn1: MessageParam[] = [{ role: 'user', content: `What does this do?\n\`\`\`ts\n${code}\`\`\`` }];

  async function send(client: MessagesClient, messages: MessageParam[]) {
    const { params } = withPromptCaching(requestParams(settings, { messages }));
    const stream = client.stream(params);
    for await (const _ of stream);
    return { params, message: await stream.finalMessage() };
  }

  it('the first request writes the prefix, the follow-up reads all of it and writes only the new turns', async () => {
    const client = new MessagesClient({ apiKey: 'test-key', baseUrl: sim.url, maxRetries: 0 });
    const first = await send(client, turn1);
    const u1 = first.message.usage;
    assert.equal(u1.cache_read_input_tokens, 0);
    assert.ok((u1.cache_creation_input_tokens ?? 0) > 1024, 'system + question written');
    const turn2: MessageParam[] = [...turn1, { role: 'assistant', content: first.message.content as ContentBlockParam[] }, { role: 'user', content: 'And the edge cases?' }];
    const second = await send(client, turn2);
    const u2 = second.message.usage;
    assert.equal(u2.cache_read_input_tokens, u1.cache_creation_input_tokens, 'everything cached by the first request is read');
    assert.ok((u2.cache_creation_input_tokens ?? 0) > 0 && (u2.cache_creation_input_tokens ?? 0) < (u1.cache_creation_input_tokens ?? 0), 'only the answer and the new question are written');
    assert.ok(u2.input_tokens < 5, 'nothing after the last breakpoint');
    // The body on the wire: system as a marked text block, the previous turn's mark moved to the new last turn.
    const body = sim.requests[1].body as MessageCreateParams;
    assert.deepEqual((body.system as { cache_control?: unknown }[])[0].cache_control, EPHEMERAL);
    assert.deepEqual((body.messages[0].content as { cache_control?: unknown }[])[0].cache_control, EPHEMERAL, 'the first question keeps a mark: where the first request wrote');
    assert.deepEqual((body.messages[2].content as { cache_control?: unknown }[])[0].cache_control, EPHEMERAL);
    // Without breakpoints nothing is cached.
    const plain = client.stream(requestParams(settings, { messages: turn2 }));
    for await (const _ of plain);
    const u3 = (await plain.finalMessage()).usage;
    assert.equal((u3.cache_read_input_tokens ?? 0) + (u3.cache_creation_input_tokens ?? 0), 0);
  });

  it('after a round of 12 parallel tool calls (24 new blocks, past the 20-block lookback) the history is still read from the cache', async () => {
    const client = new MessagesClient({ apiKey: 'test-key', baseUrl: sim.url, maxRetries: 0 });
    const first = await send(client, turn1);
    const written = first.message.usage.cache_creation_input_tokens ?? 0;
    assert.ok(written > 1024);
    const calls = Array.from({ length: 12 }, (_, i) => ({ type: 'tool_use' as const, id: `toolu_${i}`, name: 'read_file', input: { path: `src/f${i}.ts` } }));
    const results = calls.map((c) => ({ type: 'tool_result' as const, tool_use_id: c.id, content: `contents of ${c.input.path}` }));
    const round: MessageParam[] = [...turn1, { role: 'assistant', content: [{ type: 'text', text: 'Reading them all.' }, ...calls] }, { role: 'user', content: results }];
    const second = await send(client, round);
    assert.equal(second.message.usage.cache_read_input_tokens, written, 'the whole first request is read, not only the system prompt');
    const body = sim.requests[1].body as MessageCreateParams;
    assert.equal(countCacheBreakpoints(body), 3, 'system, the first question (where the first request wrote) and the last tool result');
  });

  it('the official SDK sends the same request and reads the same cache tokens', async () => {
    const sdk = new Anthropic({ apiKey: 'test-key', baseURL: sim.url, maxRetries: 0 });
    const { params } = withPromptCaching(requestParams(settings, { messages: turn1 }));
    const first = await sdk.messages.stream(params as Anthropic.MessageStreamParams).finalMessage();
    const ours = new MessagesClient({ apiKey: 'test-key', baseUrl: sim.url, maxRetries: 0 });
    const stream = ours.stream(params);
    for await (const _ of stream);
    const second = await stream.finalMessage();
    assert.ok((first.usage.cache_creation_input_tokens ?? 0) > 1024);
    assert.equal(second.usage.cache_read_input_tokens, first.usage.cache_creation_input_tokens);
    assert.deepEqual(sim.requests[0].body, sim.requests[1].body, 'both clients put the same request on the wire');
  });

  it('the simulator refuses a fifth breakpoint as the API does', async () => {
    const tools = Array.from({ length: 4 }, (_, i) => ({ ...tool(`t${i}`), cache_control: { type: 'ephemeral' as const } }));
    const overfull = { ...requestParams(settings, { messages: turn1 }), tools, messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'q', cache_control: { type: 'ephemeral' as const } }] }] };
    const client = new MessagesClient({ apiKey: 'test-key', baseUrl: sim.url, maxRetries: 0 });
    await assert.rejects(async () => {
      for await (const _ of client.stream(overfull));
    }, /A maximum of 4 blocks with cache_control/);
    const fixed = withPromptCaching({ ...overfull, messages: turn1 });
    assert.deepEqual(fixed.added, [], 'already 4: nothing added');
    const stream = client.stream(fixed.params);
    for await (const _ of stream);
    assert.equal((await stream.finalMessage()).stop_reason, 'end_turn');
  });
});
