// The endpoint's model list: the URL next to the Messages URL, both list shapes (FastRouter's OpenAI-style one with
// USD-per-token price strings, Anthropic's), bad lists refused, and the fetch against the local simulator.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FastRouterError } from '../../src/api';
import { fetchModelList, modelsUrl, modelsUrlFor, parseModelList } from '../../src/api/models';
import { DEFAULT_MODEL_LIST, startSimulator, type Simulator } from '../support/simulator';

describe('modelsUrl: the Messages URL with its last segment messages → models', () => {
  it('follows every base URL form the Messages URL accepts', () => {
    assert.equal(modelsUrl('https://api.fastrouter.ai'), 'https://api.fastrouter.ai/api/v1/models');
    assert.equal(modelsUrl('https://api.fastrouter.ai/api/v1'), 'https://api.fastrouter.ai/api/v1/models');
    assert.equal(modelsUrl('https://api.fastrouter.ai/api/'), 'https://api.fastrouter.ai/api/v1/models');
    assert.equal(modelsUrl('https://api.anthropic.com'), 'https://api.anthropic.com/v1/models');
    assert.equal(modelsUrl('https://proxy.example/v1/messages/'), 'https://proxy.example/v1/models');
    assert.equal(modelsUrl('http://127.0.0.1:8787'), 'http://127.0.0.1:8787/v1/models');
    assert.equal(modelsUrl(), 'https://api.fastrouter.ai/api/v1/models', 'the default base');
  });

  it('only the last segment changes, and only when it is messages', () => {
    assert.equal(modelsUrlFor('https://x.example/messages/v1/messages'), 'https://x.example/messages/v1/models');
    assert.throws(() => modelsUrlFor('https://x.example/v1/complete'), FastRouterError);
    assert.throws(() => modelsUrl('ftp://x.example'), FastRouterError);
  });
});

describe('parseModelList', () => {
  it("reads FastRouter's OpenAI-shaped list: names without the vendor, limits, USD-per-token strings as numbers", () => {
    const { models, skipped } = parseModelList(DEFAULT_MODEL_LIST);
    assert.equal(skipped, 0);
    assert.equal(models.length, DEFAULT_MODEL_LIST.data.length);
    assert.deepEqual(models[0], {
      id: 'anthropic/claude-sonnet-4-20250514',
      name: 'Claude Sonnet 4',
      contextLength: 200_000,
      maxOutputTokens: 64_000,
      pricing: { input: 3e-6, output: 15e-6 },
    });
    assert.deepEqual(models[1].pricing, { input: 15e-6, output: 75e-6, cacheRead: 1.5e-6, cacheWrite: 18.75e-6 }, 'cache prices when listed');
    assert.equal(models[2].name, 'OpenAI: GPT-4o', 'only the Anthropic vendor prefix is dropped');
  });

  it("reads Anthropic's shape (display_name, max_input_tokens, max_tokens), which has no prices", () => {
    const { models } = parseModelList({
      data: [
        { type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z', max_input_tokens: 200_000, max_tokens: 64_000 },
        { type: 'model', id: 'claude-3-5-haiku-20241022', display_name: 'Claude Haiku 3.5', created_at: '2024-10-22T00:00:00Z' },
      ],
      has_more: false,
      first_id: 'claude-sonnet-4-5-20250929',
      last_id: 'claude-3-5-haiku-20241022',
    });
    assert.deepEqual(models, [
      { id: 'claude-sonnet-4-5-20250929', name: 'Claude Sonnet 4.5', contextLength: 200_000, maxOutputTokens: 64_000 },
      { id: 'claude-3-5-haiku-20241022', name: 'Claude Haiku 3.5' },
    ]);
  });

  it('skips entries that match neither shape and duplicates; "-1" (varies) prices count as unknown', () => {
    const { models, skipped } = parseModelList({
      data: [
        { id: 'anthropic/claude-a', name: 'A', context_length: 1000, pricing: { prompt: '0.000003', completion: '0.000015' } },
        { id: 42, name: 'number id' },
        { name: 'no id' },
        'a string',
        { id: 'anthropic/claude-b', pricing: { prompt: 'lots', completion: '1' } },
        { id: 'anthropic/claude-a', name: 'A again' },
        { id: 'anthropic/claude-c', name: 'C', context_length: -5 },
        { id: 'anthropic/claude-d', name: 'D', pricing: { prompt: '-1', completion: '-1' } },
      ],
    });
    assert.deepEqual(models.map((m) => m.id), ['anthropic/claude-a', 'anthropic/claude-d']);
    assert.equal(skipped, 6);
    assert.equal(models[1].pricing, undefined);
  });

  it('refuses what is not a list, or a list with nothing usable', () => {
    for (const bad of [null, 'models', [], {}, { data: 'x' }, { data: [] }, { data: [{ nope: true }] }, { object: 'list', models: [] }]) {
      assert.throws(() => parseModelList(bad), FastRouterError, JSON.stringify(bad));
    }
  });
});

describe('fetchModelList against the simulator', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim.close());
  beforeEach(() => sim.reset());

  it("GETs FastRouter's public list at /api/v1/models without a key", async () => {
    const result = await fetchModelList({ baseUrl: `${sim.url}/api` });
    assert.equal(result.url, `${sim.url}/api/v1/models`);
    assert.equal(result.models.length, DEFAULT_MODEL_LIST.data.length);
    assert.equal(sim.modelRequests.length, 1);
    assert.equal(sim.modelRequests[0].method, 'GET');
    assert.equal(sim.modelRequests[0].headers['x-api-key'], undefined);
    assert.equal(sim.modelRequests[0].headers.authorization, undefined);
    assert.equal(sim.requests.length, 0, 'not counted as a Messages request');
  });

  it('sends the key the way Messages requests do when one is given', async () => {
    await fetchModelList({ baseUrl: sim.url, apiKey: 'test-key', authHeader: 'bearer' });
    assert.equal(sim.modelRequests[0].path, '/v1/models');
    assert.equal(sim.modelRequests[0].headers.authorization, 'Bearer test-key');
  });

  it('an HTTP error, a body that is not JSON, or a bad shape is a FastRouterError that never holds the key', async () => {
    const answers = [{ status: 500 }, { status: 404 }, { body: '<html>502 Bad Gateway</html>' }, { body: { data: [] } }];
    for (const answer of answers) {
      sim.setModelList(answer);
      await assert.rejects(fetchModelList({ baseUrl: sim.url, apiKey: 'test-key' }), (error: unknown) => {
        assert.ok(error instanceof FastRouterError, JSON.stringify(answer));
        assert.doesNotMatch(error.message, /test-key/);
        return true;
      });
    }
  });

  it('a connection that fails, or a list that never comes, ends in a clear error', async () => {
    await assert.rejects(fetchModelList({ baseUrl: 'http://127.0.0.1:9' }), /Fetching the model list from http:\/\/127\.0\.0\.1:9\/v1\/models failed/);
    const never: typeof fetch = (_url, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    await assert.rejects(fetchModelList({ baseUrl: sim.url, fetch: never, timeoutMs: 50 }), /timed out/);
  });
});
