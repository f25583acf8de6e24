// Compactions (issue 18 §3): a model-written summary that stands for the earlier exchanges of a conversation in what is
// SENT; the exchanges themselves stay (the chat on screen and exports keep everything). Saved with the conversation and
// merged between windows like its exchanges (by id, the copy changed last wins). Pure: no vscode, no I/O.
import type { AnswerMeta, CompactionView } from '../../common/chatTypes';
import type { Exchange } from './conversation';

export interface Compaction {
  id: string;
  /** The answer id of the last exchange the summary stands for: it and every exchange before it are sent as the summary. */
  throughAnswerId: string;
  /** The structured summary (Goals, Decisions, Files changed, Open tasks), as written by the model or edited by the user. */
  summary: string;
  /** 'auto': the next request would have passed fastrouter.context.compactAt; 'manual': the Compact action. */
  trigger: 'auto' | 'manual';
  /** An automatic compaction ran while this answer was being asked for: Undo stays until a question after it. */
  duringAnswerId?: string;
  createdAt: number;
  /** Changed last (made, edited, undone): the newer copy wins a merge between windows. */
  updatedAt: number;
  /** The user edited the summary: the edited text is what is sent. */
  edited?: boolean;
  /** Undo: the full exchanges are sent again (kept, so another window's older copy cannot bring it back). */
  undone?: boolean;
  /** The summary request's tokens and cost. */
  meta?: AnswerMeta;
  /** Our estimate of the next request before and after the compaction. */
  tokensBefore?: number;
  tokensAfter?: number;
  /** Exchanges the summary stands for. */
  covers?: number;
}

/** The summary as it goes into a request, in place of the exchanges up to and including `throughIndex`. */
export interface SentSummary {
  throughIndex: number;
  text: string;
}

/** The summary framed for the model: it opens the first user message of every request after a compaction. */
export function framedSummary(summary: string): string {
  return [
    'The earlier part of this conversation was compacted: the summary below stands for those turns (the user still sees them in full).',
    '',
    '<conversation-summary>',
    summary.trim(),
    '</conversation-summary>',
  ].join('\n');
}

/**
 * The compaction in effect for a request that asks about `exchanges[beforeIndex]` (default: a new question after the
 * last): the newest one, not undone, whose last exchange is still in the conversation and comes before that index.
 */
export function activeCompaction(exchanges: readonly Exchange[], compactions: readonly Compaction[], beforeIndex = exchanges.length): { compaction: Compaction; throughIndex: number } | undefined {
  let best: { compaction: Compaction; throughIndex: number } | undefined;
  for (const compaction of compactions) {
    if (compaction.undone) continue;
    const throughIndex = exchanges.findIndex((e) => e.answer.id === compaction.throughAnswerId);
    if (throughIndex === -1 || throughIndex >= beforeIndex) continue;
    if (!best || compaction.createdAt > best.compaction.createdAt || (compaction.createdAt === best.compaction.createdAt && compaction.id > best.compaction.id)) {
      best = { compaction, throughIndex };
    }
  }
  return best;
}

/** What a request for `exchanges[beforeIndex]` sends in place of the compacted exchanges, if anything. */
export function sentSummary(exchanges: readonly Exchange[], compactions: readonly Compaction[], beforeIndex = exchanges.length): SentSummary | undefined {
  const active = activeCompaction(exchanges, compactions, beforeIndex);
  return active ? { throughIndex: active.throughIndex, text: framedSummary(active.compaction.summary) } : undefined;
}

/**
 * Undo is offered until the next question: while the compaction is the one in effect and no exchange was asked after
 * it (an automatic one: none but the question it was made for).
 */
export function canUndo(exchanges: readonly Exchange[], compactions: readonly Compaction[], compaction: Compaction): boolean {
  if (compaction.undone) return false;
  const active = activeCompaction(exchanges, compactions);
  if (active?.compaction !== compaction) return false;
  const after = exchanges.slice(active.throughIndex + 1);
  return after.every((e) => e.answer.id === compaction.duringAnswerId);
}

/** The compaction shown after the answer `answerId` (the newest made there and not undone), as the chat's row shows it. */
export function compactionRow(exchanges: readonly Exchange[], compactions: readonly Compaction[], answerId: string): CompactionView | undefined {
  let shown: Compaction | undefined;
  for (const compaction of compactions) {
    if (compaction.undone || compaction.throughAnswerId !== answerId) continue;
    if (!shown || compaction.createdAt > shown.createdAt) shown = compaction;
  }
  return shown ? compactionView(shown, canUndo(exchanges, compactions, shown)) : undefined;
}

export function compactionView(compaction: Compaction, undoable: boolean, state: 'running' | 'done' = 'done'): CompactionView {
  return {
    id: compaction.id,
    state,
    summary: compaction.summary,
    trigger: compaction.trigger,
    canUndo: undoable,
    ...(compaction.edited ? { edited: true } : {}),
    ...(compaction.covers !== undefined ? { covers: compaction.covers } : {}),
    ...(compaction.tokensBefore !== undefined ? { tokensBefore: compaction.tokensBefore } : {}),
    ...(compaction.tokensAfter !== undefined ? { tokensAfter: compaction.tokensAfter } : {}),
    ...(compaction.meta ? { meta: compaction.meta } : {}),
  };
}

/** Both windows' compactions: the union by id, the copy changed last winning. `changed`: ours lacked something. */
export function mergeCompactions(ours: readonly Compaction[], theirs: readonly Compaction[]): { compactions: Compaction[]; changed: boolean } {
  const byId = new Map(ours.map((c) => [c.id, c]));
  let changed = false;
  for (const other of theirs) {
    const mine = byId.get(other.id);
    if (!mine || other.updatedAt > mine.updatedAt) {
      byId.set(other.id, other);
      changed = true;
    }
  }
  return { compactions: [...byId.values()].sort((a, b) => a.createdAt - b.createdAt), changed };
}
