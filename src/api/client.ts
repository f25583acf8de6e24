// The Messages client: its options, and the two ways to ask (stream() and create()). The request side of each
// (POST, retries, timers, errors) is attempts.ts; the streamed answer handed to the caller is messageStream.ts.
import { Attempts, defaultSleep, type ClientConfig, type RetryInfo, type Sleep } from './attempts';
import { FastRouterError, MalformedStreamError } from './errors';
import { MessageStream } from './messageStream';
import { DEFAULT_MAX_RETRIES } from './retry';
import { InvalidEvent, validateMessage } from './schemas';
import type { Message, MessageCreateParams } from './types';
import { DEFAULT_BASE_URL, messagesUrl } from './url';

export const ANTHROPIC_VERSION = '2023-06-01';
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** create() gets no bytes until the whole answer is ready, so its silence limit is longer. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 600_000;

export type AuthHeaderStyle = 'x-api-key' | 'bearer';

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

export interface RequestOptions {
  signal?: AbortSignal;
  /** Called before each wait between attempts, so a caller can show it (a listener that throws is ignored). */
  onRetry?: (info: RetryInfo) => void;
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

function nonNegative(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
