// The chat's behaviour without VS Code, as one object the host and the tests drive. It is a thin facade over the rooms
// that do the work: ConversationList (which conversations, which is active), RunningAnswer (the AnswerRun streaming
// now: one answer, with the tool loop of toolLoop.ts), ConversationSync (saves and other windows' changes), CompactionActions (Compact, a summary's
// edit and Undo, the automatic compaction), TurnEdits (Restore and Redo, omitted attachments, refused images);
// CostPreviewPoster (the composer's cost preview).
// (One job over 400 lines: the facade. Its constructor wires the rooms to each other and each public method is a few
// lines handing a webview message to its room; a second facade would only move the wiring, not remove it.)
import { randomUUID } from 'node:crypto';
import type { ChatSnapshot, ConversationSummary, RequestEstimate, Turn } from '../../common/chatTypes';
import type { HostToWebview } from '../../common/protocol';
import { assistantTurn, canContinue, Conversation, type Exchange, type UserContentBuilder, type UserInput } from './conversation';
import { hasAnswer } from './conversationRequest';
import { resumeAfterError, type AnsweredElsewhere, type AnswerRunner, type AnswerRunOptions } from './answerRun';
import { CompactionActions } from './compactionActions';
import { canUndo } from './compactions';
import { ConversationList } from './conversationList';
import { ConversationSync } from './conversationSync';
import { defaultToolPolicy, type ToolPolicy } from './toolLoop';
import { RunningAnswer } from './runningAnswer';
import type { Rewound } from './rewind';
import { TurnEdits } from './turnEdits';
import type { ChatTools } from '../tools/types';
import type { PreviewSettings } from '../cost/costPreview';
import { CostPreviewPoster } from './costPreviewPoster';
import { conversationToMarkdown } from './conversationMarkdown';
import type { ConversationStore } from './conversationStore';
import { DeltaBatcher, realScheduler, type Scheduler } from './deltaBatcher';
import { modelDisplayName } from '../models/modelCatalog';

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
  private readonly answer: RunningAnswer;
  private readonly compaction: CompactionActions;
  private readonly edits: TurnEdits;
  private readonly batcher: DeltaBatcher;
  private readonly scheduler: Scheduler;
  private readonly newId: () => string;
  private readonly now: () => number;
  private readonly preview: CostPreviewPoster;
  private disposed = false;
  /** The chat-level actions (ask, New Chat, switch, delete) in the order they were called; see `inOrder`. */
  private lane: Promise<unknown> = Promise.resolve();
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
      streaming: () => this.answer.current,
      disposed: () => this.disposed,
      saveDelayMs: deps.saveDelayMs,
      saveRetryMs: deps.saveRetryMs,
      unsavedChanged: deps.unsavedChanged,
    });
    this.compaction = new CompactionActions({
      runner: deps.runner,
      userContent: deps.userContent,
      post: deps.post,
      log: deps.log,
      now: this.now,
      newId: this.newId,
      tools: () => (deps.tools?.enabled() ? deps.tools : undefined),
      previewSettings: deps.previewSettings,
      active: () => this.list.active,
      busy: () => this.busy,
      disposed: () => this.disposed,
      save: (conversation) => this.sync.save(conversation),
      postEstimate: () => this.postEstimate(),
      postSnapshot: () => this.postSnapshot(),
    });
    this.edits = new TurnEdits({
      active: () => this.list.active,
      now: this.now,
      log: deps.log,
      busy: () => this.busy,
      save: (conversation) => this.sync.save(conversation),
      stopAndWait: () => this.answer.stopAndWait(),
      switchChat: (id) => this.switchChat(id),
      retry: (answerId) => this.retry(answerId),
      postSnapshot: () => this.postSnapshot(),
      postConversations: () => this.postConversations(),
    });
    this.answer = new RunningAnswer({
      runner: deps.runner,
      userContent: deps.userContent,
      prefillAllowed: deps.prefillAllowed,
      tools: () => (deps.tools?.enabled() ? deps.tools : undefined),
      policy: deps.toolPolicy ?? defaultToolPolicy,
      post: deps.post,
      batcher: this.batcher,
      now: this.now,
      log: deps.log,
      disposed: () => this.disposed,
      saveSoon: () => this.sync.saveSoon(),
      save: (c, options) => this.sync.save(c, options),
      touched: (conversation) => this.list.touch(conversation),
      compact: (r, messages, force, maximum) => this.compaction.auto(r, messages, force, maximum),
      settled: (c) => {
        // The list is ordered by last activity, which just changed.
        if (c !== this.list.active) return;
        this.postConversations();
        // The answer is context for the next question now, and its real input tokens calibrate the preview.
        this.postEstimate();
      },
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
    return this.list.active.turns(this.answer.liveOverride(this.list.active));
  }

  get busy(): boolean {
    return this.answer.current !== undefined || this.compaction.running;
  }

  /** Everything the view needs for a first paint, including the text streamed so far. */
  snapshot(): ChatSnapshot {
    // Pending deltas are part of the live content the snapshot carries: sending them too would double them.
    this.batcher.discard();
    const estimate = this.estimate();
    return {
      conversationId: this.list.active.id,
      turns: this.list.active.turns(this.answer.liveOverride(this.list.active)),
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
    // The question joins the chat in turn with New Chat or a switch called before it; its answer then runs outside
    // the lane (a New Chat called after it stops it, as the user asked).
    const running = await this.inOrder(async () => {
      await this.answer.stopAndWait();
      await this.compaction.done;
      // Another window may have asked in this chat meanwhile: its turns are context for this question.
      await this.sync.sync(this.list.active);
      const conversation = this.list.active;
      const undoable = conversation.compactions.filter((c) => canUndo(conversation.exchanges, conversation.compactions, c));
      const exchange = conversation.addExchange(input, { user: this.newId(), answer: this.newId() }, this.now());
      this.list.touch(conversation);
      this.deps.post({ type: 'turnAdded', user: exchange.user, assistant: assistantTurn(exchange.answer) });
      // Undo of a compaction lasts until the next question: this one.
      for (const compaction of undoable) this.compaction.postRow(compaction.throughAnswerId);
      this.postConversations();
      // Registered as the running answer before the lane moves on; awaited outside it.
      return { ended: this.answer.start(conversation, exchange, 'answer') };
    });
    await running.ended;
  }

  /**
   * Adds a question with the answer it already got elsewhere (an inline explanation) to the active
   * conversation, without a request: follow-ups then carry it as history, and it is not paid for twice.
   */
  async addAnswered(input: UserInput, answered: AnsweredElsewhere): Promise<void> {
    return this.inOrder(() => this.addAnsweredNow(input, answered));
  }

  private async addAnsweredNow(input: UserInput, answered: AnsweredElsewhere): Promise<void> {
    await this.answer.stopAndWait();
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
      await this.answer.start(active, exchange, 'continue', options);
      return;
    }
    await this.answer.start(active, exchange, 'answer', options);
  }

  /** Asks the model to go on with the last answer, appending to the same turn. */
  async continue(answerId: string): Promise<void> {
    await this.ready;
    const exchange = this.list.active.findAnswer(answerId);
    if (!exchange || !this.list.active.isLast(answerId) || this.busy || !canContinue(exchange.answer)) {
      this.deps.log(`Continue ignored: answer ${answerId} cannot be continued.`);
      return;
    }
    await this.answer.start(this.list.active, exchange, 'continue');
  }

  stop(): void {
    this.answer.stop();
    this.compaction.stop();
  }

  /** The Compact action: every exchange so far summarised in one request (compactionActions.ts). */
  async compact(): Promise<boolean> {
    await this.ready;
    return this.compaction.compact();
  }

  /** The user's edit of a summary: the edited text is what is sent from now on. */
  async editCompaction(id: string, summary: string): Promise<boolean> {
    await this.ready;
    return this.compaction.edit(id, summary);
  }

  /** Undo of a compaction, until the next question: the full exchanges are sent again. */
  async undoCompaction(id: string): Promise<boolean> {
    await this.ready;
    return this.compaction.undo(id);
  }

  /** A (re)loaded view gets the countdown of a request that is waiting to be sent again, with the time left. */
  postRetryState(): void {
    if (!this.disposed) this.answer.postRetryState(this.list.active);
  }

  /** Drops the images an answer's error names from later requests, then asks again (turnEdits.ts). */
  async removeImages(answerId: string): Promise<void> {
    await this.ready;
    return this.edits.removeImages(answerId);
  }

  /** Leaves an attachment of a question out of later requests, or takes it back (turnEdits.ts). */
  async setOmitted(userTurnId: string, itemId: string, omitted: boolean): Promise<boolean> {
    await this.ready;
    return this.edits.setOmitted(userTurnId, itemId, omitted);
  }

  /** Restore: takes a question and everything after it out; returns what was taken, for the composer and Redo. */
  async rewind(userTurnId: string): Promise<Rewound | undefined> {
    await this.ready;
    return this.edits.rewind(userTurnId);
  }

  /** Redo of a Restore: the exchanges it took out come back at the end of the conversation they were in. */
  async unrewind(conversationId: string, removed: readonly Exchange[]): Promise<boolean> {
    await this.ready;
    return this.edits.unrewind(conversationId, removed);
  }

  newChat(): Promise<void> {
    return this.inOrder(async () => {
      await this.answer.stopAndWait();
      if (!this.list.active.isEmpty) this.list.startNew();
      this.postSnapshot();
    });
  }

  switchChat(id: string): Promise<void> {
    return this.inOrder(async () => {
      if (id === this.list.active.id) return;
      const target = await this.list.open(id);
      if (!target) {
        this.deps.log(`Switch ignored: no conversation ${id}.`);
        return;
      }
      await this.answer.stopAndWait();
      this.list.active = target;
      this.postSnapshot();
    });
  }

  deleteChat(id: string): Promise<void> {
    return this.inOrder(async () => {
      const wasActive = id === this.list.active.id;
      if (wasActive) await this.answer.stopAndWait();
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
    });
  }

  /**
   * Runs the chat-level actions one after another, in the order they were called, after the saved chats are read:
   * a question sent right after New Chat or a pick in History lands in that chat, even when opening it takes a
   * while (a slow disk, a loaded machine), instead of landing in the old chat and being stopped by the switch.
   * An action in the lane never waits for another lane action (that would wait forever).
   */
  private inOrder<T>(action: () => Promise<T>): Promise<T> {
    const result = this.lane.then(() => this.ready).then(action);
    this.lane = result.catch(() => undefined);
    return result;
  }

  exportMarkdown(): string {
    return conversationToMarkdown(this.list.active.title, this.list.active.turns(this.answer.liveOverride(this.list.active)));
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
    this.answer.decideTool(turnId, toolUseId, decision);
  }

  /** The tool calls waiting for Apply / Reject (for tests and the host). */
  get pendingApprovals(): string[] {
    return this.answer.pendingApprovals();
  }

  /** Resolves when the running answer (if any) has ended and been saved. */
  async idle(): Promise<void> {
    await this.answer.finished();
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
