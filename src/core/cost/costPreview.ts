// The cost preview of the next chat request, estimated locally (no paid call): system prompt + tools + the
// conversation still sent as context + the new message, calibrated by the real input tokens of this conversation's
// earlier answers. The host computes this base; the webview adds the draft as the user types. Pure: no vscode, no I/O.
import type { MessageParam, Tool } from '../../api';
import type { CodeContext, RequestEstimate } from '../../common/chatTypes';
import { type Exchange, type UserContentBuilder } from '../conversation/conversation';
import { CONTINUE_PROMPT, hasAnswer, sendableContent } from '../conversation/conversationRequest';
import { formatCodeBlock } from '../request/prompt';
import { calibrationFrom, estimateRequestTokens, estimateToolTokens, MESSAGE_OVERHEAD_TOKENS } from '../request/tokenEstimate';
import { estimateTextTokens } from '../../common/tokenCount';
import { contextUsage, type ContextAnchor } from '../context/contextMeter';
import type { SentSummary } from '../conversation/compactions';

export interface PreviewSettings {
  system?: string;
  tools?: readonly Tool[];
  /** Credits per input token of the model the next request goes to; undefined when its price is unknown. */
  inputCreditsPerToken?: number;
  /** Files and problems waiting to go with the next message (Add File to Chat): part of its text. */
  nextContext?: readonly CodeContext[];
  /** Prompt caching on (fastrouter.promptCaching), with the model's cache prices; absent: off or prices unknown. */
  caching?: { readCreditsPerToken: number; writeCreditsPerToken: number };
  /** Now (ms), to tell whether the last request's cache is still warm. */
  now?: number;
  /** cachePrefixKey of the next request (model, system prompt, tools): a last request with another key left no warm cache. */
  cacheKey?: string;
  /** The model of the next request: for answers saved without a cacheKey, another model means a cold cache. */
  model?: string;
  /** The model's context window: with it the estimate carries the context meter (issue 18). */
  contextLength?: number;
  /** The conversation's last request: the endpoint's count of its input and our estimate of it. */
  anchor?: ContextAnchor;
  /** fastrouter.context.compactAt: the meter counts the request as compaction will send it (old tool results stubbed). */
  compactAt?: number;
  /** The compaction in effect (issue 18 §3): its summary is sent in place of the exchanges up to `throughIndex`. */
  summary?: SentSummary;
}

/**
 * What a request's cache prefix depends on besides the conversation: the model, the system prompt and the tools,
 * as a short hash (FNV-1a, 2×32 bits). A request with another key cannot read the previous request's cache.
 */
