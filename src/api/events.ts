// Bytes of one response body → validated StreamEvents and the Message they build. No I/O here, so
// tests can feed any chunking, and the HTTP side (client.ts) only moves bytes and handles failures.
import { accumulateEvent } from './accumulate';
import { ApiError, EventTooLargeError, MalformedStreamError } from './errors';
import {
  ErrorBodySchema,
  InvalidEvent,
  validateContentBlockDelta,
  validateContentBlockStart,
  validateContentBlockStop,
  validateMessageDelta,
  validateMessageStart,
  validateMessageStop,
} from './schemas';
import { createEventStreamDecoder, type EventSourceMessage, type EventStreamDecoder } from './sse';
import type { Message, StreamEvent } from './types';

/** The largest single event the reader takes (characters of one event's lines); more is an error, not a hang. */
export const MAX_EVENT_CHARS = 32 * 1024 * 1024;

export interface StreamEventReaderOptions {
  /** Called for every event, in order, after it was validated and applied to `message`. */
  onEvent?: (event: StreamEvent) => void;
  /** Default MAX_EVENT_CHARS (32 MB). */
  maxEventChars?: number;
}

/**
 * Feed it the body's chunks; it validates every known event (unknown event and delta types are
 * skipped, blocks of unknown types kept whole), accumulates the message, and throws
 * MalformedStreamError for a bad or out-of-order event or one over the size cap, and ApiError
 * (status undefined) for `event: error`. Like the official SDK, it ignores what a `ping` carries
 * and events with no data.
 */
export class StreamEventReader {
  readonly #decoder: EventStreamDecoder;
  readonly #onEvent: ((event: StreamEvent) => void) | undefined;
  readonly #maxEventChars: number;
  #message: Message | undefined;
  #complete = false;

  constructor(options: StreamEventReaderOptions = {}) {
    this.#onEvent = options.onEvent;
    this.#maxEventChars = options.maxEventChars ?? MAX_EVENT_CHARS;
    this.#decoder = createEventStreamDecoder((message) => this.#onMessage(message), {
      maxBufferChars: this.#maxEventChars,
      onOverflow: () => this.#tooLarge(),
    });
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

  #tooLarge(): never {
    const mb = Math.round(this.#maxEventChars / (1024 * 1024));
    throw new EventTooLargeError(`The stream sent an event larger than ${mb} MB; the answer was stopped there.`);
  }

  #onMessage(message: EventSourceMessage): void {
    const name = message.event;
    // The parser checks its buffer after each chunk; an event that arrived whole in one big chunk is checked here.
    if (message.data.length > this.#maxEventChars) this.#tooLarge();
    // A keep-alive carries nothing: whatever its data (empty, blank, `{}`), it is only a ping (the SDK skips it too).
    if (name === 'ping') {
      this.#onEvent?.({ type: 'ping' });
      return;
    }
    // An event with no data carries nothing to apply; the SDK skips it as well.
    if (isBlank(message.data)) return;
    if (name === undefined) {
      // The API always names its events; fall back to the type inside the data (and skip what has none, as the SDK does).
      let value: unknown;
      try {
        value = JSON.parse(message.data);
      } catch {
        return;
      }
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
          if (delta === undefined) return;
          event = delta;
          break;
        }
        case 'content_block_start':
          event = validateContentBlockStart(value);
          break;
        case 'content_block_stop':
          event = validateContentBlockStop(value);
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
          // Unnamed, typed by its data; carries nothing to accumulate (and may come before message_start).
          this.#onEvent?.({ type: 'ping' });
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

function isBlank(data: string): boolean {
  // JSON data never starts with whitespace here, so the common case costs one comparison.
  return data.length === 0 || (data.charCodeAt(0) <= 32 && data.trim().length === 0);
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
