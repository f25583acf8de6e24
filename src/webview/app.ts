// The chat view: builds the page, applies host messages, and turns user actions into WebviewToHost messages.
import { assertNever, type ChatSnapshot, type ConversationSummary, type HostToWebview, type ImageAttachment, type Turn } from '../protocol';
import { MAX_IMAGES, readImageFile } from './attachments';
import { button, h } from './dom';
import { warmUpHighlighter } from './highlight';
import { icon, type IconName } from './icons';
import { MarkdownRenderer } from './markdown';
import { SAFE_LINK } from './sanitize';
import { AssistantTurnView, imageDataUrl, renderUserTurn } from './turns';
import type { HostChannel } from './vscodeApi';

/** How close to the bottom (px) still counts as "at the bottom" for following the answer. */
const BOTTOM_SLACK = 40;
/** How much of a finished answer the screen-reader announcement reads; the rest is in the log. */
const ANNOUNCE_CHARS = 300;

export class ChatApp {
  private readonly renderer = new MarkdownRenderer();
  private readonly views = new Map<string, AssistantTurnView>();
  private readonly messages: HTMLElement;
  private readonly announcer: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly attachmentsEl: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly modelLabel: HTMLElement;
  private readonly historyButton: HTMLButtonElement;
  private readonly historyPanel: HTMLElement;
  private readonly conversationList: HTMLElement;
  private readonly composer: HTMLElement;
  private conversationId: string | undefined;
  private conversations: ConversationSummary[] = [];
  private pending: ImageAttachment[] = [];
  private busy = false;
  private follow = true;
  private frame = 0;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(root: HTMLElement, private readonly host: HostChannel) {
    this.modelLabel = h('span', { id: 'model-label' }, '');
    const modelButton = h('button', { type: 'button', id: 'model', title: 'Change model' }, this.modelLabel, icon('chevron'));
    this.historyButton = iconButton('history', 'Conversations', { id: 'history', 'aria-expanded': 'false', 'aria-controls': 'conversation-panel' });
    this.conversationList = h('ul', { id: 'conversation-list' });
    this.historyPanel = h('nav', { id: 'conversation-panel', 'aria-label': 'Conversations', hidden: true }, this.conversationList);
    // A log, but not a live one: the streaming tail is replaced every frame and a snapshot re-adds the whole chat,
    // which screen readers would read out piece by piece. Finished answers are announced through #announcer.
    this.messages = h('main', { id: 'messages', role: 'log', 'aria-label': 'Conversation', 'aria-live': 'off', tabindex: '0' });
    this.announcer = h('div', { id: 'announcer', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
    this.attachmentsEl = h('div', { id: 'attachments', 'aria-label': 'Attached images' });
    this.notice = h('div', { id: 'composer-notice', role: 'alert', hidden: true });
    this.input = h('textarea', {
      id: 'composer-input', rows: '2', 'aria-label': 'Message Claude',
      placeholder: 'Ask Claude… (Enter to send, Shift+Enter for a new line)',
    });
    this.sendButton = button('Send message', { id: 'send', class: 'primary' }, 'Send');
    this.stopButton = button('Stop the answer', { id: 'stop', hidden: true }, 'Stop');
    this.composer = h('footer', { id: 'composer' },
      this.attachmentsEl,
      this.notice,
      this.input,
      h('div', { class: 'composer-actions' },
        button('Attach image', { id: 'attach-image' }, 'Image…'),
        h('span', { class: 'spacer' }),
        this.stopButton,
        this.sendButton,
      ),
    );
    root.replaceChildren(
      h('header', { class: 'chat-header' },
        modelButton,
        h('span', { class: 'spacer' }),
        this.historyButton,
        iconButton('export', 'Export conversation as Markdown', { id: 'export-chat' }),
        iconButton('plus', 'New chat', { id: 'new-chat' }),
      ),
      this.historyPanel,
      this.messages,
      this.announcer,
      this.composer,
    );

    modelButton.addEventListener('click', () => this.host.post({ type: 'selectModel' }));
    root.querySelector('#new-chat')!.addEventListener('click', () => this.host.post({ type: 'newChat' }));
    root.querySelector('#export-chat')!.addEventListener('click', () => this.host.post({ type: 'exportChat' }));
    root.querySelector('#attach-image')!.addEventListener('click', () => this.host.post({ type: 'pickImages' }));
    this.historyButton.addEventListener('click', () => this.toggleHistory());
    this.historyPanel.addEventListener('click', (e) => this.onHistoryClick(e));
    this.historyPanel.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      this.toggleHistory(false);
      this.historyButton.focus();
    });
    // Escape stops a streaming answer from anywhere in the view, as the Stop button does.
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || !this.busy || e.isComposing) return;
      e.preventDefault();
      this.host.post({ type: 'stop' });
    });
    this.messages.addEventListener('click', (e) => this.onMessagesClick(e));
    this.messages.addEventListener('auxclick', (e) => { if ((e.target as Element).closest('a')) e.preventDefault(); });
    this.messages.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.messages.addEventListener('wheel', (e) => { if (e.deltaY < 0) this.follow = false; }, { passive: true });
    this.sendButton.addEventListener('click', () => this.send());
    this.stopButton.addEventListener('click', () => this.host.post({ type: 'stop' }));
    this.input.addEventListener('keydown', (e) => this.onKeyDown(e));
    this.input.addEventListener('input', () => { this.autosize(); this.saveStateSoon(); });
    this.input.addEventListener('paste', (e) => this.onPaste(e));
    this.attachmentsEl.addEventListener('click', (e) => this.onAttachmentClick(e));
    document.addEventListener('dragover', (e) => this.onDragOver(e));
    document.addEventListener('dragleave', () => this.composer.classList.remove('drag-over'));
    document.addEventListener('drop', (e) => this.onDrop(e));

    const saved = this.host.getState();
    if (saved) {
      this.input.value = saved.draft;
      this.follow = saved.followAnswer;
    }
    this.autosize();
  }

  /** First paint from the page's `data-state`; restores the saved scroll position. */
  start(snapshot: ChatSnapshot | undefined): void {
    if (snapshot) this.renderSnapshot(snapshot);
    else this.renderEmpty();
    const saved = this.host.getState();
    if (saved && !saved.followAnswer) this.messages.scrollTop = saved.scrollTop;
    this.host.post({ type: 'ready' });
    warmUpHighlighter(() => {
      // The Markdown and sanitizer paths get their one-time setup off the streaming path too.
      this.renderer.render(this.renderer.lex('# a\n\n- b\n\n| c |\n|---|\n| d |\n\n[e](https://example.com) `f`'));
      document.body.dataset.warm = 'true';
    });
  }

  handle(message: HostToWebview): void {
    switch (message.type) {
      case 'snapshot':
        this.renderSnapshot(message.snapshot);
        break;
      case 'turnAdded':
        this.messages.querySelector('.empty-state')?.remove();
        this.follow = true;
        this.messages.append(renderUserTurn(message.user));
        this.addAssistant(AssistantTurnView.fromTurn(message.assistant, this.renderer));
        this.scrollToBottom();
        break;
      case 'delta': {
        const view = this.views.get(message.turnId);
        if (!view) break;
        view.appendChunks(message.chunks);
        this.schedule();
        break;
      }
      case 'block':
        this.views.get(message.turnId)?.setBlock(message.block, message.value);
        this.schedule();
        break;
      case 'turnEnded': {
        const view = this.views.get(message.turnId);
        if (!view) break;
        view.end(message.status, message.meta, message.error);
        this.announce(message.status === 'error' && message.error
          ? `Error: ${message.error.message}`
          : `Answer ${message.status === 'done' ? 'finished' : message.status}. ${view.announcement(ANNOUNCE_CHARS)}`.trim());
        this.afterCommit();
        break;
      }
      case 'turnRestarted': {
        const view = this.views.get(message.turnId);
        if (!view) break;
        view.setBlocks(message.blocks);
        view.flush();
        this.afterCommit();
        break;
      }
      case 'conversations':
        this.conversations = message.conversations;
        this.conversationId = message.activeId;
        this.renderConversations();
        break;
      case 'busy':
        this.setBusy(message.busy);
        break;
      case 'model':
        this.setModel(message.model);
        break;
      case 'attachImages':
        this.addAttachments(message.images);
        break;
      case 'notice':
        this.showNotice(message.level, message.message);
        break;
      case 'focusInput':
        this.input.focus();
        break;
      default:
        assertNever(message);
    }
  }

  // --- Rendering -------------------------------------------------------------------------------

  private renderSnapshot(snapshot: ChatSnapshot): void {
    const sameConversation = snapshot.conversationId === this.conversationId;
    const scrollTop = this.messages.scrollTop;
    this.views.clear();
    this.messages.replaceChildren();
    for (const turn of snapshot.turns) this.appendTurn(turn);
    if (snapshot.turns.length === 0) this.renderEmpty();
    this.conversationId = snapshot.conversationId;
    this.conversations = snapshot.conversations;
    this.renderConversations();
    this.setModel(snapshot.model);
    this.setBusy(snapshot.busy);
    if (sameConversation && !this.follow) this.messages.scrollTop = scrollTop;
    else {
      this.follow = true;
      this.scrollToBottom();
    }
  }

  private renderEmpty(): void {
    this.messages.append(h('div', { class: 'empty-state' },
      h('p', {}, 'Ask Claude about your code. Select code and run “Ask About Selection”, or type below.')));
  }

  private appendTurn(turn: Turn): void {
    if (turn.role === 'user') this.messages.append(renderUserTurn(turn));
    else this.addAssistant(AssistantTurnView.fromTurn(turn, this.renderer));
  }

  private addAssistant(view: AssistantTurnView): void {
    this.views.set(view.id, view);
    this.messages.append(view.element);
  }

  /** Coalesces everything that arrives within a frame into one DOM commit. */
  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const view of this.views.values()) if (view.needsFlush) view.flush();
      this.afterCommit();
    });
  }

  private afterCommit(): void {
    if (this.follow) this.scrollToBottom();
  }

  private scrollToBottom(): void {
    this.messages.scrollTop = this.messages.scrollHeight;
  }

  private onScroll(): void {
    const m = this.messages;
    this.follow = m.scrollHeight - m.scrollTop - m.clientHeight <= BOTTOM_SLACK;
    this.saveStateSoon();
  }

  private announce(text: string): void {
    this.announcer.textContent = text;
  }

  private setBusy(busy: boolean): void {
    // The button that is about to hide may hold the keyboard focus; hand it on instead of dropping it to the page.
    const focusLost = document.activeElement === (busy ? this.sendButton : this.stopButton);
    this.busy = busy;
    this.stopButton.hidden = !busy;
    this.sendButton.hidden = busy;
    if (focusLost) (busy ? this.stopButton : this.input).focus();
    document.body.dataset.busy = String(busy);
  }

  private setModel(model: string): void {
    this.modelLabel.textContent = model;
    this.modelLabel.parentElement!.setAttribute('aria-label', `Model: ${model}. Change model`);
    this.modelLabel.parentElement!.title = `${model}: change model`;
  }

  // --- Conversations ---------------------------------------------------------------------------

  private toggleHistory(open = this.historyPanel.hidden): void {
    this.historyPanel.hidden = !open;
    this.historyButton.setAttribute('aria-expanded', String(open));
    if (open) (this.conversationList.querySelector('button') as HTMLButtonElement | null)?.focus();
  }

  private renderConversations(): void {
    const items = this.conversations.map((c) => {
      const title = c.title.trim() || 'Untitled chat';
      return h('li', { class: 'conversation', 'data-conversation-id': c.id, 'aria-current': c.id === this.conversationId ? 'true' : undefined },
        h('button', { type: 'button', class: 'conversation-open', 'data-action': 'switchChat' },
          h('span', { class: 'conversation-title' }, title),
          h('span', { class: 'conversation-date' }, new Date(c.updatedAt).toLocaleString())),
        button(`Delete conversation “${title}”`, { class: 'conversation-delete', 'data-action': 'deleteChat' }, '✕'),
      );
    });
    this.conversationList.replaceChildren(...(items.length ? items : [h('li', { class: 'conversation-empty' }, 'No saved conversations yet.')]));
  }

  private onHistoryClick(event: MouseEvent): void {
    const target = (event.target as Element).closest('button[data-action]');
    const id = target?.closest<HTMLElement>('.conversation')?.dataset.conversationId;
    if (!target || !id) return;
    if (target.getAttribute('data-action') === 'switchChat') {
      this.host.post({ type: 'switchChat', conversationId: id });
      this.toggleHistory(false);
    } else {
      this.host.post({ type: 'deleteChat', conversationId: id });
    }
  }

  // --- Answer actions --------------------------------------------------------------------------

  private onMessagesClick(event: MouseEvent): void {
    const target = event.target as Element;
    const link = target.closest('a');
    if (link) {
      // Nothing navigates inside the webview; the host opens web links after checking the scheme again.
      event.preventDefault();
      const href = link.getAttribute('href');
      if (href && SAFE_LINK.test(href)) this.host.post({ type: 'openLink', href });
      return;
    }
    const actionButton = target.closest<HTMLButtonElement>('button[data-action]');
    if (!actionButton) return;
    const action = actionButton.dataset.action;
    const codeBlock = actionButton.closest('.code-block');
    if (codeBlock) {
      const source = this.renderer.codeSources.get(codeBlock);
      if (!source) return;
      if (action === 'copy') {
        this.host.post({ type: 'copyCode', code: source.code });
        flashLabel(actionButton, 'Copied');
        this.announce('Code copied.');
      } else if (action === 'insert') this.host.post({ type: 'insertCode', code: source.code });
      else if (action === 'replace') this.host.post({ type: 'replaceSelection', code: source.code });
      else if (action === 'newFile') this.host.post({ type: 'newFile', code: source.code, language: source.language });
      return;
    }
    if (action === 'openImage') {
      const url = actionButton.closest<HTMLElement>('.image-placeholder')?.dataset.url;
      if (url && SAFE_LINK.test(url)) this.host.post({ type: 'openLink', href: url });
      return;
    }
    const turnId = actionButton.closest<HTMLElement>('.turn')?.dataset.turnId;
    if (!turnId) return;
    switch (action) {
      case 'retry': this.host.post({ type: 'retry', turnId }); break;
      case 'continue': this.host.post({ type: 'continue', turnId }); break;
      case 'setApiKey': case 'openSettings': case 'openBilling': case 'showLog': case 'sendAnyway':
        this.host.post({ type: 'errorAction', turnId, action });
        break;
    }
  }

  // --- Composer --------------------------------------------------------------------------------

  private onKeyDown(event: KeyboardEvent): void {
    // keyCode 229: a key that an input method editor is still composing (some browsers drop isComposing).
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    this.send();
  }

  private send(): void {
    const text = this.input.value.trim();
    if (this.busy || (!text && this.pending.length === 0)) return;
    this.host.post({ type: 'send', text, images: this.pending });
    this.input.value = '';
    this.pending = [];
    this.renderAttachments();
    this.hideNotice();
    this.autosize();
    this.saveState();
  }

  private autosize(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 240)}px`;
  }

  private onPaste(event: ClipboardEvent): void {
    const files = Array.from(event.clipboardData?.items ?? [])
      .filter((item) => item.kind === 'file')
      .map((item) => item.getAsFile())
      .filter((file): file is File => file !== null);
    if (files.length === 0) return;
    if (!event.clipboardData?.types.includes('text/plain')) event.preventDefault();
    void this.addFiles(files);
  }

  private onDragOver(event: DragEvent): void {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.composer.classList.add('drag-over');
  }

  private onDrop(event: DragEvent): void {
    this.composer.classList.remove('drag-over');
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length === 0) return;
    event.preventDefault();
    void this.addFiles(files);
  }

  private async addFiles(files: File[]): Promise<void> {
    const errors: string[] = [];
    const images: ImageAttachment[] = [];
    for (const file of files) {
      const result = await readImageFile(file);
      if (result.ok) images.push(result.image);
      else errors.push(result.error);
    }
    this.addAttachments(images, errors);
  }

  private addAttachments(images: ImageAttachment[], errors: string[] = []): void {
    for (const image of images) {
      if (this.pending.length >= MAX_IMAGES) {
        errors.push(`At most ${MAX_IMAGES} images can be attached to one message.`);
        break;
      }
      this.pending.push(image);
    }
    this.renderAttachments();
    if (errors.length > 0) this.showNotice('error', errors.join(' '));
    else if (images.length > 0) this.hideNotice();
  }

  private renderAttachments(): void {
    this.attachmentsEl.replaceChildren(...this.pending.map((image) => {
      const img = h('img', { class: 'thumbnail', alt: image.name });
      const src = imageDataUrl(image);
      if (src) img.src = src;
      return h('div', { class: 'attachment', 'data-attachment-id': image.id }, img,
        button(`Remove image ${image.name}`, { 'data-action': 'removeAttachment' }, '✕'));
    }));
  }

  private onAttachmentClick(event: MouseEvent): void {
    const remove = (event.target as Element).closest('button[data-action="removeAttachment"]');
    const id = remove?.closest<HTMLElement>('.attachment')?.dataset.attachmentId;
    if (!id) return;
    this.pending = this.pending.filter((image) => image.id !== id);
    this.renderAttachments();
    this.input.focus();
  }

  private showNotice(level: 'info' | 'error', message: string): void {
    this.notice.textContent = message;
    this.notice.dataset.level = level;
    this.notice.hidden = false;
  }

  private hideNotice(): void {
    this.notice.hidden = true;
    this.notice.textContent = '';
  }

  // --- State -----------------------------------------------------------------------------------

  private saveStateSoon(): void {
    if (this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => this.saveState(), 250);
  }

  private saveState(): void {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.host.setState({ draft: this.input.value, scrollTop: this.messages.scrollTop, followAnswer: this.follow });
  }
}

/** A header button that shows only an icon; its name is in aria-label and the tooltip. */
function iconButton(name: IconName, label: string, attrs: Record<string, string>): HTMLButtonElement {
  const b = button(label, { class: 'icon-button', ...attrs }, '');
  b.append(icon(name));
  return b;
}

/** Shows `label` on the button for a moment; a second click meanwhile restarts it (and still restores the real label). */
function flashLabel(target: HTMLButtonElement, label: string): void {
  const original = target.dataset.label ?? target.textContent ?? '';
  target.dataset.label = original;
  target.textContent = label;
  clearTimeout(Number(target.dataset.flashTimer));
  target.dataset.flashTimer = String(setTimeout(() => {
    target.textContent = original;
    delete target.dataset.label;
    delete target.dataset.flashTimer;
  }, 1500));
}
