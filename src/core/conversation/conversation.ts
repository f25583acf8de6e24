// The conversation model: what the chat view shows (protocol turns) and, next to it, the exact
// assistant messages the API sent, so later requests send them back unchanged (thinking blocks
// with their signatures must be returned as received); conversationRequest.ts builds the requests from it. Pure: no
// vscode, no I/O.
import type { ContentBlock, ContentBlockParam } from '../../api';
import type { AnswerCost, AnswerMeta, AnswerStatus, AssistantTurn, CodeContext, ConversationSummary, ImageAttachment, Turn, TurnError, TurnFileChange, UserTurn } from '../../common/chatTypes';
import { messagesToAnswerBlocks, type ToolView } from './conversationAnswer';
import type { StoredFileChange, StoredToolResult } from '../tools/types';
import { compactionRow, type Compaction } from './compactions';

/** One assistant message as received; `complete` when its stream ended normally. */
export interface StoredMessage {
  content: ContentBlock[];
  complete: boolean;
  /** Why the message ended, when it matters later: 'tool_use' (results follow), 'pause_turn' (the next message continues it). */
  stopReason?: string;
  /** The results of this message's tool calls, in the order of the calls: sent in ONE user message right after it. */
  toolResults?: StoredToolResult[];
}

export interface StoredAnswer {
  id: string;
  status: AnswerStatus;
  meta?: AnswerMeta;
  error?: TurnError;
  /** Usually one message; more when Continue had to ask in a separate user message, and one per round of tool use. */
  messages: StoredMessage[];
  /** The tool loop paused at a bound (rounds or credits): why; Continue goes on. */
  paused?: string;
  /** The files its question's tools and commands changed (issue 17), as of when it ended. */
  changes?: StoredFileChange[];
}

export interface Exchange {
  user: UserTurn;
  answer: StoredAnswer;
  /** When the question was asked (ms); orders exchanges merged from two windows. Absent in older files. */
  askedAt?: number;
  /** When this window last changed the exchange (asked, answered, retried, continued); the newer copy wins a merge. */
  updatedAt?: number;
  /** In a copy saved while its answer streams: the process streaming it (gone = the answer was cut). */
  streamingPid?: number;
}

/** The JSON form of a conversation, as persisted. */
export interface ConversationData {
  version: 1;
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  exchanges: Exchange[];
  /** Answer ids of exchanges a Restore (or an edit-and-resend) took back: no window's copy brings them back. */
  removed?: string[];
  /** Model-written summaries sent in place of earlier exchanges (issue 18 §3), undone ones included. */
  compactions?: Compaction[];
}

export interface UserInput {
  text: string;
  context?: CodeContext[];
  images?: ImageAttachment[];
}

/** Builds the API content of a user turn (text, code as a fenced block, images): `buildUserContent` of prompt.ts. */
export type UserContentBuilder = (turn: UserTurn) => ContentBlockParam[] | string;

const TITLE_MAX = 60;

export function titleFrom(input: UserInput): string {
  const line = input.text.trim().split(/\r?\n/, 1)[0]?.trim() ?? '';
  const first = input.context?.[0];
  const base = line || (first ? `${first.kind === 'problems' ? 'Problems' : 'Code'} from ${basename(first.path)}` : input.images?.length ? 'Image' : 'New chat');
  return base.length > TITLE_MAX ? `${base.slice(0, TITLE_MAX - 1).trimEnd()}…` : base;
}

function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

export class Conversation {
  readonly id: string;
  title: string;
  readonly createdAt: number;
  updatedAt: number;
  readonly exchanges: Exchange[];
  /** See ConversationData.removed. */
  readonly removed: string[];
  /** See ConversationData.compactions. */
  readonly compactions: Compaction[];

  constructor(data: ConversationData) {
    this.id = data.id;
    this.title = data.title;
    this.createdAt = data.createdAt;
    this.updatedAt = data.updatedAt;
    this.exchanges = data.exchanges;
    this.removed = data.removed ?? [];
    this.compactions = data.compactions ?? [];
  }

  static create(id: string, now: number): Conversation {
    return new Conversation({ version: 1, id, title: 'New chat', createdAt: now, updatedAt: now, exchanges: [] });
  }

  get isEmpty(): boolean {
    return this.exchanges.length === 0;
  }

  get summary(): ConversationSummary {
    return { id: this.id, title: this.title, updatedAt: this.updatedAt };
  }

  /** Appends a question and its empty, streaming answer. */
  addExchange(input: UserInput, ids: { user: string; answer: string }, now: number): Exchange {
    if (this.isEmpty) this.title = titleFrom(input);
    const user: UserTurn = { id: ids.user, role: 'user', text: input.text, context: input.context ?? [], images: input.images ?? [] };
    const exchange: Exchange = { user, answer: { id: ids.answer, status: 'streaming', messages: [] }, askedAt: now, updatedAt: now };
    this.exchanges.push(exchange);
    this.updatedAt = now;
    return exchange;
  }

  findAnswer(answerId: string): Exchange | undefined {
    return this.exchanges.find((e) => e.answer.id === answerId);
  }

