// The one way a request goes to the Messages API: the chat, the tool loop, Explain Inline and the `vscode.lm` provider all
// call `RequestPipeline.send`. In order: an invalid setting that shapes the request sends nothing; the caller builds the
// params from the current settings; prompt caching; the caller's check before sending (spending limits); the key (asked
// for once, or not, as the caller says); the client with retries; one log line per request and per retry (never the key
// or the user's code); streaming, each event to the caller; usage → one cost-ledger record tagged with its `source`;
// the partial message of a stop or a failure kept (its cost an estimate, never billed); abort detection; the failure as
// a TurnError. `send` never throws, except what the caller's own `params` or `beforeSend` throw.
import type * as vscode from 'vscode';
import { MessagesClient, type Message, type MessageCreateParams, type StreamEvent } from '../../api';
import type { AnswerMeta, RetryNotice, TurnError } from '../../common/chatTypes';
import { costPhrase } from '../../common/credits';
import { StreamedOutput } from '../../core/cost/costEstimate';
import type { ModelInfo } from '../../core/models/modelCatalog';
import { badSettingError, isAbort, noKeyError, toTurnError } from '../../core/request/errors';
import { withPromptCaching } from '../../core/request/promptCaching';
import { failureDetails, failureLogText } from '../../core/request/requestFailure';
import { requestUsage, type RequestEnd } from '../../core/request/requestUsage';
import { retryNotice } from '../../core/request/retryNotice';
import type { FastRouterSettings, SettingProblem } from '../../core/request/settings';
import { estimateRequestTokens } from '../../core/request/tokenEstimate';
import type { CostTracker } from '../cost/cost';
import type { ApiKeyStore } from './apiKey';
import type { SettingsService } from './settings';

export const MAX_RETRIES = 2;

/** What the caller's check sees just before the request is sent (and billed). */
export interface OutgoingRequest {
  /** The log label of this request (`#12`, `lm#3`). */
  label: string;
  params: MessageCreateParams;
  /** The local estimate of the request's input tokens (tokenEstimate.ts). */
  estimatedInputTokens: number;
}

export interface PipelineRequest {
  /** Who asks, for the ledger and the log: 'chat', 'inline', 'tool', 'lm:<requesting extension>'. */
  source: string;
  /** The log label's prefix: '#' (default) or 'lm#'. */
  labelPrefix?: string;
  /** When no key is set: 'ask' prompts for one (once; chat, inline), 'silent' never prompts (vscode.lm). */
  key: 'ask' | 'silent';
  /** The invalid setting that holds this request back, if any; default: the first that blocks requests. */
  blockingProblem?: (problems: readonly SettingProblem[]) => SettingProblem | undefined;
  /** The request, built from the current settings (prompt caching is added after, when the setting is on). */
  params: (settings: FastRouterSettings) => MessageCreateParams;
  /** A few words for the log line (what a mapping dropped or changed). */
  logNotes?: readonly string[];
  /** Runs just before sending: return a TurnError to send nothing (a spending limit). What it throws propagates. */
  beforeSend?: (request: OutgoingRequest) => TurnError | undefined | Promise<TurnError | undefined>;
  /** Each stream event, in order (a listener that throws is logged; the stream goes on). */
  onEvent?: (event: StreamEvent) => void;
  /** The request failed (429, 529, …) and waits before it is sent again. */
  onRetry?: (notice: RetryNotice) => void;
  /** Appended to the end's log line (e.g. ` tool_calls=2`). */
  logSuffix?: () => string;
}

export interface PipelineOutcome {
  status: RequestEnd;
  /** The final message, or what had streamed before a stop or an error. */
  message?: Message;
  meta?: AnswerMeta;
  error?: TurnError;
  /** Nothing was sent: a setting, the key or the check before sending held it back (`error` says which). */
  notSent?: boolean;
}

export interface RequestPipelineDeps {
  settings: SettingsService;
  apiKey: ApiKeyStore;
  cost: CostTracker;
  log: vscode.LogOutputChannel;
  /** The model list (names for the answer meta, prices for estimates); the built-in list when absent. */
  models?: { readonly models: readonly ModelInfo[]; displayName(id: string): string };
}

export class RequestPipeline {
  private readonly sequence = new Map<string, number>();

  constructor(private readonly deps: RequestPipelineDeps) {}

