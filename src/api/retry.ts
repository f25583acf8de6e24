// When to try a request again and how long to wait first. Retries happen only before the first
// event arrived (see messageStream.ts); after that the partial answer is the user's and nothing is resent.
import { ApiError, ConnectionError, type FastRouterError } from './errors';

export const DEFAULT_MAX_RETRIES = 2;
export const MAX_RETRY_AFTER_MS = 60_000;
const INITIAL_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 8_000;

const RETRYABLE_STREAM_ERROR_TYPES = new Set(['overloaded_error', 'api_error', 'rate_limit_error', 'timeout_error']);

/** HTTP statuses worth another try: timeouts, conflicts, rate limits, server errors (529 overloaded included). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Whether this failure may be retried. `x-should-retry` (already read into `shouldRetry`) overrides
 * the status rule either way. An `event: error` is retried only when it came before any other event
 * and its type is transient.
 */
export function isRetryable(error: FastRouterError, shouldRetry: boolean | undefined): boolean {
  if (shouldRetry !== undefined) return shouldRetry;
  if (error instanceof ConnectionError) return true;
  if (error instanceof ApiError) {
    return error.status === undefined ? RETRYABLE_STREAM_ERROR_TYPES.has(error.type) : isRetryableStatus(error.status);
  }
  return false;
}

/** Reads `x-should-retry`: true/false, anything else means "no opinion". */
export function readShouldRetry(headers: Headers): boolean | undefined {
  const value = headers.get('x-should-retry');
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** The wait the server asked for: `retry-after-ms`, then `retry-after` (seconds or an HTTP date), capped at 60 s. */
export function readRetryAfterMs(headers: Headers, now: number): number | undefined {
  const ms = parseNumber(headers.get('retry-after-ms'));
  if (ms !== undefined && ms >= 0) return Math.min(ms, MAX_RETRY_AFTER_MS);
  const header = headers.get('retry-after');
  if (header === null) return undefined;
  const seconds = parseNumber(header);
  if (seconds !== undefined) return seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : undefined;
  const date = Date.parse(header);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

function parseNumber(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Exponential backoff from 0.5 s, capped at 8 s, minus up to 25 % jitter so clients do not retry in step. */
export function backoffMs(retryNumber: number, random: () => number): number {
  const base = Math.min(INITIAL_BACKOFF_MS * 2 ** retryNumber, MAX_BACKOFF_MS);
  return base * (1 - 0.25 * random());
}
