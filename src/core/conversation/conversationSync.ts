// Several windows share the saved conversations. This keeps one window's copy in step with the others: saves (debounced
// while an answer streams, with the live answer stamped as streaming), merges in another window's changes, notices a chat
// deleted elsewhere, and watches an answer that streams in another window until it ends or its window is gone.
import type { HostToWebview } from '../../common/protocol';
import type { Conversation, ConversationData, Exchange, StoredMessage } from './conversation';
import type { ConversationList } from './conversationList';
import { mergeConversationData } from './conversationMerge';
import { type ConversationStore, type Restored } from './conversationStore';
import { StorageWriteError } from './conversationFiles';
import type { Scheduler } from './deltaBatcher';
import { processAlive } from './fileLock';

/** Above this many characters written by a save, the next one comes later while streaming. */
const BIG_FILE_CHARS = 2_000_000;
/**
 * An answer saved as streaming was cut (its window closed or reloaded) when the process streaming it is gone, or when
 * it has not been saved for this long (a live one is saved every 1-5 s).
 */
export const STALE_STREAMING_MS = 15_000;

/** The answer streaming in this window, as sync sees it. */
export interface StreamingHere {
  conversation: Conversation;
  exchange: Exchange;
  liveMessages(): StoredMessage[];
  stop(): void;
}

