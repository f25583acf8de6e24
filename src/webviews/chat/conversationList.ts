// The History panel: the saved conversations, with switch and delete.
import type { ConversationSummary, WebviewToHost } from '../../common/protocol';
import { button, h } from './dom';

export interface ConversationListInput {
  post(message: WebviewToHost): void;
  /** The panel opened or closed (the header's History button mirrors it). */
  onToggle(open: boolean): void;
  /** Escape closed the panel: the focus goes back to whatever opened it. */
  onDismiss(): void;
}

export class ConversationList {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private conversations: ConversationSummary[] = [];
  private activeId: string | undefined;

  constructor(private readonly input: ConversationListInput) {
    this.list = h('ul', { id: 'conversation-list' });
    this.element = h('nav', { id: 'conversation-panel', 'aria-label': 'Conversations', hidden: true }, this.list);
    this.element.addEventListener('click', (e) => this.onClick(e));
    this.element.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      this.toggle(false);
      this.input.onDismiss();
    });
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  /** Opens (focusing the first conversation) or closes the panel; without an argument, flips it. */
  toggle(open = !this.isOpen): void {
    this.element.hidden = !open;
    this.input.onToggle(open);
    if (open) (this.list.querySelector('button') as HTMLButtonElement | null)?.focus();
  }

  show(conversations: ConversationSummary[], activeId: string): void {
    this.conversations = conversations;
    this.activeId = activeId;
    this.render();
  }

  private render(): void {
    const items = this.conversations.map((c) => {
      const title = c.title.trim() || 'Untitled chat';
      // A chat file that could not be read (nor its previous version): kept on disk, said here, not openable.
      if (c.damaged) {
        return h('li', { class: 'conversation conversation-damaged', 'data-conversation-id': c.id },
          h('span', { class: 'conversation-title' }, title),
          h('span', { class: 'conversation-date' }, `Could not be read; the file was moved aside to ${c.damaged}`));
      }
      return h('li', { class: 'conversation', 'data-conversation-id': c.id, 'aria-current': c.id === this.activeId ? 'true' : undefined },
        h('button', { type: 'button', class: 'conversation-open', 'data-action': 'switchChat' },
          h('span', { class: 'conversation-title' }, title),
          h('span', { class: 'conversation-date' }, new Date(c.updatedAt).toLocaleString())),
        button(`Delete conversation “${title}”`, { class: 'conversation-delete', 'data-action': 'deleteChat' }, '✕'),
      );
    });
    this.list.replaceChildren(...(items.length ? items : [h('li', { class: 'conversation-empty' }, 'No saved conversations yet.')]));
  }

  private onClick(event: MouseEvent): void {
    const target = (event.target as Element).closest('button[data-action]');
    const id = target?.closest<HTMLElement>('.conversation')?.dataset.conversationId;
    if (!target || !id) return;
    if (target.getAttribute('data-action') === 'switchChat') {
      this.input.post({ type: 'switchChat', conversationId: id });
      this.toggle(false);
    } else {
      this.input.post({ type: 'deleteChat', conversationId: id });
    }
  }
}
