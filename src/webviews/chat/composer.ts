// The composer: the message input, Send/Stop, image attachments (button, paste, drop), the files and problems that go
// with the next message (chips; Add File…, or files dragged from the Explorer) and the notice above the input.
import type { ErrorAction, ImageAttachment, PendingContext, RequestEstimate } from '../../common/chatTypes';
import { type WebviewToHost } from '../../common/protocol';
import { ERROR_ACTION_LABELS } from '../../common/errorActionLabels';
import { formatSize, lineRange } from '../../common/credits';
import { fitImage, imageBlob, MAX_IMAGES, readImageFile, type ReadResult } from './attachments';
import { CostPreview } from './costPreview';
import { RulesLine } from './rulesLine';
import { button, h } from '../common/dom';
import { thumbnail } from './thumbnail';

/** How VS Code (and other apps) put dragged files' URIs on a drop. */
const URI_LIST_TYPES = ['application/vnd.code.uri-list', 'text/uri-list'];

function droppedUris(data: DataTransfer | null): string[] {
  if (!data) return [];
  for (const type of URI_LIST_TYPES) {
    const list = data.getData(type);
    if (!list) continue;
    // VS Code's own type is a JSON array; text/uri-list is one URI per line, `#` lines being comments.
    if (list.trimStart().startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(list);
        if (Array.isArray(parsed)) return parsed.filter((u): u is string => typeof u === 'string');
      } catch {
        // Not JSON after all: read it as lines.
      }
    }
    const uris = list.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
    if (uris.length > 0) return uris;
  }
  return [];
}

export interface ComposerInput {
  post(message: WebviewToHost): void;
  /** The draft changed (the app saves it with the webview state). */
  onDraftChange(): void;
  /** A message was sent: save the now empty draft at once. */
  onSent(): void;
  /** The last question's text, for ArrowUp in an empty composer. */
  lastQuestion(): string | undefined;
  /** The question being edited changed (undefined: editing ended). */
  onEditChange(turnId: string | undefined): void;
}

export class Composer {
  readonly element: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly compactButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly attachmentsEl: HTMLElement;
  private readonly contextEl: HTMLElement;
  private readonly notice: HTMLElement;
  private pending: ImageAttachment[] = [];
  private attaching: Promise<void> = Promise.resolve();
  private busy = false;
  private hasContext = false;
  /** The question being edited: Send replaces it and every later turn. */
  private editing: string | undefined;
  private readonly editBanner: HTMLElement;
  private readonly preview = new CostPreview(() => ({ draft: this.input.value, images: this.pending }));
  readonly rules: RulesLine;

  constructor(private readonly host: ComposerInput) {
    this.rules = new RulesLine((message) => this.host.post(message));
    this.attachmentsEl = h('div', { id: 'attachments', 'aria-label': 'Attached images' });
    this.contextEl = h('ul', { id: 'context-chips', 'aria-label': 'Files and problems sent with the next message' });
    this.notice = h('div', { id: 'composer-notice', role: 'alert', hidden: true });
    this.input = h('textarea', {
      id: 'composer-input', rows: '2', 'aria-label': 'Message Claude',
      placeholder: 'Ask Claude… (Enter to send, Shift+Enter for a new line)',
    });
    this.sendButton = button('Send message', { id: 'send', class: 'primary' }, 'Send');
    this.stopButton = button('Stop the answer', { id: 'stop', hidden: true }, 'Stop');
    const attachButton = button('Attach image', { id: 'attach-image' }, 'Image…');
    const addFileButton = button('Add files or problems to the next message', { id: 'add-context' }, 'Add File…');
    this.compactButton = button('Compact', { id: 'compact', title: 'Summarise the conversation so far: later questions send the summary instead of the earlier turns' });
    const cancelEdit = button('Cancel editing (Escape)', { id: 'cancel-edit' }, 'Cancel');
    this.editBanner = h('div', { id: 'edit-banner', role: 'status', hidden: true },
      h('span', {}, 'Editing your question: sending it replaces it and every later turn.'), cancelEdit);
    cancelEdit.addEventListener('click', () => this.endEdit(true));
    this.element = h('footer', { id: 'composer' },
      this.rules.element,
      this.editBanner,
      this.preview.sizeNote,
      this.contextEl,
      this.attachmentsEl,
      this.notice,
      this.input,
      // Its own line: a narrow sidebar must not cut the figures.
      h('div', { class: 'composer-meters' }, this.preview.meter, this.preview.element),
      h('div', { class: 'composer-actions' },
        addFileButton,
        attachButton,
        this.compactButton,
        h('span', { class: 'spacer' }),
        this.stopButton,
        this.sendButton,
      ),
    );

    attachButton.addEventListener('click', () => this.host.post({ type: 'pickImages' }));
    addFileButton.addEventListener('click', () => this.host.post({ type: 'pickContext' }));
    this.compactButton.addEventListener('click', () => this.host.post({ type: 'compact' }));
    this.contextEl.addEventListener('click', (e) => this.onContextClick(e));
    this.sendButton.addEventListener('click', () => this.send());
    this.stopButton.addEventListener('click', () => this.host.post({ type: 'stop' }));
    this.input.addEventListener('keydown', (e) => this.onKeyDown(e));
    this.input.addEventListener('input', () => { this.autosize(); this.host.onDraftChange(); this.preview.update(); this.dropInfoNotice(); });
    this.input.addEventListener('paste', (e) => this.onPaste(e));
    this.attachmentsEl.addEventListener('click', (e) => this.onAttachmentClick(e));
    // Files dropped anywhere in the view are attached.
    document.addEventListener('dragover', (e) => this.onDragOver(e));
    document.addEventListener('dragleave', () => this.element.classList.remove('drag-over'));
    document.addEventListener('drop', (e) => this.onDrop(e));
  }

