// Bytes of one response body → validated StreamEvents and the Message they build. No I/O here, so
// tests can feed any chunking, and the HTTP side (client.ts) only moves bytes and handles failures.
import { accumulateEvent } from './accumulate';
import { ApiError, MalformedStreamError } from './errors';
import {
  ErrorBodySchema,
  InvalidEvent,
  validateContentBlockDelta,
  validateContentBlockStart,
  validateContentBlockStop,
  validateMessageDelta,
  validateMessageStart,
  validateMessageStop,
  validatePing,
} from './schemas';
import { createEventStreamDecoder, type EventSourceMessage, type EventStreamDecoder } from './sse';
import type { Message, StreamEvent } from './types';

export interface StreamEventReaderOptions {
  /** Called for every event, in order, after it was validated and applied to `message`. */
  onEvent?: (event: StreamEvent) => void;
}

/**
 * Feed it the body's chunks; it validates every known event (unknown event, block and delta types
 * are skipped), accumulates the message, and throws MalformedStreamError for a bad or out-of-order
 * event and ApiError (status undefined) for `event: error`.
 */
export class StreamEventReader {
  readonly #decoder: EventStreamDecoder;
  readonly #onEvent: ((event: StreamEvent) => void) | undefined;
  #message: Message | undefined;
  /** Wire indexes of blocks whose type we do not know: their deltas and stop are skipped too. */
  #ignoredBlocks: Set<number> | undefined;
  #complete = false;

  constructor(options: StreamEventReaderOptions = {}) {
    this.#onEvent = options.onEvent;
    this.#decoder = createEventStreamDecoder((message) => this.#onMessage(message));
  }

  /** The message accumulated so far; undefined before message_start. */
  get message(): Message | undefined {
    return this.#message;
  }

  /** message_stop arrived: the message is whole. */
  get complete(): boolean {
    return this.#complete;
  }

  push(chunk: Uint8Array): void {
    this.#decoder.push(chunk);
  }

  /** The body ended (flushes a last event that ended in a lone CR). */
  end(): void {
    this.#decoder.end();
  }

  #onMessage(message: EventSourceMessage): void {
    const name = message.event;
    if (name === undefined) {
      // The API always names its events; fall back to the type inside the data.
      const value = parseData(message.data, 'unnamed');
      const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
      if (typeof type === 'string') this.#handle(type, value);
      return;
    }
    switch (name) {
      case 'content_block_delta':
      case 'content_block_start':
      case 'content_block_stop':
      case 'message_start':
      case 'message_delta':
      case 'message_stop':
      case 'ping':
      case 'error':
        this.#handle(name, parseData(message.data, name));
        return;
      default:
        return; // an event type added after this client was written
    }
  }

  #handle(name: string, value: unknown): void {
    let event: StreamEvent;
    try {
      switch (name) {
        case 'content_block_delta': {
          const delta = validateContentBlockDelta(value);
          if (delta === undefined || this.#ignoredBlocks?.has(delta.index)) return;
          event = delta;
          break;
        }
        case 'content_block_start': {
          const start = validateContentBlockStart(value);
          if ('unknown' in start) {
            (this.#ignoredBlocks ??= new Set()).add(start.index);
            return;
          }
          event = start;
          break;
        }
        case 'content_block_stop':
          event = validateContentBlockStop(value);
          if (this.#ignoredBlocks?.has(event.index)) return;
          break;
        case 'message_start':
          event = validateMessageStart(value);
          break;
        case 'message_delta':
          event = validateMessageDelta(value);
          break;
        case 'message_stop':
          event = validateMessageStop(value);
          break;
        case 'ping':
          // Carries nothing to accumulate (and may come before message_start).
          this.#onEvent?.(validatePing(value));
          return;
        case 'error':
          throw errorFromEvent(value);
        default:
          return;
      }
    } catch (error) {
      if (error instanceof InvalidEvent) throw new MalformedStreamError(`The stream sent an ${error.message}.`);
      throw error;
    }
    this.#message = accumulateEvent(this.#message, event);
    if (event.type === 'message_stop') this.#complete = true;
    this.#onEvent?.(event);
  }
}

function parseData(data: string, name: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new MalformedStreamError(`The stream sent a ${name} event whose data is not JSON.`);
  }
}

/** `event: error` inside a 200 stream → ApiError with that type (status undefined). */
function errorFromEvent(value: unknown): Error {
  const result = ErrorBodySchema.safeParse(value);
  if (!result.success) return new MalformedStreamError('The stream sent an error event in an unknown shape.');
  const { type, message } = result.data.error;
  return new ApiError(`${type}: ${message ?? 'error'}`, {
    status: undefined,
    type,
    requestId: result.data.request_id ?? undefined,
  });
}