export function cachePrefixKey(model: string, system: string | undefined, tools: readonly Tool[] | undefined): string {
  const text = JSON.stringify([model, system ?? '', tools ?? []]);
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** The API keeps a cache entry this long after its last use (the default, 5-minute ephemeral cache). */
export const CACHE_TTL_MS = 5 * 60_000;

/**
 * Tokens the next request should read from the cache: all the input of the last answered request (its rolling
 * breakpoint was on its question), when that request used the cache, ended less than the cache's lifetime ago, and
 * went with the same model, system prompt and tools as the next one.
 */
export function warmCacheTokens(exchanges: readonly Exchange[], now: number, next: { cacheKey?: string; model?: string } = {}): number {
  const last = [...exchanges].reverse().find((e) => hasAnswer(e.answer));
  const meta = last?.answer.meta;
  if (!last || !meta) return 0;
  // Another model, system prompt or tool set starts a cold cache.
  if (next.cacheKey !== undefined && meta.cacheKey !== undefined && next.cacheKey !== meta.cacheKey) return 0;
  if (meta.cacheKey === undefined && next.model !== undefined && meta.model !== next.model) return 0;
  const usedCache = (meta.cacheReadTokens ?? 0) + (meta.cacheWriteTokens ?? 0) > 0;
  const at = last.updatedAt ?? last.askedAt;
  if (!usedCache || at === undefined || now - at >= CACHE_TTL_MS) return 0;
  return meta.inputTokens;
}

/** Uncalibrated tokens of one part of a request: text (scaled by the calibration) and images (by their size, not scaled). */
interface Part {
  text: number;
  images: number;
}

/** What an exchange adds to later requests' context (uncalibrated), and its own question. */
function exchangeParts(exchange: Exchange, userContent: UserContentBuilder): { user: Part; answer: Part } {
  const user = estimateRequestTokens({ messages: [{ role: 'user', content: userContent(exchange.user) }] });
  const answerMessages: MessageParam[] = [];
  exchange.answer.messages.forEach((message, i) => {
    if (i > 0) answerMessages.push({ role: 'user', content: [{ type: 'text', text: CONTINUE_PROMPT }] });
    answerMessages.push({ role: 'assistant', content: sendableContent(message) });
  });
  const answer = estimateRequestTokens({ messages: answerMessages });
  return { user: { text: user.messages, images: user.images }, answer: { text: answer.messages, images: answer.images } };
}

/**
 * Samples for the calibration: for each answer the endpoint counted (its meta's input tokens: uncached + cache reads +
 * writes), the uncalibrated estimate of the request that produced it. Continued answers and tool rounds (several
 * requests behind one meta) are left out.
 */
export function calibrationSamples(exchanges: readonly Exchange[], userContent: UserContentBuilder, settings: PreviewSettings = {}): Array<{ estimated: number; actual: number }> {
  return measure(exchanges, userContent, settings).samples;
}

/** One pass over the conversation: each exchange estimated once, for both the samples and what the next request sends. */
function measure(exchanges: readonly Exchange[], userContent: UserContentBuilder, settings: PreviewSettings) {
  const fixed = fixedTokens(settings);
  const samples: Array<{ estimated: number; actual: number }> = [];
  let text = 0;
  let images = 0;
  // Once something was dropped from the conversation, the requests up to it were sent with it: estimating them as the
  // conversation is now would not match what the endpoint counted, so from there on answers no longer calibrate.
  let dropped = false;
  const summary = settings.summary && settings.summary.throughIndex < exchanges.length ? settings.summary : undefined;
  for (const [index, exchange] of exchanges.entries()) {
    if (summary && index === summary.throughIndex + 1) {
      // From here on, requests send the summary in place of the exchanges before.
      text = estimateTextTokens(summary.text) + MESSAGE_OVERHEAD_TOKENS;
      images = 0;
      dropped = true;
    }
    const parts = exchangeParts(exchange, userContent);
    const answer = exchange.answer;
    dropped ||= exchange.user.context.some((c) => c.omitted) || exchange.user.images.some((image) => image.omitted);
    const single = answer.messages.length === 1 && !answer.messages[0].content.some((b) => b.type === 'tool_use');
    if (answer.meta && answer.meta.inputTokens > 0 && single && !dropped) {
      samples.push({ estimated: fixed + text + images + parts.user.text + parts.user.images, actual: answer.meta.inputTokens });
    }
    // A question that got no answer is not sent as context (Retry resends it).
    if (!hasAnswer(answer)) continue;
    text += parts.user.text + parts.answer.text;
    images += parts.user.images + parts.answer.images;
  }
  if (summary && summary.throughIndex === exchanges.length - 1) {
    text = estimateTextTokens(summary.text) + MESSAGE_OVERHEAD_TOKENS;
    images = 0;
  }
  return { fixed, samples, text, images };
}

function fixedTokens(settings: PreviewSettings): number {
  const system = settings.system ? estimateTextTokens(settings.system) : 0;
  return system + estimateToolTokens(settings.tools ? [...settings.tools] : undefined);
}

/** The base of the preview for the next question in a conversation with `exchanges`. */
export function requestEstimate(exchanges: readonly Exchange[], userContent: UserContentBuilder, settings: PreviewSettings = {}): RequestEstimate {
  const { fixed, samples, text, images } = measure(exchanges, userContent, settings);
  const calibration = calibrationFrom(samples);
  const conversationTokens = Math.ceil(text * calibration) + images;
  const next = (settings.nextContext ?? []).reduce((sum, code) => sum + estimateTextTokens(formatCodeBlock(code)), 0);
  const baseTokens = Math.ceil((fixed + next + MESSAGE_OVERHEAD_TOKENS) * calibration) + conversationTokens;
  const estimate: RequestEstimate = { baseTokens, conversationTokens, calibration };
  if (settings.contextLength !== undefined && settings.contextLength > 0) {
    // The meter builds the request as it will be sent (tool rounds, rules and all) and, after an answer, anchors it on
    // the endpoint's count: the cost preview prices that same figure.
    const context = contextUsage(exchanges, userContent, {
      system: settings.system,
      tools: settings.tools,
      contextLength: settings.contextLength,
      anchor: settings.anchor,
      nextContext: settings.nextContext,
      ...(settings.compactAt !== undefined ? { compactAt: settings.compactAt } : {}),
      ...(settings.summary ? { summary: settings.summary } : {}),
    });
    estimate.context = context;
    estimate.baseTokens = context.tokens;
    estimate.calibration = context.calibration;
  }
  if (settings.inputCreditsPerToken !== undefined && Number.isFinite(settings.inputCreditsPerToken) && settings.inputCreditsPerToken >= 0) {
    estimate.inputCreditsPerToken = settings.inputCreditsPerToken;
    if (settings.caching) {
      estimate.cache = {
        readTokens: Math.min(baseTokens, warmCacheTokens(exchanges, settings.now ?? Date.now(), settings)),
        readCreditsPerToken: settings.caching.readCreditsPerToken,
        writeCreditsPerToken: settings.caching.writeCreditsPerToken,
      };
    }
  }
  return estimate;
}

/** The draft's own tokens on top of a base, by the rule the webview uses (src/common/tokenCount.ts). */
