// The one place that talks to the Messages API for the chat and for inline explanations: it gets the key (asking
// once if missing), applies the settings, streams, forwards each event, logs a line per request (never the key or
// the user's code), records the cost and turns failures into a TurnError. `run` never throws.
import type * as vscode from 'vscode';
import { FastRouterError, MessagesClient, type Message, type MessageParam, type StreamEvent, type Tool, type ToolChoice } from '../../api';
import { badSettingError, isAbort, noKeyError, redact, toTurnError } from '../../core/request/errors';
import { formatCredits } from '../../core/cost/costLedger';
import { estimateStoppedCost, StreamedOutput } from '../../core/cost/costEstimate';
import type { ModelInfo } from '../../core/models/modelCatalog';
import { withPromptCaching } from '../../core/request/promptCaching';
import { requestParams, type FastRouterSettings } from '../../core/request/settings';
import { retryNotice } from '../../core/request/retryNotice';
import { spendingLimitError } from '../../core/cost/spendingLimits';
import type { AnswerMeta, RetryNotice, TurnError } from '../../common/protocol';
import type { ApiKeyStore } from './apiKey';
import type { CostTracker } from '../cost/cost';
import type { SettingsService } from './settings';

export const MAX_RETRIES = 2;

export interface RunInput {
  messages: MessageParam[];
  /** Overrides the `fastrouter.systemPrompt` setting when given. */
  system?: string;
  /** Who asks, for the cost ledger: 'chat' (default), 'inline', 'tool', 'lm:<extension>'. */
  source?: string;
  /** The workspace tools offered to the model (chat with tools on). */
  tools?: Tool[];
  toolChoice?: ToolChoice;
}

export interface RunOptions {
  /** Send even though a spending limit is reached (the user chose Send Anyway, this once). */
  bypassSpendingLimit?: boolean;
  /** The request failed (429, 529, …) and waits before it is sent again: for the view to count down. */
  onRetry?: (notice: RetryNotice) => void;
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
  /** The model list (names for the answer meta, prices for estimates); the built-in list when absent. */
  models?: { readonly models: readonly ModelInfo[]; displayName(id: string): string };
}

export class RequestRunner {
  private sequence = 0;

  constructor(private readonly deps: RequestRunnerDeps) {}