  get draft(): string {
    return this.input.value;
  }

  set draft(value: string) {
    this.input.value = value;
    this.autosize();
    this.preview.update();
  }

  /** The host's base for the cost preview (undefined: no preview). */
  setEstimate(estimate: RequestEstimate | undefined): void {
    this.preview.setEstimate(estimate);
  }

  focus(): void {
    this.input.focus();
  }

  setBusy(busy: boolean): void {
    // The button that is about to hide may hold the keyboard focus; hand it on instead of dropping it to the page.
    const focusLost = document.activeElement === (busy ? this.sendButton : this.stopButton);
    this.busy = busy;
    this.stopButton.hidden = !busy;
    this.sendButton.hidden = busy;
    this.compactButton.disabled = busy;
    if (focusLost) (busy ? this.stopButton : this.input).focus();
  }

  /** A message above the input; `actions` become buttons (e.g. Open Settings for the `setting` named). */
  showNotice(level: 'info' | 'error', message: string, actions: readonly ErrorAction[] = [], setting?: string): void {
    this.notice.replaceChildren(h('span', { class: 'notice-message' }, message));
    for (const action of actions) {
      const b = button(ERROR_ACTION_LABELS[action], { class: 'notice-action' });
      b.addEventListener('click', () => this.host.post({ type: 'noticeAction', action, ...(setting ? { setting } : {}) }));
      this.notice.append(b);
    }
    this.notice.dataset.level = level;
    this.notice.hidden = false;
  }

  private hideNotice(): void {
    this.notice.hidden = true;
    this.notice.replaceChildren();
  }

  /** An informational note ("Copied to the clipboard.") is stale once the user does the next thing; errors stay until sent. */
  private dropInfoNotice(): void {
    if (!this.notice.hidden && this.notice.dataset.level === 'info' && this.notice.querySelector('button') === null) this.hideNotice();
  }

  /** Edit on a question: its text comes into the composer; Send replaces it and the turns after it. */
  beginEdit(turnId: string, text: string): void {
    if (this.busy) return;
    this.editing = turnId;
    this.editBanner.hidden = false;
    this.draft = text;
    this.host.onEditChange(turnId);
    this.input.focus();
    this.input.setSelectionRange(text.length, text.length);
  }

  private endEdit(clearDraft: boolean): void {
    if (this.editing === undefined) return;
    this.editing = undefined;
    this.editBanner.hidden = true;
    if (clearDraft) this.draft = '';
    this.host.onEditChange(undefined);
    this.input.focus();
  }

  get isEditing(): boolean {
    return this.editing !== undefined;
  }

  private onKeyDown(event: KeyboardEvent): void {
    // keyCode 229: a key that an input method editor is still composing (some browsers drop isComposing).
    if (event.isComposing || event.keyCode === 229) return;
    if (event.key === 'Escape' && this.editing !== undefined && !this.busy) {
      event.preventDefault();
      event.stopPropagation();
      this.endEdit(true);
      return;
    }
    // ArrowUp in an empty composer recalls the last question (to send again, or change a word).
    if (event.key === 'ArrowUp' && this.input.value === '' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      const last = this.host.lastQuestion();
      if (!last) return;
      event.preventDefault();
      this.draft = last;
      this.host.onDraftChange();
      return;
    }
    if (event.key !== 'Enter' || event.shiftKey) return;
    event.preventDefault();
    this.send();
  }

  private send(): void {
    const text = this.input.value.trim();
    if (this.busy) return;
    if (this.editing !== undefined) {
      if (!text && this.pending.length === 0) return;
      this.host.post({ type: 'editResend', turnId: this.editing, text, images: this.pending });
      this.endEdit(false);
    } else {
      if (!text && this.pending.length === 0 && !this.hasContext) return;
      this.host.post({ type: 'send', text, images: this.pending });
    }
    this.input.value = '';
    this.pending = [];
    this.renderAttachments();
    this.hideNotice();
    this.autosize();
    this.preview.update();
    this.host.onSent();
  }

