// Error mapping: every failure kind gets a stable code, a clear message and the action that fixes it;
// the key never appears in the message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortedError, ApiError, ConnectionError, IdleTimeoutError, MalformedStreamError } from '../../src/api';
import { isAbort, noKeyError, redact, toTurnError } from '../../src/core/request/errors';

const api = (status: number | undefined, type: string, message = 'detail', extra: { retryAfterMs?: number } = {}) =>
  new ApiError(message, { status, type, ...extra });

test('401 → auth with Set API Key', () => {
  const e = toTurnError(api(401, 'authentication_error'));
  assert.equal(e.code, 'auth');
  assert.ok(e.actions.includes('setApiKey'));
  assert.match(e.message, /rejected the API key/);
});

test('402 → billing with Add Credits (openBilling)', () => {
  const e = toTurnError(api(402, 'billing_error', 'Insufficient credits'));
  assert.equal(e.code, 'billing');
  assert.deepEqual(e.actions[0], 'openBilling');
  assert.match(e.message, /no credits/);
});

test('403 → moderation', () => {
  const e = toTurnError(api(403, 'permission_error', 'flagged'));
  assert.equal(e.code, 'moderation');
  assert.match(e.message, /flagged/);
});

test('429 after retries names the retries and the wait', () => {
  const e = toTurnError(api(429, 'rate_limit_error', 'slow down', { retryAfterMs: 12_300 }), { maxRetries: 2 });
  assert.equal(e.code, 'rate_limit');
  assert.match(e.message, /2 retries/);
  assert.match(e.message, /13 s/);
  assert.deepEqual(e.actions, ['retry']);
});

test('529 and a mid-stream overloaded_error → overloaded', () => {
  assert.equal(toTurnError(api(529, 'overloaded_error')).code, 'overloaded');
  assert.equal(toTurnError(api(undefined, 'overloaded_error')).code, 'overloaded');
});

test('404 points at the model setting', () => {
  const e = toTurnError(api(404, 'not_found_error'), { model: 'anthropic/nope' });
  assert.equal(e.code, 'bad_setting');
  assert.match(e.message, /anthropic\/nope/);
  assert.ok(e.actions.includes('openSettings'));
});

test('400 invalid request points at settings; 5xx offers retry', () => {
  assert.equal(toTurnError(api(400, 'invalid_request_error')).code, 'invalid_request');
  const e = toTurnError(api(500, 'api_error'));
  assert.equal(e.code, 'api');
  assert.match(e.message, /HTTP 500/);
  assert.ok(e.actions.includes('retry'));
});

test('network, stall and malformed stream', () => {
  const net = toTurnError(new ConnectionError('fetch failed'), { baseUrl: 'http://127.0.0.1:1' });
  assert.equal(net.code, 'network');
  assert.match(net.message, /127\.0\.0\.1:1/);
  const stall = toTurnError(new IdleTimeoutError('idle', { timeoutMs: 5000 }), { idleTimeoutSeconds: 5 });
  assert.equal(stall.code, 'stalled');
  assert.match(stall.message, /5 s/);
  assert.ok(stall.actions.includes('retry'));
  assert.equal(toTurnError(new MalformedStreamError('bad json')).code, 'malformed');
});

test('unknown errors are still mapped, never thrown', () => {
  const e = toTurnError('boom');
  assert.equal(e.code, 'unexpected');
  assert.match(e.message, /boom/);
});

test('no key → Set API Key', () => {
  assert.equal(noKeyError().code, 'no_key');
  assert.ok(noKeyError().actions.includes('setApiKey'));
  assert.match(noKeyError().message, /fastrouter\.ai/);
});

test('the key is redacted from any message a server sends back', () => {
  const key = 'sk-canary-1234567890';
  const e = toTurnError(api(400, 'invalid_request_error', `bad key ${key} given`), { apiKey: key });
  assert.ok(!e.message.includes(key));
  assert.match(e.message, /\[redacted\]/);
  assert.equal(redact('abc', undefined), 'abc');
});

test('aborts are recognised', () => {
  assert.equal(isAbort(new AbortedError('stopped')), true);
  assert.equal(isAbort(new ConnectionError('x')), false);
});
