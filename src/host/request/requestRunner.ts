// The chat's, the tool loop's and Explain Inline's way into the request pipeline (requestPipeline.ts): the request
// from the chat's settings (`requestParams`), the key asked for once when missing, and the spending limits (Send
// Anyway passes them this once). `run` never throws.
import type * as vscode from 'vscode';
import type { Message, MessageParam, StreamEvent, Tool, ToolChoice } from '../../api';
import type { AnswerMeta, RetryNotice, TurnError } from '../../common/chatTypes';
import { formatCredits } from '../../common/credits';
import { spendingLimitError } from '../../core/cost/spendingLimits';
import { requestParams } from '../../core/request/settings';
import type { CostTracker } from '../cost/cost';
import type { RequestPipeline } from './requestPipeline';
import type { SettingsService } from './settings';

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
  pipeline: RequestPipeline;
  settings: SettingsService;
  cost: CostTracker;
  log: vscode.LogOutputChannel;
}

export class RequestRunner {
  constructor(private readonly deps: RequestRunnerDeps) {}

  async run(input: RunInput, signal: AbortSignal, onEvent: (event: StreamEvent) => void, options: RunOptions = {}): Promise<RunOutcome> {
    const { log } = this.deps;
    const outcome = await this.deps.pipeline.send(
      {
        source: input.source ?? 'chat',
        key: 'ask',
        params: (settings) => requestParams(settings, input),
        // A spending limit holds back new requests (all windows count); requests already running finish.
        beforeSend: ({ label }) => {
          const limits = this.deps.settings.current;
          const spending = this.deps.cost.spendingStatus({ dailyCredits: limits['spendingLimit.dailyCredits'], monthlyCredits: limits['spendingLimit.monthlyCredits'] });
          const reached = spending.reached;
          if (!reached) return undefined;
          if (options.bypassSpendingLimit) {
            log.info(`${label} sent past the ${reached.period} spending limit (Send Anyway)`);
            return undefined;
          }
          log.warn(`${label} not sent: ${reached.period} spending limit reached (${formatCredits(reached.spend.credits)} of ${formatCredits(reached.limit)} credits)`);
          return spendingLimitError(reached);
        },
        onEvent,
        ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      },
      signal,
    );
    const { notSent: _notSent, ...rest } = outcome;
    return rest;
  }
}
