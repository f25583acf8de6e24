// What a failed or stopped request leaves behind: the message streamed before it (kept, and billed or estimated), the
// request id, and the words for the log. Pure: the request pipeline calls it in its one catch.
import { FastRouterError, type Message } from '../../api';
import { redact } from './errors';

/** The partial message and request id, from the error or else from the stream that was reading. */
export function failureDetails(error: unknown, stream: { partialMessage?: Message; requestId?: string } | undefined): { partial?: Message; requestId?: string } {
  const partial = (error instanceof FastRouterError ? error.partialMessage : undefined) ?? stream?.partialMessage;
  const requestId = (error instanceof FastRouterError && 'requestId' in error ? (error.requestId as string | undefined) : undefined) ?? stream?.requestId;
  return { ...(partial ? { partial } : {}), ...(requestId ? { requestId } : {}) };
}

/** ` status=429 type=rate_limit_error Name: message` for the log line: one line, at most 300 characters, the key removed. */
export function failureLogText(error: unknown, apiKey: string | undefined): string {
  const status = error instanceof FastRouterError && 'status' in error && error.status !== undefined ? ` status=${String(error.status)}` : '';
  const type = error instanceof FastRouterError && 'type' in error ? ` type=${String(error.type)}` : '';
  const detail = error instanceof Error ? redact(error.message, apiKey).replace(/\s+/g, ' ').slice(0, 300) : '';
  return `${status}${type} ${error instanceof Error ? error.name : ''}: ${detail}`;
}