export interface ConversationSyncHost {
  store: ConversationStore;
  list: ConversationList;
  scheduler: Scheduler;
  now: () => number;
  log: (message: string) => void;
  post: (message: HostToWebview) => void;
  /** The active conversation changed under the view: send a fresh snapshot. */
  showSnapshot: () => void;
  showConversations: () => void;
  streaming: () => StreamingHere | undefined;
  disposed: () => boolean;
  /** Delay of the debounced save while an answer streams. */
  saveDelayMs?: number;
  /** How long after a failed save it is tried again (default 30 s); any change to the chat tries at once. */
  saveRetryMs?: number;
  /** Chats this window holds that are not on disk (the reason), or undefined when all are saved: the host warns. */
  unsavedChanged?: (reason: string | undefined) => void;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What the chat says when a save failed (VS Code's failed save): the chat stays, and is saved when it can be. */
export function unsavedNotice(reason: string): string {
  const when = /space|quota/.test(reason) ? 'when there is room' : 'as soon as it can be';
  return `This chat could not be saved: ${reason}. It stays in this window and is saved ${when}.`;
}

export class ConversationSync {
  private saveTimer: unknown;
  private recheckTimer: unknown;
  private retryTimer: unknown;
  private lastSavedSize = 0;
  /** Conversations whose last save failed (kept dirty), with why; retried on a timer and at their next change. */
  private readonly unsaved = new Map<string, { conversation: Conversation; reason: string }>();
  /** Said once per run of failures; "saved again" ends it. */
  private toldUnsaved = false;
  /** A conversation restored from its previous version (or not openable): said when it is shown. */
  private readonly notes = new Map<string, string>();

  constructor(private readonly host: ConversationSyncHost) {}

  /**
   * Saves the streaming conversation at most once per `saveDelayMs`, so a crash loses little. Such a save appends
   * only the streaming exchange to the chat's journal; when it had to write a big file whole (inline images, or a
   * journal grown to the file's size), the next one comes later, since serializing it blocks the extension host.
   */
  saveSoon(): void {
    const { host } = this;
    if (this.saveTimer !== undefined || host.disposed()) return;
    const base = host.saveDelayMs ?? 1000;
    const delay = this.lastSavedSize > BIG_FILE_CHARS ? base * 5 : base;
    this.saveTimer = host.scheduler.setTimeout(() => {
      this.saveTimer = undefined;
      const run = host.streaming();
      if (run) void this.save(run.conversation, { changed: run.exchange });
    }, delay);
  }

  /**
   * Saves the conversation. With `changed`, that exchange is the only one changed (or added) since the last save: only
   * it is appended to the chat's journal when the store can (see ConversationStore.save); `compact` marks a quiet moment
   * to fold a grown journal into the file.
   */
  async save(conversation: Conversation, options: { changed?: Exchange; compact?: boolean } = {}): Promise<void> {
    if (conversation.isEmpty) return;
    const { host } = this;
    const data = conversation.toData();
    const run = host.streaming();
    let pinnedAnswerId: string | undefined;
    if (run && run.conversation === conversation) {
      // The live copy, stamped now: other windows see a streaming answer that is still being written.
      const live = { ...run.exchange.answer, messages: run.liveMessages() };
      data.exchanges = data.exchanges.map((e) => (e === run.exchange ? { ...e, answer: live, updatedAt: host.now(), streamingPid: process.pid } : e));
      pinnedAnswerId = run.exchange.answer.id;
    }
    // A chat whose last save failed is written whole: what that save held may be more than this exchange.
    const changed = options.changed && !this.unsaved.has(conversation.id) ? [options.changed.answer.id] : undefined;
    try {
      const result = await host.store.save(data, { pinnedAnswerId, ...(changed ? { changed } : {}), ...(options.compact ? { compact: true } : {}) });
      this.lastSavedSize = result.size;
      this.savedNow(conversation);
      if (result.deleted) this.deletedElsewhere(conversation);
      else if (result.merged) this.adopt(conversation, result.merged);
    } catch (error) {
      this.saveFailed(conversation, error);
    }
  }

  /** True while some conversation of this window is not on disk. */
  get hasUnsaved(): boolean {
    return this.unsaved.size > 0;
  }

  /** The notices that stand for `conversation` (a failed save, a restored version), posted after each snapshot. */
  standingNotices(conversation: Conversation): HostToWebview[] {
    const notices: HostToWebview[] = [];
    const note = this.notes.get(conversation.id);
    if (note) {
      this.notes.delete(conversation.id);
      notices.push({ type: 'notice', level: 'info', message: note });
    }
    const unsaved = this.unsaved.get(conversation.id);
    if (unsaved) notices.push({ type: 'notice', level: 'error', message: unsavedNotice(unsaved.reason) });
    return notices;
  }

  /** The store restored this conversation from its previous version: say which, when it is shown. */
  restored(conversation: Conversation, restored: Restored): void {
    const moved = restored.damagedFile ? ` The damaged file was moved aside to ${restored.damagedFile}.` : '';
    this.notes.set(conversation.id, `This chat's file could not be read: the version saved at ${new Date(restored.savedAt).toLocaleString()} was restored.${moved}`);
  }

  /** Neither the chat's file nor its previous version could be read: say where it went, and list it in History. */
  damaged(damagedFile: string): void {
    const { host } = this;
    host.log(`A conversation could not be read; moved aside to ${damagedFile}.`);
    if (host.disposed()) return;
    host.post({ type: 'notice', level: 'error', message: `This chat could not be read, nor its earlier version: the file was moved aside to ${damagedFile} (listed in History).` });
    void this.refresh();
  }

  private saveFailed(conversation: Conversation, error: unknown): void {
    const { host } = this;
    const reason = error instanceof StorageWriteError ? error.reason : errorText(error);
    host.log(`Could not save the conversation: ${errorText(error)}; kept in this window, saving again later.`);
    this.unsaved.set(conversation.id, { conversation, reason });
    if (!this.toldUnsaved && !host.disposed()) {
      this.toldUnsaved = true;
      if (conversation === host.list.active) host.post({ type: 'notice', level: 'error', message: unsavedNotice(reason) });
      host.unsavedChanged?.(reason);
    }
    this.retrySoon();
  }

  private savedNow(conversation: Conversation): void {
    const { host } = this;
    if (!this.unsaved.delete(conversation.id)) return;
    // Room again: the others waiting go now rather than at the timer.
    for (const { conversation: other } of [...this.unsaved.values()]) void this.save(other);
    if (this.unsaved.size > 0 || !this.toldUnsaved) return;
    this.toldUnsaved = false;
    if (this.retryTimer !== undefined) host.scheduler.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    host.log('The conversation was saved again.');
    if (host.disposed()) return;
    if (conversation === host.list.active) host.post({ type: 'notice', level: 'info', message: 'This chat is saved again.' });
    host.unsavedChanged?.(undefined);
  }

  private retrySoon(): void {
    const { host } = this;
    if (this.retryTimer !== undefined || host.disposed()) return;
    this.retryTimer = host.scheduler.setTimeout(() => {
      this.retryTimer = undefined;
      const waiting = [...this.unsaved.values()];
      void Promise.all(waiting.map(({ conversation }) => this.save(conversation)));
    }, host.saveRetryMs ?? 30_000);
  }

  /** Last tries for chats not on disk (the window closes). */
  async flushUnsaved(): Promise<void> {
    await Promise.all([...this.unsaved.values()].map(({ conversation }) => this.save(conversation)));
  }

  /** A conversation just read from disk: an answer cut by its closed window is marked so; one streaming elsewhere is watched. */
  opened(conversation: Conversation): void {
    // An answer that was streaming when its window closed stays, marked unfinished (one still being saved by another window streams on there).
    if (conversation.markInterrupted(this.isCut)) void this.save(conversation);
    this.watchStreamingElsewhere(conversation);
  }

  /** Re-reads the saved list and the active conversation; posts the list when it changed. */
  async refresh(): Promise<void> {
    const { host } = this;
    try {
      const before = JSON.stringify(host.list.list());
      host.list.replace(await host.store.list());
      await this.sync(host.list.active);
      if (!host.disposed() && JSON.stringify(host.list.list()) !== before) host.showConversations();
    } catch (error) {
      host.log(`Could not re-read the conversations: ${errorText(error)}`);
    }
  }

  /** Merges in another window's changes to `conversation`, if its file changed since this window read or wrote it. */
  async sync(conversation: Conversation): Promise<void> {
    const { host } = this;
    let result: Awaited<ReturnType<ConversationStore['read']>>;
    try {
      result = await host.store.read(conversation.id, { ifChanged: true });
    } catch (error) {
      host.log(`Could not re-read the conversation: ${errorText(error)}`);
      return;
    }
    if (result.state === 'deleted') return this.deletedElsewhere(conversation);
    if (result.state === 'ok') this.adopt(conversation, result.data);
    if (host.streaming()?.conversation !== conversation && conversation.markInterrupted(this.isCut)) {
      void this.save(conversation);
      if (conversation === host.list.active && !host.disposed()) host.showSnapshot();
    }
    this.watchStreamingElsewhere(conversation);
  }

  dispose(): void {
    if (this.saveTimer !== undefined) this.host.scheduler.clearTimeout(this.saveTimer);
    if (this.recheckTimer !== undefined) this.host.scheduler.clearTimeout(this.recheckTimer);
    if (this.retryTimer !== undefined) this.host.scheduler.clearTimeout(this.retryTimer);
  }

  /** Whether a saved streaming answer was cut rather than still streaming in another window. */
  private readonly isCut = (exchange: Exchange): boolean =>
    (exchange.updatedAt ?? 0) < this.host.now() - STALE_STREAMING_MS || (exchange.streamingPid !== undefined && !processAlive(exchange.streamingPid));

  /** An answer streaming in another window: look again later, to show its progress or mark it cut if that window went. */
  private watchStreamingElsewhere(conversation: Conversation): void {
    const { host } = this;
    if (this.recheckTimer !== undefined || host.disposed()) return;
    const run = host.streaming();
    const mine = run?.conversation === conversation ? run.exchange : undefined;
    if (!conversation.exchanges.some((e) => e !== mine && e.answer.status === 'streaming')) return;
    this.recheckTimer = host.scheduler.setTimeout(() => {
      this.recheckTimer = undefined;
      if (host.list.active === conversation) void this.sync(conversation);
    }, STALE_STREAMING_MS / 3);
  }

  /** Takes another window's version of `conversation` in, keeping this window's newer exchanges and its live answer. */
  private adopt(conversation: Conversation, theirs: ConversationData): void {
    const { host } = this;
    const run = host.streaming();
    const result = mergeConversationData(conversation.toData(), theirs, run?.conversation === conversation ? run.exchange.answer.id : undefined);
    conversation.updatedAt = Math.max(conversation.updatedAt, theirs.updatedAt);
    for (const id of result.data.removed ?? []) if (!conversation.removed.includes(id)) conversation.removed.push(id);
    if (!result.changed) return;
    conversation.exchanges.splice(0, conversation.exchanges.length, ...result.data.exchanges);
    conversation.compactions.splice(0, conversation.compactions.length, ...(result.data.compactions ?? []));
    conversation.title = result.data.title;
    host.list.touchMerged(conversation);
    if (conversation === host.list.active && !host.disposed()) host.showSnapshot();
  }

  /** Another window deleted this conversation: it goes here too (an answer still streaming into it is stopped). */
  private deletedElsewhere(conversation: Conversation): void {
    const { host } = this;
    host.list.forget(conversation.id);
    const run = host.streaming();
    if (run?.conversation === conversation) run.stop();
    if (host.disposed()) return;
    if (conversation !== host.list.active) {
      host.showConversations();
      return;
    }
    host.list.startNew();
    host.showSnapshot();
    host.post({ type: 'notice', level: 'info', message: 'This chat was deleted in another window.' });
  }
}