  private autosize(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 240)}px`;
  }

  // --- Attachments -----------------------------------------------------------------------------

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
    const types = event.dataTransfer?.types ?? [];
    if (!types.includes('Files') && !URI_LIST_TYPES.some((type) => types.includes(type))) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    this.element.classList.add('drag-over');
  }

  private onDrop(event: DragEvent): void {
    this.element.classList.remove('drag-over');
    // Files from VS Code's Explorer or editor tabs come as URIs (hold Shift to drop into a view): the host reads them.
    const uris = droppedUris(event.dataTransfer);
    if (uris.length > 0) {
      event.preventDefault();
      this.host.post({ type: 'dropUris', uris });
      return;
    }
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length === 0) return;
    event.preventDefault();
    void this.addFiles(files);
  }

  private addFiles(files: File[]): Promise<void> {
    return this.inOrder(Promise.all(files.map((file) => readImageFile(file))));
  }

  /** Images from the host (its file picker, Ask About Image): fitted to the API's limits like pasted ones. */
  addAttachments(images: ImageAttachment[]): Promise<void> {
    return this.inOrder(Promise.all(images.map((image) => fitImage(image))));
  }

  /** Resizing runs at once, but images are added in the order they arrived (a big one takes longer to fit). */
  private inOrder(results: Promise<ReadResult[]>): Promise<void> {
    this.attaching = this.attaching.then(async () => this.addResults(await results));
    return this.attaching;
  }

  /** Keeps the images that could be attached; says what was resized and what was refused. */
  private addResults(results: ReadResult[]): void {
    const errors: string[] = [];
    const notes: string[] = [];
    let added = 0;
    for (const result of results) {
      if (!result.ok) {
        errors.push(result.error);
        continue;
      }
      if (this.pending.length >= MAX_IMAGES) {
        errors.push(`At most ${MAX_IMAGES} images can be attached to one message.`);
        break;
      }
      this.pending.push(result.image);
      this.preview.measure(result.image, imageBlob(result.image));
      added++;
      if (result.note) notes.push(result.note);
    }
    this.renderAttachments();
    this.preview.update();
    if (errors.length > 0) this.showNotice('error', [...errors, ...notes].join(' '));
    else if (notes.length > 0) this.showNotice('info', notes.join(' '));
    else if (added > 0) this.hideNotice();
  }

  private renderAttachments(): void {
    this.attachmentsEl.replaceChildren(...this.pending.map((image) =>
      h('div', { class: 'attachment', 'data-attachment-id': image.id }, thumbnail(image, image.name),
        button(`Remove image ${image.name}`, { 'data-action': 'removeAttachment' }, '✕'))));
  }

  /** The files and problems the host holds for the next message. */
  showContext(items: readonly PendingContext[]): void {
    const focused = this.contextEl.contains(document.activeElement);
    this.contextEl.replaceChildren(...items.map((item) => {
      const size = item.kind === 'problems' ? `${item.count ?? 0} ${item.count === 1 ? 'problem' : 'problems'}` : formatSize(item.chars);
      const name = item.kind === 'problems' ? item.label : item.label.split('/').pop() ?? item.label;
      // A selection says which lines ("line 9", "lines 9–12"), kept on one line by the stylesheet.
      const lines = item.startLine === undefined ? undefined : lineRange(item.startLine, item.endLine);
      return h('li', { class: 'context-chip', 'data-context-id': item.id, 'data-context-kind': item.kind, title: `${item.label}${lines ? `, ${lines}` : ''}${item.cut ? ' (cut to fastrouter.maxSelectionChars)' : ''}` },
        h('span', { class: 'context-name' }, name),
        lines ? h('span', { class: 'context-lines' }, lines) : null,
        h('span', { class: 'context-size' }, item.cut ? `${size}, cut` : size),
        button(`Remove ${item.label} from the next message`, { 'data-action': 'removeContext' }, '✕'));
    }));
    this.hasContext = items.length > 0;
    if (focused) this.input.focus();
  }

  private onContextClick(event: MouseEvent): void {
    const remove = (event.target as Element).closest('button[data-action="removeContext"]');
    const id = remove?.closest<HTMLElement>('.context-chip')?.dataset.contextId;
    if (!id) return;
    this.host.post({ type: 'removeContext', id });
    this.input.focus();
  }

  private onAttachmentClick(event: MouseEvent): void {
    const remove = (event.target as Element).closest('button[data-action="removeAttachment"]');
    const id = remove?.closest<HTMLElement>('.attachment')?.dataset.attachmentId;
    if (!id) return;
    this.pending = this.pending.filter((image) => image.id !== id);
    this.renderAttachments();
    this.preview.update();
    this.input.focus();
  }
}
