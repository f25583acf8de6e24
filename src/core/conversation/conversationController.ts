// The chat's behaviour without VS Code: owns the conversations, runs one answer at a time, turns
// stream events into batched view messages, and persists. The host wraps it with the webview and
// the editor actions; tests drive it directly.
import { randomUUID } from 'node:crypto';
import type { ContentBlock, MessageParam, StreamEvent, Tool, ToolChoice, ToolUseBlock } from '../../api';
import type { AnswerMeta, ChatSnapshot, ConversationSummary, HostToWebview, RequestEstimate, RetryNotice, Turn, TurnError } from '../../common/protocol';
import {
  assistantTurn,
  buildRequest,
  canContinue,
  combineMeta,
  Conversation,
  type ConversationData,
  hasAnswer,
  type Exchange,
  type StoredMessage,
  type UserContentBuilder,
  type UserInput,
} from './conversation';
import { LiveAnswer, messagesToAnswerBlocks, type ToolView } from './conversationAnswer';
import { describeCall, parseToolCall, READ_ONLY_TOOLS, toolDefinitions } from '../tools/definitions';
import type { ChatTools, PreparedToolCall, StoredToolResult } from '../tools/types';
import { CACHE_TTL_MS, requestEstimate, type PreviewSettings } from '../cost/costPreview';
import { imagesBlamedBy, imagesInRequest, requestImagesError } from '../request/requestImages';
import { conversationToMarkdown } from './conversationMarkdown';
import { mergeConversationData } from './conversationMerge';
import { processAlive } from './fileLock';
import type { ConversationStore } from './conversationStore';
import { DeltaBatcher, realScheduler, type Scheduler } from './deltaBatcher';
import { modelDisplayName } from '../models/modelCatalog';

/** What the request runner returns (the host's RequestRunner has this shape; it never throws). */
export interface AnswerOutcome {
  status: 'done' | 'stopped' | 'error';
  meta?: AnswerMeta;
  error?: TurnError;
}

/** An answer that was already given outside the chat (an inline explanation), as it ended. */
export interface AnsweredElsewhere {
  content: ContentBlock[];
  status: 'done' | 'stopped' | 'error';
  meta?: AnswerMeta;
  error?: TurnError;
}

/**
 * `bypassSpendingLimit`: the user chose Send Anyway on a request a spending limit held back (this once).
 * `onRetry`: the runner waits before sending the request again (429, 529, …).
 */
export interface AnswerRunOptions {
  bypassSpendingLimit?: boolean;
  onRetry?: (notice: RetryNotice) => void;
}

export interface AnswerRunner {
  run(
    input: { messages: MessageParam[]; system?: string; tools?: Tool[]; toolChoice?: ToolChoice },
    signal: AbortSignal,
    onEvent: (event: StreamEvent) => void,
    options?: AnswerRunOptions,
  ): Promise<AnswerOutcome>;
}

export interface ConversationControllerDeps {
  runner: AnswerRunner;
  store: ConversationStore;
  userContent: UserContentBuilder;
  /** Posts to the webview; the host drops messages while no view is ready (a snapshot follows on `ready`). */
  post: (message: HostToWebview) => void;
  model: () => string;
  /** The model's name for the header (from the endpoint's model list); the id when absent. */
  modelName?: () => string;
  /** Prefill is not allowed with extended thinking; Continue then asks in a user message. */
  prefillAllowed: () => boolean;
  log: (message: string) => void;
  /** The workspace tools (read, search, edit) and their bounds; absent = no tools. */
  tools?: ChatTools;
  scheduler?: Scheduler;
  newId?: () => string;
  now?: () => number;
  /** Delay of the debounced save while an answer streams. */
  saveDelayMs?: number;
  /** What the next request adds besides the conversation (system prompt, tools, price): the cost preview. None: no preview. */
  previewSettings?: () => PreviewSettings;
}

interface ActiveRun {
  conversation: Conversation;
  exchange: Exchange;
  /** Messages of the answer that stay as they are (earlier parts of a continued answer, earlier tool rounds). */
  kept: StoredMessage[];
  live: LiveAnswer;
  abort: AbortController;
  finished: Promise<void>;
  /** Tool calls waiting or running, as the view shows them (their results are in `kept` once they have one). */
  toolViews: Map<string, ToolView>;
  /** Approval cards waiting for the user: tool_use id → resolves with the decision. */
  decisions: Map<string, (decision: 'apply' | 'reject' | 'stopped') => void>;
  /** The wait before the request is sent again, while the view counts it down (cleared by the first stream event). */
  retrying?: { notice: RetryNotice; at: number };
}

