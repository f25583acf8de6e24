// Maps what the Messages client throws to the error a user sees: a short stable code, a clear sentence, and the
// actions that can fix it. Pure; the request runner calls it. Messages never contain the key (it is redacted).
import { AbortedError, ApiError, ConnectionError, EventTooLargeError, HtmlInsteadOfStreamError, IdleTimeoutError, MalformedStreamError } from '../../api';
import type { ErrorAction, TurnError } from '../../common/chatTypes';

export interface ErrorContext {
  /** The key in use, so any echo of it in a server message is removed. */
  apiKey?: string;
  model?: string;
  maxRetries?: number;
  idleTimeoutSeconds?: number;
  baseUrl?: string;
}

export const BILLING_URL = 'https://fastrouter.ai';

/** A request that was not sent because a setting that shapes it is invalid: names the setting and its value. */
export function badSettingError(problem: { key: string; value: string; reason: string }): TurnError {
  const value = problem.value.length > 80 ? `${problem.value.slice(0, 77)}...` : problem.value;
  return {
    code: 'bad_setting',
    message: `Not sent: the setting "fastrouter.${problem.key}" is ${value} (${lowerFirst(problem.reason)}). Fix it in Settings, then Retry.`,
    actions: ['openSettings', 'retry'],
    setting: `fastrouter.${problem.key}`,
  };
}

export function noKeyError(): TurnError {
  return {
    code: 'no_key',
    message: 'No FastRouter API key is set. Set one (get a key at https://fastrouter.ai) and retry.',
    actions: ['setApiKey', 'retry'],
  };
}

/** True when the error means the user (or the caller's signal) stopped the request. */
export function isAbort(error: unknown): boolean {
  return error instanceof AbortedError || (error instanceof Error && error.name === 'AbortError');
}

export function toTurnError(error: unknown, context: ErrorContext = {}): TurnError {
  const mapped = mapError(error, context);
  return { ...mapped, message: redact(mapped.message, context.apiKey) };
}

function mapError(error: unknown, context: ErrorContext): TurnError {
  const make = (code: string, message: string, actions: ErrorAction[]): TurnError => ({ code, message, actions });
  if (error instanceof ApiError) {
    const detail = error.message ? ` (${oneLine(error.message)})` : '';
    const retries = context.maxRetries ?? 2;
    if (error.status === 401 || error.type === 'authentication_error') {
      return make('auth', 'FastRouter rejected the API key. Set a valid key and retry.', ['setApiKey', 'retry']);
    }
    if (error.status === 402 || error.type === 'billing_error') {
      return make('billing', `Your FastRouter account has no credits left${detail}. Add credits, then retry.`, ['openBilling', 'retry']);
    }
    if (error.status === 403 || error.type === 'permission_error') {
      return make('moderation', `FastRouter refused this request (moderation or permission)${detail}. Rephrase it or remove the flagged content.`, ['showLog']);
    }
    if (error.status === 429 || error.type === 'rate_limit_error') {
      const wait = error.retryAfterMs !== undefined ? ` Try again in ${Math.max(1, Math.ceil(error.retryAfterMs / 1000))} s.` : ' Wait a moment and retry.';
      return make('rate_limit', `Rate limited by FastRouter, still after ${retries} ${retries === 1 ? 'retry' : 'retries'}.${wait}`, ['retry']);
    }
    if (error.status === 529 || error.type === 'overloaded_error') {
      return make('overloaded', 'The model is overloaded right now. Retry in a little while.', ['retry']);
    }
    if (error.status === 404 || error.type === 'not_found_error') {
      const model = context.model ? ` "${context.model}"` : '';
      return make('bad_setting', `FastRouter did not find the model${model} or the endpoint${detail}. Check "fastrouter.model" and "fastrouter.baseUrl".`, ['openSettings', 'retry']);
    }
    if (error.status === 413 || error.type === 'request_too_large') {
      return make('too_large', `The request is too large for the endpoint${detail}. Send less code or fewer images.`, []);
    }
    if (error.status === 400 || error.type === 'invalid_request_error') {
      return make('invalid_request', `FastRouter rejected the request${detail}. Check the fastrouter.* settings (model, max tokens, thinking budget).`, ['openSettings', 'showLog']);
    }
    if (error.status === 504 || error.type === 'timeout_error') {
      return make('timeout', `The model took too long to answer${detail}. Retry.`, ['retry']);
    }
    const status = error.status !== undefined ? `HTTP ${error.status}` : 'an error in the stream';
    return make('api', `FastRouter answered with ${status}${detail}.`, ['retry', 'showLog']);
  }
  if (error instanceof IdleTimeoutError) {
    const secs = context.idleTimeoutSeconds !== undefined ? ` for ${context.idleTimeoutSeconds} s` : '';
    return make('stalled', `The answer stalled: nothing arrived${secs}. Retry, or raise "fastrouter.idleTimeoutSeconds".`, ['retry', 'openSettings']);
  }
  if (error instanceof HtmlInsteadOfStreamError) {
    // It was reached: a retry would get the same page. Say what came back.
    const page = error.pageTitle ? ` ("${oneLine(error.pageTitle)}")` : '';
    return make(
      'html_page',
      `The endpoint answered with an HTML page${page}, not an event stream — a proxy or captive portal? Sign in to the network's page if it has one, or check "fastrouter.baseUrl", then retry.`,
      ['retry', 'openSettings', 'showLog'],
    );
  }
  if (error instanceof EventTooLargeError) {
    return make('event_too_large', `${oneLine(error.message)} What came before it is kept. The endpoint sent more than the chat can read in one piece; retry, or check "fastrouter.baseUrl".`, ['retry', 'showLog']);
  }
  if (error instanceof MalformedStreamError) {
    return make('malformed', 'The endpoint sent a stream that could not be read. Retry; if it keeps happening, check "fastrouter.baseUrl".', ['retry', 'showLog']);
  }
  if (error instanceof ConnectionError) {
    const where = context.baseUrl ? ` ${context.baseUrl}` : ' FastRouter';
    return make('network', `Could not reach${where}: the network is down or the connection dropped. Check your connection and retry.`, ['retry', 'showLog']);
  }
  const message = error instanceof Error ? error.message : String(error);
  return make('unexpected', `Unexpected error: ${oneLine(message)}`, ['retry', 'showLog']);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}

/** Removes every occurrence of the key (a server might echo it) from text meant for users or logs. */
export function redact(text: string, apiKey: string | undefined): string {
  if (!apiKey || apiKey.length < 4) return text;
  return text.split(apiKey).join('[redacted]');
}
