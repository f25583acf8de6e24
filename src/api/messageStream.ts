// One streamed answer as the caller sees it: events queued until iterated, the final message, partialMessage after
// an error, abort. Each HTTP attempt's body is read here; the request side (retries, timers, errors) is attempts.ts.
import { Attempts, type ClientConfig, type RetryInfo } from './attempts';
import { ApiError, ConnectionError, FastRouterError } from './errors';
import { StreamEventReader } from './events';
import type { Message, MessageCreateParams, StreamEvent } from './types';

type Pending = { resolve: (r: IteratorResult<StreamEvent>) => void; reject: (e: unknown) => void };

/**
 * One streamed answer. Reading starts at construction; events queue until iterated, so a caller
 * may iterate, await `finalMessage()`, or both. Leaving `for await` early aborts the request.
 */
export class MessageStream implements AsyncIterable<StreamEvent> {
  readonly #attempts: Attempts;
  readonly #final: Promise<Message>;
  #resolveFinal!: (message: Message) => void;
  #rejectFinal!: (error: FastRouterError) => void;

  #reader: StreamEventReader | undefined;

  #queue: (StreamEvent | undefined)[] = [];
  #head = 0;
  #pending: Pending | undefined;
  #state: 'running' | 'done' | 'failed' = 'running';
  #error: FastRouterError | undefined;
  #errorDelivered = false;
  #iterated = false;

  /** @internal Use `MessagesClient.stream()`. */
  constructor(
    config: ClientConfig,
    request: MessageCreateParams,
    signal: AbortSignal | undefined,
    onRetry?: (info: RetryInfo) => void,
  ) {
    this.#attempts = new Attempts(config, signal, config.idleTimeoutMs, onRetry);
    this.#final = new Promise<Message>((resolve, reject) => {
      this.#resolveFinal = resolve;
      this.#rejectFinal = reject;
    });
    // Nobody has to await finalMessage(); its rejection must not count as unhandled.
    this.#final.catch(() => undefined);
    void this.#run(JSON.stringify({ ...request, stream: true }));
  }

  /** Everything accumulated so far (also after an error); undefined before message_start. */
  get partialMessage(): Message | undefined {
    return this.#reader?.message;
  }

  /** The `request-id` response header of the last attempt. */
  get requestId(): string | undefined {
    return this.#attempts.requestId;
  }

  /** HTTP requests made so far (1 + retries). */
  get attempts(): number {
    return this.#attempts.count;
  }

  /** Cancels the HTTP request now; iteration and `finalMessage()` end with AbortedError. No-op once finished. */
  abort(): void {
    this.#attempts.abortByUser();
  }

  /** The complete message (usage.cost included when the endpoint sent one). */
  finalMessage(): Promise<Message> {
    return this.#final;
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.#iterated) throw new FastRouterError('A MessageStream can be iterated only once.');
    this.#iterated = true;
    return {
      next: () => this.#next(),
      return: () => {
        // The consumer stopped listening: stop the server generating (and billing) too.
        this.#attempts.abortByUser();
        this.#errorDelivered = true;
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  #next(): Promise<IteratorResult<StreamEvent>> {
    // After an abort the caller wants out: events still queued are not handed out (partialMessage has them).
    if (this.#attempts.abortedByUser && this.#head < this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    }
    if (this.#head < this.#queue.length) {
      const value = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined;
      if (this.#head === this.#queue.length) {
        this.#queue.length = 0;
        this.#head = 0;
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.#state === 'failed' && !this.#errorDelivered) {
      this.#errorDelivered = true;
      return Promise.reject(this.#error);
    }
    if (this.#state !== 'running') return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
    });
  }

  #emit(event: StreamEvent): void {
    const pending = this.#pending;
    if (pending !== undefined) {
      this.#pending = undefined;
      pending.resolve({ done: false, value: event });
    } else {
      this.#queue.push(event);
    }
  }

  async #run(body: string): Promise<void> {
    try {
      await this.#attempts.run(
        () => this.#attempt(body),
        // Once any Messages event arrived, the answer has begun: never resend silently.
        () => this.#reader?.message === undefined,
      );
      this.#state = 'done';
      this.#resolveFinal(this.#reader!.message!);
      const pending = this.#pending;
      this.#pending = undefined;
      pending?.resolve({ done: true, value: undefined });
    } catch (caught) {
      const error = this.#attempts.classify(caught);
      const partial = this.#reader?.message;
      if (partial !== undefined && error.partialMessage === undefined) error.partialMessage = partial;
      this.#state = 'failed';
      this.#error = error;
      this.#rejectFinal(error);
      const pending = this.#pending;
      if (pending !== undefined && !this.#errorDelivered) {
        this.#pending = undefined;
        this.#errorDelivered = true;
        pending.reject(error);
      } else if (pending !== undefined) {
        this.#pending = undefined;
        pending.resolve({ done: true, value: undefined });
      }
    } finally {
      this.#attempts.dispose();
    }
  }

  async #attempt(body: string): Promise<void> {
    const attempts = this.#attempts;
    const response = await attempts.post(body, 'text/event-stream');
    if (!response.ok) throw await attempts.errorFrom(response);
    const contentType = response.headers.get('content-type');
    if (contentType !== null && !contentType.includes('text/event-stream')) {
      const error = await attempts.errorFromUnexpectedBody(response, contentType);
      throw error;
    }
    if (response.body === null) throw new ConnectionError('The server sent an empty response.');

    const reader = new StreamEventReader({ onEvent: (event) => this.#emit(event) });
    this.#reader = reader;
    const bytes = response.body.getReader();
    let finished = false;
    /** Whether the body's first visible byte was seen (an event stream never starts with '<'). */
    let sniffed = false;
    try {
      for (;;) {
        const chunk = await attempts.read(bytes);
        if (chunk.done) {
          finished = true;
          reader.end();
          break;
        }
        if (!sniffed) {
          const first = firstVisibleByte(chunk.value);
          if (first !== undefined) {
            sniffed = true;
            if (first === 0x3c) throw await attempts.htmlInsteadOfStream(response, chunk.value, bytes);
          }
        }
        reader.push(chunk.value);
        if (reader.complete) break;
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === undefined) {
        // `event: error`: name the request, and keep the key out of whatever the server wrote.
        error.requestId = attempts.requestId ?? error.requestId;
        error.message = attempts.redact(error.message);
      }
      throw error;
    } finally {
      // Stopped early (message_stop, an error, malformed data): release the connection.
      if (!finished) bytes.cancel().catch(() => undefined);
    }
    if (!reader.complete) {
      throw new ConnectionError('The connection closed before the answer was complete.');
    }
  }
}

/** The first byte that is not whitespace or a byte-order mark, if the chunk has one. */
function firstVisibleByte(chunk: Uint8Array): number | undefined {
  for (const byte of chunk) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0xef || byte === 0xbb || byte === 0xbf) continue;
    return byte;
  }
  return undefined;
}
