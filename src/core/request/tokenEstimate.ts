// A local estimate of the input tokens a Messages request will use, without a paid call or a tokenizer download:
// text by a fast one-pass segmentation that approximates Claude's tokenizer, images by Anthropic's (width × height)
// / 750 rule after its resizing, tools by their JSON plus the tool-use system prompt the API adds. Used for the
// language model provider's token counts and the cost preview, which calibrates it with the real `input_tokens`
// of earlier answers (`calibrationFrom`). Pure: no vscode, no I/O.
import type { ContentBlockParam, MessageCreateParams, MessageParam, Tool, ToolChoice } from '../../api';
import { estimateImageTokens, estimateTextTokens } from '../../common/tokenCount';
import { imageSizeFromBase64 } from './imageSize';

// The text and image rules live in src/common/tokenCount.ts, shared with the chat webview (its draft estimate).

/** The system prompt the API adds when tools are given (Claude 4 models): tool_choice auto/none, any/tool. */
export const TOOL_PROMPT_TOKENS = { auto: 346, forced: 313 } as const;
/** Role markers and separators around each message. */
export const MESSAGE_OVERHEAD_TOKENS = 3;

export interface TokenEstimateOptions {
  /**
   * Multiplies the text-derived counts (images are priced by formula and are not scaled): the ratio of real to
   * estimated input tokens seen on earlier requests, see `calibrationFrom`. Default 1.
   */
  calibration?: number;
}

export interface RequestTokenEstimate {
  /** Everything below, rounded up: the estimated `input_tokens` (cache reads and writes included). */
  total: number;
  system: number;
  /** Message text, tool calls and results, per-message overhead; images excluded. */
  messages: number;
  /** Tool definitions and the tool-use system prompt. */
  tools: number;
  /** All images, by their pixel size (or the maximum when the size cannot be read). */
  images: number;
  imageCount: number;
}

/** What the estimate reads from a request: the messages, and the system prompt and tools when there are any. */
export type TokenEstimateInput = Pick<MessageCreateParams, 'messages'> & Partial<Pick<MessageCreateParams, 'system' | 'tools' | 'tool_choice'>>;

interface Counts {
  text: number;
  images: number;
  imageCount: number;
}

function addBlock(counts: Counts, block: ContentBlockParam | { type: string; [key: string]: unknown }): void {
  switch (block.type) {
    case 'text':
      counts.text += estimateTextTokens((block as { text: string }).text);
      return;
    case 'image': {
      const source = (block as { source: { type: string; data?: string } }).source;
      counts.images += estimateImageTokens(source.type === 'base64' && typeof source.data === 'string' ? imageSizeFromBase64(source.data) : undefined);
      counts.imageCount++;
      return;
    }
    case 'tool_use': {
      const use = block as { name: string; input: unknown };
      counts.text += estimateTextTokens(use.name) + estimateTextTokens(safeJson(use.input)) + 4;
      return;
    }
    case 'tool_result': {
      const result = block as { content?: string | ContentBlockParam[] };
      counts.text += 4;
      if (typeof result.content === 'string') counts.text += estimateTextTokens(result.content);
      else for (const inner of result.content ?? []) addBlock(counts, inner);
      return;
    }
    case 'thinking':
      // Counted in full: an over-estimate for earlier turns, whose thinking the API may leave out of the context.
      counts.text += estimateTextTokens((block as { thinking: string }).thinking);
      return;
    default:
      counts.text += estimateTextTokens(safeJson(block));
  }
}

function messageCounts(message: MessageParam): Counts {
  const counts: Counts = { text: MESSAGE_OVERHEAD_TOKENS, images: 0, imageCount: 0 };
  if (typeof message.content === 'string') counts.text += estimateTextTokens(message.content);
  else for (const block of message.content) addBlock(counts, block);
  return counts;
}

/** Tokens of one content block (images by their size), uncalibrated. */
export function estimateBlockTokens(block: ContentBlockParam): number {
  const counts: Counts = { text: 0, images: 0, imageCount: 0 };
  addBlock(counts, block);
  return counts.text + counts.images;
}

/** Tokens of one message, overhead included, uncalibrated. */
export function estimateMessageTokens(message: MessageParam): number {
  const counts = messageCounts(message);
  return counts.text + counts.images;
}

/** Tokens of the tool definitions plus the tool-use system prompt the API adds; 0 without tools. */
export function estimateToolTokens(tools: readonly Tool[] | undefined, toolChoice?: ToolChoice): number {
  if (!tools || tools.length === 0) return 0;
  const forced = toolChoice?.type === 'any' || toolChoice?.type === 'tool';
  let tokens = forced ? TOOL_PROMPT_TOKENS.forced : TOOL_PROMPT_TOKENS.auto;
  for (const tool of tools) {
    tokens += estimateTextTokens(tool.name) + estimateTextTokens(tool.description ?? '') + estimateTextTokens(safeJson(tool.input_schema)) + 4;
  }
  return tokens;
}

/** The estimated input tokens of a whole request, by part. */
export function estimateRequestTokens(request: TokenEstimateInput, options: TokenEstimateOptions = {}): RequestTokenEstimate {
  const scale = validCalibration(options.calibration);
  const system =
    request.system === undefined ? 0
      : typeof request.system === 'string' ? estimateTextTokens(request.system)
        : request.system.reduce((sum, block) => sum + estimateTextTokens(block.text), 0);
  let messages = 0;
  let images = 0;
  let imageCount = 0;
  for (const message of request.messages) {
    const counts = messageCounts(message);
    messages += counts.text;
    images += counts.images;
    imageCount += counts.imageCount;
  }
  const tools = estimateToolTokens(request.tools, request.tool_choice);
  const scaled = {
    system: Math.ceil(system * scale),
    messages: Math.ceil(messages * scale),
    tools: Math.ceil(tools * scale),
  };
  return { ...scaled, images, imageCount, total: scaled.system + scaled.messages + scaled.tools + images };
}

/** Calibration bounds: a wildly different ratio means something else changed (a tool list, cached context), not the text. */
export const MIN_CALIBRATION = 0.5;
export const MAX_CALIBRATION = 2;

/**
 * The calibration for `estimateRequestTokens` from earlier requests: Σ real input tokens / Σ estimated, over the
 * samples with both, clamped to [0.5, 2]; 1 without samples.
 */
export function calibrationFrom(samples: ReadonlyArray<{ estimated: number; actual: number }>): number {
  let estimated = 0;
  let actual = 0;
  for (const sample of samples) {
    if (!(sample.estimated > 0) || !(sample.actual > 0)) continue;
    estimated += sample.estimated;
    actual += sample.actual;
  }
  if (estimated === 0) return 1;
  return Math.min(MAX_CALIBRATION, Math.max(MIN_CALIBRATION, actual / estimated));
}

function validCalibration(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 1;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
