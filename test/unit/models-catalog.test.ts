import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILTIN_MODELS, bareModelId, estimateCredits, findModel, isClaudeModelId, modelDisplayName } from '../../src/core/models/modelCatalog';

test('display names never show the provider prefix', () => {
  assert.equal(modelDisplayName('anthropic/claude-sonnet-4-20250514'), 'Claude Sonnet 4');
  assert.equal(modelDisplayName('claude-sonnet-4-20250514'), 'Claude Sonnet 4', 'bare id of a known model');
  assert.equal(modelDisplayName('anthropic/claude-future-9-20300101'), 'claude-future-9', 'unknown: bare id without the date');
  assert.equal(modelDisplayName('some-model'), 'some-model');
  assert.equal(bareModelId('anthropic/claude-x'), 'claude-x');
});

test('findModel matches with or without the provider prefix, from a given list', () => {
  assert.equal(findModel('claude-opus-4-1-20250805')?.name, 'Claude Opus 4.1');
  const list = [{ ...BUILTIN_MODELS[0], id: 'claude-custom', name: 'Custom' }];
  assert.equal(findModel('anthropic/claude-custom', list)?.name, 'Custom');
  assert.equal(findModel('anthropic/claude-sonnet-4-20250514', list), undefined);
});

test('only Claude ids count as Claude models', () => {
  assert.ok(isClaudeModelId('anthropic/claude-sonnet-4'));
  assert.ok(isClaudeModelId('claude-3-5-haiku-20241022'));
  assert.ok(!isClaudeModelId('openai/gpt-5'));
  assert.ok(!isClaudeModelId('google/gemini-claude-clone'));
});

test('estimateCredits prices cache reads at 0.1x and writes at 1.25x input when the list does not say', () => {
  const pricing = { input: 3e-6, output: 15e-6 };
  const credits = estimateCredits({ inputTokens: 1000, outputTokens: 100, cacheReadTokens: 10_000, cacheWriteTokens: 2000 }, pricing)!;
  assert.ok(Math.abs(credits - (1000 * 3e-6 + 100 * 15e-6 + 10_000 * 0.3e-6 + 2000 * 3.75e-6)) < 1e-12);
  assert.equal(estimateCredits({ inputTokens: 1, outputTokens: 1 }, undefined), undefined);
});

test('every built-in model has prices, limits and a unique id', () => {
  const ids = new Set(BUILTIN_MODELS.map((m) => m.id));
  assert.equal(ids.size, BUILTIN_MODELS.length);
  for (const m of BUILTIN_MODELS) {
    assert.ok(m.pricing && m.pricing.input > 0 && m.pricing.output > m.pricing.input, m.id);
    assert.ok(m.contextLength >= 100_000 && m.maxOutputTokens >= 4096, m.id);
  }
  assert.ok(findModel('anthropic/claude-sonnet-4-20250514'), 'the default model is in the list');
});
