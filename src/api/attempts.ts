// The request side shared by stream() and create(): abort (the caller's signal or ours), the silence timer, POST,
// retries with waits, error bodies and pages read into our error classes, and the key kept out of every message.
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
import { backoffMs, isRetryable, readRetryAfterMs, readShouldRetry } from './retry';
import { ErrorBodySchema } from './schemas';

const MAX_ERROR_BODY_BYTES = 64 * 1024;

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

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

/** What a client was built with (MessagesClient's options, defaults filled in). */
export interface ClientConfig {
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

type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;

/**
 * The request side shared by stream() and create(): abort (caller's signal or ours), the silence
 * timer, POST, retries with waits, and turning anything thrown into one of our error classes.
 */
export class Attempts {
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
  #touch(): void {
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
    this.#touch();
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
        this.#touch();
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

  /** The next chunk of a body: bytes restart the silence timer; a failed read becomes one of our errors. */
  async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadResult> {
    let chunk: ReadResult;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw this.classify(error, 'read');
    }
    if (!chunk.done) this.#touch();
    return chunk;
  }

  async readText(response: Response, maxBytes: number): Promise<string> {
    if (response.body === null) return '';
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let bytes = 0;
    try {
      for (;;) {
        const chunk = await this.read(reader);
        if (chunk.done) break;
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
