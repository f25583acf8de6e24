// One compaction, from the decision to the saved summary (issue 18 §3). Automatic: before a request that, even with old
// tool results stubbed, would pass fastrouter.context.compactAt of the model's window, the earlier exchanges are
// summarised by the model in ONE request (the same prefix as the chat's requests, so the prompt cache is read; booked
// as source 'compaction'); the summary then stands for them in what is sent. On demand: the Compact action summarises
// every exchange so far. The exchanges stay for the screen and exports; the compaction is saved with the conversation.
import type { MessageParam, Tool, ToolChoice } from '../../api';
import type { HostToWebview } from '../../common/protocol';
import { compactForRequest } from '../context/compaction';
import { parseSummary, SummaryText, summaryRequestMessages } from '../context/summary';
import { estimateRequestTokens } from '../request/tokenEstimate';
import type { AnswerOutcome, AnswerRunner } from './answerRun';
import { activeCompaction, compactionRow, compactionView, sentSummary, type Compaction } from './compactions';
import { type Conversation, type Exchange, type UserContentBuilder } from './conversation';
import { buildRequest, hasAnswer } from './conversationRequest';

/** What the request is measured against, besides its messages. */
export interface CompactionSettings {
  /** The model's context window (tokens); undefined when unknown (then nothing is compacted automatically). */
  contextLength?: number;
  /** fastrouter.context.compactAt: the share of the window a request may fill. */
  compactAt: number;
  system?: string;
  tools?: readonly Tool[];
}

export interface CompactionHost {
  runner: AnswerRunner;
  userContent: UserContentBuilder;
  post: (message: HostToWebview) => void;
  save: (conversation: Conversation) => Promise<void>;
  now: () => number;
  newId: () => string;
  log: (message: string) => void;
  /** The tools (and tool_choice) the chat's requests go with for these messages: the summary request uses the same. */
  requestTools: (messages: readonly MessageParam[]) => { tools?: Tool[]; toolChoice?: ToolChoice };
}

export type CompactionResult = { compaction: Compaction } | { error: string; stopped?: boolean };

/** The estimate of a request as the compacting runner would send it (old tool results stubbed down to the budget). */
function sentTokens(messages: MessageParam[], settings: CompactionSettings): number {
  const rest = { ...(settings.system ? { system: settings.system } : {}), ...(settings.tools && settings.tools.length > 0 ? { tools: [...settings.tools] } : {}) };
  const budget = settings.contextLength ? Math.floor(settings.contextLength * settings.compactAt) : Number.POSITIVE_INFINITY;
  return compactForRequest(messages, { maxTokens: budget }, rest).after;
}

/** The first exchange a new summary would cover (after the compaction in effect), and the last it may cover. */
function summarisable(conversation: Conversation, beforeIndex: number): { first: number; last: number } | undefined {
  const active = activeCompaction(conversation.exchanges, conversation.compactions, beforeIndex);
  const first = active ? active.throughIndex + 1 : 0;
  let last = beforeIndex - 1;
  // The summary ends on an exchange with an answer that is over (a streaming one cannot be summarised).
  while (last >= first && (conversation.exchanges[last].answer.status === 'streaming' || !hasAnswer(conversation.exchanges[last].answer))) last--;
  return last >= first ? { first, last } : undefined;
}

/**
 * Whether a request for `exchanges[index]` with `messages` should be preceded by a summary, and up to which exchange:
 * the request (stubs and all) passes the budget and there are earlier exchanges the summary in effect does not cover.
 * The summary request itself must fit the budget too: the latest exchange whose summary request does (a binary search)
 * is taken. `force`: the endpoint refused the request as too long, summarise whatever can be.
 */
