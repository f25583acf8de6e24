// The chat panel's host side: the conversation controller (pure, src/chat) wired to the webview view,
// the request runner, the editor, the file picker and the chat commands.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RestoreChat, WorkspaceCheckpoints } from '../tools/checkpoints';
import type { AnsweredElsewhere, ConversationController } from '../../core/conversation/conversationController';
import type { ConversationStore } from '../../core/conversation/conversationStore';
import { changedFiles, rewindConversation } from '../../core/conversation/rewind';
import { checkAttachment, IMAGE_EXTENSIONS, imageFromBytes, sourceSizeProblem } from '../../core/conversation/conversationImages';
import { answerToMarkdown } from '../../core/conversation/conversationMarkdown';
import { previewWithDraft } from '../../common/tokenCount';
import { buildUserText, DEFAULT_QUESTION } from '../../core/request/prompt';
import { assertNever, type CodeContext, type ErrorAction, type HostToWebview, type ImageAttachment, type PendingContext, type RuleChip, type Turn, type WebviewToHost } from '../../common/protocol';
import type { SettingProblem } from '../../core/request/settings';
import { pickContext, problemsContext, readFileContext } from '../editor/addContext';
import { performErrorAction } from '../request/errorActions';
import { Disposable } from '../dispose';
import { watchFolder } from '../folderWatcher';
import type { ProjectRules } from '../context/projectRules';
import { ChatViewProvider, CHAT_VIEW_ID } from './chatViewProvider';
import { EditorActions, type ActionResult } from './editorActions';

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

/** Files and problems one message carries at most. */
export const MAX_PENDING_CONTEXT = 20;

export class ChatService extends Disposable {
  readonly provider: ChatViewProvider;
  private readonly controller: ConversationController;
  private readonly actions: EditorActions;
  /** Attachments that arrived while no page was ready to take them. */
  private pendingImages: ImageAttachment[] = [];
  /** Files and problems added to the next message (the composer shows them as chips). */
  private pendingContextItems: { item: CodeContext; cut: boolean; count?: number }[] = [];
  private focusPending = false;
  /** Conversations deleted this session while they were open: Undo opens them again. */
  private readonly deletedWhileOpen = new Set<string>();
  /** Bad settings (key=value) the current page was told about. */
  private shownProblems = new Set<string>();

