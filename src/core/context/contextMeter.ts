// The context meter: how full the model's context window will be with the next request, "≈ 38% of 200k". The next
// request is built as it will be sent (system prompt and rules, tools, every earlier question, answer, tool call and
// result still sent, the files waiting in the composer) and estimated locally; after an answer the estimate is scaled
// by the last request's real input tokens (input + cache read + cache write) against its own estimate, so what was
// already sent counts exactly and only what was added since is estimated. Pure: no vscode, no I/O.
import type { ContentBlockParam, MessageParam, StreamEvent, Tool } from '../../api';
import type { CodeContext, ContextUsage } from '../../common/chatTypes';
import type { AnswerRunner } from '../conversation/answerRun';
import { type Exchange, type UserContentBuilder } from '../conversation/conversation';
import { buildRequest, hasAnswer } from '../conversation/conversationRequest';
import { formatCodeBlock } from '../request/prompt';
import { estimateTextTokens } from '../../common/tokenCount';
import { estimateBlockTokens, estimateRequestTokens, MAX_CALIBRATION, MIN_CALIBRATION, type TokenEstimateInput } from '../request/tokenEstimate';
import type { SentSummary } from '../conversation/compactions';
import { compactForRequest } from './compaction';

/** From this share of the window on, the meter shows the warning colour. */
export const CONTEXT_WARNING_SHARE = 0.8;

/** The last request of a conversation: the endpoint's count of its input and our estimate of the same request. */
export interface ContextAnchor {
  inputTokens: number;
  estimated: number;
  /**
   * Real ÷ estimated tokens of what was added between the conversation's last requests (answers, tool results,
   * questions): what is added after this request is scaled by it; the whole-request ratio when not known yet.
   */
  marginal?: number;
}

/** Below this many estimated tokens of difference, two requests say too little about the marginal ratio. */
const MIN_MARGINAL_SAMPLE = 200;

/** The anchor of a new request, its marginal ratio learnt from the previous anchor (smoothed). */
export function nextAnchor(previous: ContextAnchor | undefined, inputTokens: number, estimated: number): ContextAnchor {
  const anchor: ContextAnchor = { inputTokens, estimated };
  if (!previous) return anchor;
  const added = estimated - previous.estimated;
  if (added >= MIN_MARGINAL_SAMPLE && inputTokens > previous.inputTokens) {
    const sample = clampRatio((inputTokens - previous.inputTokens) / added);
    anchor.marginal = previous.marginal !== undefined ? (previous.marginal + sample) / 2 : sample;
  } else if (previous.marginal !== undefined) anchor.marginal = previous.marginal;
  return anchor;
}

function clampRatio(ratio: number): number {
  return Math.min(MAX_CALIBRATION, Math.max(MIN_CALIBRATION, ratio));
}

/** The runner the conversation uses, recording each request's anchor (the endpoint's count and our estimate). */
export function anchoredRunner(runner: AnswerRunner, onAnchor: (conversationId: string, anchor: ContextAnchor) => void, conversationId: () => string): AnswerRunner {
  const last = new Map<string, ContextAnchor>();
  return {
    run: async (input, signal, onEvent, options) => {
      // A compaction's summary request is not what the next question sends (its history is replaced): no anchor.
      if (input.source === 'compaction') return runner.run(input, signal, onEvent, options);
      const id = conversationId();
      const answer = new AnswerTally();
      const outcome = await runner.run(input, signal, (event) => {
        answer.observe(event);
        onEvent(event);
      }, options);
      if (outcome.meta && outcome.meta.inputTokens > 0) {
        let inputTokens = outcome.meta.inputTokens;
        let estimated = estimateSentRequest({ messages: input.messages, ...(input.system ? { system: input.system } : {}), ...(input.tools ? { tools: input.tools } : {}) });
        // The answer goes back with the next request: its output tokens are the endpoint's count of it (not with
        // thinking, which is counted as output but mostly not sent back).
        if (outcome.status === 'done' && !answer.thinking && outcome.meta.outputTokens > 0) {
          inputTokens += outcome.meta.outputTokens;
          estimated += answer.estimate();
        }
        const anchor = nextAnchor(last.get(id), inputTokens, estimated);
        last.set(id, anchor);
        onAnchor(id, anchor);
      }
      return outcome;
    },
  };
}

/** What an answer's stream adds to the conversation, estimated as it will be sent back. */
class AnswerTally {
  thinking = false;
  private readonly blocks: Array<{ type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; json: string }> = [];

  observe(event: StreamEvent): void {
    if (event.type === 'content_block_start') {
      const block = event.content_block;
      if (block.type === 'text') this.blocks[event.index] = { type: 'text', text: block.text };
      else if (block.type === 'tool_use') this.blocks[event.index] = { type: 'tool_use', id: block.id, name: block.name, json: '' };
      else if (block.type === 'thinking' || block.type === 'redacted_thinking') this.thinking = true;
    } else if (event.type === 'content_block_delta') {
      const block = this.blocks[event.index];
      if (block?.type === 'text' && event.delta.type === 'text_delta') block.text += event.delta.text;
      else if (block?.type === 'tool_use' && event.delta.type === 'input_json_delta') block.json += event.delta.partial_json;
    }
  }

