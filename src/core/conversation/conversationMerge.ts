// Two windows, one chat: merging a window's copy of a conversation with the copy on disk (written by another
// window) so that nobody's turns are lost. Exchanges are identified by their answer id; the union is kept, ordered
// as asked; when both copies hold the same exchange, the one changed last wins (an answer that finished, was
// retried or continued carries a newer `updatedAt`), except the exchange this window is streaming right now,
// whose live copy always wins. Files written before exchanges had times still merge (they count as oldest).
// Pure: no vscode, no I/O.
import type { ConversationData, Exchange } from './conversation';
import { mergeCompactions } from './compactions';

export interface MergeResult {
  data: ConversationData;
  /** The exchanges or the title differ from `ours`: the other copy brought something to show. */
  changed: boolean;
}

const DEFAULT_TITLE = 'New chat';

/**
 * Merges `theirs` (read from disk) into `ours` (this window's copy). Returns exchange objects from either input
 * unchanged, so a caller can keep object identity for the exchanges it holds.
 */
export function mergeConversationData(ours: ConversationData, theirs: ConversationData, pinnedAnswerId?: string): MergeResult {
  // Exchanges either copy took back (Restore, edit and resend) stay gone.
  const removed = [...new Set([...(ours.removed ?? []), ...(theirs.removed ?? [])])];
  const gone = new Set(removed);
  const exchanges = mergeExchanges(ours.exchanges, theirs.exchanges, pinnedAnswerId).filter((e) => !gone.has(e.answer.id));
  const changed = exchanges.length !== ours.exchanges.length || exchanges.some((e, i) => e !== ours.exchanges[i]);
  // Titles come from the first question; a window that has not asked yet still says "New chat".
  const title = ours.title === DEFAULT_TITLE && theirs.title !== DEFAULT_TITLE ? theirs.title : ours.title;
  // Summaries made, edited or undone in either window: the union, the copy changed last winning.
  const compactions = mergeCompactions(ours.compactions ?? [], theirs.compactions ?? []);
  return {
    data: {
      version: 1,
      id: ours.id,
      title,
      createdAt: Math.min(ours.createdAt, theirs.createdAt),
      updatedAt: Math.max(ours.updatedAt, theirs.updatedAt),
      exchanges,
      ...(removed.length > 0 ? { removed } : {}),
      ...(compactions.compactions.length > 0 ? { compactions: compactions.compactions } : {}),
    },
    changed: changed || title !== ours.title || compactions.changed,
  };
}

export function mergeExchanges(ours: readonly Exchange[], theirs: readonly Exchange[], pinnedAnswerId?: string): Exchange[] {
  const theirsById = new Map(theirs.map((e) => [e.answer.id, e]));
  const oursIds = new Set(ours.map((e) => e.answer.id));
  const ourKeys = orderKeys(ours);
  const theirKeys = orderKeys(theirs);
  type Entry = { exchange: Exchange; key: number; common: boolean };
  const entries: Entry[] = [];
  ours.forEach((mine, i) => {
    const other = theirsById.get(mine.answer.id);
    const key = other ? Math.min(ourKeys[i], theirKeys[theirs.indexOf(other)]) : ourKeys[i];
    const winner = !other || mine.answer.id === pinnedAnswerId ? mine : newer(mine, other);
    entries.push({ exchange: winner, key, common: other !== undefined });
  });
  theirs.forEach((other, i) => {
    if (!oursIds.has(other.answer.id)) entries.push({ exchange: other, key: theirKeys[i], common: false });
  });
  // Ordered as asked. Ties: exchanges both copies hold keep their order; new ones from either window go by id, so
  // every window arrives at the same order.
  return entries
    .map((entry, index) => ({ ...entry, index }))
    .sort((a, b) => {
      if (a.key !== b.key) return a.key - b.key;
      if (a.common !== b.common) return a.common ? -1 : 1;
      if (a.common) return a.index - b.index;
      return a.exchange.answer.id < b.exchange.answer.id ? -1 : a.exchange.answer.id > b.exchange.answer.id ? 1 : 0;
    })
    .map((entry) => entry.exchange);
}

/** When each exchange was asked, never decreasing along the list (old exchanges without a time take the previous one's). */
function orderKeys(exchanges: readonly Exchange[]): number[] {
  let last = 0;
  return exchanges.map((e) => (last = Math.max(last, e.askedAt ?? 0)));
}

const STATUS_RANK: Record<string, number> = { streaming: 0, interrupted: 1, stopped: 2, error: 2, done: 3 };

/** The copy changed last; on a tie, the one further along (a finished answer over a streaming one), then the longer. */
export function newer(a: Exchange, b: Exchange): Exchange {
  const at = (a.updatedAt ?? 0) - (b.updatedAt ?? 0);
  if (at !== 0) return at > 0 ? a : b;
  const rank = (STATUS_RANK[a.answer.status] ?? 0) - (STATUS_RANK[b.answer.status] ?? 0);
  if (rank !== 0) return rank > 0 ? a : b;
  return contentSize(b) > contentSize(a) ? b : a;
}

function contentSize(e: Exchange): number {
  return e.answer.messages.reduce((n, m) => n + m.content.length, 0);
}
