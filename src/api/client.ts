// The Messages client: one POST per attempt, SSE parsed and validated as it arrives, retries only
// before the first event, an idle timeout on the body, and abort that closes the socket at once.
import {
  AbortedError,
  ApiError,
  ConnectionError,
  FastRouterError,
  HtmlInsteadOfStreamError,
  IdleTimeoutError,
  MalformedStreamError,
  errorTypeForStatus,
} from './errors';
import { DEFAULT_MAX_RETRIES, backoffMs, isRetryable, readRetryAfterMs, readShouldRetry } from './retry';
import { StreamEventReader } from './events';
import { ErrorBodySchema, InvalidEvent, validateMessage } from './schemas';
import type { Message, MessageCreateParams, StreamEvent } from './types';
import { DEFAULT_BASE_URL, messagesUrl } from './url';

export const ANTHROPIC_VERSION = '2023-06-01';
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** create() gets no bytes until the whole answer is ready, so its silence limit is longer. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 600_000;
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export type AuthHeaderStyle = 'x-api-key' | 'bearer';
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface MessagesClientOptions {
  apiKey: string;
  /** Default https://api.fastrouter.ai; see url.ts for how paths are completed. */
  baseUrl?: string;
  /** `x-api-key: KEY` (default) or `Authorization: Bearer KEY`. */
  authHeader?: AuthHeaderStyle;
  /** Retries before the first event; default 2. */
  maxRetries?: number;
  /** stream(): no bytes (pings included) for this long aborts with IdleTimeoutError. Default 60 s. */
  idleTimeoutMs?: number;
  /** create(): no bytes for this long aborts with IdleTimeoutError. Default 10 min. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  /** Waits between retries; must reject when the signal aborts. */
  sleep?: Sleep;
  /** Clock for `retry-after` HTTP dates (ms since the epoch). */
  now?: () => number;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

/** A retry about to be made (only ever before the first event): why the last attempt failed and the wait before the next. */
export interface RetryInfo {
  /** 1 for the first retry. */
  retry: number;
  maxRetries: number;
  /** The wait before the next attempt (what the server asked for, or the backoff). */
  delayMs: number;
  /** HTTP status of the failed attempt; undefined for a connection failure or an `event: error`. */
  status: number | undefined;
  /** The API's error type when it said (`rate_limit_error`, `overloaded_error`, …). */
  errorType: string | undefined;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Called before each wait between attempts, so a caller can show it (a listener that throws is ignored). */
  onRetry?: (info: RetryInfo) => void;
}

interface ClientConfig {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly apiKey: string;
  readonly maxRetries: number;
  readonly idleTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly fetch: typeof fetch;
  readonly sleep: Sleep;
  readonly now: () => number;
  readonly random: () => number;
}

export class MessagesClient {
  readonly #config: ClientConfig;

  constructor(options: MessagesClientOptions) {
    const apiKey = (options.apiKey ?? '').trim();
    if (apiKey === '') throw new FastRouterError('No API key was given.');
    // fetch would reject such a key with an error that quotes it; refuse it here without quoting.
    if (!/^[\x21-\x7e]+$/.test(apiKey)) {
      throw new FastRouterError('The API key contains characters that cannot be sent (spaces, line breaks or non-ASCII).');
    }
    const authHeader = options.authHeader ?? 'x-api-key';
    const auth: Record<string, string> =
      authHeader === 'bearer' ? { authorization: `Bearer ${apiKey}` } : { 'x-api-key': apiKey };
    this.#config = {
      url: messagesUrl(options.baseUrl ?? DEFAULT_BASE_URL),
      headers: { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION, ...auth },
      apiKey,
      maxRetries: nonNegative(options.maxRetries, DEFAULT_MAX_RETRIES),
      idleTimeoutMs: positive(options.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS),
      requestTimeoutMs: positive(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS),
      fetch: options.fetch ?? globalThis.fetch,
      sleep: options.sleep ?? defaultSleep,
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
    };
  }

  /** The endpoint every request goes to. */
  get url(): string {
    return this.#config.url;
  }

  /** Starts a streamed request at once; iterate the result and/or await `finalMessage()`. */
  stream(request: MessageCreateParams, options: RequestOptions = {}): MessageStream {
    return new MessageStream(this.#config, request, options.signal, options.onRetry);
  }

  /** A non-streaming request, with the same errors and retries as `stream()`. */
  async create(request: MessageCreateParams, options: RequestOptions = {}): Promise<Message> {
    const config = this.#config;
    const attempt = new Attempts(config, options.signal, config.requestTimeoutMs, options.onRetry);
    const body = JSON.stringify({ ...request, stream: false });
    try {
      return await attempt.run(
        async () => {
          const response = await attempt.post(body, 'application/json');
          if (!response.ok) throw await attempt.errorFrom(response);
          const text = await attempt.readText(response, Infinity);
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch {
            throw new MalformedStreamError(`The response (HTTP ${response.status}) is not JSON.`);
          }
          try {
            return validateMessage(value);
          } catch (error) {
            if (error instanceof InvalidEvent) throw new MalformedStreamError(`The response is not a message: ${error.message}`);
            throw error;
          }
        },
        () => true,
      );
    } finally {
      attempt.dispose();
    }
  }
}

// ---------------------------------------------------------------------------------------------

type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;
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
        let chunk: ReadResult;
        try {
          chunk = await bytes.read();
        } catch (error) {
          throw attempts.classify(error, 'read');
        }
        if (chunk.done) {
          finished = true;
          reader.end();
          break;
        }
        attempts.touch();
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

// ---------------------------------------------------------------------------------------------

/**
 * The request side shared by stream() and create(): abort (caller's signal or ours), the silence
 * timer, POST, retries with waits, and turning anything thrown into one of our error classes.
 */
class Attempts {
  readonly #config: ClientConfig;
  readonly #controller = new AbortController();
  readonly #signal: AbortSignal | undefined;
  readonly #onSignalAbort = (): void => this.abortByUser();
  readonly #timeoutMs: number;
  readonly #onRetry: ((info: RetryInfo) => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #userAborted = false;
  #timedOut = false;
  #finished = false;
  #shouldRetry: boolean | undefined;
  requestId: string | undefined;
  count = 0;

  constructor(config: ClientConfig, signal: AbortSignal | undefined, timeoutMs: number, onRetry?: (info: RetryInfo) => void) {
    this.#config = config;
    this.#timeoutMs = timeoutMs;
    this.#onRetry = onRetry;
    this.#signal = signal;
    if (signal?.aborted) this.abortByUser();
    else signal?.addEventListener('abort', this.#onSignalAbort, { once: true });
  }

  get abortedByUser(): boolean {
    return this.#userAborted;
  }

  abortByUser(): void {
    if (this.#finished || this.#controller.signal.aborted) return;
    this.#userAborted = true;
    this.#controller.abort();
  }

  /** Some bytes arrived: restart the silence timer. */
  touch(): void {
    this.#timer?.refresh();
  }

  dispose(): void {
    this.#finished = true;
    this.#stopTimer();
    this.#signal?.removeEventListener('abort', this.#onSignalAbort);
  }

  async run<T>(attempt: () => Promise<T>, mayRetry: () => boolean): Promise<T> {
    const config = this.#config;
    for (let retry = 0; ; retry++) {
      this.#shouldRetry = undefined;
      try {
        if (this.#controller.signal.aborted) throw this.classify(undefined);
        this.count++;
        this.#startTimer();
        return await attempt();
      } catch (caught) {
        const error = this.classify(caught);
        const retryable =
          retry < config.maxRetries &&
          !this.#controller.signal.aborted &&
          mayRetry() &&
          isRetryable(error, this.#shouldRetry);
        if (!retryable) {
          // Abort whatever is still open (a half-read body after malformed data, for example).
          if (!this.#controller.signal.aborted) this.#controller.abort();
          throw error;
        }
        const wait =
          error instanceof ApiError && error.retryAfterMs !== undefined
            ? error.retryAfterMs
            : backoffMs(retry, config.random);
        this.#stopTimer();
        try {
          this.#onRetry?.({
            retry: retry + 1,
            maxRetries: config.maxRetries,
            delayMs: wait,
            status: error instanceof ApiError ? error.status : undefined,
            errorType: error instanceof ApiError ? error.type : undefined,
          });
        } catch {
          // Showing the wait is the caller's business; it must not change whether we retry.
        }
        try {
          await config.sleep(wait, this.#controller.signal);
        } catch (sleepError) {
          throw this.classify(sleepError);
        }
      } finally {
        this.#stopTimer();
      }
    }
  }

  async post(body: string, accept: string): Promise<Response> {
    let response: Response;
    try {
      response = await this.#config.fetch(this.#config.url, {
        method: 'POST',
        headers: { ...this.#config.headers, accept },
        body,
        signal: this.#controller.signal,
      });
    } catch (error) {
      throw this.classify(error, 'connect');
    }
    this.touch();
    this.requestId = response.headers.get('request-id') ?? undefined;
    this.#shouldRetry = readShouldRetry(response.headers);
    return response;
  }

  /** An HTTP error status → ApiError, whatever the body is (API JSON, an HTML page, nothing). */
  async errorFrom(response: Response): Promise<ApiError> {
    const text = await this.readText(response, MAX_ERROR_BODY_BYTES).catch(() => '');
    const status = response.status;
    const retryAfterMs = readRetryAfterMs(response.headers, this.#config.now());
    const parsed = parseErrorBody(text);
    const requestId = this.requestId ?? parsed?.requestId;
    if (parsed !== undefined) {
      return new ApiError(this.redact(`${status} ${parsed.type}: ${parsed.message ?? (response.statusText || 'error')}`), {
        status,
        type: parsed.type,
        requestId,
        retryAfterMs,
      });
    }
    const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() || 'no content type';
    const reason = response.statusText ? ` ${response.statusText}` : '';
    const type = errorTypeForStatus(status);
    return new ApiError(
      `${status} ${type}: HTTP ${status}${reason} from the endpoint, without an API error body (${contentType}); a proxy or gateway may have answered.`,
      { status, type, requestId, retryAfterMs },
    );
  }

  /** A 2xx stream request answered with something that is not an event stream. */
  async errorFromUnexpectedBody(response: Response, contentType: string): Promise<FastRouterError> {
    const text = await this.readText(response, MAX_ERROR_BODY_BYTES).catch(() => '');
    const parsed = parseErrorBody(text);
    if (parsed !== undefined) {
      return new ApiError(this.redact(`${response.status} ${parsed.type}: ${parsed.message ?? 'error'}`), {
        status: response.status,
        type: parsed.type,
        requestId: this.requestId ?? parsed.requestId,
      });
    }
    return new MalformedStreamError(
      `Expected an event stream but the endpoint sent ${contentType.split(';')[0]} (HTTP ${response.status}).`,
    );
  }

  /** The body of a 200 "event stream" began with '<': read a little more for the page's title and say what it is. */
  async htmlInsteadOfStream(response: Response, first: Uint8Array, rest: ReadableStreamDefaultReader<Uint8Array>): Promise<HtmlInsteadOfStreamError> {
    const decoder = new TextDecoder();
    let text = decoder.decode(first, { stream: true });
    try {
      while (text.length < MAX_ERROR_BODY_BYTES && !/<\/title>/i.test(text)) {
        const chunk = await rest.read();
        if (chunk.done) break;
        this.touch();
        text += decoder.decode(chunk.value, { stream: true });
      }
    } catch {
      // what we have is enough
    }
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.replace(/\s+/g, ' ').trim().slice(0, 120) || undefined;
    const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() ?? 'text/event-stream';
    const page = title ? ` ("${this.redact(title)}")` : '';
    return new HtmlInsteadOfStreamError(
      `The endpoint answered with an HTML page${page}, not an event stream (HTTP ${response.status}, labelled ${contentType}) — a proxy or captive portal?`,
      { pageTitle: title && this.redact(title) },
    );
  }

  async readText(response: Response, maxBytes: number): Promise<string> {
    if (response.body === null) return '';
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let bytes = 0;
    try {
      for (;;) {
        let chunk: ReadResult;
        try {
          chunk = await reader.read();
        } catch (error) {
          throw this.classify(error, 'read');
        }
        if (chunk.done) break;
        this.touch();
        bytes += chunk.value.byteLength;
        text += decoder.decode(chunk.value, { stream: true });
        if (bytes >= maxBytes) {
          reader.cancel().catch(() => undefined);
          return text;
        }
      }
    } finally {
      reader.releaseLock();
    }
    return text + decoder.decode();
  }

  /** Anything thrown → one of our errors, judged by why the request stopped (user, timer, network). */
  classify(error: unknown, phase: 'connect' | 'read' = 'read'): FastRouterError {
    if (this.#userAborted) {
      return error instanceof AbortedError ? error : new AbortedError('The request was aborted.');
    }
    if (this.#timedOut) {
      return error instanceof IdleTimeoutError
        ? error
        : new IdleTimeoutError(`No data from the endpoint for ${formatSeconds(this.#timeoutMs)}; the request was stopped.`, {
            timeoutMs: this.#timeoutMs,
          });
    }
    if (error instanceof FastRouterError) return error;
    const host = new URL(this.#config.url).host;
    const detail = networkDetail(error);
    const message =
      phase === 'connect'
        ? `Could not connect to ${host}${detail ? ` (${detail})` : ''}.`
        : `The connection to ${host} was lost${detail ? ` (${detail})` : ''}.`;
    return new ConnectionError(this.redact(message), { cause: error });
  }

  /** Servers and proxies sometimes echo what they were sent; never let the key through. */
  redact(text: string): string {
    return text.split(this.#config.apiKey).join('[redacted]');
  }

  #startTimer(): void {
    this.#stopTimer();
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort();
    }, this.#timeoutMs);
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function parseErrorBody(text: string): { type: string; message?: string; requestId?: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = ErrorBodySchema.safeParse(value);
  if (!result.success) return undefined;
  return {
    type: result.data.error.type,
    message: result.data.error.message,
    requestId: result.data.request_id ?? undefined,
  };
}

/** The first byte that is not whitespace or a byte-order mark, if the chunk has one. */
function firstVisibleByte(chunk: Uint8Array): number | undefined {
  for (const byte of chunk) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0xef || byte === 0xbb || byte === 0xbf) continue;
    return byte;
  }
  return undefined;
}

/** The code or message of a network failure (undici puts it in `cause`). */
function networkDetail(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  for (const candidate of [cause, error]) {
    if (typeof candidate === 'object' && candidate !== null) {
      const code = (candidate as { code?: unknown }).code;
      if (typeof code === 'string' && code !== '') return code;
    }
  }
  for (const candidate of [cause, error]) {
    if (candidate instanceof Error && candidate.message !== '') return candidate.message;
  }
  return '';
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

function nonNegative(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** setTimeout as a promise that rejects as soon as the signal aborts. */
export function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new AbortedError('The request was aborted.'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError('The request was aborted.'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
