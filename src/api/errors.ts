// One base class, one class per way a request can fail. Every error carries what had been streamed
// before it (`partialMessage`), so an interrupted answer stays the user's. No message ever holds the key.
import type { Message } from './types';

export interface FastRouterErrorOptions {
  partialMessage?: Message;
  cause?: unknown;
}

// Each class names itself: the .vsix's host bundle is minified without keepNames (smaller), and the name reaches the log.
export class FastRouterError extends Error {
  override name = 'FastRouterError';
  /** Everything accumulated before the failure; undefined when no event had arrived. */
  partialMessage?: Message;

  constructor(message: string, options: FastRouterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.partialMessage !== undefined) this.partialMessage = options.partialMessage;
  }
}

export interface ApiErrorOptions extends FastRouterErrorOptions {
  /** HTTP status; undefined for an `event: error` that arrived inside a 200 stream. */
  status: number | undefined;
  /** The API's error type: `rate_limit_error`, `overloaded_error`, `authentication_error`, … */
  type: string;
  requestId?: string;
  /** What the server asked us to wait (retry-after-ms / retry-after), when it said. */
  retryAfterMs?: number;
}

/** The API answered with an error: an HTTP error status, or `event: error` in the stream. */
export class ApiError extends FastRouterError {
  override name = 'ApiError';
  status: number | undefined;
  type: string;
  requestId?: string;
  retryAfterMs?: number;

  constructor(message: string, options: ApiErrorOptions) {
    super(message, options);
    this.status = options.status;
    this.type = options.type;
    if (options.requestId !== undefined) this.requestId = options.requestId;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** The network failed: no connection, or the connection dropped before the message was complete. */
export class ConnectionError extends FastRouterError {
  override name = 'ConnectionError';
}

/** No bytes (pings included) arrived for the idle timeout; the request was aborted. */
export class IdleTimeoutError extends FastRouterError {
  override name = 'IdleTimeoutError';
  timeoutMs: number;

  constructor(message: string, options: FastRouterErrorOptions & { timeoutMs: number }) {
    super(message, options);
    this.timeoutMs = options.timeoutMs;
  }
}

/** The caller aborted (signal, `stream.abort()`, or leaving `for await` early). */
export class AbortedError extends FastRouterError {
  override name = 'AbortedError';
}

/** A known event failed validation, its JSON did not parse, or events came out of order. */
export class MalformedStreamError extends FastRouterError {
  override name = 'MalformedStreamError';
}

/** One event was larger than the reader's cap (32 MB): the answer was stopped there. */
export class EventTooLargeError extends MalformedStreamError {
  override name = 'EventTooLargeError';
}

/**
 * A 2xx answer labelled as an event stream whose body is an HTML page (a proxy or captive portal answered). The
 * endpoint was reached, so it is not retried; `pageTitle` is the page's <title> when it had one.
 */
export class HtmlInsteadOfStreamError extends MalformedStreamError {
  override name = 'HtmlInsteadOfStreamError';
  pageTitle: string | undefined;

  constructor(message: string, options: FastRouterErrorOptions & { pageTitle?: string } = {}) {
    super(message, options);
    this.pageTitle = options.pageTitle;
  }
}

/** The error type the API uses for an HTTP status, for bodies that do not say (an HTML page from a proxy). */
export function errorTypeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 408:
      return 'timeout_error';
    case 409:
      return 'conflict_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}