  /** Sends one request and streams it to its end; see the file's comment for every step. */
  async send(request: PipelineRequest, signal: AbortSignal): Promise<PipelineOutcome> {
    const { log } = this.deps;
    const prefix = request.labelPrefix ?? '#';
    const sequence = (this.sequence.get(prefix) ?? 0) + 1;
    this.sequence.set(prefix, sequence);
    const label = `${prefix}${sequence}`;
    const source = request.source;
    const notSent = (error: TurnError): PipelineOutcome => ({ status: 'error', error, notSent: true });
    // A setting that shapes the request is invalid: send nothing (never the user's code to an endpoint they did not choose).
    const problems = this.deps.settings.problems;
    const blocking = request.blockingProblem ? request.blockingProblem(problems) : problems.find((problem) => problem.blocksRequests);
    if (blocking) {
      log.warn(`${label} not sent: setting fastrouter.${blocking.key} is invalid (${source})`);
      return notSent(badSettingError(blocking));
    }
    const settings = this.deps.settings.current;
    let params = request.params(settings);
    const cached = settings.promptCaching ? withPromptCaching(params) : undefined;
    if (cached) params = cached.params;
    const estimate = estimateRequestTokens(params);
    const refused = await request.beforeSend?.({ label, params, estimatedInputTokens: estimate.total });
    if (refused) return notSent(refused);

    let key: string | undefined;
    try {
      key = request.key === 'ask' ? await this.deps.apiKey.ensure() : await this.deps.apiKey.get();
    } catch (error) {
      log.error(`${label} could not read the API key from the secret store: ${error instanceof Error ? error.name : 'error'}`);
    }
    if (signal.aborted) return { status: 'stopped' };
    if (!key) {
      log.warn(`${label} not sent: no API key set (${source})`);
      return notSent(noKeyError());
    }

    const started = Date.now();
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
      const notes = request.logNotes && request.logNotes.length > 0 ? ` (${[...new Set(request.logNotes)].join('; ')})` : '';
      log.info(
        `${label} request model=${params.model} source=${source} messages=${params.messages.length} tools=${params.tools?.length ?? 0}` +
          `${params.tool_choice ? ` tool_choice=${params.tool_choice.type}` : ''}${params.thinking?.type === 'enabled' ? ` thinking=${params.thinking.budget_tokens}` : ''}` +
          ` max_tokens=${params.max_tokens} estimate=${estimate.total}` +
          `${cached ? ` cache_breakpoints=${cached.existing + cached.added.length}${cached.added.length > 0 ? ` (${cached.added.join(',')})` : ''}` : ''}${notes}`,
      );
      stream = client.stream(params, {
        signal,
        onRetry: (info) => {
          log.info(`${label} retry ${info.retry}/${info.maxRetries} in ${info.delayMs} ms after ${info.status ?? 'no status'}${info.errorType ? ` ${info.errorType}` : ''}`);
          request.onRetry?.(retryNotice(info));
        },
      });
      for await (const event of stream) {
        streamed.observe(event);
        try {
          request.onEvent?.(event);
        } catch (error) {
          // A failing listener must not cut the stream (or lose the cost).
          log.error(`${label} event listener failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const message = await stream.finalMessage();
      const meta = this.finish(label, 'done', request, params.model, message, stream.requestId, started, streamed);
      return { status: 'done', message, meta };
    } catch (error) {
      const { partial, requestId } = failureDetails(error, stream);
      if (isAbort(error) || signal.aborted) {
        const meta = partial ? this.finish(label, 'stopped', request, params.model, partial, requestId, started, streamed) : undefined;
        if (!partial) log.info(`${label} stopped before any answer (${Date.now() - started} ms)`);
        return { status: 'stopped', ...(partial ? { message: partial } : {}), ...(meta ? { meta } : {}) };
      }
      const turnError = toTurnError(error, {
        apiKey: key,
        model: params.model,
        maxRetries: MAX_RETRIES,
        idleTimeoutSeconds: settings.idleTimeoutSeconds,
        baseUrl: settings.baseUrl,
      });
      const meta = partial ? this.finish(label, 'error', request, params.model, partial, requestId, started, streamed) : undefined;
      log.error(`${label} request ${requestId ?? '(no id)'} failed after ${Date.now() - started} ms: ${turnError.code}${failureLogText(error, key)}`);
      return { status: 'error', ...(partial ? { message: partial } : {}), ...(meta ? { meta } : {}), error: turnError };
    }
  }

  /** Records the request's cost in the ledger, logs its line and returns the answer's meta. */
  private finish(label: string, end: RequestEnd, request: PipelineRequest, model: string, message: Message, requestId: string | undefined, started: number, streamed: StreamedOutput): AnswerMeta {
    const durationMs = Date.now() - started;
    const { record, meta, totalInputTokens } = requestUsage(end, message, {
      model,
      streamed,
      durationMs,
      models: this.deps.models?.models,
      displayName: this.deps.models ? (id) => this.deps.models!.displayName(id) : undefined,
    });
    this.deps.cost.record({ ...record, source: request.source, durationMs, ...(requestId ? { requestId } : {}) });
    const cache = record.cacheReadTokens || record.cacheWriteTokens ? ` (cache read=${record.cacheReadTokens} write=${record.cacheWriteTokens})` : '';
    this.deps.log.info(
      `${label} request ${requestId ?? '(no id)'} ${end} model=${meta.model} ${durationMs} ms tokens in=${totalInputTokens}${cache}` +
        ` out=${meta.outputTokens}${end === 'done' ? '' : ' (estimated)'} cost=${costPhrase(meta.cost)} stop=${message.stop_reason ?? 'none'} source=${request.source}${request.logSuffix?.() ?? ''}`,
    );
    return meta;
  }
}
