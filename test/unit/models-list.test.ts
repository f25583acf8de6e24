// The model list as the extension keeps it: the cache record, when it is fetched again, the catalog it makes (the
// built-in list when there is no usable list) and the text Select Model shows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseModelList } from '../../src/api/models';
import { BUILTIN_MODELS, estimateCredits, findModel, modelDisplayName } from '../../src/core/models/modelCatalog';
import { lmModelInformation, lmModels } from '../../src/core/lm/lmModels';
import {
  MODEL_LIST_MAX_AGE_MS,
  cachedModelList,
  catalogFrom,
  isModelListStale,
  modelDetail,
  pricePerMillion,
  readCachedModelList,
  toModelInfo,
} from '../../src/core/models/modelList';
import { DEFAULT_MODEL_LIST } from '../support/simulator';

const URL = 'https://api.fastrouter.ai/api/v1/models';
const NOW = Date.UTC(2026, 11, 6, 12);
const listed = parseModelList(DEFAULT_MODEL_LIST).models;

describe('the cached list', () => {
  it('keeps only the Claude models, with the URL and the time', () => {
    const cached = cachedModelList(URL, NOW, listed);
    assert.deepEqual(cached.models.map((m) => m.id), [
      'anthropic/claude-sonnet-4-20250514',
      'anthropic/claude-opus-4-1-20250805',
      'anthropic/claude-haiku-4-5-20251001',
      'anthropic/claude-sonnet-4-5-sim',
    ]);
    assert.equal(cached.url, URL);
    assert.equal(cached.fetchedAt, NOW);
    assert.deepEqual(readCachedModelList(JSON.parse(JSON.stringify(cached))), cached, 'survives globalState (JSON)');
  });

  it('a malformed stored value counts as no list', () => {
    for (const bad of [undefined, null, 'x', { url: URL }, { url: URL, fetchedAt: 'yesterday', models: [] }, { url: URL, fetchedAt: NOW, models: [{ id: '' }] }]) {
      assert.equal(readCachedModelList(bad), undefined, JSON.stringify(bad));
    }
  });

  it('is fetched again when missing, of another endpoint, a day old, or from the future', () => {
    const cached = cachedModelList(URL, NOW, listed);
    assert.equal(isModelListStale(undefined, URL, NOW), true);
    assert.equal(isModelListStale(cached, URL, NOW + 60_000), false);
    assert.equal(isModelListStale(cached, URL, NOW + MODEL_LIST_MAX_AGE_MS - 1), false);
    assert.equal(isModelListStale(cached, URL, NOW + MODEL_LIST_MAX_AGE_MS), true);
    assert.equal(isModelListStale(cached, 'http://127.0.0.1:1/v1/models', NOW), true);
    assert.equal(isModelListStale(cached, URL, NOW - 3600_000), true, 'clock went back an hour');
  });
});

describe('the catalog', () => {
  it("is the endpoint's Claude models when the list is this endpoint's", () => {
    const { models, fromList } = catalogFrom(cachedModelList(URL, NOW, listed), URL);
    assert.equal(fromList, true);
    assert.equal(models.length, 4);
    const sim = findModel('anthropic/claude-sonnet-4-5-sim', models)!;
    assert.equal(sim.name, 'Claude Sonnet 4.5 (Simulated)');
    assert.equal(sim.contextLength, 1_000_000);
    assert.equal(sim.family, 'claude-sonnet-4-5-sim');
    assert.equal(modelDisplayName('claude-sonnet-4-5-sim', models), 'Claude Sonnet 4.5 (Simulated)', 'a bare id the endpoint answers with');
    // The list's prices are what estimates use.
    assert.equal(estimateCredits({ inputTokens: 1_000_000, outputTokens: 0 }, findModel('anthropic/claude-haiku-4-5-20251001', models)?.pricing), 1);
  });

  it('falls back to the built-in list without a list, for another endpoint, or with no Claude model in it', () => {
    assert.equal(catalogFrom(undefined, URL).models, BUILTIN_MODELS);
    assert.equal(catalogFrom(cachedModelList(URL, NOW, listed), 'http://127.0.0.1:1/v1/models').models, BUILTIN_MODELS);
    const noClaude = { url: URL, fetchedAt: NOW, models: [{ id: 'openai/gpt-4o', name: 'GPT-4o' }] };
    assert.deepEqual(catalogFrom(noClaude, URL), { models: BUILTIN_MODELS, fromList: false });
  });

  it("fills what the list leaves out (Anthropic's has no prices) from the built-in entry of the same model", () => {
    const model = toModelInfo({ id: 'claude-opus-4-1-20250805', name: 'Claude Opus 4.1' });
    assert.equal(model.maxOutputTokens, 32_000);
    assert.deepEqual(model.pricing, findModel('anthropic/claude-opus-4-1-20250805')!.pricing);
    const unknown = toModelInfo({ id: 'claude-next-9', name: 'claude-next-9' });
    assert.equal(unknown.pricing, undefined);
    assert.equal(unknown.contextLength, 200_000);
    assert.equal(modelDetail(unknown), '200k context · price not listed');
  });

  it('the language model provider lists the same models', () => {
    const { models } = catalogFrom(cachedModelList(URL, NOW, listed), URL);
    const info = lmModels(models).map((m) => lmModelInformation(m, { maxTokens: 8192 }));
    assert.deepEqual(info.map((m) => m.name), ['Claude Sonnet 4', 'Claude Opus 4.1', 'Claude Haiku 4.5', 'Claude Sonnet 4.5 (Simulated)']);
    assert.equal(info[3].maxInputTokens, 1_000_000 - 8192);
  });
});

describe('what Select Model shows', () => {
  it('context length and price per million input / output tokens', () => {
    const { models } = catalogFrom(cachedModelList(URL, NOW, listed), URL);
    assert.deepEqual(models.map(modelDetail), [
      '200k context · 3.00 / 15.00 credits per million tokens (input / output)',
      '200k context · 15.00 / 75.00 credits per million tokens (input / output)',
      '200k context · 1.00 / 5.00 credits per million tokens (input / output)',
      '1M context · 3.00 / 15.00 credits per million tokens (input / output)',
    ]);
    // Credits, in the one format of common/credits.ts (no dollar sign: FastRouter bills credits).
    assert.equal(pricePerMillion(0.8e-6), '0.80');
    assert.equal(pricePerMillion(0.08e-6), '0.08');
    assert.equal(pricePerMillion(3.75e-6), '3.75');
    assert.equal(pricePerMillion(0.3e-6 / 1000), '0.0003');
    assert.equal(pricePerMillion(0), '0');
  });
});
