// Why an answer waits before it is asked again, in the user's words, from the failed attempt's status and error type.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryNotice, retryReason } from '../../src/core/request/retryNotice';

test('retry reasons: 429/rate_limit_error, 529/overloaded_error, a failed connection, any other retryable failure', () => {
  const table: Array<[number | undefined, string | undefined, string]> = [
    [429, 'rate_limit_error', 'rate_limit'],
    [429, undefined, 'rate_limit'],
    [undefined, 'rate_limit_error', 'rate_limit'],
    [529, 'overloaded_error', 'overloaded'],
    [undefined, 'overloaded_error', 'overloaded'],
    [503, 'overloaded_error', 'overloaded'],
    [500, 'api_error', 'server_error'],
    [502, 'api_error', 'server_error'],
    [408, 'timeout_error', 'server_error'],
    [undefined, 'api_error', 'server_error'],
    [undefined, undefined, 'connection'],
  ];
  for (const [status, type, reason] of table) assert.equal(retryReason(status, type), reason, `${status} ${type}`);
});

test('a notice carries the wait in whole milliseconds and the retry count', () => {
  assert.deepEqual(retryNotice({ retry: 1, maxRetries: 2, delayMs: 437.6, status: 429, errorType: 'rate_limit_error' }), {
    reason: 'rate_limit', delayMs: 438, retry: 1, maxRetries: 2,
  });
});
