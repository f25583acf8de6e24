// Compaction: a request that would fill more than `fastrouter.context.compactAt` of the model's context window is
// made smaller before it is sent. Old tool results (every round but the latest) are replaced by a short stub naming
// the call, so the model can run it again; tool_use / tool_result pairs stay whole (a stub is still a tool_result
// with the same id). Only what is sent changes: the conversation on screen and in exports keeps everything.
// Pure: no vscode, no I/O.
import type { ContentBlockParam, MessageParam, ToolResultBlockParam } from '../../api';
import type { AnswerRunner } from '../conversation/answerRun';
import { estimateRequestTokens, type TokenEstimateInput } from '../request/tokenEstimate';

export const DEFAULT_COMPACT_AT = 0.8;

/** How many tokens the request may have (input of the estimate: messages, system and tools as sent). */
export interface CompactionBudget {
  maxTokens: number;
}

export interface CompactionResult {
  messages: MessageParam[];
  /** Tool results replaced by a stub. */
  stubbed: number;
  /** The estimate of the request before and after. */
  before: number;
  after: number;
}

const STUB_PREFIX = '[result of ';

/** The text that stands for a removed tool result: names the call, so the model can run it again. */
export function toolResultStub(name: string, input: unknown): string {
  return `${STUB_PREFIX}${name} ${describeInput(input)} removed to save context — run it again if needed]`;
}

function describeInput(input: unknown): string {
  if (input === null || typeof input !== 'object') return '{}';
  const parts = Object.entries(input as Record<string, unknown>).map(([key, value]) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
    return `${key}: ${text.length > 80 ? `${text.slice(0, 77)}…` : text}`;
  });
  return `{${parts.join(', ')}}`;
}

function isStub(block: ToolResultBlockParam): boolean {
  return typeof block.content === 'string' && block.content.startsWith(STUB_PREFIX);
}

/** The tool calls of the messages, by id: name and input (for the stubs). */
function callsById(messages: readonly MessageParam[]): Map<string, { name: string; input: unknown }> {
  const calls = new Map<string, { name: string; input: unknown }>();
  for (const message of messages) {
    if (message.role !== 'assistant' || typeof message.content === 'string') continue;
    for (const block of message.content) if (block.type === 'tool_use') calls.set(block.id, { name: block.name, input: block.input });
  }
  return calls;
}

/** The index of the last user message holding tool results (the latest round, always kept whole), or -1. */
function latestRoundIndex(messages: readonly MessageParam[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const content = messages[i].content;
    if (messages[i].role === 'user' && typeof content !== 'string' && content.some((b) => b.type === 'tool_result')) return i;
  }
  return -1;
}

/**
 * The request's messages made to fit `budget` as far as stubbing old tool results can: oldest results first, until
 * the estimate is under the budget (`rest` is the system prompt and tools, counted but never changed). Returns the
 * messages unchanged (the same array) when the request already fits.
 */
export function compactForRequest(messages: MessageParam[], budget: CompactionBudget, rest: Omit<TokenEstimateInput, 'messages'> = {}): CompactionResult {
  const estimate = (list: MessageParam[]) => estimateRequestTokens({ ...rest, messages: list }).total;
  const before = estimate(messages);
  if (before <= budget.maxTokens) return { messages, stubbed: 0, before, after: before };
  const calls = callsById(messages);
  const latest = latestRoundIndex(messages);
  const out = messages.slice();
  let total = before;
  let stubbed = 0;
  for (let i = 0; i < out.length && total > budget.maxTokens; i++) {
    const message = out[i];
    if (i === latest || message.role !== 'user' || typeof message.content === 'string') continue;
    if (!message.content.some((b) => b.type === 'tool_result' && !isStub(b))) continue;
    const content: ContentBlockParam[] = message.content.map((block) => {
      if (block.type !== 'tool_result' || isStub(block)) return block;
      stubbed++;
      const call = calls.get(block.tool_use_id);
      const stub: ToolResultBlockParam = { type: 'tool_result', tool_use_id: block.tool_use_id, content: toolResultStub(call?.name ?? 'a tool', call?.input) };
      return stub;
    });
    const was = estimate([message]);
    out[i] = { ...message, content };
    total += estimate([out[i]]) - was;
  }
  return stubbed > 0 ? { messages: out, stubbed, before, after: estimate(out) } : { messages, stubbed: 0, before, after: before };
}

/** The endpoint refused the request as too long for the model's context window ("prompt is too long: N tokens > M maximum"). */
export function isContextOverflow(message: string): { tokens?: number; maximum?: number } | undefined {
  if (!/prompt is too long|context.?(window|length)[^.]*exceed|exceeds? the (model'?s )?context|too many (input )?tokens/i.test(message)) return undefined;
  const match = /(\d[\d,]*)\s*tokens?\s*>\s*(\d[\d,]*)/.exec(message);
  if (!match) return {};
  const num = (s: string) => Number(s.replace(/,/g, ''));
  return { tokens: num(match[1]), maximum: num(match[2]) };
}

/** What the compacting runner needs to know for each request. */
export interface CompactionSettings {
  /** The model's context window in tokens, or undefined when unknown (then nothing is compacted up front). */
  contextLength: number | undefined;
  /** fastrouter.context.compactAt: the share of the window a request may fill. */
  compactAt: number;
}

/**
 * A runner that compacts each request before it goes (when it would pass compactAt of the window), and when the
 * endpoint still refuses it as too long, compacts to the limit the endpoint named and sends it again, once.
 */
export function compactingRunner(runner: AnswerRunner, settings: () => CompactionSettings, onCompacted?: (result: CompactionResult) => void): AnswerRunner {
  return {
    run: async (input, signal, onEvent, options) => {
      const { contextLength, compactAt } = settings();
      const rest = { ...(input.system ? { system: input.system } : {}), ...(input.tools ? { tools: input.tools } : {}) };
      let messages = input.messages;
      if (contextLength && contextLength > 0) {
        const result = compactForRequest(messages, { maxTokens: Math.floor(contextLength * compactAt) }, rest);
        if (result.stubbed > 0) {
          messages = result.messages;
          onCompacted?.(result);
        }
      }
      const outcome = await runner.run({ ...input, messages }, signal, onEvent, options);
      const overflow = outcome.status === 'error' && outcome.error ? isContextOverflow(outcome.error.message) : undefined;
      if (!overflow || signal.aborted) return outcome;
      // The estimate was short of the endpoint's count: aim under the endpoint's maximum, scaled by how far off it was.
      const estimated = estimateRequestTokens({ ...rest, messages }).total;
      const maximum = overflow.maximum ?? contextLength ?? estimated;
      const ratio = overflow.tokens && estimated > 0 ? overflow.tokens / estimated : 1.2;
      const result = compactForRequest(messages, { maxTokens: Math.floor((maximum * compactAt) / Math.max(1, ratio)) }, rest);
      if (result.stubbed === 0) return outcome;
      onCompacted?.(result);
      return runner.run({ ...input, messages: result.messages }, signal, onEvent, options);
    },
  };
}
