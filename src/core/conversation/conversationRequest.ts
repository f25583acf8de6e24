// The API messages of an answer's request, built from the saved conversation: what goes back exactly as received, what
// is left out, how tool results and Continue are shaped. Pure: no vscode, no I/O.
import { isOpaque, type ContentBlockParam, type MessageParam } from '../../api';
import type { SentSummary } from './compactions';
import type { Exchange, StoredAnswer, StoredMessage, UserContentBuilder } from './conversation';
import type { StoredToolResult } from '../tools/types';

/** Sent as a user message when an answer is continued without a prefill (prefill is not allowed with thinking). */
export const CONTINUE_PROMPT = 'Please continue exactly where your previous answer stopped, without repeating anything.';
/**
 * Answers a tool_use that has no saved result (the loop was stopped, failed or cut by a reload before it ran, or tools
 * were off): the API requires a result after every tool_use, so the next request stays valid.
 */
export const NO_TOOLS_RESULT = 'This tool call was not run: the answer ended (stopped, failed or cut off) before it ran.';

/** How a Continue request is shaped: `prefill` ends the messages with the partial answer (role assistant). */
export type ContinueMode = 'prefill' | 'message' | 'tool' | 'pause';

export interface AnswerRequest {
  messages: MessageParam[];
  /** For continue requests: how the new stream joins the existing answer. */
  continueMode?: ContinueMode;
}

/**
 * The API messages that ask for the answer of `exchanges[index]` (mode 'answer': first try or retry),
 * or that continue it (mode 'continue'). History rules:
 * - a complete answer goes back exactly as received (thinking + signature, redacted thinking, tool use);
 * - a partial answer (stopped, failed, interrupted) goes back as its text only: its thinking may be unsigned;
 * - an exchange whose question got no answer (it failed or was stopped before any text) is left out entirely: its
 *   question is not glued to the next one (Retry is how it is asked again);
 * - every tool_use gets a tool_result at the start of the next user message (the API requires one): its saved result, or
 *   NO_TOOLS_RESULT as an error when it has none (a loop cut by Stop, an error or a reload);
 * - the messages of a tool loop go back as they happened: each round's results in ONE user message after the call, a
 *   message that ended in pause_turn directly followed by its continuation.
 * Continue after a round of tool results (a paused loop) sends those results ('tool'); after pause_turn, the paused
 * message as the last one ('pause').
 * With `summary` (a compaction in effect), the exchanges up to `summary.throughIndex` are not sent: the summary opens
 * the first user message instead.
 */
export function buildRequest(
  exchanges: readonly Exchange[],
  index: number,
  mode: 'answer' | 'continue',
  userContent: UserContentBuilder,
  options: { prefill: boolean; summary?: SentSummary } = { prefill: true },
): AnswerRequest {
  const builder = new MessageListBuilder();
  const summary = options.summary && options.summary.throughIndex < index ? options.summary : undefined;
  if (summary) builder.user([{ type: 'text', text: summary.text }]);
  for (let i = summary ? summary.throughIndex + 1 : 0; i < index; i++) {
    if (!hasAnswer(exchanges[i].answer)) continue;
    builder.user(userContent(exchanges[i].user));
    appendAnswer(builder, exchanges[i].answer.messages);
  }
  const target = exchanges[index];
  builder.user(userContent(target.user));
  if (mode === 'answer') return { messages: builder.finish() };

  appendAnswer(builder, target.answer.messages);
  const last = target.answer.messages[target.answer.messages.length - 1];
  if (last?.complete && last.toolResults && builder.hasPendingToolUses()) {
    builder.sendToolResults();
    return { messages: builder.finish(), continueMode: 'tool' };
  }
  if (last?.complete && last.stopReason === 'pause_turn' && builder.endsWithAssistant()) {
    return { messages: builder.finish(), continueMode: 'pause' };
  }
  if (options.prefill && builder.endsWithPrefillableText()) {
    builder.trimFinalAssistantText();
    return { messages: builder.finish(), continueMode: 'prefill' };
  }
  builder.user([{ type: 'text', text: CONTINUE_PROMPT }]);
  return { messages: builder.finish(), continueMode: 'message' };
}

/** Whether any part of the answer would be sent back (text, or a complete tool call). */
export function hasAnswer(answer: StoredAnswer): boolean {
  return answer.messages.some((message) => sendableContent(message).length > 0);
}

