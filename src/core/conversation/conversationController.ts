// The chat's behaviour without VS Code, as one object the host and the tests drive. It is a thin facade over the rooms
// that do the work: ConversationList (which conversations, which is active), AnswerRun (one answer, streamed, with the
// tool loop of toolLoop.ts), ConversationSync (saves and other windows' changes); CostPreviewPoster (the composer's cost preview).
import { randomUUID } from 'node:crypto';
import type { ChatSnapshot, ConversationSummary, HostToWebview, RequestEstimate, Turn } from '../../common/protocol';
import { assistantTurn, canContinue, Conversation, hasAnswer, type Exchange, type StoredMessage, type UserContentBuilder, type UserInput } from './conversation';
import type { ToolView } from './conversationAnswer';
import { AnswerRun, requestTools, resumeAfterError, type AnsweredElsewhere, type AnswerRunner, type AnswerRunOptions } from './answerRun';
import { autoCompactionThrough, manualCompactionThrough, summarise, type CompactionHost, type CompactionSettings } from './compactionRun';
import { canUndo, compactionRow } from './compactions';
import type { MessageParam } from '../../api';
import { omitImages, setAttachmentOmitted } from './attachmentsOmitted';
import { ConversationList } from './conversationList';
import { ConversationSync } from './conversationSync';
import { defaultToolPolicy, type ChatGrants, type ToolPolicy } from './toolLoop';
import { redoAnswerId, rewindConversation, unrewindConversation, type Rewound } from './rewind';
import type { ChatTools } from '../tools/types';
import type { PreviewSettings } from '../cost/costPreview';
import { CostPreviewPoster } from './costPreviewPoster';
import { conversationToMarkdown } from './conversationMarkdown';
import type { ConversationStore } from './conversationStore';
import { DeltaBatcher, realScheduler, type Scheduler } from './deltaBatcher';
import { modelDisplayName } from '../models/modelCatalog';
import { DEFAULT_COMPACT_AT } from '../context/compaction';

export type { AnsweredElsewhere, AnswerOutcome, AnswerRunner, AnswerRunOptions } from './answerRun';
export { TOOL_DECLINED } from './toolLoop';

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
  /** What asks before it runs and when the tool loop pauses; defaultToolPolicy when absent. */
  toolPolicy?: ToolPolicy;
  scheduler?: Scheduler;
  newId?: () => string;
  now?: () => number;
  /** Delay of the debounced save while an answer streams. */
  saveDelayMs?: number;
  /** Retry delay of a failed save (default 30 s). */
  saveRetryMs?: number;
  /** A chat of this window is not on disk (why), or all are saved again (undefined): the host warns before a close loses it. */
  unsavedChanged?: (reason: string | undefined) => void;
  /** What the next request adds besides the conversation (system prompt, tools, price): the cost preview. None: no preview. */
  previewSettings?: () => PreviewSettings;
}

export class ConversationController {
  private readonly list: ConversationList;
  private readonly sync: ConversationSync;
  private run: AnswerRun | undefined;
  /** Reads allowed with "Allow for this chat", per conversation id (memory only). */
  private readonly chatGrants = new Map<string, ChatGrants>();
  /** An on-demand compaction (Compact) in progress: Stop aborts it. */
  private compacting: { abort: AbortController; done: Promise<unknown> } | undefined;
  private readonly batcher: DeltaBatcher;
  private readonly scheduler: Scheduler;
  private readonly newId: () => string;
  private readonly now: () => number;
  private readonly preview: CostPreviewPoster;
  private disposed = false;
  /** Resolves when the saved conversations have been read. */
  readonly ready: Promise<void>;

