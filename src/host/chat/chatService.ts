// The chat panel's host side: the conversation controller (pure, src/core) wired to the webview view, the composer's
// attachments, the rules line and the notices; what the page posts is routed by ChatMessages.
import * as vscode from 'vscode';
import type { RestoreChat, WorkspaceCheckpoints } from '../tools/checkpoints';
import type { ConversationController } from '../../core/conversation/conversationController';
import type { AnsweredElsewhere } from '../../core/conversation/answerRun';
import type { ConversationStore } from '../../core/conversation/conversationStore';
import { changedFiles, rewindConversation } from '../../core/conversation/rewind';
import { previewWithDraft } from '../../common/tokenCount';
import { buildUserText, DEFAULT_QUESTION } from '../../core/request/prompt';
import type { CodeContext, ErrorAction, ImageAttachment, PendingContext, RuleChip, Turn } from '../../common/chatTypes';
import type { HostToWebview } from '../../common/protocol';
import type { SettingProblem } from '../../core/request/settings';
import { Disposable } from '../dispose';
import { watchFolder } from '../folderWatcher';
import type { ProjectRules } from '../context/projectRules';
import { ChatMessages } from './chatMessages';
import { ChatNotices } from './chatNotices';
import { ChatViewProvider, CHAT_VIEW_ID } from './chatViewProvider';
import { ComposerAttachments } from './composerAttachments';
import { EditorActions } from './editorActions';
import { ChatExporter, type ExportResult } from './exportChat';
import { RulesLine } from './rulesLine';

export interface ChatServiceDeps {
  controller: ConversationController;
  /** The folder the conversations are saved in. */
  storageDir: string;
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** Current model name, for the header, and its changes. */
  model: () => string;
  /** The model's name for the header; the id when absent. */
  modelName?: () => string;
  /** Fires when the model or the model list (and so the name) may have changed. */
  onModelChange: vscode.Event<unknown>;
  onModelListChange?: vscode.Event<unknown>;
  /** Settings that currently hold a bad value, and when they may have changed: the chat says which stop requests. */
  settingProblems: () => readonly SettingProblem[];
  onSettingsChange: vscode.Event<unknown>;
  /** Show Diff on a tool call's card: the diff editor, current vs proposed. */
  showToolDiff?: (toolUseId: string) => Promise<void>;
  /** Why the tools are off although the setting is on (an untrusted workspace), shown in the chat. */
  toolsBlockedReason?: () => string | undefined;
  /** fastrouter.maxSelectionChars: a file over it asks before it is added. */
  maxChars: () => number;
  /** The conversations' store: History's Undo brings a deleted conversation back through it. */
  store?: ConversationStore;
  /** Checkpoints: a question's Restore (files and conversation) and Redo. */
  checkpoints?: WorkspaceCheckpoints;
  /** Project rules (the rules line above the composer), and the files the next question is about (for glob rules). */
  rules?: ProjectRules;
  questionFiles?: () => string[];
}


export class ChatService extends Disposable {
  readonly provider: ChatViewProvider;
  private readonly controller: ConversationController;
  private readonly attachments: ComposerAttachments;
  private readonly rules: RulesLine;
  /** Export Chat's save dialog and write (its dialog answerable by in-host tests). */
  readonly exporter = new ChatExporter();
  /** Conversations deleted this session while they were open: Undo opens them again. */
  private readonly deletedWhileOpen = new Set<string>();
  private readonly notices: ChatNotices;

