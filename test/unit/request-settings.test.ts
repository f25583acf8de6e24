// Settings validation: each setting falls back to its own default with a message naming it; the request body
// follows the settings (thinking rules included).
// zod's English messages are loaded by src/zodConfig.ts, which extension.ts imports first (zod/mini loads no locale).
import '../../src/zodConfig';
import assert from 'node:assert/strict';
import { badSettingError } from '../../src/core/request/errors';
import { test } from 'node:test';
import { checkBaseUrl, DEFAULT_BASE_URL, DEFAULT_MODEL, defaultSettings, parseSettings, requestParams } from '../../src/core/request/settings';

test('no values → every default, no problems', () => {
  const { settings, problems } = parseSettings({});
  assert.deepEqual(problems, []);
  assert.equal(settings.baseUrl, DEFAULT_BASE_URL);
  assert.equal(settings.model, DEFAULT_MODEL);
  assert.equal(settings.authHeader, 'x-api-key');
  assert.equal(settings.thinkingBudgetTokens, 0);
  assert.equal(settings.temperature, undefined);
  assert.ok(settings.systemPrompt.length > 50);
});

test('valid values are taken; null means "model default" for the sampling settings', () => {
  const { settings, problems } = parseSettings({
    baseUrl: 'http://127.0.0.1:8787/',
    model: 'anthropic/claude-3-5-haiku-20241022',
    temperature: 0.2,
    topP: null,
    topK: 40,
    stopSequences: ['END'],
    authHeader: 'bearer',
    thinkingBudgetTokens: 2048,
    maxTokens: 1000,
  });
  assert.deepEqual(problems, []);
  assert.equal(settings.baseUrl, 'http://127.0.0.1:8787', 'trailing slash removed');
  assert.equal(settings.temperature, 0.2);
  assert.equal(settings.topP, undefined);
  assert.equal(settings.topK, 40);
  assert.equal(settings.authHeader, 'bearer');
});

test('a bad value falls back to that setting\'s default only, with a message naming the setting', () => {
  const { settings, problems } = parseSettings({ temperature: 3, maxTokens: -5, model: 'x', authHeader: 'basic' });
  assert.equal(settings.temperature, undefined);
  assert.equal(settings.maxTokens, 8192);
  assert.equal(settings.model, 'x', 'good settings are kept');
  assert.equal(settings.authHeader, 'x-api-key');
  assert.deepEqual(problems.map((p) => p.key).sort(), ['authHeader', 'maxTokens', 'temperature']);
  const temperature = problems.find((p) => p.key === 'temperature')!;
  assert.match(temperature.message, /fastrouter\.temperature/);
  assert.match(temperature.message, /Requests are not sent until it is fixed/);
  assert.ok(problems.every((p) => p.blocksRequests), 'each of these shapes the request');
});

test('only settings that do not shape the request fall back to their default; the others stop requests', () => {
  const { settings, problems } = parseSettings({ maxSelectionChars: -1, maxTokens: -7, baseUrl: 'localhost:8787' });
  assert.equal(settings.maxSelectionChars, 100_000);
  const byKey = new Map(problems.map((p) => [p.key, p]));
  assert.equal(byKey.get('maxSelectionChars')!.blocksRequests, false);
  assert.match(byKey.get('maxSelectionChars')!.message, /Using the default 100000 instead/);
  assert.equal(byKey.get('maxTokens')!.blocksRequests, true);
  assert.equal(byKey.get('baseUrl')!.blocksRequests, true);
  assert.equal(byKey.get('baseUrl')!.reason, 'must start with https://');
});

test('the error of a request stopped by a bad setting names the setting and its value, and opens that setting', () => {
  const problem = parseSettings({ baseUrl: 'localhost:8787' }).problems[0];
  assert.deepEqual(badSettingError(problem), {
    code: 'bad_setting',
    message: 'Not sent: the setting "fastrouter.baseUrl" is "localhost:8787" (must start with https://). Fix it in Settings, then Retry.',
    actions: ['openSettings', 'retry'],
    setting: 'fastrouter.baseUrl',
  });
  const tokens = badSettingError(parseSettings({ maxTokens: -7 }).problems[0]);
  assert.match(tokens.message, /^Not sent: the setting "fastrouter\.maxTokens" is -7 \(too small: expected number to be >=1\)\./);
});

test('baseUrl: https anywhere, http only for loopback', () => {
  for (const ok of ['https://api.fastrouter.ai', 'https://proxy.example.com/api', 'http://127.0.0.1:9000', 'http://localhost', 'http://[::1]:8080/x']) {
    assert.equal(checkBaseUrl(ok), undefined, ok);
  }
  for (const bad of ['http://api.fastrouter.ai', 'http://192.168.1.2', 'ftp://x', 'not a url', 'https://user:pw@host', 'http://localhost.evil.com', 'https://x?y=1']) {
    assert.ok(checkBaseUrl(bad), bad);
  }
  const { settings, problems } = parseSettings({ baseUrl: 'http://example.com' });
  assert.equal(settings.baseUrl, DEFAULT_BASE_URL);
  assert.match(problems[0].message, /fastrouter\.baseUrl.*http/);
});

test('thinking budget must be 0 or at least 1024', () => {
  assert.equal(parseSettings({ thinkingBudgetTokens: 500 }).settings.thinkingBudgetTokens, 0);
  assert.match(parseSettings({ thinkingBudgetTokens: 500 }).problems[0].message, /1024/);
  assert.equal(parseSettings({ thinkingBudgetTokens: 1024 }).problems.length, 0);
});

test('wrong types are reported, not thrown', () => {
  const { problems } = parseSettings({ stopSequences: 'END', idleTimeoutSeconds: '30', systemPrompt: 42 });
  assert.deepEqual(problems.map((p) => p.key).sort(), ['idleTimeoutSeconds', 'stopSequences', 'systemPrompt']);
});

test('requestParams applies model, max_tokens, sampling, stop sequences and the system prompt', () => {
  const settings = { ...defaultSettings(), temperature: 0.3, topP: 0.9, topK: 20, stopSequences: ['STOP'], maxTokens: 500 };
  const params = requestParams(settings, { messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(params.model, DEFAULT_MODEL);
  assert.equal(params.max_tokens, 500);
  assert.equal(params.temperature, 0.3);
  assert.equal(params.top_p, 0.9);
  assert.equal(params.top_k, 20);
  assert.deepEqual(params.stop_sequences, ['STOP']);
  assert.equal(params.system, settings.systemPrompt);
  assert.equal(params.thinking, undefined);
  assert.equal(requestParams(settings, { messages: [], system: 'custom' }).system, 'custom');
  assert.equal(requestParams({ ...settings, systemPrompt: '  ' }, { messages: [] }).system, undefined);
});

test('with thinking: thinking enabled, no temperature/top_k, max_tokens above the budget', () => {
  const settings = { ...defaultSettings(), temperature: 0.3, topK: 20, topP: 0.5, thinkingBudgetTokens: 4000, maxTokens: 2000 };
  const params = requestParams(settings, { messages: [] });
  assert.deepEqual(params.thinking, { type: 'enabled', budget_tokens: 4000 });
  assert.equal(params.temperature, undefined);
  assert.equal(params.top_k, undefined);
  assert.equal(params.top_p, undefined, 'top_p below 0.95 is not allowed with thinking');
  assert.ok(params.max_tokens > 4000);
  assert.equal(params.max_tokens, 6000);
  const roomy = requestParams({ ...settings, maxTokens: 16000, topP: 0.97 }, { messages: [] });
  assert.equal(roomy.max_tokens, 16000);
  assert.equal(roomy.top_p, 0.97);
});