  constructor(private readonly deps: ConversationControllerDeps) {
    this.scheduler = deps.scheduler ?? realScheduler;
    this.newId = deps.newId ?? (() => randomUUID());
    this.now = deps.now ?? (() => Date.now());
    this.preview = new CostPreviewPoster({
      previewSettings: deps.previewSettings,
      userContent: deps.userContent,
      conversation: () => this.list.active,
      post: deps.post,
      scheduler: this.scheduler,
      now: this.now,
      disposed: () => this.disposed,
    });
    this.batcher = new DeltaBatcher((turnId, chunks) => this.deps.post({ type: 'delta', turnId, chunks }), this.scheduler);
    this.list = new ConversationList(deps.store, () => Conversation.create(this.newId(), this.now()), {
      resync: (conversation) => this.sync.sync(conversation),
      opened: (conversation) => this.sync.opened(conversation),
      restored: (conversation, restored) => this.sync.restored(conversation, restored),
      damaged: (file) => this.sync.damaged(file),
    });
    this.sync = new ConversationSync({
      store: deps.store,
      list: this.list,
      scheduler: this.scheduler,
      now: this.now,
      log: deps.log,
      post: deps.post,
      showSnapshot: () => this.postSnapshot(),
      showConversations: () => this.postConversations(),
      streaming: () => this.run,
      disposed: () => this.disposed,
      saveDelayMs: deps.saveDelayMs,
      saveRetryMs: deps.saveRetryMs,
      unsavedChanged: deps.unsavedChanged,
    });
    this.ready = this.list.load().catch((error: unknown) => {
      this.deps.log(`Could not read saved conversations: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  get conversation(): Conversation {
    return this.list.active;
  }

  /** The active conversation's turns, with the text streamed so far. */
  turns(): Turn[] {
    return this.list.active.turns(this.liveOverride());
  }

  get busy(): boolean {
    return this.run !== undefined || this.compacting !== undefined;
  }

  /** Everything the view needs for a first paint, including the text streamed so far. */
  snapshot(): ChatSnapshot {
    // Pending deltas are part of the live content the snapshot carries: sending them too would double them.
    this.batcher.discard();
    const estimate = this.estimate();
    return {
      conversationId: this.list.active.id,
      turns: this.list.active.turns(this.liveOverride()),
      conversations: this.conversationList(),
      model: this.deps.model(),
      modelName: this.deps.modelName?.() ?? modelDisplayName(this.deps.model()),
      busy: this.busy,
      ...(estimate ? { estimate } : {}),
    };
  }

  /** The cost preview's base for the next question in the active conversation; undefined without preview settings. */
  estimate(): RequestEstimate | undefined {
    return this.preview.estimate();
  }

  /** Sends the webview a fresh cost preview base (after an answer, or when the model or system prompt changed). */
  postEstimate(): void {
    this.preview.post();
  }

  conversationList(): ConversationSummary[] {
    return this.list.list();
  }

  /** Adds the user's turn and streams the answer; resolves when the answer has ended. */
  async ask(input: UserInput): Promise<void> {
    await this.ready;
    await this.stopAndWait();
    await this.compacting?.done;
    // Another window may have asked in this chat meanwhile: its turns are context for this question.
    await this.sync.sync(this.list.active);
    const conversation = this.list.active;
    const undoable = conversation.compactions.filter((c) => canUndo(conversation.exchanges, conversation.compactions, c));
    const exchange = conversation.addExchange(input, { user: this.newId(), answer: this.newId() }, this.now());
    this.list.touch(conversation);
    this.deps.post({ type: 'turnAdded', user: exchange.user, assistant: assistantTurn(exchange.answer) });
    // Undo of a compaction lasts until the next question: this one.
    for (const compaction of undoable) this.postCompactionRow(compaction.throughAnswerId);
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
    const conversation = this.list.active;
    const exchange = conversation.addExchange(input, { user: this.newId(), answer: this.newId() }, this.now());
    const answer = exchange.answer;
    answer.status = answered.status;
    if (answered.content.length > 0) answer.messages = [{ content: answered.content, complete: answered.status === 'done' }];
    if (answered.meta) answer.meta = answered.meta;
    if (answered.error) answer.error = answered.error;
    this.list.touch(conversation);
    this.deps.post({ type: 'turnAdded', user: exchange.user, assistant: assistantTurn(answer) });
    this.postConversations();
    await this.sync.save(conversation);
  }

  /**
   * Runs the last answer again from scratch (Send Anyway: past a spending limit, this once). An earlier question that
   * got no answer (it is not sent as context) is asked again as a new question at the end, where its answer can
   * follow the conversation as it is now.
   */
  async retry(answerId: string, options: AnswerRunOptions = {}): Promise<void> {
    await this.ready;
    const active = this.list.active;
    const exchange = active.findAnswer(answerId);
    if (exchange && !this.busy && !active.isLast(answerId) && !hasAnswer(exchange.answer)) {
      const { text, context, images } = exchange.user;
      await this.ask({ text, context, images });
      return;
    }
    if (!exchange || !active.isLast(answerId) || this.busy) {
      this.deps.log(`Retry ignored: answer ${answerId} is not the last finished answer.`);
      return;
    }
    // A tool loop that failed after finished rounds resends the request that failed, with those rounds (they were
    // paid for, and their edits are applied): only the unfinished message is dropped.
    if (resumeAfterError(exchange.answer)) {
      await this.runAnswer(active, exchange, 'continue', options);
      return;
    }
    await this.runAnswer(active, exchange, 'answer', options);
  }

  /** Asks the model to go on with the last answer, appending to the same turn. */
  async continue(answerId: string): Promise<void> {
    await this.ready;
    const exchange = this.list.active.findAnswer(answerId);
    if (!exchange || !this.list.active.isLast(answerId) || this.busy || !canContinue(exchange.answer)) {
      this.deps.log(`Continue ignored: answer ${answerId} cannot be continued.`);
      return;
    }
    await this.runAnswer(this.list.active, exchange, 'continue');
  }

  stop(): void {
    this.run?.stop();
    this.compacting?.abort.abort();
  }

  /**
   * The Compact action (issue 18 §3): summarises every exchange so far in one request, even under the threshold; from
   * the next question on the summary is sent in their place. Says why when there is nothing to compact or it failed.
   */
  async compact(): Promise<boolean> {
    await this.ready;
    if (this.busy) {
      this.deps.post({ type: 'notice', level: 'info', message: 'Compact waits for the answer to finish: stop it or try again when it is done.' });
      return false;
    }
    const conversation = this.list.active;
    const through = manualCompactionThrough(conversation);
    if (through === undefined) {
      this.deps.post({ type: 'notice', level: 'info', message: conversation.isEmpty ? 'Nothing to compact yet: ask a question first.' : 'Nothing to compact: every answered question is already in the summary.' });
      return false;
    }
    const abort = new AbortController();
    let finish!: () => void;
    this.compacting = { abort, done: new Promise<void>((resolve) => (finish = resolve)) };
    this.deps.post({ type: 'busy', busy: true });
    try {
      const result = await summarise(this.compactionHost(), conversation, through, { trigger: 'manual', signal: abort.signal, settings: this.compactionSettings() });
      if ('error' in result && !result.stopped) this.deps.post({ type: 'notice', level: 'error', message: `The chat could not be compacted: ${result.error}.` });
      return 'compaction' in result;
    } finally {
      this.compacting = undefined;
      finish();
      if (!this.disposed) {
        this.deps.post({ type: 'busy', busy: false });
        this.postEstimate();
      }
    }
  }

  /** The user's edit of a summary: the edited text is what is sent from now on. */
  async editCompaction(id: string, summary: string): Promise<boolean> {
    await this.ready;
    const conversation = this.list.active;
    const compaction = conversation.compactions.find((c) => c.id === id && !c.undone);
    const text = summary.trim();
    if (!compaction || text === '') {
      this.deps.log(`Compaction edit ignored: no compaction ${id} in this chat.`);
      return false;
    }
    if (text !== compaction.summary) {
      compaction.summary = text;
      compaction.edited = true;
      compaction.updatedAt = this.now();
      conversation.updatedAt = compaction.updatedAt;
    }
    this.postCompactionRow(compaction.throughAnswerId);
    this.postEstimate();
    await this.sync.save(conversation);
    return true;
  }

  /** Undo of a compaction, until the next question: the full exchanges are sent again. */
  async undoCompaction(id: string): Promise<boolean> {
    await this.ready;
    const conversation = this.list.active;
    const compaction = conversation.compactions.find((c) => c.id === id);
    if (!compaction || !canUndo(conversation.exchanges, conversation.compactions, compaction)) {
      this.deps.log(`Compaction undo ignored: ${id} cannot be undone (a question came after it, or it is not in this chat).`);
      this.postSnapshot();
      return false;
    }
    compaction.undone = true;
    compaction.updatedAt = this.now();
    conversation.updatedAt = compaction.updatedAt;
    this.postCompactionRow(compaction.throughAnswerId);
    this.postEstimate();
    await this.sync.save(conversation);
    return true;
  }

  private postCompactionRow(answerId: string): void {
    if (this.disposed) return;
    const conversation = this.list.active;
    this.deps.post({ type: 'compaction', turnId: answerId, compaction: compactionRow(conversation.exchanges, conversation.compactions, answerId) ?? null });
  }

  /** What compaction measures a request against: the window, compactAt, and the system prompt and tools sent. */
  private compactionSettings(): CompactionSettings | undefined {
    const settings = this.deps.previewSettings?.();
    if (!settings) return undefined;
    return {
      compactAt: settings.compactAt ?? DEFAULT_COMPACT_AT,
      ...(settings.contextLength ? { contextLength: settings.contextLength } : {}),
      ...(settings.system ? { system: settings.system } : {}),
      ...(settings.tools ? { tools: settings.tools } : {}),
    };
  }

  private compactionHost(): CompactionHost {
    const tools = this.deps.tools?.enabled() ? this.deps.tools : undefined;
    return {
      runner: this.deps.runner,
      userContent: this.deps.userContent,
      post: (message) => {
        if (!this.disposed) this.deps.post(message);
      },
      save: (conversation) => this.sync.save(conversation),
      now: this.now,
      newId: this.newId,
      log: this.deps.log,
      requestTools: (messages) => requestTools(tools, messages),
    };
  }

  /** Before a request of an answer: summarise earlier exchanges when the request would pass the budget. */
  private async autoCompact(run: AnswerRun, messages: MessageParam[], force: boolean, maximum?: number): Promise<boolean> {
    const configured = this.compactionSettings();
    if (!configured) return false;
    // The endpoint named its maximum (it refused the request as too long): that is the window to fit.
    const settings = maximum && maximum > 0 ? { ...configured, contextLength: Math.min(configured.contextLength ?? maximum, maximum) } : configured;
    const index = run.conversation.exchanges.indexOf(run.exchange);
    const through = autoCompactionThrough(run.conversation, index, messages, settings, this.deps.userContent, force);
    if (through === undefined) return false;
    const result = await summarise(this.compactionHost(), run.conversation, through, { trigger: 'auto', signal: run.abort.signal, duringAnswerId: run.exchange.answer.id, settings });
    return 'compaction' in result;
  }

  /** A (re)loaded view gets the countdown of a request that is waiting to be sent again, with the time left. */
  postRetryState(): void {
    if (this.run?.conversation !== this.list.active || this.disposed) return;
    this.run.postRetryState();
  }

  /**
   * Drops the images an answer's error names (over the API's limits or refused by it) from the conversation: later
   * requests send a short note instead. Then the answer is asked again when it is the last one.
   */
  async removeImages(answerId: string): Promise<void> {
    await this.ready;
    const exchange = this.list.active.findAnswer(answerId);
    const ids = new Set(exchange?.answer.error?.imageIds ?? []);
    if (!exchange || ids.size === 0 || this.busy) {
      this.deps.log(`Remove images ignored: answer ${answerId} names no images.`);
      return;
    }
    omitImages(this.list.active, ids, this.now());
    this.postSnapshot();
    await this.sync.save(this.list.active);
    await this.retry(answerId);
  }

  /**
   * Drops an attached selection, file or image of the question `userTurnId` from the context of later requests (a
   * short note takes its place), or adds it back. The turn still shows it, marked; the cost preview follows.
   */
  async setOmitted(userTurnId: string, itemId: string, omitted: boolean): Promise<boolean> {
    await this.ready;
    if (!setAttachmentOmitted(this.list.active, userTurnId, itemId, omitted, this.now())) {
      this.deps.log(`Omit ignored: question ${userTurnId} has no attachment ${itemId}.`);
      return false;
    }
    this.postSnapshot();
    await this.sync.save(this.list.active);
    return true;
  }

  /**
   * Takes the question `userTurnId` and everything after it out of the active conversation (Restore; edit and resend).
   * An answer still running is stopped first. Returns what was taken out, for the composer and for Redo.
   */
  async rewind(userTurnId: string): Promise<Rewound | undefined> {
    await this.ready;
    await this.stopAndWait();
    const conversation = this.list.active;
    const rewound = rewindConversation(conversation, userTurnId, this.now());
    if (!rewound) return undefined;
    this.postSnapshot();
    this.postConversations();
    await this.sync.save(conversation);
    return rewound;
  }

  /** Redo of a Restore: the exchanges it took out come back at the end of the conversation they were in. */
  async unrewind(conversationId: string, removed: readonly Exchange[]): Promise<boolean> {
    await this.ready;
    await this.stopAndWait();
    if (this.list.active.id !== conversationId) await this.switchChat(conversationId);
    const conversation = this.list.active;
    if (conversation.id !== conversationId) return false;
    unrewindConversation(conversation, removed, redoAnswerId, this.now());
    this.postSnapshot();
    await this.sync.save(conversation);
    return true;
  }

  async newChat(): Promise<void> {
    await this.ready;
    await this.stopAndWait();
    if (!this.list.active.isEmpty) this.list.startNew();
    this.postSnapshot();
  }

  async switchChat(id: string): Promise<void> {
    await this.ready;
    if (id === this.list.active.id) return;
    const target = await this.list.open(id);
    if (!target) {
      this.deps.log(`Switch ignored: no conversation ${id}.`);
      return;
    }
    await this.stopAndWait();
    this.list.active = target;
    this.postSnapshot();
  }

  async deleteChat(id: string): Promise<void> {
    await this.ready;
    const wasActive = id === this.list.active.id;
    if (wasActive) await this.stopAndWait();
    this.list.forget(id);
    await this.deps.store.delete(id);
    if (wasActive) {
      const next = this.list.newestSaved();
      const opened = next && (await this.list.open(next.id));
      if (opened) this.list.active = opened;
      else this.list.startNew();
      this.postSnapshot();
    } else {
      this.postConversations();
    }
  }

  exportMarkdown(): string {
    return conversationToMarkdown(this.list.active.title, this.list.active.turns(this.liveOverride()));
  }

  /**
   * Re-reads what other windows changed: the conversation list and the active conversation (their new turns
   * appear; a chat deleted elsewhere goes). The host calls it when the view shows again, on focus and on file changes.
   */
  async refresh(): Promise<void> {
    await this.ready;
    if (this.disposed) return;
    await this.sync.refresh();
  }

  /** The user's Apply / Reject (Allow / Deny / Allow for this chat on a read) on a card of the running answer. */
  decideTool(turnId: string, toolUseId: string, decision: 'apply' | 'allowForChat' | 'reject'): void {
    const run = this.run;
    if (!run || run.exchange.answer.id !== turnId || !run.approvals.decide(toolUseId, decision)) {
      this.deps.log(`Tool decision ignored: no card waits for ${toolUseId}.`);
    }
  }

  /** The tool calls waiting for Apply / Reject (for tests and the host). */
  get pendingApprovals(): string[] {
    return this.run?.approvals.pending() ?? [];
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
    this.sync.dispose();
    this.preview.dispose();
    // The window closes with a chat a failed save kept here: one last try (it may have room now).
    if (this.sync.hasUnsaved) void this.sync.flushUnsaved();
  }

  /** "Allow for this chat" reads of one conversation, for this window's session (never saved: a reload asks again). */
  private grantsFor(conversationId: string): ChatGrants {
    let grants = this.chatGrants.get(conversationId);
    if (!grants) this.chatGrants.set(conversationId, (grants = new Set()));
    return grants;
  }

  private async stopAndWait(): Promise<void> {
    const run = this.run;
    if (!run) return;
    run.stop();
    await run.finished;
  }

  private async runAnswer(conversation: Conversation, exchange: Exchange, mode: 'answer' | 'continue', options: AnswerRunOptions = {}): Promise<void> {
    const run = new AnswerRun(conversation, exchange, mode, {
      runner: this.deps.runner,
      userContent: this.deps.userContent,
      prefillAllowed: this.deps.prefillAllowed,
      tools: this.deps.tools?.enabled() ? this.deps.tools : undefined,
      policy: this.deps.toolPolicy ?? defaultToolPolicy,
      grants: this.grantsFor(conversation.id),
      post: this.deps.post,
      batcher: this.batcher,
      now: this.now,
      disposed: () => this.disposed,
      saveSoon: () => this.sync.saveSoon(),
      save: (c, options) => this.sync.save(c, options),
      ended: (ended) => {
        this.list.touch(ended.conversation);
        if (this.run === ended) this.run = undefined;
      },
      compact: (r, messages, force, maximum) => this.autoCompact(r, messages, force, maximum),
      settled: (c) => {
        // The list is ordered by last activity, which just changed.
        if (c !== this.list.active) return;
        this.postConversations();
        // The answer is context for the next question now, and its real input tokens calibrate the preview.
        this.postEstimate();
      },
    }, options);
    this.run = run;
    await run.start();
  }

  private liveOverride(): { answerId: string; messages: StoredMessage[]; tools: ReadonlyMap<string, ToolView> } | undefined {
    const run = this.run;
    if (!run || run.conversation !== this.list.active) return undefined;
    return { answerId: run.exchange.answer.id, messages: run.liveMessages(), tools: run.toolViews };
  }

  private postSnapshot(): void {
    this.deps.post({ type: 'snapshot', snapshot: this.snapshot() });
    this.postStandingNotices();
  }

  /** After a (re)painted page: a failed save of this chat, or the version it was restored from, is said again. */
  postStandingNotices(): void {
    if (this.disposed) return;
    for (const notice of this.sync.standingNotices(this.list.active)) this.deps.post(notice);
  }

  /** True while a chat of this window could not be saved (the host warns before the window closes). */
  get hasUnsaved(): boolean {
    return this.sync.hasUnsaved;
  }

  /** One last try to save what a failed save kept in this window (the window is closing). */
  flushUnsaved(): Promise<void> {
    return this.sync.flushUnsaved();
  }

  private postConversations(): void {
    this.deps.post({ type: 'conversations', conversations: this.conversationList(), activeId: this.list.active.id });
  }
}
