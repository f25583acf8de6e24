// The History panel: the saved conversations (newest first, with how long ago), a search over their titles, switch,
// and delete with Undo: a deleted conversation keeps its row ("Deleted", Undo) for the rest of the session.
import type { ConversationSummary } from '../../common/chatTypes';
import type { WebviewToHost } from '../../common/protocol';
import { button, h } from '../common/dom';

export interface ConversationListInput {
  post(message: WebviewToHost): void;
  /** The panel opened or closed (the header's History button mirrors it). */
  onToggle(open: boolean): void;
  /** Escape closed the panel: the focus goes back to whatever opened it. */
  onDismiss(): void;
}

/** "just now", "5 min ago", "2 h ago", "yesterday", "3 d ago", then the date. */
export function relativeTime(then: number, now: number): string {
  const minutes = Math.floor((now - then) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} d ago`;
  return new Date(then).toLocaleDateString();
}

export class ConversationList {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly search: HTMLInputElement;
  private conversations: ConversationSummary[] = [];
  private deleted: ConversationSummary[] = [];
  private activeId: string | undefined;

  constructor(private readonly input: ConversationListInput) {
    this.list = h('ul', { id: 'conversation-list' });
    this.search = h('input', { type: 'search', id: 'conversation-search', placeholder: 'Search chats', 'aria-label': 'Search chats by title', 'aria-controls': 'conversation-list' });
    this.element = h('nav', { id: 'conversation-panel', 'aria-label': 'Conversations', hidden: true }, this.search, this.list);
    this.element.addEventListener('click', (e) => this.onClick(e));
    this.search.addEventListener('input', () => this.render());
    this.element.addEventListener('keydown', (e) => {
      // Typing while a conversation has the focus searches.
      if (e.key.length === 1 && e.key !== ' ' && !e.ctrlKey && !e.metaKey && !e.altKey && e.target !== this.search) {
        this.search.focus();
        return;
      }
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      // The first Escape clears the search, the next one closes the panel.
      if (e.target === this.search && this.search.value !== '') {
        this.search.value = '';
        this.render();
        return;
      }
      this.toggle(false);
      this.input.onDismiss();
    });
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  /** The title of the conversation `id` as the list has it (the header names the chat with it). */
  titleOf(id: string): string | undefined {
    return this.conversations.find((c) => c.id === id)?.title;
  }

  /** Opens (focusing the first conversation; typing goes to the search) or closes the panel; without an argument, flips it. */
  toggle(open = !this.isOpen): void {
    this.element.hidden = !open;
    this.input.onToggle(open);
    if (open) {
      this.render();
      (this.list.querySelector('button') ?? this.search).focus();
    }
  }

  /** `deleted`: conversations deleted this session, still undoable. */
  show(conversations: ConversationSummary[], activeId: string, deleted?: ConversationSummary[]): void {
    this.conversations = conversations;
    this.activeId = activeId;
    if (deleted) this.deleted = deleted;
    this.render();
  }

  private render(): void {
    const now = Date.now();
    const query = this.search.value.trim().toLowerCase();
    const live = new Set(this.conversations.map((c) => c.id));
    // The host's order (newest first); a deleted chat keeps its place by time among them.
    const all = this.conversations.map((c) => ({ c, deleted: false }));
    for (const c of this.deleted.filter((d) => !live.has(d.id))) {
      const at = all.findIndex((entry) => entry.c.updatedAt < c.updatedAt);
      all.splice(at < 0 ? all.length : at, 0, { c, deleted: true });
    }
    const items = all.filter(({ c }) => !query || (c.title.trim() || 'Untitled chat').toLowerCase().includes(query)).map(({ c, deleted }) => {
      const title = c.title.trim() || 'Untitled chat';
      const date = new Date(c.updatedAt).toLocaleString();
      if (deleted) {
        return h('li', { class: 'conversation conversation-deleted', 'data-conversation-id': c.id },
          h('span', { class: 'conversation-open' },
            h('span', { class: 'conversation-title' }, title),
            h('span', { class: 'conversation-date' }, 'Deleted')),
          button(`Undo: bring back “${title}”`, { class: 'conversation-undo', 'data-action': 'undoDelete' }, 'Undo'));
      }
      // A chat file that could not be read (nor its previous version): kept on disk, said here, not openable.
      if (c.damaged) {
        return h('li', { class: 'conversation conversation-damaged', 'data-conversation-id': c.id },
          h('span', { class: 'conversation-title' }, title),
          h('span', { class: 'conversation-date' }, `Could not be read; the file was moved aside to ${c.damaged}`));
      }
      return h('li', { class: 'conversation', 'data-conversation-id': c.id, 'aria-current': c.id === this.activeId ? 'true' : undefined },
        h('button', { type: 'button', class: 'conversation-open', 'data-action': 'switchChat' },
          h('span', { class: 'conversation-title' }, title),
          h('span', { class: 'conversation-date', title: date }, relativeTime(c.updatedAt, now))),
        button(`Delete conversation “${title}”`, { class: 'conversation-delete', 'data-action': 'deleteChat' }, '✕'),
      );
    });
    const empty = query ? `No chat title contains “${this.search.value.trim()}”.` : 'No saved conversations yet.';
    this.list.replaceChildren(...(items.length ? items : [h('li', { class: 'conversation-empty' }, empty)]));
  }

  private onClick(event: MouseEvent): void {
    const target = (event.target as Element).closest('button[data-action]');
    const id = target?.closest<HTMLElement>('.conversation')?.dataset.conversationId;
    if (!target || !id) return;
    const action = target.getAttribute('data-action');
    if (action === 'switchChat') {
      this.input.post({ type: 'switchChat', conversationId: id });
      this.toggle(false);
    } else if (action === 'undoDelete') {
      this.input.post({ type: 'undoDelete', conversationId: id });
    } else {
      // The row stays, as "Deleted" with Undo, until the host's list arrives (and then for the rest of the session).
      const summary = this.conversations.find((c) => c.id === id);
      if (summary && !this.deleted.some((c) => c.id === id)) this.deleted = [...this.deleted, summary];
      this.conversations = this.conversations.filter((c) => c.id !== id);
      this.render();
      this.list.querySelector<HTMLButtonElement>(`.conversation[data-conversation-id="${CSS.escape(id)}"] button`)?.focus();
      this.input.post({ type: 'deleteChat', conversationId: id });
    }
  }
}
