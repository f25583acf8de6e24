// What one request used and cost, from the final (or partial) message: the cost ledger's record and the answer's meta.
// A stopped or failed answer was never priced by the endpoint (a `cost` in message_start is not the answer's): its
// output is estimated from what streamed and priced from the model's list prices, marked an estimate, never billed.
// Pure: the request pipeline (host/request/requestPipeline.ts) calls it for every request.
import type { Message } from '../../api';
import type { AnswerCost, AnswerMeta } from '../../common/chatTypes';
import { estimateStoppedCost, type StreamedOutput } from '../cost/costEstimate';
import type { RecordInput } from '../cost/costTotals';
import type { ModelInfo } from '../models/modelCatalog';

export type RequestEnd = 'done' | 'stopped' | 'error';

export interface RequestUsage {
  /** The ledger's record (without source, duration and request id, which the pipeline adds). */
  record: Omit<RecordInput, 'source' | 'durationMs' | 'requestId'>;
  meta: AnswerMeta;
  /** Input tokens with cache reads and writes, for the log. */
  totalInputTokens: number;
}

export function requestUsage(
  end: RequestEnd,
  message: Message,
  context: {
    /** The model asked for, when the message names none. */
    model: string;
    streamed: StreamedOutput;
    durationMs: number;
    models?: readonly ModelInfo[];
    displayName?: (id: string) => string;
  },
): RequestUsage {
  const usage = message.usage;
  const uncachedInput = nonNegative(usage?.input_tokens);
  const cacheReadTokens = nonNegative(usage?.cache_read_input_tokens);
  const cacheWriteTokens = nonNegative(usage?.cache_creation_input_tokens);
  const inputTokens = uncachedInput + cacheWriteTokens + cacheReadTokens;
  const model = message.model || context.model;
  const finished = end === 'done';
  const outputTokens = finished ? nonNegative(usage?.output_tokens) : context.streamed.outputTokens(nonNegative(usage?.output_tokens));
  const cost = finished && typeof usage?.cost === 'number' && Number.isFinite(usage.cost) ? usage.cost : undefined;
  const estimatedCost = finished ? undefined : estimateStoppedCost(model, { inputTokens: uncachedInput, outputTokens, cacheReadTokens, cacheWriteTokens }, context.models);
  const answerCost: AnswerCost = cost !== undefined ? { kind: 'billed', credits: cost } : estimatedCost !== undefined ? { kind: 'estimate', credits: estimatedCost } : { kind: 'unknown' };
  const modelName = context.displayName?.(model);
  return {
    record: { model, inputTokens: uncachedInput, outputTokens, cacheReadTokens, cacheWriteTokens, cost, estimatedCost },
    totalInputTokens: inputTokens,
    meta: {
      model,
      ...(modelName && modelName !== model ? { modelName } : {}),
      inputTokens,
      ...(cacheReadTokens > 0 ? { cacheReadTokens } : {}),
      ...(cacheWriteTokens > 0 ? { cacheWriteTokens } : {}),
      outputTokens,
      cost: answerCost,
      durationMs: context.durationMs,
      stopReason: message.stop_reason ?? null,
    },
  };
}

function nonNegative(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}
