// Prompt caching (`fastrouter.promptCaching`): `cache_control: {type: "ephemeral"}` breakpoints on the system prompt
// (sent as a text block), the tools (the last definition), the last user turn (a rolling breakpoint: the next
// question reads the conversation up to here from the cache) and the user turn before it (where the previous request
// wrote: the API looks back only 20 blocks from a breakpoint, and a round of 12 parallel tool calls adds 24, so without
// it the history would be written again). The API rejects more than 4 breakpoints in a request, so the ones a request
// already has count, and with too little room the most useful go first: the last user turn (it caches everything
// before it), then the system prompt, then the tools, then the turn before. Pure: returns a new request, never
// changes the one given (that is the conversation as stored).
import type { ContentBlockParam, MessageCreateParams, MessageParam, TextBlockParam, Tool } from '../../api';

/** The most `cache_control` blocks the Messages API accepts in one request. */
export const MAX_CACHE_BREAKPOINTS = 4;

const EPHEMERAL = { type: 'ephemeral' } as const;

type Marked = { cache_control?: unknown };
const marked = (value: unknown): boolean => typeof value === 'object' && value !== null && (value as Marked).cache_control != null;

/** Breakpoints the request has: on system blocks, tools, message blocks and blocks inside tool results. */
export function countCacheBreakpoints(params: MessageCreateParams): number {
  let count = 0;
  if (Array.isArray(params.system)) for (const block of params.system) if (marked(block)) count++;
  for (const tool of params.tools ?? []) if (marked(tool)) count++;
  for (const message of params.messages) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) {
      if (marked(block)) count++;
      if (block.type === 'tool_result' && Array.isArray(block.content)) for (const inner of block.content) if (marked(inner)) count++;
    }
  }
  return count;
}

export type BreakpointPlace = 'lastUserTurn' | 'system' | 'tools' | 'previousUserTurn';

export interface CachedRequest {
  params: MessageCreateParams;
  /** Where breakpoints were added, in the order of priority. */
  added: BreakpointPlace[];
  /** Breakpoints the request had before. */
  existing: number;
}

/** Blocks a breakpoint may sit on (not thinking blocks, not empty text: the API refuses both). */
function cacheable(block: ContentBlockParam): boolean {
  if (block.type === 'thinking' || block.type === 'redacted_thinking') return false;
  return block.type !== 'text' || block.text.length > 0;
}

/** The request with breakpoints added where there is room (at most MAX_CACHE_BREAKPOINTS in all). */
export function withPromptCaching(params: MessageCreateParams): CachedRequest {
  const existing = countCacheBreakpoints(params);
  let room = MAX_CACHE_BREAKPOINTS - existing;
  const added: BreakpointPlace[] = [];
  const out: MessageCreateParams = { ...params };

  if (room > 0) {
    const index = lastUserIndex(params.messages);
    const message = index >= 0 ? params.messages[index] : undefined;
    const withMark = message ? markLastBlock(message) : undefined;
    if (withMark) {
      out.messages = params.messages.map((m, i) => (i === index ? withMark : m));
      added.push('lastUserTurn');
      room--;
    }
  }
  if (room > 0 && params.system !== undefined) {
    const system = markSystem(params.system);
    if (system) {
      out.system = system;
      added.push('system');
      room--;
    }
  }
  if (room > 0 && params.tools && params.tools.length > 0 && !params.tools.some(marked)) {
    const last = params.tools.length - 1;
    out.tools = params.tools.map((tool, i): Tool => (i === last ? { ...tool, cache_control: { ...EPHEMERAL } } : tool));
    added.push('tools');
    room--;
  }
  if (room > 0) {
    const index = lastUserIndex(params.messages, lastUserIndex(params.messages));
    const withMark = index >= 0 ? markLastBlock(params.messages[index]) : undefined;
    if (withMark) {
      const messages = out.messages;
      out.messages = messages.map((m, i) => (i === index ? withMark : m));
      added.push('previousUserTurn');
    }
  }
  return { params: out, added, existing };
}

/** The last user message before `before` (all of them by default), or -1. */
function lastUserIndex(messages: readonly MessageParam[], before = messages.length): number {
  for (let i = before - 1; i >= 0; i--) if (messages[i].role === 'user') return i;
  return -1;
}

/** The message with its last cacheable block marked; undefined when it has none, or already has a breakpoint. */
function markLastBlock(message: MessageParam): MessageParam | undefined {
  if (typeof message.content === 'string') {
    if (message.content.length === 0) return undefined;
    return { ...message, content: [{ type: 'text', text: message.content, cache_control: { ...EPHEMERAL } }] };
  }
  if (message.content.some((b) => marked(b) || (b.type === 'tool_result' && Array.isArray(b.content) && b.content.some(marked)))) return undefined;
  for (let i = message.content.length - 1; i >= 0; i--) {
    const block = message.content[i];
    if (!cacheable(block)) continue;
    const content = message.content.map((b, j) => (j === i ? ({ ...b, cache_control: { ...EPHEMERAL } } as ContentBlockParam) : b));
    return { ...message, content };
  }
  return undefined;
}

/** The system prompt as text blocks with the last one marked; undefined when empty or already marked. */
function markSystem(system: string | TextBlockParam[]): TextBlockParam[] | undefined {
  if (typeof system === 'string') return system.length > 0 ? [{ type: 'text', text: system, cache_control: { ...EPHEMERAL } }] : undefined;
  if (system.length === 0 || system.some(marked)) return undefined;
  const last = system.length - 1;
  if (system[last].text.length === 0) return undefined;
  return system.map((block, i) => (i === last ? { ...block, cache_control: { ...EPHEMERAL } } : block));
}

// ---------------------------------------------------------------------------------------------
// What caching saved

export interface CacheUsage {
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface CachePrices {
  /** Credits per uncached input token. */
  input: number;
  /** Per cache-read token; 0.1 × input when the list does not say. */
  cacheRead?: number;
  /** Per cache-write token; 1.25 × input when the list does not say. */
  cacheWrite?: number;
}

/**
 * Credits caching saved against sending the same tokens uncached: reads cost 0.1 × the input price instead of 1 ×,
 * writes 1.25 × (a cost, so negative savings). An estimate from list prices, never a billed figure.
 */
export function cacheSavings(usage: CacheUsage, prices: CachePrices): number {
  const read = prices.cacheRead ?? prices.input * 0.1;
  const write = prices.cacheWrite ?? prices.input * 1.25;
  return usage.cacheReadTokens * (prices.input - read) - usage.cacheWriteTokens * (write - prices.input);
}

/**
 * Savings over the ledger's per-model totals, priced from `priceOf` (the model list). Models without a price are left
 * out and counted, so the tooltip can say so.
 */
export function totalCacheSavings(
  models: Record<string, CacheUsage>,
  priceOf: (model: string) => CachePrices | undefined,
): { credits: number; readTokens: number; writeTokens: number; unpricedModels: number } {
  let credits = 0;
  let readTokens = 0;
  let writeTokens = 0;
  let unpricedModels = 0;
  for (const [model, usage] of Object.entries(models)) {
    if (usage.cacheReadTokens === 0 && usage.cacheWriteTokens === 0) continue;
    const prices = priceOf(model);
    if (!prices) {
      unpricedModels++;
      continue;
    }
    credits += cacheSavings(usage, prices);
    readTokens += usage.cacheReadTokens;
    writeTokens += usage.cacheWriteTokens;
  }
  return { credits, readTokens, writeTokens, unpricedModels };
}