function appendAnswer(builder: MessageListBuilder, messages: readonly StoredMessage[]): void {
  messages.forEach((message, i) => {
    if (i > 0) {
      const previous = messages[i - 1];
      if (previous.toolResults && builder.hasPendingToolUses()) builder.sendToolResults();
      else if (!(previous.complete && previous.stopReason === 'pause_turn')) builder.user([{ type: 'text', text: CONTINUE_PROMPT }]);
    }
    builder.assistant(sendableContent(message));
    if (message.toolResults) builder.results(message.toolResults);
  });
}

/** The blocks of a stored message that may be sent back. */
export function sendableContent(message: StoredMessage): ContentBlockParam[] {
  const out: ContentBlockParam[] = [];
  for (const block of message.content) {
    switch (block.type) {
      case 'text':
        // The API rejects empty text blocks.
        if (block.text.length > 0) out.push(block as ContentBlockParam);
        break;
      case 'thinking':
        if (message.complete && block.signature) out.push(block as ContentBlockParam);
        break;
      case 'redacted_thinking':
        if (message.complete) out.push(block as ContentBlockParam);
        break;
      case 'tool_use':
        if (message.complete) out.push(block as ContentBlockParam);
        break;
      default:
        // A block the chat does not model (a web search and its result, a type added later) goes back exactly as
        // received, in its place; from a cut message it may lack its other half, so only from a complete one.
        if (message.complete && isOpaque(block)) out.push(block);
        break;
    }
  }
  // Thinking alone (no text, no tool use) adds nothing the model can build on; keep roles simple.
  return out.some((b) => b.type === 'text' || b.type === 'tool_use') ? out : [];
}

/** Collects messages, joining consecutive same-role content and answering tool_use blocks. */
class MessageListBuilder {
  private readonly messages: { role: 'user' | 'assistant'; content: ContentBlockParam[] }[] = [];
  private pendingToolUses: string[] = [];
  private readonly savedResults = new Map<string, StoredToolResult>();

  user(given: ContentBlockParam[] | string): void {
    const content: ContentBlockParam[] = typeof given === 'string' ? [{ type: 'text', text: given }] : given;
    this.push('user', [...this.takeResults(), ...content]);
  }

  /** Results saved for the pending tool calls; they go out with the next user message. */
  results(results: readonly StoredToolResult[]): void {
    for (const result of results) this.savedResults.set(result.toolUseId, result);
  }

  hasPendingToolUses(): boolean {
    return this.pendingToolUses.length > 0;
  }

  /** A user message of only the tool results (one per pending call, in the calls' order). */
  sendToolResults(): void {
    this.push('user', this.takeResults());
  }

  endsWithAssistant(): boolean {
    return this.messages[this.messages.length - 1]?.role === 'assistant';
  }

  private takeResults(): ContentBlockParam[] {
    const results = this.pendingToolUses.map((id): ContentBlockParam => {
      const saved = this.savedResults.get(id);
      if (!saved) return { type: 'tool_result', tool_use_id: id, content: NO_TOOLS_RESULT, is_error: true };
      // The API rejects an empty text result; an empty string content is accepted.
      return { type: 'tool_result', tool_use_id: id, content: saved.content, ...(saved.isError ? { is_error: true } : {}) };
    });
    this.pendingToolUses = [];
    return results;
  }

  assistant(content: ContentBlockParam[]): void {
    if (content.length === 0) return;
    for (const block of content) if (block.type === 'tool_use') this.pendingToolUses.push(block.id);
    this.push('assistant', content);
  }

  endsWithPrefillableText(): boolean {
    const last = this.messages[this.messages.length - 1];
    if (!last || last.role !== 'assistant' || this.pendingToolUses.length > 0) return false;
    const block = last.content[last.content.length - 1];
    return block?.type === 'text' && block.text.trimEnd().length > 0;
  }

  /** The API rejects a final assistant message that ends in whitespace. */
  trimFinalAssistantText(): void {
    const last = this.messages[this.messages.length - 1];
    const i = last.content.length - 1;
    const block = last.content[i];
    if (block.type === 'text') last.content[i] = { ...block, text: block.text.trimEnd() };
  }

  /** A user message that is one text block goes as a plain string, as `buildUserContent` makes it. */
  finish(): MessageParam[] {
    return this.messages.map((m) => {
      const only = m.content.length === 1 ? m.content[0] : undefined;
      return { role: m.role, content: m.role === 'user' && only?.type === 'text' ? only.text : m.content };
    });
  }

  private push(role: 'user' | 'assistant', content: ContentBlockParam[]): void {
    const last = this.messages[this.messages.length - 1];
    if (last && last.role === role) last.content.push(...content);
    else this.messages.push({ role, content: [...content] });
  }
}