export function autoCompactionThrough(conversation: Conversation, index: number, messages: MessageParam[], settings: CompactionSettings, userContent: UserContentBuilder, force = false): number | undefined {
  if (!settings.contextLength || settings.contextLength <= 0) return undefined;
  const budget = Math.floor(settings.contextLength * settings.compactAt);
  if (!force && sentTokens(messages, settings) <= budget) return undefined;
  const range = summarisable(conversation, index);
  if (!range) return undefined;
  const fits = (through: number) => sentTokens(summaryRequestMessages(conversation.exchanges, conversation.compactions, through, userContent), settings) <= settings.contextLength! * settings.compactAt;
  if (fits(range.last)) return range.last;
  let low = range.first;
  let high = range.last - 1;
  let best: number | undefined;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (fits(mid)) {
      best = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return best;
}

/** The through index of an on-demand compaction: every exchange so far with an answer, if any is not yet covered. */
export function manualCompactionThrough(conversation: Conversation): number | undefined {
  return summarisable(conversation, conversation.exchanges.length)?.last;
}

/** The estimate of the next question's request (without its text) with the compactions as they are now. */
export function nextRequestTokens(conversation: Conversation, userContent: UserContentBuilder, settings: CompactionSettings | undefined): number {
  const next: Exchange = { user: { id: 'next', role: 'user', text: '', context: [], images: [] }, answer: { id: 'next-answer', status: 'done', messages: [] } };
  const exchanges = [...conversation.exchanges, next];
  const summary = sentSummary(conversation.exchanges, conversation.compactions);
  const messages = buildRequest(exchanges, exchanges.length - 1, 'answer', userContent, { prefill: false, ...(summary ? { summary } : {}) }).messages;
  return settings ? sentTokens(messages, settings) : estimateRequestTokens({ messages }).total;
}

/**
 * Summarises `exchanges[0..throughIndex]` in one request and saves the compaction. The row after the last covered
 * answer shows "Compacting…" meanwhile. Never throws: a failed or stopped request, or an answer that is not a summary,
 * leaves the conversation as it was and says why.
 */
export async function summarise(
  host: CompactionHost,
  conversation: Conversation,
  throughIndex: number,
  options: { trigger: 'auto' | 'manual'; signal: AbortSignal; duringAnswerId?: string; settings?: CompactionSettings },
): Promise<CompactionResult> {
  const through = conversation.exchanges[throughIndex];
  const rowId = host.newId();
  const tokensBefore = nextRequestTokens(conversation, host.userContent, options.settings);
  const placeholder: Compaction = { id: rowId, throughAnswerId: through.answer.id, summary: '', trigger: options.trigger, createdAt: host.now(), updatedAt: host.now() };
  host.post({ type: 'compaction', turnId: through.answer.id, compaction: compactionView(placeholder, false, 'running') });
  const messages = summaryRequestMessages(conversation.exchanges, conversation.compactions, throughIndex, host.userContent);
  const text = new SummaryText();
  let outcome: AnswerOutcome;
  try {
    outcome = await host.runner.run({ messages, ...host.requestTools(messages), source: 'compaction' }, options.signal, (event) => text.observe(event));
  } catch (error) {
    outcome = { status: 'error', error: { code: 'api', message: error instanceof Error ? error.message : String(error), actions: ['retry', 'showLog'] } };
  }
  const restoreRow = () => host.post({ type: 'compaction', turnId: through.answer.id, compaction: compactionRow(conversation.exchanges, conversation.compactions, through.answer.id) ?? null });
  if (outcome.status !== 'done') {
    restoreRow();
    const why = outcome.status === 'stopped' ? 'it was stopped' : (outcome.error?.message ?? 'the request failed');
    host.log(`Compaction not made: ${why}.`);
    return { error: why, ...(outcome.status === 'stopped' ? { stopped: true } : {}) };
  }
  const parsed = parseSummary(text.text);
  if (!parsed) {
    restoreRow();
    host.log(`Compaction not made: the answer (${text.text.length} characters) had none of the summary's sections.`);
    return { error: 'the answer was not a summary (none of Goals, Decisions, Files changed, Open tasks)' };
  }
  const now = host.now();
  const covered = conversation.exchanges.slice(0, throughIndex + 1);
  const previous = activeCompaction(covered, conversation.compactions, covered.length);
  const compaction: Compaction = {
    id: rowId,
    throughAnswerId: through.answer.id,
    summary: parsed.text,
    trigger: options.trigger,
    ...(options.duringAnswerId ? { duringAnswerId: options.duringAnswerId } : {}),
    createdAt: Math.max(now, ...conversation.compactions.map((c) => c.createdAt + 1)),
    updatedAt: now,
    covers: covered.filter((e) => hasAnswer(e.answer)).length,
    ...(outcome.meta ? { meta: outcome.meta } : {}),
    tokensBefore,
  };
  conversation.compactions.push(compaction);
  compaction.tokensAfter = nextRequestTokens(conversation, host.userContent, options.settings);
  conversation.updatedAt = now;
  host.log(`compacted: exchanges 1–${throughIndex + 1} summarised (${options.trigger}${previous ? ', over an earlier summary' : ''}), next request ≈${tokensBefore} → ≈${compaction.tokensAfter} tokens`);
  host.post({ type: 'compaction', turnId: through.answer.id, compaction: compactionRow(conversation.exchanges, conversation.compactions, through.answer.id) ?? null });
  await host.save(conversation);
  return { compaction };
}
