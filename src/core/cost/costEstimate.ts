// The cost of an answer the endpoint never priced: one that was stopped or failed mid-stream. Its output is
// estimated from what streamed (text, thinking, tool input JSON), its input from message_start's usage, and the
// tokens are priced with the model's list prices. Always marked an estimate; never shown or added as billed.
// Pure: no vscode, no I/O.
import type { StreamEvent } from '../../api';
import { estimateCredits, findModel, type ModelInfo } from '../models/modelCatalog';

/** Characters per token, on the generous side for prose, so the estimate errs towards more, not less. */
export const CHARS_PER_TOKEN = 3.5;

/** Counts the characters of everything the model produced while the answer streams. */
export class StreamedOutput {
  private chars = 0;

  observe(event: StreamEvent): void {
    if (event.type === 'content_block_delta') {
      const delta = event.delta;
      if (delta.type === 'text_delta') this.chars += delta.text.length;
      else if (delta.type === 'thinking_delta') this.chars += delta.thinking.length;
      else if (delta.type === 'input_json_delta') this.chars += delta.partial_json.length;
    } else if (event.type === 'content_block_start') {
      const block = event.content_block;
      if (block.type === 'text') this.chars += block.text.length;
      else if (block.type === 'thinking') this.chars += block.thinking.length;
      else if (block.type === 'tool_use') this.chars += block.name.length;
    }
  }

  get characters(): number {
    return this.chars;
  }

  /** Output tokens estimated from the characters; at least what the endpoint reported so far. */
  outputTokens(reported = 0): number {
    return Math.max(reported, Math.ceil(this.chars / CHARS_PER_TOKEN));
  }
}

export interface StoppedUsage {
  /** Uncached input tokens, from message_start. */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

/** Estimated credits of a stopped or failed answer; undefined when the model's prices are not known. */
export function estimateStoppedCost(modelId: string, usage: StoppedUsage, models?: readonly ModelInfo[]): number | undefined {
  return estimateCredits(usage, findModel(modelId, models)?.pricing);
}
