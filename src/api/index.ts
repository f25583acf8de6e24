// The Messages client's public surface (contracts A). No vscode, no DOM: plain fetch and streams.
export {
  ANTHROPIC_VERSION,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  MessagesClient,
  type AuthHeaderStyle,
  type MessagesClientOptions,
  type RequestOptions,
} from './client';
export { MessageStream } from './messageStream';
export { defaultSleep, type RetryInfo, type Sleep } from './attempts';
export { accumulateEvent, isMessageComplete, isOpaque } from './accumulate';
export {
  AbortedError,
  ApiError,
  ConnectionError,
  EventTooLargeError,
  FastRouterError,
  HtmlInsteadOfStreamError,
  IdleTimeoutError,
  MalformedStreamError,
  errorTypeForStatus,
  type ApiErrorOptions,
  type FastRouterErrorOptions,
} from './errors';
export { DEFAULT_MAX_RETRIES, MAX_RETRY_AFTER_MS, backoffMs, isRetryableStatus, readRetryAfterMs } from './retry';
export { createEventStreamDecoder, type EventStreamDecoder } from './sse';
export { StreamEventReader, type StreamEventReaderOptions } from './events';
export { DEFAULT_BASE_URL, messagesUrl } from './url';
export type * from './types';