  async run(input: RunInput, signal: AbortSignal, onEvent: (event: StreamEvent) => void, options: RunOptions = {}): Promise<RunOutcome> {
    const { log } = this.deps;
    const label = `#${++this.sequence}`;
    // A setting that shapes the request is invalid: send nothing (never the user's code to an endpoint they did not choose).
    const blocking = this.deps.settings.problems.find((problem) => problem.blocksRequests);
    if (blocking) {
      log.warn(`${label} not sent: setting fastrouter.${blocking.key} is invalid`);
      return { status: 'error', error: badSettingError(blocking) };
    }
    // A spending limit holds back new requests (all windows count); requests already running finish.
    const limits = this.deps.settings.current;
    const spending = this.deps.cost.spendingStatus({ dailyCredits: limits['spendingLimit.dailyCredits'], monthlyCredits: limits['spendingLimit.monthlyCredits'] });
    if (spending.reached && !options.bypassSpendingLimit) {
      const reached = spending.reached;
      log.warn(`${label} not sent: ${reached.period} spending limit reached (${formatCredits(reached.spend.credits)} of ${formatCredits(reached.limit)} credits)`);
      return { status: 'error', error: spendingLimitError(reached) };
    }
    if (spending.reached) log.info(`${label} sent past the ${spending.reached.period} spending limit (Send Anyway)`);
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
    const source = input.source ?? 'chat';
    // What streamed, to estimate the output of an answer that is stopped or fails before the endpoint prices it.
    const streamed = new StreamedOutput();
    let stream: ReturnType<MessagesClient['stream']> | undefined;
    try {
      const client = new MessagesClient({
        apiKey: key,
        baseUrl: settings.baseUrl,
        authHeader: settings.authHeader,
        maxRetries: MAX_RETRIES,
        idleTimeoutMs: settings.idleTimeoutSeconds * 1000,
      });
      let params = requestParams(settings, input);
      let caching = '';
      if (settings.promptCaching) {
        const cached = withPromptCaching(params);
        params = cached.params;
        caching = ` cache_breakpoints=${cached.existing + cached.added.length}${cached.added.length > 0 ? ` (${cached.added.join(',')})` : ''}`;
      }
      log.info(`${label} request model=${settings.model} messages=${input.messages.length}${input.tools ? ` tools=${input.tools.length}` : ''}${settings.thinkingBudgetTokens > 0 ? ` thinking=${settings.thinkingBudgetTokens}` : ''}${caching}`);
      const onRetry = options.onRetry;
      stream = client.stream(params, {
        signal,
        onRetry: (info) => {
          log.info(`${label} retry ${info.retry}/${info.maxRetries} in ${info.delayMs} ms after ${info.status ?? 'no status'}${info.errorType ? ` ${info.errorType}` : ''}`);
          onRetry?.(retryNotice(info));
        },
      });
      for await (const event of stream) {
        streamed.observe(event);
        try {
          onEvent(event);
        } catch (error) {
          // A failing listener must not cut the stream (or lose the cost).
          log.error(`${label} event listener failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const message = await stream.finalMessage();
      const meta = this.finish(label, 'done', settings, message, stream.requestId, started, source, streamed);
      return { status: 'done', message, meta };
    } catch (error) {
      const partial = (error instanceof FastRouterError ? error.partialMessage : undefined) ?? stream?.partialMessage;
      const requestId = (error instanceof FastRouterError && 'requestId' in error ? (error.requestId as string | undefined) : undefined) ?? stream?.requestId;
      if (isAbort(error) || signal.aborted) {
        const meta = partial ? this.finish(label, 'stopped', settings, partial, requestId, started, source, streamed) : undefined;
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
      const meta = partial ? this.finish(label, 'error', settings, partial, requestId, started, source, streamed) : undefined;
      const status = error instanceof FastRouterError && 'status' in error && error.status !== undefined ? ` status=${String(error.status)}` : '';
      const type = error instanceof FastRouterError && 'type' in error ? ` type=${String(error.type)}` : '';
      const detail = error instanceof Error ? redact(error.message, key).replace(/\s+/g, ' ').slice(0, 300) : '';
      log.error(`${label} request ${requestId ?? '(no id)'} failed after ${Date.now() - started} ms: ${turnError.code}${status}${type} ${error instanceof Error ? error.name : ''}: ${detail}`);
      return { status: 'error', message: partial, meta, error: turnError };
    }
  }

  /**
   * Logs the request's line, records its cost and returns the answer's meta. A stopped or failed answer was never
   * priced by the endpoint (a `cost` in message_start is not the answer's): its output is estimated from what
   * streamed and priced from the model's list prices, marked an estimate, never billed.
   */
  private finish(
    label: string,
    status: 'done' | 'stopped' | 'error',
    settings: FastRouterSettings,
    message: Message,
    requestId: string | undefined,
    started: number,
    source: string,
    streamed: StreamedOutput,
  ): AnswerMeta {
    const durationMs = Date.now() - started;
    const usage = message.usage;
    const uncachedInput = nonNegative(usage?.input_tokens);
    const cacheReadTokens = nonNegative(usage?.cache_read_input_tokens);
    const cacheWriteTokens = nonNegative(usage?.cache_creation_input_tokens);
    const inputTokens = uncachedInput + cacheWriteTokens + cacheReadTokens;
    const model = message.model || settings.model;
    const finished = status === 'done';
    const outputTokens = finished ? nonNegative(usage?.output_tokens) : streamed.outputTokens(nonNegative(usage?.output_tokens));
    const cost = finished && typeof usage?.cost === 'number' && Number.isFinite(usage.cost) ? usage.cost : undefined;
    const estimatedCost = finished ? undefined : estimateStoppedCost(model, { inputTokens: uncachedInput, outputTokens, cacheReadTokens, cacheWriteTokens }, this.deps.models?.models);
    this.deps.cost.record({ model, inputTokens: uncachedInput, outputTokens, cacheReadTokens, cacheWriteTokens, cost, estimatedCost, source, durationMs, requestId });
    const costText = cost !== undefined ? `${formatCredits(cost)} credits` : estimatedCost !== undefined ? `~${formatCredits(estimatedCost)} credits (estimate)` : 'unknown';
    this.deps.log.info(
      `${label} request ${requestId ?? '(no id)'} ${status} model=${model} ${durationMs} ms tokens in=${inputTokens}` +
        `${cacheReadTokens || cacheWriteTokens ? ` (cache read=${cacheReadTokens} write=${cacheWriteTokens})` : ''} out=${outputTokens}${finished ? '' : ' (estimated)'} ` +
        `cost=${costText} stop=${message.stop_reason ?? 'none'}`,
    );
    const modelName = this.deps.models?.displayName(model);
    return {
      model,
      ...(modelName && modelName !== model ? { modelName } : {}),
      inputTokens,
      ...(cacheReadTokens > 0 ? { cacheReadTokens } : {}),
      ...(cacheWriteTokens > 0 ? { cacheWriteTokens } : {}),
      outputTokens,
      cost: cost !== undefined ? { kind: 'billed', credits: cost } : estimatedCost !== undefined ? { kind: 'estimate', credits: estimatedCost } : { kind: 'unknown' },
      durationMs,
      stopReason: message.stop_reason ?? null,
    };
  }
}

function nonNegative(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}
