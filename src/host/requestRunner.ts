// The one place that talks to the Messages API for the chat and for inline explanations: it gets the key (asking
// once if missing), applies the settings, streams, forwards each event, logs a line per request (never the key or
// the user's code), records the cost and turns failures into a TurnError. `run` never throws.
import * as vscode from 'vscode';
import { FastRouterError, MessagesClient, type Message, type MessageParam, type StreamEvent } from '../api';
import { badSettingError, isAbort, noKeyError, redact, toTurnError } from '../chat/errors';
import { formatCredits } from '../chat/costLedger';
import { requestParams, type FastRouterSettings } from '../chat/settings';
import type { AnswerMeta, TurnError } from '../protocol';
import type { ApiKeyStore } from './apiKey';
import type { CostTracker } from './cost';
import type { SettingsService } from './settings';

export const MAX_RETRIES = 2;

export interface RunInput {
  messages: MessageParam[];
  /** Overrides the `fastrouter.systemPrompt` setting when given. */
  system?: string;
}

export interface RunOutcome {
  status: 'done' | 'stopped' | 'error';
  /** The final message, or what had streamed before a stop or an error. */
  message?: Message;
  meta?: AnswerMeta;
  error?: TurnError;
}

export interface RequestRunnerDeps {
  settings: SettingsService;
  apiKey: ApiKeyStore;
  cost: CostTracker;
  log: vscode.LogOutputChannel;
}

export class RequestRunner {
  private sequence = 0;

  constructor(private readonly deps: RequestRunnerDeps) {}

  async run(input: RunInput, signal: AbortSignal, onEvent: (event: StreamEvent) => void): Promise<RunOutcome> {
    const { log } = this.deps;
    const label = `#${++this.sequence}`;
    // A setting that shapes the request is invalid: send nothing (never the user's code to an endpoint they did not choose).
    const blocking = this.deps.settings.problems.find((problem) => problem.blocksRequests);
    if (blocking) {
      log.warn(`${label} not sent: setting fastrouter.${blocking.key} is invalid`);
      return { status: 'error', error: badSettingError(blocking) };
    }
    let key: string | undefined;
    try {
      key = await this.deps.apiKey.ensure();
    } catch (error) {
      log.error(`${label} could not read the API key from the secret store: ${error instanceof Error ? error.name : 'error'}`);
    }
    if (signal.aborted) return { status: 'stopped' };
    if (!key) {
      log.warn(`${label} not sent: no API key set`);
      return { status: 'error', error: noKeyError() };
    }

    const settings = this.deps.settings.current;
    const started = Date.now();
    let stream: ReturnType<MessagesClient['stream']> | undefined;
    try {
      const client = new MessagesClient({
        apiKey: key,
        baseUrl: settings.baseUrl,
        authHeader: settings.authHeader,
        maxRetries: MAX_RETRIES,
        idleTimeoutMs: settings.idleTimeoutSeconds * 1000,
      });
      log.info(`${label} request model=${settings.model} messages=${input.messages.length}${settings.thinkingBudgetTokens > 0 ? ` thinking=${settings.thinkingBudgetTokens}` : ''}`);
      stream = client.stream(requestParams(settings, input), { signal });
      for await (const event of stream) {
        try {
          onEvent(event);
        } catch (error) {
          // A failing listener must not cut the stream (or lose the cost).
          log.error(`${label} event listener failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const message = await stream.finalMessage();
      const meta = this.finish(label, 'done', settings, message, stream.requestId, started);
      return { status: 'done', message, meta };
    } catch (error) {
      const partial = (error instanceof FastRouterError ? error.partialMessage : undefined) ?? stream?.partialMessage;
      const requestId = (error instanceof FastRouterError && 'requestId' in error ? (error.requestId as string | undefined) : undefined) ?? stream?.requestId;
      if (isAbort(error) || signal.aborted) {
        const meta = partial ? this.finish(label, 'stopped', settings, partial, requestId, started) : undefined;
        if (!partial) log.info(`${label} stopped before any answer (${Date.now() - started} ms)`);
        return { status: 'stopped', message: partial, meta };
      }
      const turnError = toTurnError(error, {
        apiKey: key,
        model: settings.model,
        maxRetries: MAX_RETRIES,
        idleTimeoutSeconds: settings.idleTimeoutSeconds,
        baseUrl: settings.baseUrl,
      });
      const meta = partial ? this.finish(label, 'error', settings, partial, requestId, started) : undefined;
      const status = error instanceof FastRouterError && 'status' in error && error.status !== undefined ? ` status=${String(error.status)}` : '';
      const type = error instanceof FastRouterError && 'type' in error ? ` type=${String(error.type)}` : '';
      const detail = error instanceof Error ? redact(error.message, key).replace(/\s+/g, ' ').slice(0, 300) : '';
      log.error(`${label} request ${requestId ?? '(no id)'} failed after ${Date.now() - started} ms: ${turnError.code}${status}${type} ${error instanceof Error ? error.name : ''}: ${detail}`);
      return { status: 'error', message: partial, meta, error: turnError };
    }
  }

  /** Logs the request's line, records its cost and returns the answer's meta. */
  private finish(label: string, status: string, settings: FastRouterSettings, message: Message, requestId: string | undefined, started: number): AnswerMeta {
    const durationMs = Date.now() - started;
    const usage = message.usage;
    const inputTokens = nonNegative(usage?.input_tokens) + nonNegative(usage?.cache_creation_input_tokens) + nonNegative(usage?.cache_read_input_tokens);
    const outputTokens = nonNegative(usage?.output_tokens);
    const cost = typeof usage?.cost === 'number' && Number.isFinite(usage.cost) ? usage.cost : undefined;
    const model = message.model || settings.model;
    this.deps.cost.record({ model, inputTokens, outputTokens, cost, durationMs, requestId });
    this.deps.log.info(
      `${label} request ${requestId ?? '(no id)'} ${status} model=${model} ${durationMs} ms tokens in=${inputTokens} out=${outputTokens} ` +
        `cost=${cost === undefined ? 'unknown' : `${formatCredits(cost)} credits`} stop=${message.stop_reason ?? 'none'}`,
    );
    return {
      model,
      inputTokens,
      outputTokens,
      cost: cost === undefined ? { kind: 'unknown' } : { kind: 'billed', credits: cost },
      durationMs,
      stopReason: message.stop_reason ?? null,
    };
  }
}

function nonNegative(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}