  estimate(): number {
    const content: ContentBlockParam[] = [];
    for (const block of this.blocks) {
      if (!block) continue;
      if (block.type === 'text') {
        if (block.text) content.push({ type: 'text', text: block.text });
        continue;
      }
      let input: unknown = {};
      try {
        input = block.json ? JSON.parse(block.json) : {};
      } catch {
        // A cut tool call is not sent back as such.
      }
      content.push({ type: 'tool_use', id: block.id, name: block.name, input: input as Record<string, unknown> });
    }
    return content.length > 0 ? estimateRequestTokens({ messages: [{ role: 'assistant', content }] }).messages : 0;
  }
}

/** Our estimate of a request as sent (the number an anchor compares the endpoint's count with). */
export function estimateSentRequest(request: TokenEstimateInput): number {
  return estimateRequestTokens(request).total;
}

/** The messages the next question would send, without its text (the draft is added as it is typed); `summary`: a compaction in effect. */
export function nextQuestionMessages(exchanges: readonly Exchange[], userContent: UserContentBuilder, nextContext: readonly CodeContext[] = [], summary?: SentSummary): MessageParam[] {
  const next: Exchange = {
    user: { id: 'next', role: 'user', text: '', context: [...nextContext], images: [] },
    answer: { id: 'next-answer', status: 'done', messages: [] },
  };
  return buildRequest([...exchanges, next], exchanges.length, 'answer', userContent, { prefill: true, ...(summary ? { summary } : {}) }).messages;
}

export interface ContextInput {
  /** The system prompt as sent: fastrouter.systemPrompt and the rules. */
  system?: string;
  tools?: readonly Tool[];
  contextLength: number;
  anchor?: ContextAnchor;
  nextContext?: readonly CodeContext[];
  /** fastrouter.context.compactAt: old tool results are counted as the stubs compaction sends past it. */
  compactAt?: number;
  /** The compaction in effect: its summary is counted in place of the exchanges it stands for. */
  summary?: SentSummary;
}

/** The meter's base for the next question (without the draft). */
export function contextUsage(exchanges: readonly Exchange[], userContent: UserContentBuilder, input: ContextInput): ContextUsage {
  const rest = { ...(input.system ? { system: input.system } : {}), ...(input.tools && input.tools.length > 0 ? { tools: [...input.tools] } : {}) };
  let messages = nextQuestionMessages(exchanges, userContent, input.nextContext, input.summary);
  // What will actually be sent: past compactAt, old tool results go as stubs (the compacting runner's own rule).
  if (input.compactAt !== undefined) messages = compactForRequest(messages, { maxTokens: Math.floor(input.contextLength * input.compactAt) }, rest).messages;
  const request: TokenEstimateInput = { messages, ...rest };
  const estimate = estimateRequestTokens(request);
  const anchor = input.anchor && input.anchor.estimated > 0 && input.anchor.inputTokens > 0 ? input.anchor : undefined;
  // Whole-request ratio for the parts; what was added since the anchor is scaled by the marginal ratio when known.
  const ratio = anchor ? clampRatio(anchor.inputTokens / anchor.estimated) : 1;
  const added = anchor ? anchor.marginal ?? ratio : 1;
  // A request smaller than the anchor's (a summary or stubs replaced part of it) is scaled as a whole.
  const tokens = !anchor ? estimate.total : estimate.total < anchor.estimated ? Math.round(estimate.total * ratio) : Math.max(0, Math.round(anchor.inputTokens + (estimate.total - anchor.estimated) * added));
  // Breakdown (uncalibrated, then scaled): tool results by their blocks, attachments by the files and images sent.
  let toolResults = 0;
  for (const message of messages) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) if (block.type === 'tool_result') toolResults += estimateBlockTokens(block);
  }
  let attachments = estimate.images;
  const sentContext = [...exchanges.filter((e, i) => hasAnswer(e.answer) && (!input.summary || i > input.summary.throughIndex)).flatMap((e) => e.user.context), ...(input.nextContext ?? [])];
  for (const code of sentContext) if (!code.omitted) attachments += estimateTextTokens(formatCodeBlock(code));
  const conversation = Math.max(0, estimate.messages + estimate.images - toolResults - attachments);
  const scale = (n: number) => Math.round((n * tokens) / Math.max(1, estimate.total));
  return {
    tokens,
    contextLength: input.contextLength,
    calibration: added,
    exact: input.anchor !== undefined,
    breakdown: {
      system: scale(estimate.system),
      tools: scale(estimate.tools),
      conversation: scale(conversation),
      attachments: scale(attachments),
      toolResults: scale(toolResults),
    },
  };
}