  get lastExchange(): Exchange | undefined {
    return this.exchanges[this.exchanges.length - 1];
  }

  /** Turns for the view; `live` overrides the content of the answer that is streaming. */
  turns(live?: { answerId: string; messages: StoredMessage[]; tools?: ReadonlyMap<string, ToolView> }): Turn[] {
    const turns: Turn[] = [];
    for (const exchange of this.exchanges) {
      turns.push(exchange.user);
      const isLive = live && live.answerId === exchange.answer.id;
      const turn = assistantTurn(exchange.answer, isLive ? live.messages : exchange.answer.messages, isLive ? live.tools : undefined);
      const compaction = this.compactions.length > 0 ? compactionRow(this.exchanges, this.compactions, exchange.answer.id) : undefined;
      turns.push(compaction ? { ...turn, compaction } : turn);
    }
    return turns;
  }

  /** Only the last answer can be retried or continued: later turns would otherwise lose their context. */
  isLast(answerId: string): boolean {
    return this.lastExchange?.answer.id === answerId;
  }

  /**
   * Answers still marked streaming (loaded after a window closed mid-answer) become interrupted; with `isCut`, only
   * those it says were cut (another window that is still streaming saves its answer every few seconds).
   */
  markInterrupted(isCut: (exchange: Exchange) => boolean = () => true): boolean {
    let changed = false;
    for (const exchange of this.exchanges) {
      const { answer } = exchange;
      if (answer.status === 'streaming' && isCut(exchange)) {
        answer.status = 'interrupted';
        // Finished rounds of a tool loop stay as they are (their calls go back, with a result each); the rest was cut.
        answer.messages = answer.messages.map((m) => (m.complete && m.toolResults ? m : { ...m, complete: false }));
        changed = true;
      }
    }
    return changed;
  }

  toData(): ConversationData {
    return { version: 1, id: this.id, title: this.title, createdAt: this.createdAt, updatedAt: this.updatedAt, exchanges: this.exchanges, ...(this.removed.length > 0 ? { removed: this.removed } : {}), ...(this.compactions.length > 0 ? { compactions: this.compactions } : {}) };
  }
}

export function assistantTurn(answer: StoredAnswer, messages: StoredMessage[] = answer.messages, tools?: ReadonlyMap<string, ToolView>): AssistantTurn {
  return {
    id: answer.id,
    role: 'assistant',
    blocks: messagesToAnswerBlocks(messages, tools),
    status: answer.status,
    ...(answer.meta ? { meta: answer.meta } : {}),
    ...(answer.error ? { error: answer.error } : {}),
    ...(answer.paused && answer.status !== 'streaming' ? { paused: answer.paused } : {}),
    ...(answer.changes?.length ? { changes: answer.changes.map(viewOfChange) } : {}),
  };
}

/** What the view shows of a changed file (not where it is, nor its checkpoint). */
export function viewOfChange({ path, added, removed, created, deleted }: StoredFileChange): TurnFileChange {
  return { path, added, removed, ...(created ? { created } : {}), ...(deleted ? { deleted } : {}) };
}

/** Meta of an answer that was continued: tokens and time add up; billed and estimated cost never mix. */
export function combineMeta(before: AnswerMeta | undefined, after: AnswerMeta | undefined): AnswerMeta | undefined {
  if (!before || !after) return after ?? before;
  const modelName = after.modelName ?? (after.model === before.model ? before.modelName : undefined);
  return {
    model: after.model,
    ...(modelName ? { modelName } : {}),
    inputTokens: after.inputTokens,
    // The last request's cache use and prefix: what the next question may read from the cache.
    ...(after.cacheReadTokens ? { cacheReadTokens: after.cacheReadTokens } : {}),
    ...(after.cacheWriteTokens ? { cacheWriteTokens: after.cacheWriteTokens } : {}),
    outputTokens: before.outputTokens + after.outputTokens,
    cost: combineCost(before.cost, after.cost),
    durationMs: before.durationMs + after.durationMs,
    stopReason: after.stopReason,
    ...(after.cacheKey ? { cacheKey: after.cacheKey } : {}),
  };
}

function combineCost(a: AnswerCost, b: AnswerCost): AnswerCost {
  if (a.kind === 'billed' && b.kind === 'billed') return { kind: 'billed', credits: a.credits + b.credits };
  if (a.kind === 'estimate' && b.kind === 'estimate') return { kind: 'estimate', credits: a.credits + b.credits };
  return { kind: 'unknown' };
}

/** Whether the view should offer Continue for this answer. */
export function canContinue(answer: StoredAnswer): boolean {
  if (answer.status === 'streaming') return false;
  // A tool loop that paused (a bound) or was cut after a round of results goes on from those results.
  const last = answer.messages[answer.messages.length - 1];
  if (last?.complete && (last.toolResults !== undefined || last.stopReason === 'pause_turn')) return true;
  const hasText = answer.messages.some((m) => m.content.some((b) => b.type === 'text' && b.text.trim().length > 0));
  if (!hasText) return false;
  return answer.status === 'done' ? answer.meta?.stopReason === 'max_tokens' : true;
}