/** What goes back to the model when the user turns a call down or stops while its card waits. */
export const TOOL_DECLINED = {
  change: 'The user declined this change: the file was not changed. Ask what they want instead, or continue without it.',
  read: 'The user declined to let you read this file.',
  stopped: 'The user stopped the answer before deciding: nothing was changed.',
} as const;

/** A call the loop did not get to because the user pressed Stop. */
const NOT_RUN_STOPPED = 'This tool call was not run: the user stopped the answer.';

function pendingSummary(call: ToolUseBlock): string {
  const parsed = parseToolCall(call.name, call.input);
  return parsed.ok ? describeCall(parsed.call) : call.name;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function roundCredits(credits: number): string {
  return String(Math.round(credits * 10000) / 10000);
}

function hasToolBlocks(messages: readonly MessageParam[]): boolean {
  return messages.some((m) => typeof m.content !== 'string' && m.content.some((b) => b.type === 'tool_use' || b.type === 'tool_result'));
}

/** Above this many characters a conversation file is saved less often while streaming. */
const BIG_FILE_CHARS = 2_000_000;
/**
 * An answer saved as streaming was cut (its window closed or reloaded) when the process streaming it is gone, or when
 * it has not been saved for this long (a live one is saved every 1-5 s).
 */
const STALE_STREAMING_MS = 15_000;

export class ConversationController {
  private active: Conversation;
  private summaries = new Map<string, ConversationSummary>();
  private readonly loaded = new Map<string, Conversation>();
  private run: ActiveRun | undefined;
  private readonly batcher: DeltaBatcher;
  private readonly scheduler: Scheduler;
  private readonly newId: () => string;
  private readonly now: () => number;
  private saveTimer: unknown;
  private recheckTimer: unknown;
  private cacheTimer: unknown;
  private lastSavedSize = 0;
  private disposed = false;
  /** Resolves when the saved conversations have been read. */
  readonly ready: Promise<void>;

  constructor(private readonly deps: ConversationControllerDeps) {
    this.scheduler = deps.scheduler ?? realScheduler;
    this.newId = deps.newId ?? (() => randomUUID());
    this.now = deps.now ?? (() => Date.now());
    this.batcher = new DeltaBatcher((turnId, chunks) => this.deps.post({ type: 'delta', turnId, chunks }), this.scheduler);
    this.active = Conversation.create(this.newId(), this.now());
    this.ready = this.load();
  }

  get conversation(): Conversation {
    return this.active;
  }

  /** The active conversation's turns, with the text streamed so far. */
  turns(): Turn[] {
    return this.active.turns(this.liveOverride());
  }

  get busy(): boolean {
    return this.run !== undefined;
  }

  /** Everything the view needs for a first paint, including the text streamed so far. */
  snapshot(): ChatSnapshot {
    // Pending deltas are part of the live content the snapshot carries: sending them too would double them.
    this.batcher.discard();
    return {
      conversationId: this.active.id,
      turns: this.active.turns(this.liveOverride()),
      conversations: this.conversationList(),
      model: this.deps.model(),
      modelName: this.deps.modelName?.() ?? modelDisplayName(this.deps.model()),
      busy: this.busy,
      ...this.estimateField(),
    };
  }

  /** The cost preview's base for the next question in the active conversation; undefined without preview settings. */
  estimate(): RequestEstimate | undefined {
    const settings = this.deps.previewSettings?.();
    return settings ? requestEstimate(this.active.exchanges, this.deps.userContent, { now: this.now(), ...settings }) : undefined;
  }

  /** Sends the webview a fresh cost preview base (after an answer, or when the model or system prompt changed). */
  postEstimate(): void {
    const estimate = this.estimate();
    if (!estimate || this.disposed) return;
    this.deps.post({ type: 'estimate', estimate });
    // A warm prompt cache goes cold after its lifetime: the preview then prices everything as a cache write.
    if (this.cacheTimer !== undefined) this.scheduler.clearTimeout(this.cacheTimer);
    this.cacheTimer = undefined;
    if (estimate.cache && estimate.cache.readTokens > 0) {
      this.cacheTimer = this.scheduler.setTimeout(() => {
        this.cacheTimer = undefined;
        this.postEstimate();
      }, CACHE_TTL_MS + 1000);
    }
  }

  private estimateField(): { estimate?: RequestEstimate } {
    const estimate = this.estimate();
    return estimate ? { estimate } : {};
  }

  conversationList(): ConversationSummary[] {
    const list = [...this.summaries.values()];
    if (!this.active.isEmpty && !this.summaries.has(this.active.id)) list.push(this.active.summary);
    return list.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** Adds the user's turn and streams the answer; resolves when the answer has ended. */
  async ask(input: UserInput): Promise<void> {
    await this.ready;
    await this.stopAndWait();
    // Another window may have asked in this chat meanwhile: its turns are context for this question.
    await this.sync(this.active);
    const conversation = this.active;
    const exchange = conversation.addExchange(input, { user: this.newId(), answer: this.newId() }, this.now());
    this.summaries.set(conversation.id, conversation.summary);
    this.deps.post({ type: 'turnAdded', user: exchange.user, assistant: assistantTurn(exchange.answer) });
    this.postConversations();
    await this.runAnswer(conversation, exchange, 'answer');
  }

  /**
   * Adds a question with the answer it already got elsewhere (an inline explanation) to the active
   * conversation, without a request: follow-ups then carry it as history, and it is not paid for twice.
   */
  async addAnswered(input: UserInput, answered: AnsweredElsewhere): Promise<void> {
    await this.ready;
    await this.stopAndWait();
    const conversation = this.active;
    const exchange = conversation.addExchange(input, { user: this.newId(), answer: this.newId() }, this.now());
    const answer = exchange.answer;
    answer.status = answered.status;
    if (answered.content.length > 0) answer.messages = [{ content: answered.content, complete: answered.status === 'done' }];
    if (answered.meta) answer.meta = answered.meta;
    if (answered.error) answer.error = answered.error;
    this.summaries.set(conversation.id, conversation.summary);
    this.deps.post({ type: 'turnAdded', user: exchange.user, assistant: assistantTurn(answer) });
    this.postConversations();
    await this.save(conversation);
  }

  /**
   * Runs the last answer again from scratch (Send Anyway: past a spending limit, this once). An earlier question that
   * got no answer (it is not sent as context) is asked again as a new question at the end, where its answer can
   * follow the conversation as it is now.
   */
  async retry(answerId: string, options: AnswerRunOptions = {}): Promise<void> {
    await this.ready;
    const exchange = this.active.findAnswer(answerId);
    if (exchange && !this.busy && !this.active.isLast(answerId) && !hasAnswer(exchange.answer)) {
      const { text, context, images } = exchange.user;
      await this.ask({ text, context, images });
      return;
    }
    if (!exchange || !this.active.isLast(answerId) || this.busy) {
      this.deps.log(`Retry ignored: answer ${answerId} is not the last finished answer.`);
      return;
    }
    await this.runAnswer(this.active, exchange, 'answer', options);
  }

  /** Asks the model to go on with the last answer, appending to the same turn. */
  async continue(answerId: string): Promise<void> {
    await this.ready;
    const exchange = this.active.findAnswer(answerId);
    if (!exchange || !this.active.isLast(answerId) || this.busy || !canContinue(exchange.answer)) {
      this.deps.log(`Continue ignored: answer ${answerId} cannot be continued.`);
      return;
    }
    await this.runAnswer(this.active, exchange, 'continue');
  }

  stop(): void {
    this.run?.abort.abort();
  }

  /** A (re)loaded view gets the countdown of a request that is waiting to be sent again, with the time left. */
  postRetryState(): void {
    const run = this.run;
    if (!run?.retrying || run.conversation !== this.active || this.disposed) return;
    const { notice, at } = run.retrying;
    const delayMs = Math.max(0, notice.delayMs - (this.now() - at));
    this.deps.post({ type: 'retrying', turnId: run.exchange.answer.id, retry: { ...notice, delayMs } });
  }

  /**
   * Drops the images an answer's error names (over the API's limits or refused by it) from the conversation: later
   * requests send a short note instead. Then the answer is asked again when it is the last one.
   */
  async removeImages(answerId: string): Promise<void> {
    await this.ready;
    const exchange = this.active.findAnswer(answerId);
    const ids = new Set(exchange?.answer.error?.imageIds ?? []);
    if (!exchange || ids.size === 0 || this.busy) {
      this.deps.log(`Remove images ignored: answer ${answerId} names no images.`);
      return;
    }
    const now = this.now();
    for (const changed of this.active.exchanges) {
      if (!changed.user.images.some((image) => ids.has(image.id))) continue;
      changed.user.images = changed.user.images.map((image) => (ids.has(image.id) ? { ...image, omitted: true } : image));
      // The newer copy wins when windows merge: this change must not lose to one saved before it.
      changed.updatedAt = now;
    }
    this.deps.post({ type: 'snapshot', snapshot: this.snapshot() });
    await this.save(this.active);
    await this.retry(answerId);
  }

  /**
   * Drops an attached selection, file or image of the question `userTurnId` from the context of later requests (a
   * short note takes its place), or adds it back. The turn still shows it, marked; the cost preview follows.
   */
  async setOmitted(userTurnId: string, itemId: string, omitted: boolean): Promise<boolean> {
    await this.ready;
    const exchange = this.active.exchanges.find((e) => e.user.id === userTurnId);
    const user = exchange?.user;
    const inContext = user?.context.some((c) => c.id === itemId) ?? false;
    const inImages = user?.images.some((image) => image.id === itemId) ?? false;
    if (!exchange || !user || (!inContext && !inImages)) {
      this.deps.log(`Omit ignored: question ${userTurnId} has no attachment ${itemId}.`);
      return false;
    }
    const set = <T extends { id: string; omitted?: boolean }>(item: T): T => {
      if (item.id !== itemId) return item;
      const { omitted: _was, ...rest } = item;
      return (omitted ? { ...rest, omitted: true } : rest) as T;
    };
    user.context = user.context.map(set);
    user.images = user.images.map(set);
    // The newer copy wins when windows merge.
    exchange.updatedAt = this.now();
    this.deps.post({ type: 'snapshot', snapshot: this.snapshot() });
    await this.save(this.active);
    return true;
  }

  async newChat(): Promise<void> {
    await this.ready;
    await this.stopAndWait();
    if (!this.active.isEmpty) this.active = Conversation.create(this.newId(), this.now());
    this.deps.post({ type: 'snapshot', snapshot: this.snapshot() });
  }

  async switchChat(id: string): Promise<void> {
    await this.ready;
    if (id === this.active.id) return;
    const target = await this.open(id);
    if (!target) {
      this.deps.log(`Switch ignored: no conversation ${id}.`);
      return;
    }
    await this.stopAndWait();
    this.active = target;
    this.deps.post({ type: 'snapshot', snapshot: this.snapshot() });
  }

  async deleteChat(id: string): Promise<void> {
    await this.ready;
    const wasActive = id === this.active.id;
    if (wasActive) await this.stopAndWait();
    this.summaries.delete(id);
    this.loaded.delete(id);
    await this.deps.store.delete(id);
    if (wasActive) {
      const next = [...this.summaries.values()].sort((a, b) => b.updatedAt - a.updatedAt)[0];
      this.active = (next && (await this.open(next.id))) || Conversation.create(this.newId(), this.now());
      this.deps.post({ type: 'snapshot', snapshot: this.snapshot() });
    } else {
      this.postConversations();
    }
  }

  exportMarkdown(): string {
    return conversationToMarkdown(this.active.title, this.active.turns(this.liveOverride()));
  }

  /**
   * Re-reads what other windows changed: the conversation list and the active conversation (their new turns
   * appear; a chat deleted elsewhere goes). The host calls it when the view shows again, on focus and on file changes.
   */
  async refresh(): Promise<void> {
    await this.ready;
    if (this.disposed) return;
    try {
      const before = JSON.stringify(this.conversationList());
      const list = await this.deps.store.list();
      const listed = new Set(list.map((s) => s.id));
      for (const id of this.loaded.keys()) if (!listed.has(id) && id !== this.active.id) this.loaded.delete(id);
      this.summaries = new Map(list.map((s) => [s.id, s]));
      await this.sync(this.active);
      if (!this.disposed && JSON.stringify(this.conversationList()) !== before) this.postConversations();
    } catch (error) {
      this.deps.log(`Could not re-read the conversations: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Resolves when the running answer (if any) has ended and been saved. */
  async idle(): Promise<void> {
    await this.run?.finished;
    await this.deps.store.flushed();
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
    this.batcher.dispose();
    if (this.saveTimer !== undefined) this.scheduler.clearTimeout(this.saveTimer);
    if (this.recheckTimer !== undefined) this.scheduler.clearTimeout(this.recheckTimer);
    if (this.cacheTimer !== undefined) this.scheduler.clearTimeout(this.cacheTimer);
  }

  private async load(): Promise<void> {
    try {
      const list = await this.deps.store.list();
      this.summaries = new Map(list.map((s) => [s.id, s]));
      const recent = list[0] && (await this.open(list[0].id));
      // Something asked before loading finished: keep that conversation.
      if (recent && this.active.isEmpty) this.active = recent;
    } catch (error) {
      this.deps.log(`Could not read saved conversations: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async open(id: string): Promise<Conversation | undefined> {
    const cached = this.loaded.get(id);
    if (cached) {
      // Shown again: pick up what other windows added since.
      await this.sync(cached);
      return this.loaded.get(id);
    }
    const data = await this.deps.store.load(id);
    if (!data) return undefined;
    const conversation = new Conversation(data);
    // An answer that was streaming when its window closed stays, marked unfinished (one still being saved by another window streams on there).
    if (conversation.markInterrupted(this.isCut)) void this.save(conversation);
    this.loaded.set(id, conversation);
    this.watchStreamingElsewhere(conversation);
    return conversation;
  }

  /** Whether a saved streaming answer was cut rather than still streaming in another window. */
  private readonly isCut = (exchange: Exchange): boolean =>
    (exchange.updatedAt ?? 0) < this.now() - STALE_STREAMING_MS || (exchange.streamingPid !== undefined && !processAlive(exchange.streamingPid));

  /** An answer streaming in another window: look again later, to show its progress or mark it cut if that window went. */
  private watchStreamingElsewhere(conversation: Conversation): void {
    if (this.recheckTimer !== undefined || this.disposed) return;
    const mine = this.run?.conversation === conversation ? this.run.exchange : undefined;
    if (!conversation.exchanges.some((e) => e !== mine && e.answer.status === 'streaming')) return;
    this.recheckTimer = this.scheduler.setTimeout(() => {
      this.recheckTimer = undefined;
      if (this.active === conversation) void this.sync(conversation);
    }, STALE_STREAMING_MS / 3);
  }

  /** Merges in another window's changes to `conversation`, if its file changed since this window read or wrote it. */
  private async sync(conversation: Conversation): Promise<void> {
    let result: Awaited<ReturnType<ConversationStore['read']>>;
    try {
      result = await this.deps.store.read(conversation.id, { ifChanged: true });
    } catch (error) {
      this.deps.log(`Could not re-read the conversation: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (result.state === 'deleted') return this.deletedElsewhere(conversation);
    if (result.state === 'ok') this.adopt(conversation, result.data);
    if (this.run?.conversation !== conversation && conversation.markInterrupted(this.isCut)) {
      void this.save(conversation);
      if (conversation === this.active && !this.disposed) this.deps.post({ type: 'snapshot', snapshot: this.snapshot() });
    }
    this.watchStreamingElsewhere(conversation);
  }

  /** Takes another window's version of `conversation` in, keeping this window's newer exchanges and its live answer. */
  private adopt(conversation: Conversation, theirs: ConversationData): void {
    const run = this.run?.conversation === conversation ? this.run : undefined;
    const result = mergeConversationData(conversation.toData(), theirs, run?.exchange.answer.id);
    conversation.updatedAt = Math.max(conversation.updatedAt, theirs.updatedAt);
    if (!result.changed) return;
    conversation.exchanges.splice(0, conversation.exchanges.length, ...result.data.exchanges);
    conversation.title = result.data.title;
    if (this.summaries.has(conversation.id) || !conversation.isEmpty) this.summaries.set(conversation.id, conversation.summary);
    if (conversation === this.active && !this.disposed) this.deps.post({ type: 'snapshot', snapshot: this.snapshot() });
  }

  /** Another window deleted this conversation: it goes here too (an answer still streaming into it is stopped). */
  private deletedElsewhere(conversation: Conversation): void {
    this.summaries.delete(conversation.id);
    this.loaded.delete(conversation.id);
    if (this.run?.conversation === conversation) this.run.abort.abort();
    if (this.disposed) return;
    if (conversation !== this.active) {
      this.postConversations();
      return;
    }
    this.active = Conversation.create(this.newId(), this.now());
    this.deps.post({ type: 'snapshot', snapshot: this.snapshot() });
    this.deps.post({ type: 'notice', level: 'info', message: 'This chat was deleted in another window.' });
  }

  private async stopAndWait(): Promise<void> {
    const run = this.run;
    if (!run) return;
    run.abort.abort();
    await run.finished;
  }

  private async runAnswer(conversation: Conversation, exchange: Exchange, mode: 'answer' | 'continue', options: AnswerRunOptions = {}): Promise<void> {
    const answer = exchange.answer;
    const index = conversation.exchanges.indexOf(exchange);
    const tools = this.deps.tools?.enabled() ? this.deps.tools : undefined;
    let request = buildRequest(conversation.exchanges, index, mode, this.deps.userContent, { prefill: this.deps.prefillAllowed() });
    const restarting = mode === 'continue' || answer.messages.length > 0 || answer.status !== 'streaming';

    let kept: StoredMessage[];
    let live: LiveAnswer;
    const previousMeta = mode === 'continue' ? answer.meta : undefined;
    if (mode === 'answer') {
      kept = [];
      live = new LiveAnswer();
    } else if (request.continueMode === 'prefill') {
      // The prefill is the last message with its trailing whitespace trimmed (as sent); the stream extends it.
      kept = answer.messages.slice(0, -1);
      const last = answer.messages[answer.messages.length - 1].content.map((b) => ({ ...b }));
      const tail = last[last.length - 1];
      if (tail.type === 'text') tail.text = tail.text.trimEnd();
      live = new LiveAnswer(last, messagesToAnswerBlocks(kept).length);
    } else {
      kept = answer.messages;
      live = new LiveAnswer([], messagesToAnswerBlocks(kept).length);
    }
    answer.status = 'streaming';
    delete answer.error;
    delete answer.paused;
    if (mode === 'answer') delete answer.meta;
    // Changed now: this copy must win over other windows' older copies of the exchange.
    exchange.updatedAt = this.now();

    const abort = new AbortController();
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const run: ActiveRun = { conversation, exchange, kept, live, abort, finished, toolViews: new Map(), decisions: new Map() };
    this.run = run;

    if (restarting) {
      this.deps.post({ type: 'turnRestarted', turnId: answer.id, blocks: messagesToAnswerBlocks([...kept, { content: live.content() }]) });
    }
    this.deps.post({ type: 'busy', busy: true });
    this.saveSoon();

    let outcome: AnswerOutcome;
    let meta = previousMeta;
    let rounds = 0;
    let billed = 0;
    // The tool loop: each answer that asks for tools gets their results in one user message, and the next answer
    // streams into the same turn, until the model is done, Stop, an error, or a bound pauses it.
    for (;;) {
      outcome = await this.requestOnce(run, request.messages, tools, options);
      meta = combineMeta(meta, outcome.meta);
      if (outcome.meta?.cost.kind === 'billed') billed += outcome.meta.cost.credits;
      this.batcher.flush();
      const stopReason = outcome.status === 'done' ? (outcome.meta?.stopReason ?? undefined) : undefined;
      const content = run.live.content();
      const calls = content.filter((b): b is ToolUseBlock => b.type === 'tool_use');
      const toolRound = stopReason === 'tool_use' && tools !== undefined && calls.length > 0;
      if (this.disposed || !(toolRound || (stopReason === 'pause_turn' && content.length > 0))) break;
      const message: StoredMessage = { content, complete: true, stopReason };
      run.kept = [...run.kept, message];
      run.live = new LiveAnswer([], messagesToAnswerBlocks(run.kept).length);
      if (toolRound) {
        message.toolResults = [];
        await this.runTools(run, message, calls, tools);
        rounds++;
        if (abort.signal.aborted) {
          outcome = { status: 'stopped' };
          break;
        }
        const limits = tools.limits();
        const pause = rounds >= limits.maxRounds
          ? `Paused after ${rounds} round${rounds === 1 ? '' : 's'} of tool use (fastrouter.tools.maxRounds is ${limits.maxRounds}). Continue goes on.`
          : limits.maxCreditsPerQuestion > 0 && billed >= limits.maxCreditsPerQuestion
            ? `Paused: this question has cost ${roundCredits(billed)} credits (fastrouter.tools.maxCreditsPerQuestion is ${limits.maxCreditsPerQuestion}). Continue goes on.`
            : undefined;
        if (pause) {
          answer.paused = pause;
          break;
        }
      }
      answer.messages = run.kept;
      request = buildRequest(conversation.exchanges, index, 'continue', this.deps.userContent, { prefill: this.deps.prefillAllowed() });
    }

    const content = run.live.content();
    const stopReason = outcome.status === 'done' ? outcome.meta?.stopReason : undefined;
    answer.messages = content.length > 0 ? [...run.kept, { content, complete: outcome.status === 'done', ...(stopReason ? { stopReason } : {}) }] : run.kept;
    // Aborted because the window is closing: it was cut, not stopped by the user.
    answer.status = this.disposed && outcome.status === 'stopped' ? 'interrupted' : outcome.status;
    if (meta) answer.meta = meta;
    if (outcome.error) answer.error = outcome.error;
    conversation.updatedAt = this.now();
    exchange.updatedAt = conversation.updatedAt;
    this.summaries.set(conversation.id, conversation.summary);
    this.run = undefined;

    if (!this.disposed) {
      this.deps.post({ type: 'turnEnded', turnId: answer.id, status: answer.status, meta: answer.meta, error: answer.error, ...(answer.paused ? { paused: answer.paused } : {}) });
      this.deps.post({ type: 'busy', busy: false });
      // The list is ordered by last activity, which just changed.
      if (conversation === this.active) {
        this.postConversations();
        // The answer is context for the next question now, and its real input tokens calibrate the preview.
        this.postEstimate();
      }
    }
    try {
      await this.save(conversation);
    } finally {
      finish();
    }
  }

  /** One request of an answer (the first, or the next one of the tool loop). Never throws. */
  private async requestOnce(run: ActiveRun, messages: MessageParam[], tools: ChatTools | undefined, options: AnswerRunOptions): Promise<AnswerOutcome> {
    const { conversation } = run;
    // Images over the API's limits are caught here, before anything is sent (older conversations may hold such images).
    const imageError = requestImagesError(imagesInRequest(messages, conversation.exchanges));
    if (imageError) return { status: 'error', error: imageError };
    let outcome: AnswerOutcome;
    try {
      const input = tools
        ? { messages, tools: toolDefinitions() }
        // Tools off, but the history holds tool calls: the definitions go along (the API wants them) and none may be called.
        : hasToolBlocks(messages) ? { messages, tools: toolDefinitions(), toolChoice: { type: 'none' as const } } : { messages };
      const onRetry = (notice: RetryNotice): void => {
        if (this.run !== run || this.disposed) return;
        run.retrying = { notice, at: this.now() };
        this.deps.post({ type: 'retrying', turnId: run.exchange.answer.id, retry: notice });
      };
      outcome = await this.deps.runner.run(input, run.abort.signal, (event) => this.onEvent(run, event), { ...options, onRetry });
    } catch (error) {
      // The runner promises not to throw; if it does, the answer still ends cleanly.
      outcome = { status: 'error', error: { code: 'api', message: error instanceof Error ? error.message : String(error), actions: ['retry', 'showLog'] } };
    }
    const blamed = outcome.error ? imagesBlamedBy(outcome.error.message, messages, conversation.exchanges) : [];
    if (outcome.error && blamed.length > 0 && /invalid_request|too_large/.test(outcome.error.code)) {
      // The API refused an image: offer to drop it, so the conversation does not fail again at every question.
      outcome = { ...outcome, error: { ...outcome.error, actions: ['removeImages', ...outcome.error.actions.filter((a) => a !== 'openSettings')], imageIds: blamed.map((image) => image.id) } };
    }
    return outcome;
  }

  /** Runs a round's tool calls in the order the model made them; each result is saved as soon as it is there. */
  private async runTools(run: ActiveRun, message: StoredMessage, calls: readonly ToolUseBlock[], tools: ChatTools): Promise<void> {
    const results = message.toolResults ?? (message.toolResults = []);
    for (const call of calls) run.toolViews.set(call.id, { state: 'pending', summary: pendingSummary(call) });
    for (const call of calls) this.postTool(run, call.id);
    for (const call of calls) {
      const result: StoredToolResult = run.abort.signal.aborted
        ? { toolUseId: call.id, content: NOT_RUN_STOPPED, isError: true, state: 'error', summary: `${pendingSummary(call)} (not run: stopped)` }
        : await this.runTool(run, call, tools);
      results.push(result);
      run.toolViews.delete(call.id);
      tools.release?.(call.id);
      this.postTool(run, call.id);
      this.saveSoon();
    }
  }

  private async runTool(run: ActiveRun, call: ToolUseBlock, tools: ChatTools): Promise<StoredToolResult> {
    const id = call.id;
    const signal = run.abort.signal;
    const fail = (content: string, summary: string): StoredToolResult => ({ toolUseId: id, content, isError: true, state: 'error', summary });
    const parsed = parseToolCall(call.name, call.input);
    // Bad input from the model is its to fix: the error says what was wrong.
    if (!parsed.ok) return fail(parsed.error, `${call.name}: invalid input`);
    const summary = describeCall(parsed.call);
    this.setTool(run, id, { state: 'running', summary });
    let prepared: PreparedToolCall | { error: string; summary?: string };
    try {
      prepared = await tools.prepare(parsed.call, { toolUseId: id, signal });
    } catch (error) {
      return fail(`${call.name} failed: ${errorText(error)}`, `${summary} (failed)`);
    }
    if ('error' in prepared) return fail(prepared.error, prepared.summary ?? `${summary} (failed)`);
    const change = prepared.change;
    const asks = !READ_ONLY_TOOLS.has(parsed.call.name) || prepared.secret === true || !tools.limits().autoApproveReadOnly;
    if (asks) {
      const reason = prepared.secret ? 'This file may hold secrets: it is read only if you allow it.' : undefined;
      this.setTool(run, id, { state: 'approval', summary: prepared.summary, ...(change ? { change } : {}), ...(reason ? { reason } : {}) });
      const decision = await this.decision(run, id);
      if (decision !== 'apply') {
        const content = decision === 'stopped' ? TOOL_DECLINED.stopped : change ? TOOL_DECLINED.change : TOOL_DECLINED.read;
        return { toolUseId: id, content, isError: true, state: 'rejected', summary: prepared.summary, ...(change ? { change } : {}) };
      }
      this.setTool(run, id, { state: 'running', summary: prepared.summary, ...(change ? { change } : {}) });
    }
    try {
      const result = await prepared.run(signal);
      const state = result.isError ? 'error' : change ? 'applied' : 'done';
      return { toolUseId: id, content: result.content, ...(result.isError ? { isError: true } : {}), state, summary: result.summary, ...(change ? { change } : {}) };
    } catch (error) {
      return fail(`${call.name} failed: ${errorText(error)}`, `${prepared.summary} (failed)`);
    }
  }

  /** Waits for Apply / Reject on a call's card; Stop (or closing) answers 'stopped'. */
  private decision(run: ActiveRun, toolUseId: string): Promise<'apply' | 'reject' | 'stopped'> {
    const signal = run.abort.signal;
    if (signal.aborted) return Promise.resolve('stopped');
    return new Promise((resolve) => {
      const onAbort = () => done('stopped');
      const done = (decision: 'apply' | 'reject' | 'stopped') => {
        run.decisions.delete(toolUseId);
        signal.removeEventListener('abort', onAbort);
        resolve(decision);
      };
      run.decisions.set(toolUseId, done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The user's Apply / Reject on a card of the running answer. */
  decideTool(turnId: string, toolUseId: string, decision: 'apply' | 'reject'): void {
    const run = this.run;
    const decide = run && run.exchange.answer.id === turnId ? run.decisions.get(toolUseId) : undefined;
    if (!decide) {
      this.deps.log(`Tool decision ignored: no card waits for ${toolUseId}.`);
      return;
    }
    decide(decision);
  }

  /** The tool calls waiting for Apply / Reject (for tests and the host). */
  get pendingApprovals(): string[] {
    return [...(this.run?.decisions.keys() ?? [])];
  }

  private setTool(run: ActiveRun, toolUseId: string, view: ToolView): void {
    run.toolViews.set(toolUseId, view);
    this.postTool(run, toolUseId);
  }

  /** Sends the tool call's row as it is now (its block index in the answer). */
  private postTool(run: ActiveRun, toolUseId: string): void {
    if (this.run !== run || this.disposed) return;
    const blocks = messagesToAnswerBlocks(run.kept, run.toolViews);
    const index = blocks.findIndex((b) => b.kind === 'tool_use' && b.id === toolUseId);
    if (index === -1) return;
    this.batcher.flush();
    this.deps.post({ type: 'block', turnId: run.exchange.answer.id, block: index, value: blocks[index] });
  }

  private onEvent(run: ActiveRun, event: StreamEvent): void {
    if (this.run !== run) return;
    if (run.retrying) {
      // The request went through after a wait: the countdown goes.
      run.retrying = undefined;
      this.deps.post({ type: 'retrying', turnId: run.exchange.answer.id, retry: null });
    }
    const update = run.live.apply(event);
    if (!update) return;
    if (update.kind === 'delta') {
      this.batcher.push(run.exchange.answer.id, update.chunk);
    } else {
      this.batcher.flush();
      this.deps.post({ type: 'block', turnId: run.exchange.answer.id, block: update.block, value: update.value });
    }
    this.saveSoon();
  }

  /** The answer's messages as they are now: the rounds so far plus what is streaming (if anything). */
  private liveMessages(run: ActiveRun): StoredMessage[] {
    const content = run.live.content();
    return content.length > 0 ? [...run.kept, { content, complete: false }] : run.kept;
  }

  private liveOverride(): { answerId: string; messages: StoredMessage[]; tools: ReadonlyMap<string, ToolView> } | undefined {
    const run = this.run;
    if (!run || run.conversation !== this.active) return undefined;
    return { answerId: run.exchange.answer.id, messages: this.liveMessages(run), tools: run.toolViews };
  }

  private postConversations(): void {
    this.deps.post({ type: 'conversations', conversations: this.conversationList(), activeId: this.active.id });
  }

  /**
   * Saves the streaming conversation at most once per `saveDelayMs`, so a crash loses little; a big file
   * (inline images) is rewritten less often, since serializing it blocks the extension host.
   */
  private saveSoon(): void {
    if (this.saveTimer !== undefined || this.disposed) return;
    const base = this.deps.saveDelayMs ?? 1000;
    const delay = this.lastSavedSize > BIG_FILE_CHARS ? base * 5 : base;
    this.saveTimer = this.scheduler.setTimeout(() => {
      this.saveTimer = undefined;
      const run = this.run;
      if (run) void this.save(run.conversation);
    }, delay);
  }

  private async save(conversation: Conversation): Promise<void> {
    if (conversation.isEmpty) return;
    const data = conversation.toData();
    const run = this.run;
    let pinnedAnswerId: string | undefined;
    if (run && run.conversation === conversation) {
      // The live copy, stamped now: other windows see a streaming answer that is still being written.
      const live = { ...run.exchange.answer, messages: this.liveMessages(run) };
      data.exchanges = data.exchanges.map((e) => (e === run.exchange ? { ...e, answer: live, updatedAt: this.now(), streamingPid: process.pid } : e));
      pinnedAnswerId = run.exchange.answer.id;
    }
    try {
      const result = await this.deps.store.save(data, { pinnedAnswerId });
      this.lastSavedSize = result.size;
      if (result.deleted) this.deletedElsewhere(conversation);
      else if (result.merged) this.adopt(conversation, result.merged);
    } catch (error) {
      this.deps.log(`Could not save the conversation: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