  constructor(private readonly deps: ChatServiceDeps) {
    super();
    this.controller = deps.controller;
    this.actions = this._register(new EditorActions(deps.log));
    this.provider = this._register(
      new ChatViewProvider(deps.extensionUri, {
        snapshot: async () => {
          await this.controller.ready;
          return this.controller.snapshot();
        },
        onMessage: (message) => this.handle(message),
        log: deps.log,
      }),
    );
    this._register(vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, this.provider));
    this._register(this.provider.onDidBecomeReady(() => {
      this.shownProblems.clear();
      this.flushPending();
      this.showSettingProblems();
      this.showToolsBlocked();
      this.refreshRules();
    }));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (this.deps.toolsBlockedReason) this.notify('info', vscode.l10n.t('The workspace is trusted now: Claude can use the workspace tools.'), { toast: false });
    }));
    this._register(deps.onSettingsChange(() => this.showSettingProblems()));
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
    this._register(vscode.commands.registerCommand('fastrouter.openChat', () => this.openChat()));
    this._register(vscode.commands.registerCommand('fastrouter.newChat', () => this.newChatAndReveal()));
    this._register(vscode.commands.registerCommand('fastrouter.stop', () => this.stop()));
    this._register(vscode.commands.registerCommand('fastrouter.exportChat', () => this.exportMarkdown()));
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
    const images = this.acceptImages(input.images ?? []);
    const context = input.context ?? [];
    if (!input.text.trim() && context.length === 0 && images.length === 0) return;
    await this.controller.ask({ text: input.text, context, images });
  }

  /** The cost preview of asking about `context` (with the default question) in the active chat; undefined without a base. */
  previewAsk(context: CodeContext[]): { tokens: number; credits?: number } | undefined {
    const estimate = this.controller.estimate();
    return estimate ? previewWithDraft(estimate, buildUserText({ text: DEFAULT_QUESTION, context })) : undefined;
  }

  /** Reveals the view and adds a question answered elsewhere (an inline explanation) to the conversation, without a request. */
  async addAnswered(input: { text: string; context?: CodeContext[] }, answered: AnsweredElsewhere): Promise<void> {
    await this.reveal();
    await this.controller.addAnswered(input, answered);
    // Continue in Chat: the next keystroke is the follow-up question.
    if (!this.post({ type: 'focusInput' })) this.focusPending = true;
  }

  /** Reveals the view and adds images to the composer's pending attachments (the chat resizes any that are too big). */
  async attachImages(images: ImageAttachment[]): Promise<void> {
    const accepted = this.acceptImages(images, { fit: false });
    await this.reveal();
    if (accepted.length === 0) return;
    if (!this.post({ type: 'attachImages', images: accepted })) this.pendingImages.push(...accepted);
  }

  /** Reads image files (file picker, Ask About Image), checks them by their bytes, and attaches them; resolves to those attached. */
  async attachImageFiles(uris: readonly vscode.Uri[]): Promise<ImageAttachment[]> {
    const images: ImageAttachment[] = [];
    for (const uri of uris) {
      const name = path.basename(uri.path);
      try {
        // Refuse files too big even to resize before reading them.
        const tooLarge = sourceSizeProblem(name, (await vscode.workspace.fs.stat(uri)).size);
        const check = tooLarge ? { ok: false as const, reason: tooLarge } : imageFromBytes(randomUUID(), name, await vscode.workspace.fs.readFile(uri));
        if (check.ok) images.push(check.attachment);
        else this.notice('error', check.reason);
      } catch (error) {
        this.notice('error', vscode.l10n.t('Could not read {0}: {1}', name, error instanceof Error ? error.message : String(error)));
      }
    }
    if (images.length > 0) await this.attachImages(images);
    return images;
  }

  /** What the composer's chips show (for tests). */
  get pendingContext(): PendingContext[] {
    return this.pendingContextItems.map(({ item, cut, count }) => ({
      id: item.id,
      kind: item.kind,
      label: item.kind === 'problems' ? vscode.l10n.t('Problems') : item.path,
      chars: item.text.length,
      ...(count !== undefined ? { count } : {}),
      ...(cut ? { cut } : {}),
      ...(item.kind === 'selection' && item.startLine !== undefined ? { startLine: item.startLine, endLine: item.endLine ?? item.startLine } : {}),
    }));
  }

  /** Add File to Chat: reads the files and adds them to the next message; says why any was not added. Resolves to those added. */
  async addFiles(uris: readonly vscode.Uri[]): Promise<CodeContext[]> {
    await this.reveal(true);
    const added: CodeContext[] = [];
    for (const uri of uris) {
      if (this.pendingContextItems.length >= MAX_PENDING_CONTEXT) {
        this.notice('error', vscode.l10n.t('At most {0} files can go with one message.', MAX_PENDING_CONTEXT));
        break;
      }
      let result: Awaited<ReturnType<typeof readFileContext>>;
      try {
        result = await readFileContext(uri, this.deps.maxChars(), (items) => this.previewAsk(items));
      } catch (error) {
        result = { ok: false, reason: vscode.l10n.t('Could not read {0}: {1}', vscode.workspace.asRelativePath(uri), error instanceof Error ? error.message : String(error)) };
      }
      if (!result.ok) {
        if ('reason' in result) this.notice('error', result.reason);
        continue;
      }
      // The same file added again replaces the older copy (it may have changed since).
      this.pendingContextItems = this.pendingContextItems.filter((p) => !(p.item.kind === 'file' && p.item.path === result.item.path));
      this.pendingContextItems.push({ item: result.item, cut: result.cut });
      added.push(result.item);
    }
    this.postPendingContext();
    return added;
  }

  /**
   * Ask About Selection: the selections wait in the composer as chips (a selection of the same lines replaces the older
   * copy) and the focus goes to the composer, for the user to type the question.
   */
  async addSelection(context: CodeContext[]): Promise<void> {
    await this.reveal();
    const same = (a: CodeContext, b: CodeContext) => a.path === b.path && a.startLine === b.startLine && a.endLine === b.endLine;
    for (const item of context) {
      this.pendingContextItems = this.pendingContextItems.filter((p) => !(p.item.kind === 'selection' && same(p.item, item)));
      if (this.pendingContextItems.length >= MAX_PENDING_CONTEXT) {
        this.notice('error', vscode.l10n.t('At most {0} files can go with one message.', MAX_PENDING_CONTEXT));
        break;
      }
      this.pendingContextItems.push({ item, cut: false });
    }
    this.postPendingContext();
    if (!this.post({ type: 'focusInput' })) this.focusPending = true;
  }

  /** Add Problems to Chat: the workspace's errors and warnings go with the next message (replacing older ones). */
  async addProblems(): Promise<CodeContext | undefined> {
    await this.reveal(true);
    const problems = problemsContext();
    if (!problems) {
      this.notice('info', vscode.l10n.t('There are no errors or warnings in the workspace.'));
      return undefined;
    }
    this.pendingContextItems = this.pendingContextItems.filter((p) => p.item.kind !== 'problems');
    this.pendingContextItems.push({ item: problems.item, cut: false, count: problems.count });
    this.postPendingContext();
    return problems.item;
  }

  /** The composer's Add File… button. */
  async pickAndAddContext(): Promise<void> {
    const picked = await pickContext();
    if (!picked) return;
    if (picked.problems) await this.addProblems();
    if (picked.uris.length > 0) await this.addFiles(picked.uris);
    if (!this.post({ type: 'focusInput' })) this.focusPending = true;
  }

  /** Files and problems that go with the next message, as sent (the cost preview counts them). */
  get pendingCode(): CodeContext[] {
    return this.pendingContextItems.map((p) => p.item);
  }

  private postPendingContext(): void {
    this.post({ type: 'pendingContext', items: this.pendingContext });
    this.controller.postEstimate();
    this.refreshRules();
  }

  private rulesRefresh: Promise<void> | undefined;
  private rulesAgain = false;

  /**
   * The rules line follows what the next question would use (the rule files, the toggles, the files of the conversation
   * and of the composer); the cost preview counts the rules too. Coalesced: one refresh at a time, one more after it.
   */
  refreshRules(): void {
    const rules = this.deps.rules;
    if (!rules || this.isDisposed) return;
    if (this.rulesRefresh) {
      this.rulesAgain = true;
      return;
    }
    this.rulesRefresh = (async () => {
      try {
        const files = this.deps.questionFiles?.() ?? [];
        const [chips] = await Promise.all([rules.chips(files), rules.forQuestion(files)]);
        this.lastRules = chips;
        this.post({ type: 'rules', rules: chips });
        this.controller.postEstimate();
      } catch (error) {
        this.deps.log.warn(`Rules: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.rulesRefresh = undefined;
        if (this.rulesAgain) {
          this.rulesAgain = false;
          this.refreshRules();
        }
      }
    })();
  }

  private lastRules: RuleChip[] = [];

  /** The rules line as last posted (for tests). */
  get rulesLine(): RuleChip[] {
    return this.lastRules;
  }

  /** Resolves when the rules line is up to date (for tests). */
  async rulesSettled(): Promise<void> {
    while (this.rulesRefresh) await this.rulesRefresh;
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

  /** Opens the conversation as an untitled Markdown document. */
  async exportMarkdown(): Promise<void> {
    await this.controller.ready;
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: this.controller.exportMarkdown() });
    await vscode.window.showTextDocument(document, { preview: false });
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

  private async openChat(): Promise<void> {
    await this.reveal();
    if (!this.post({ type: 'focusInput' })) this.focusPending = true;
  }

  private async newChatAndReveal(): Promise<void> {
    await this.reveal();
    await this.controller.newChat();
    if (!this.post({ type: 'focusInput' })) this.focusPending = true;
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
    const shown = this.provider.isVisible && this.post({ type: 'notice', level, message, actions: options.actions, setting: options.setting });
    if (!shown && options.toast !== false) {
      if (level === 'error') void vscode.window.showErrorMessage(message);
      else void vscode.window.showInformationMessage(message);
    }
    return shown;
  }

  /** Each bad setting that stops requests, once per page, with Open Settings; and that requests go again once fixed. */
  private showSettingProblems(): void {
    const blocking = this.deps.settingProblems().filter((problem) => problem.blocksRequests);
    const hadSome = this.shownProblems.size > 0;
    for (const problem of blocking) {
      const id = `${problem.key}=${problem.value}`;
      if (this.shownProblems.has(id)) continue;
      // SettingsService already shows a notification; this is the same where the user is looking.
      if (this.notify('error', problem.message, { actions: ['openSettings'], setting: `fastrouter.${problem.key}`, toast: false })) this.shownProblems.add(id);
    }
    if (blocking.length === 0 && hadSome) {
      this.shownProblems.clear();
      this.notify('info', vscode.l10n.t('The FastRouter settings are valid again: questions are sent.'), { toast: false });
    }
  }

  private showToolsBlocked(): void {
    const reason = this.deps.toolsBlockedReason?.();
    if (reason) this.notify('info', reason, { toast: false });
  }

  private flushPending(): void {
    if (this.pendingContextItems.length > 0) this.postPendingContext();
    if (this.pendingImages.length > 0) {
      const images = this.pendingImages;
      this.pendingImages = [];
      this.post({ type: 'attachImages', images });
    }
    if (this.focusPending) {
      this.focusPending = false;
      this.post({ type: 'focusInput' });
    }
  }

  /**
   * Images that really are what they claim (magic bytes) and within the API's limits (`fit: false`: small enough to be
   * resized by the chat); the rest is refused with a notice.
   */
  private acceptImages(images: readonly ImageAttachment[], options: { fit?: boolean } = {}): ImageAttachment[] {
    const accepted: ImageAttachment[] = [];
    for (const image of images) {
      const check = checkAttachment(image, options);
      if (check.ok) accepted.push(check.attachment);
      else this.notice('error', check.reason);
    }
    return accepted;
  }

  private async handle(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        // The view is shown (again): show what other windows added meanwhile, and a retry countdown still running.
        this.controller.postRetryState();
        // A failed save of this chat, or the version it was restored from, is said on the new page too.
        this.controller.postStandingNotices();
        this.refreshSoon();
        return;
      case 'send': {
        const images = this.acceptImages(message.images);
        const context = this.pendingContextItems.map((p) => p.item);
        if (!message.text.trim() && images.length === 0 && context.length === 0) return;
        this.pendingContextItems = [];
        this.postPendingContext();
        await this.controller.ask({ text: message.text, context, images });
        return;
      }
      case 'pickContext':
        await this.pickAndAddContext();
        return;
      case 'removeContext':
        this.pendingContextItems = this.pendingContextItems.filter((p) => p.item.id !== message.id);
        this.postPendingContext();
        return;
      case 'dropUris':
        await this.addFiles(message.uris.flatMap((raw) => {
          try {
            const uri = vscode.Uri.parse(raw, true);
            return uri.scheme === 'file' || uri.scheme === 'vscode-remote' || uri.scheme === 'untitled' ? [uri] : [];
          } catch {
            return [];
          }
        }));
        return;
      case 'stop':
        this.controller.stop();
        return;
      case 'retry':
        await this.controller.retry(message.turnId);
        return;
      case 'continue':
        await this.controller.continue(message.turnId);
        return;
      case 'newChat':
        await this.controller.newChat();
        return;
      case 'switchChat':
        await this.controller.switchChat(message.conversationId);
        return;
      case 'deleteChat':
        if (message.conversationId === this.controller.conversation.id) this.deletedWhileOpen.add(message.conversationId);
        await this.controller.deleteChat(message.conversationId);
        return;
      case 'exportChat':
        await this.exportMarkdown();
        return;
      case 'pickImages':
        await this.pickImages();
        return;
      case 'errorAction':
        await this.errorAction(message.turnId, message.action);
        return;
      case 'noticeAction':
        // Retry has no meaning for a notice; the other actions are the same as on an error.
        if (message.action !== 'retry') await performErrorAction(message.action, this.deps.log, message.setting);
        return;
      case 'copyCode':
        return this.report(await this.actions.copy(message.code));
      case 'insertCode':
        return this.report(await this.actions.insertAtCursor(message.code));
      case 'replaceSelection':
        return this.report(await this.actions.replaceSelection(message.code));
      case 'newFile':
        return this.report(await this.actions.newFile(message.code, message.language));
      case 'openLink':
        return this.report(await this.actions.openLink(message.href));
      case 'selectModel':
        await vscode.commands.executeCommand('fastrouter.selectModel');
        return;
      case 'toolDecision':
        this.controller.decideTool(message.turnId, message.toolUseId, message.decision);
        return;
      case 'showToolDiff':
        await this.deps.showToolDiff?.(message.toolUseId);
        return;
      case 'setOmitted':
        await this.controller.setOmitted(message.turnId, message.itemId, message.omitted);
        return;
      case 'copyAnswer': {
        const turn = this.controller.turns().find((t) => t.role === 'assistant' && t.id === message.turnId);
        // Success shows on the button itself ("Copied"), not as a note that would linger above the composer.
        if (turn?.role === 'assistant') await this.actions.copy(answerToMarkdown(turn));
        return;
      }
      case 'editResend':
        await this.editAndResend(message.turnId, message.text, message.images);
        return;
      case 'undoDelete':
        await this.undoDelete(message.conversationId);
        return;
      case 'restoreQuestion':
        await this.restoreQuestion(message.turnId);
        return;
      case 'openRule':
        if (!(await this.deps.rules?.open(message.id))) this.notice('error', vscode.l10n.t('This rule file is no longer there.'));
        return;
      case 'toggleRule':
        await this.deps.rules?.setEnabled(message.id, message.enabled);
        return;
      default:
        assertNever(message);
    }
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
    const context = [...original.context.filter((c) => !c.omitted), ...this.pendingContextItems.map((p) => p.item)];
    const allImages = [...original.images.filter((i) => !i.omitted), ...this.acceptImages(images)];
    if (!text.trim() && context.length === 0 && allImages.length === 0) return;
    const rewound = rewindConversation(conversation, userTurnId, Date.now());
    if (!rewound) return;
    this.pendingContextItems = [];
    this.postPendingContext();
    this.post({ type: 'snapshot', snapshot: this.controller.snapshot() });
    const changed = changedFiles(rewound.removed);
    if (changed.length > 0) {
      this.notify('info', vscode.l10n.t('The replaced turns changed {0}; those changes stay in the files.', changed.join(', ')), { toast: false });
    }
    await this.controller.ask({ text, context, images: allImages });
  }

  private async errorAction(turnId: string, action: ErrorAction): Promise<void> {
    // Retry, Send Anyway and Remove Images are the chat's own; every other action is the same as for an inline explanation.
    if (action === 'removeImages') {
      await this.controller.removeImages(turnId);
      return;
    }
    const setting = this.controller.conversation.findAnswer(turnId)?.answer.error?.setting;
    if (await performErrorAction(action, this.deps.log, setting)) return;
    await this.controller.retry(turnId, { bypassSpendingLimit: action === 'sendAnyway' });
  }

  private async pickImages(): Promise<void> {
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: true,
      openLabel: vscode.l10n.t('Attach'),
      filters: { [vscode.l10n.t('Images')]: IMAGE_EXTENSIONS },
    });
    if (uris?.length) await this.attachImageFiles(uris);
  }

  private report(result: ActionResult): void {
    if (result.message) this.notice(result.ok ? 'info' : 'error', result.message);
  }
}
