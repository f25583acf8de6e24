// The conversations this window knows: the active one, the saved ones' summaries (for the list), and the ones opened
// so far. Opening one goes through the sync hooks, so what other windows changed meanwhile is taken in.
import type { ConversationSummary } from '../../common/chatTypes';
import { Conversation } from './conversation';
import type { ConversationStore, Restored } from './conversationStore';

export interface ConversationListHooks {
  /** An opened conversation is shown again: take in what other windows changed since. */
  resync(conversation: Conversation): Promise<void>;
  /** A conversation was just read from disk. */
  opened(conversation: Conversation): void;
  /** Its file could not be read: it was restored from the previous version. */
  restored?(conversation: Conversation, restored: Restored): void;
  /** Neither its file nor the previous version could be read: moved aside to `damagedFile`. */
  damaged?(damagedFile: string): void;
}

export class ConversationList {
  active: Conversation;
  private summaries = new Map<string, ConversationSummary>();
  private readonly loaded = new Map<string, Conversation>();

  constructor(
    private readonly store: ConversationStore,
    private readonly create: () => Conversation,
    private readonly hooks: ConversationListHooks,
  ) {
    this.active = create();
  }

  /** Newest first, with the active conversation once it has a question. */
  list(): ConversationSummary[] {
    const list = [...this.summaries.values()];
    if (!this.active.isEmpty && !this.summaries.has(this.active.id)) list.push(this.active.summary);
    return list.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** A fresh, empty conversation becomes the active one. */
  startNew(): void {
    this.active = this.create();
  }

  /** The conversation's title or last activity changed. */
  touch(conversation: Conversation): void {
    this.summaries.set(conversation.id, conversation.summary);
  }

  /** Another window's version was taken in: listed if it was already or has a question now. */
  touchMerged(conversation: Conversation): void {
    if (this.summaries.has(conversation.id) || !conversation.isEmpty) this.touch(conversation);
  }

  forget(id: string): void {
    this.summaries.delete(id);
    this.loaded.delete(id);
  }

  /** The saved list as re-read: opened conversations gone from it are dropped (the active one stays). */
  replace(list: readonly ConversationSummary[]): void {
    const listed = new Set(list.map((s) => s.id));
    for (const id of this.loaded.keys()) if (!listed.has(id) && id !== this.active.id) this.loaded.delete(id);
    this.summaries = new Map(list.map((s) => [s.id, s]));
  }

  /** The saved conversation with the latest activity. */
  newestSaved(): ConversationSummary | undefined {
    return [...this.summaries.values()].sort((a, b) => b.updatedAt - a.updatedAt)[0];
  }

  /** Reads the saved list and opens the most recent conversation (unless something was asked meanwhile). */
  async load(): Promise<void> {
    const list = await this.store.list();
    this.summaries = new Map(list.map((s) => [s.id, s]));
    const recent = list[0] && (await this.open(list[0].id));
    // Something asked before loading finished: keep that conversation.
    if (recent && this.active.isEmpty) this.active = recent;
  }

  async open(id: string): Promise<Conversation | undefined> {
    const cached = this.loaded.get(id);
    if (cached) {
      // Shown again: pick up what other windows added since.
      await this.hooks.resync(cached);
      return this.loaded.get(id);
    }
    const read = await this.store.read(id);
    if (read.state === 'damaged') this.hooks.damaged?.(read.damagedFile);
    if (read.state !== 'ok') return undefined;
    const conversation = new Conversation(read.data);
    this.loaded.set(id, conversation);
    if (read.restored) this.hooks.restored?.(conversation, read.restored);
    this.hooks.opened(conversation);
    return conversation;
  }
}