  constructor(private readonly deps: ChatServiceDeps) {
    super();
    this.controller = deps.controller;
    const actions = this._register(new EditorActions(deps.log));
    this.notices = new ChatNotices({
      post: (message) => this.post(message),
      visible: () => this.provider.isVisible,
      settingProblems: deps.settingProblems,
      toolsBlockedReason: deps.toolsBlockedReason,
    });
    this.rules = new RulesLine({
      rules: deps.rules,
      questionFiles: deps.questionFiles,
      post: (message) => this.post(message),
      changed: () => this.controller.postEstimate(),
      log: deps.log,
      disposed: () => this.isDisposed,
    });
    this.attachments = new ComposerAttachments({
      post: (message) => this.post(message),
      reveal: (preserveFocus) => this.reveal(preserveFocus),
      notice: (level, message) => this.notice(level, message),
      maxChars: deps.maxChars,
      previewAsk: (context) => this.previewAsk(context),
      changed: () => {
        this.controller.postEstimate();
        this.refreshRules();
      },
    });
    const messages = new ChatMessages({
      controller: this.controller,
      attachments: this.attachments,
      actions,
      log: deps.log,
      rules: deps.rules,
      showToolDiff: deps.showToolDiff,
      notice: (level, message) => this.notice(level, message),
      refreshSoon: () => this.refreshSoon(),
      exportMarkdown: () => this.exportMarkdown(),
      editAndResend: (userTurnId, text, images) => this.editAndResend(userTurnId, text, images),
      undoDelete: (id) => this.undoDelete(id),
      restoreQuestion: (userTurnId) => this.restoreQuestion(userTurnId),
      openFileChange: async (answerId, index) => {
        const change = this.controller.conversation.findAnswer(answerId)?.answer.changes?.[index];
        if (change) await this.deps.checkpoints?.showChange(change);
      },
      deletingOpen: (id) => this.deletedWhileOpen.add(id),
    });
    this.provider = this._register(
      new ChatViewProvider(deps.extensionUri, {
        snapshot: async () => {
          await this.controller.ready;
          return this.controller.snapshot();
        },
        onMessage: (message) => messages.handle(message),
        log: deps.log,
      }),
    );
    this._register(vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, this.provider));
    this._register(this.provider.onDidBecomeReady(() => {
      this.attachments.flush();
      this.notices.pageReady();
      this.refreshRules();
    }));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (this.deps.toolsBlockedReason) this.notify('info', vscode.l10n.t('The workspace is trusted now: Claude can use the workspace tools.'), { toast: false });
    }));
    this._register(deps.onSettingsChange(() => this.notices.showSettingProblems()));
    if (deps.rules) this._register(deps.rules.onDidChange(() => this.refreshRules()));
    const postModel = () => this.post({ type: 'model', model: deps.model(), ...(deps.modelName ? { modelName: deps.modelName() } : {}) });
    // The price (model or its list) or the system prompt may have changed: the cost preview follows.
    const modelChanged = () => {
      postModel();
      this.controller.postEstimate();
    };
    this._register(deps.onModelChange(modelChanged));
    if (deps.onModelListChange) this._register(deps.onModelListChange(modelChanged));
    this._register({ dispose: () => this.controller.dispose() });
    // Other windows write to the same conversations: re-read on focus and when the folder changes.
    this._register(vscode.window.onDidChangeWindowState((state) => state.focused && this.refreshSoon()));
    this.watchConversations();
  }

  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  /** Re-reads what other windows changed, coalescing bursts (a streaming window saves every second). */
  private refreshSoon(delayMs = 0): void {
    if (this.refreshTimer || this.isDisposed) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.controller.refresh();
    }, delayMs);
  }

  private watchConversations(): void {
    // No watcher on some file systems: focus and the view showing again still re-read. Another window's question or
    // streaming answer lands in the chat's journal; its other changes in the chat file or the index.
    this._register(watchFolder(this.deps.storageDir, { accept: (file) => file.endsWith('.json') || file.endsWith('.journal'), delayMs: 300, onChange: () => this.refreshSoon() }));
    this._register({ dispose: () => this.refreshTimer && clearTimeout(this.refreshTimer) });
  }

  /** The folder the conversations are saved in (one JSON file each plus index.json). */
  get storageDir(): string {
    return this.deps.storageDir;
  }

  /** The active conversation, with the text streamed so far (for tests). */
  get conversation(): { id: string; turns: Turn[] } {
    return { id: this.controller.conversation.id, turns: this.controller.turns() };
  }

  /** Reveals the view, adds the user turn and streams the answer; resolves when the answer has ended. */
  async ask(input: { text: string; context?: CodeContext[]; images?: ImageAttachment[] }): Promise<void> {
    await this.reveal(true);
    const images = this.attachments.acceptImages(input.images ?? []);
    const context = input.context ?? [];
    if (!input.text.trim() && context.length === 0 && images.length === 0) return;
    await this.controller.ask({ text: input.text, context, images });
  }

  /** The cost preview of asking about `context` (with the default question) in the active chat; undefined without a base. */
  previewAsk(context: CodeContext[]): { tokens: number; credits?: number; contextLength?: number } | undefined {
    const estimate = this.controller.estimate();
    if (!estimate) return undefined;
    const preview = previewWithDraft(estimate, buildUserText({ text: DEFAULT_QUESTION, context }));
    return estimate.context ? { ...preview, contextLength: estimate.context.contextLength } : preview;
  }

  /** Reveals the view and adds a question answered elsewhere (an inline explanation) to the conversation, without a request. */
  async addAnswered(input: { text: string; context?: CodeContext[] }, answered: AnsweredElsewhere): Promise<void> {
    await this.reveal();
    await this.controller.addAnswered(input, answered);
    // Continue in Chat: the next keystroke is the follow-up question.
    this.attachments.focus();
  }

  /** Reveals the view and adds images to the composer's pending attachments (the chat resizes any that are too big). */
  attachImages(images: ImageAttachment[]): Promise<void> {
    return this.attachments.attachImages(images);
  }

  /** Reads image files (file picker, Ask About Image), checks them by their bytes, and attaches them; resolves to those attached. */
  attachImageFiles(uris: readonly vscode.Uri[]): Promise<ImageAttachment[]> {
    return this.attachments.attachImageFiles(uris);
  }

  /** What the composer's chips show (for tests). */
  get pendingContext(): PendingContext[] {
    return this.attachments.chips;
  }

  /** Add File to Chat: reads the files and adds them to the next message; says why any was not added. Resolves to those added. */
  addFiles(uris: readonly vscode.Uri[]): Promise<CodeContext[]> {
    return this.attachments.addFiles(uris);
  }

  /** Ask About Selection: the selections wait in the composer as chips and the focus goes to the composer. */
  addSelection(context: CodeContext[]): Promise<void> {
    return this.attachments.addSelection(context);
  }

  /** Add Problems to Chat: the workspace's errors and warnings go with the next message (replacing older ones). */
  addProblems(): Promise<CodeContext | undefined> {
    return this.attachments.addProblems();
  }

  /** The composer's Add File… button. */
  pickAndAddContext(): Promise<void> {
    return this.attachments.pickAndAdd();
  }

  /** Files and problems that go with the next message, as sent (the cost preview counts them). */
  get pendingCode(): CodeContext[] {
    return this.attachments.code;
  }

  /** The rules line follows what the next question would use; coalesced. */
  refreshRules(): void {
    this.rules.refresh();
  }

  /** The rules line as last posted (for tests). */
  get rulesLine(): RuleChip[] {
    return this.rules.chips;
  }

  /** Resolves when the rules line is up to date (for tests). */
  rulesSettled(): Promise<void> {
    return this.rules.settled();
  }

  newChat(): void {
    void this.controller.newChat();
  }

  stop(): void {
    this.controller.stop();
  }

  async reveal(preserveFocus = false): Promise<void> {
    try {
      await this.provider.reveal(preserveFocus);
    } catch (error) {
      this.deps.log.warn(`Chat: could not show the chat view: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Export Chat: asks where to save the conversation as a .md file and writes it (see exportChat.ts). */
  async exportMarkdown(): Promise<ExportResult> {
    await this.controller.ready;
    return this.exporter.export(this.controller.conversation.title, this.controller.exportMarkdown());
  }

  /**
   * Handles a message exactly as if the chat page had posted it (same validation, same actions);
   * in-host tests use it to drive code actions without clicking inside the webview.
   */
  receiveFromWebview(raw: unknown): Promise<void> {
    return this.provider.receive(raw);
  }

  /** Resolves when the running answer (if any) has ended and been saved (for tests). */
  idle(): Promise<void> {
    return this.controller.idle();
  }

  /** Open Chat: the view, with the focus in the composer. */
  async openChat(): Promise<void> {
    await this.reveal();
    this.attachments.focus();
  }

  /** Compact Chat (issue 18 §3): the view, and the conversation so far summarised on demand. */
  async compact(): Promise<boolean> {
    await this.reveal();
    return this.controller.compact();
  }

  /** New Chat from the palette or the view's title bar. */
  async newChatAndReveal(): Promise<void> {
    // Takes its place among the chat's actions now, not after the view has shown: a question sent while the view
    // is still coming up belongs to the new chat (and is not stopped by it).
    const cleared = this.controller.newChat();
    await this.reveal();
    await cleared;
    this.attachments.focus();
  }

  /** The chat's checkpoints (for tests: a stand-in for the conflict dialog). */
  get checkpoints(): WorkspaceCheckpoints | undefined {
    return this.deps.checkpoints;
  }

  /** A question's Restore: its files back as before it, the conversation rewound, the question in the composer. */
  async restoreQuestion(userTurnId: string): Promise<void> {
    const checkpoints = this.deps.checkpoints;
    if (!checkpoints) return;
    // A running answer (a command, an edit) stops before its files are put back.
    this.controller.stop();
    await this.controller.idle();
    await checkpoints.restore(userTurnId, this.restoreChat());
  }

  /** Undoes the last Restore. */
  async redoRestore(): Promise<void> {
    await this.deps.checkpoints?.redo(this.restoreChat());
  }

  private restoreChat(): RestoreChat {
    return {
      conversationId: () => this.controller.conversation.id,
      rewind: (id) => this.controller.rewind(id),
      unrewind: (conversationId, removed) => this.controller.unrewind(conversationId, removed),
      composer: (text) => void this.post({ type: 'composerText', text }),
      notify: (message) => void this.notify('info', message, { toast: false }),
    };
  }

  private post(message: HostToWebview): boolean {
    return this.provider.post(message);
  }

  private notice(level: 'info' | 'error', message: string): void {
    this.notify(level, message);
  }

  /**
   * Shows a message where the user is looking: above the chat's input when the chat is open, else as a notification
   * (unless `toast: false`: the caller shows one itself). Returns whether the chat showed it.
   */
  notify(level: 'info' | 'error', message: string, options: { actions?: ErrorAction[]; setting?: string; toast?: boolean } = {}): boolean {
    return this.notices.notify(level, message, options);
  }

  /** History's Undo: the deleted conversation comes back as it was (and opens again if it was the open one). */
  async undoDelete(id: string): Promise<boolean> {
    if (!(await this.deps.store?.undelete(id))) {
      this.notice('error', vscode.l10n.t('This conversation can no longer be brought back.'));
      return false;
    }
    await this.controller.refresh();
    if (this.deletedWhileOpen.delete(id)) await this.controller.switchChat(id);
    return true;
  }

  /**
   * Edit and resend: the question `userTurnId` and every later turn are replaced by the edited question (it keeps the
   * original's attachments, plus what waits in the composer) and its answer. Files the replaced turns' tools changed
   * are named: those changes stay in the workspace.
   */
  async editAndResend(userTurnId: string, text: string, images: readonly ImageAttachment[] = []): Promise<void> {
    const conversation = this.controller.conversation;
    const original = conversation.exchanges.find((e) => e.user.id === userTurnId)?.user;
    if (!original || this.controller.busy) {
      this.deps.log.info(`Chat: Edit ignored: ${original ? 'an answer is running' : `no question ${userTurnId}`}.`);
      return;
    }
    const context = [...original.context.filter((c) => !c.omitted), ...this.attachments.code];
    const allImages = [...original.images.filter((i) => !i.omitted), ...this.attachments.acceptImages(images)];
    if (!text.trim() && context.length === 0 && allImages.length === 0) return;
    const rewound = rewindConversation(conversation, userTurnId, Date.now());
    if (!rewound) return;
    this.attachments.clear();
    this.post({ type: 'snapshot', snapshot: this.controller.snapshot() });
    const changed = changedFiles(rewound.removed);
    if (changed.length > 0) {
      this.notify('info', vscode.l10n.t('The replaced turns changed {0}; those changes stay in the files.', changed.join(', ')), { toast: false });
    }
    await this.controller.ask({ text, context, images: allImages });
  }
}
