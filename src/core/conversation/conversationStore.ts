// Conversations on disk: one JSON file per conversation plus a small index, in the extension's global storage
// folder (globalState stays free of big data such as inline images), shared by every window. Each save or delete is
// a read-modify-write under a cross-process lock (fileLock.ts): a save re-reads the conversation when another window
// wrote it since and merges (conversationMerge.ts), so two windows asking in the same chat keep both their turns;
// the index is re-read before it is written, so two windows creating or deleting chats at once keep it whole.
//
// What survives what (the fault suite, test/unit/conversation-faults.test.ts, counts it):
// - Writes are atomic and durable: temp file, fsync, rename, fsync of the folder. A write or rename that fails
//   removes its temp file (a full disk is not filled further by leftovers); temp files of a killed window are swept
//   when a store starts.
// - The previous generation stays as `<id>.json.prev` (a hard link, so the chat file is never missing). A chat file
//   that cannot be read falls back to it, saying which version was restored; an unreadable file is moved aside to
//   `<id>.<time>.damaged` and History lists it, so nothing is silently abandoned.
// - A deletion writes its tombstone first, as a file of its own (`deleted/<id>`), then removes the chat: a kill in
//   between or the loss of the index cannot bring a deleted chat back when another window saves its stale copy. The
//   index keeps a copy of the tombstones for older versions of the extension. An unreadable or lost index is
//   rebuilt whole from the files.
// - Saving only what changed (issue 16 §7): while an answer streams, a save appends the changed exchange to the chat's
//   journal (`<id>.journal`) instead of rewriting the whole file. Each record is one line, `<length> <crc32> <json>`,
//   naming the generation of the base file it applies to (`gen`), appended on a fresh line and fsynced; a reader
//   applies the whole records of its base's generation in order and drops a torn or damaged one. Any save that is not
//   such a delta (and an answer's end, once the journal outgrows a quarter of the base) writes the base whole, under a
//   new generation, and the journal becomes `<id>.journal.prev` beside `<id>.json.prev`, so the previous generation
//   stays whole too. A window that finds the files changed by another one merges and writes whole, as before.
// (One job over 400 lines: the locked read-merge-write of a chat and its index. The parts that stand alone are already
// their own files: conversationFiles.ts (atomic files, fallbacks), conversationJournal.ts, conversationMerge.ts.)
import { join } from 'node:path';
import type { ConversationSummary } from '../../common/chatTypes';
import type { ConversationData } from './conversation';
import { ConversationFiles, conversationIds, DAMAGED_SUFFIX, PREV_SUFFIX, SAFE_ID, StorageWriteError, TOMBSTONE_DIR, type FileRead } from './conversationFiles';
import { journalRecords, type Shape } from './conversationJournal';
import { mergeConversationData } from './conversationMerge';
import { nodeStorageFs, type StorageFs } from '../storage/storageFs';
import { LockTimeoutError, withFileLock, type FileLockOptions } from './fileLock';

/** Tombstones kept (the newest); a conversation deleted longer ago than this many deletions could be resaved. */
const TOMBSTONES_KEPT = 1000;

/** A journal may grow to the base's size (at least this) before a delta save writes the base whole instead. */
const JOURNAL_MIN_LIMIT = 256 * 1024;
/** At an answer's end (`compact`), the base is written whole once the journal is over this share of it (and this size). */
const COMPACT_SHARE = 0.25;
const COMPACT_MIN = 64 * 1024;

export interface SaveOptions {
  /** The answer this window is streaming: its copy wins any merge. */
  pinnedAnswerId?: string;
  /**
   * Answer ids of the only exchanges changed (or added at the end) since this store's last save or read of the chat:
   * when the rest is as this store last wrote or read it, only these are appended to the journal. The caller promises
   * that no other exchange changed in place; any other change is saved without this option.
   */
  changed?: readonly string[];
  /** A quiet moment (an answer just ended): a journal grown past a share of its base is folded into a new base. */
  compact?: boolean;
}

export interface SaveResult {
  /** Characters written (0 when nothing was written). */
  size: number;
  /** Only the changed exchanges were appended to the journal. */
  appended?: boolean;
  /** Another window deleted this conversation: nothing was written. */
  deleted?: boolean;
  /** What the file now holds when another window's changes were merged in (absent when it is exactly what was given). */
  merged?: ConversationData;
}

/** The chat file could not be read and the previous generation was loaded instead. */
export interface Restored {
  /** `updatedAt` of the version that was restored. */
  savedAt: number;
  /** Where the unreadable file was moved (its path), or undefined when it was missing. */
  damagedFile?: string;
}

export type ReadResult =
  | { state: 'ok'; data: ConversationData; restored?: Restored }
  | { state: 'unchanged' }
  | { state: 'missing' }
  | { state: 'deleted' }
  /** Neither the file nor its previous generation could be read; the file was moved aside (listed in History). */
  | { state: 'damaged'; damagedFile: string };

export interface ConversationStoreOptions {
  /** The file system written through (tests inject faults); default Node's. */
  fs?: StorageFs;
  /** fsync data before each rename and the folder after it (default true). */
  durable?: boolean;
}



export class ConversationStore {
  private queue: Promise<unknown> = Promise.resolve();
  /** Size and time of each conversation file as this store last wrote or read it: unchanged means no other writer. */
  private readonly stamps = new Map<string, string>();
  /** What each chat's files hold, as this store last wrote or read them (absent: the next save writes the base whole). */
  private readonly shapes = new Map<string, Shape>();
  private readonly lockDir: string;
  private readonly fs: StorageFs;
  private readonly durable: boolean;
  private readonly files: ConversationFiles;
  /** The start-up sweep (leftover temp files, half-done deletions, an unreadable index), run once before the first use. */
  private started = false;
  /** What this store deleted, as it was, for Undo (History): kept for the rest of the session, in memory only. */
  private readonly trash = new Map<string, ConversationData>();

  constructor(
    private readonly dir: string,
    private readonly log: (message: string) => void = () => {},
    private readonly lockOptions: FileLockOptions = {},
    options: ConversationStoreOptions = {},
  ) {
    this.lockDir = join(dir, '.lock');
    this.fs = options.fs ?? nodeStorageFs;
    this.durable = options.durable ?? true;
    this.files = new ConversationFiles(dir, this.fs, this.durable, log);
  }

  /**
   * Summaries, most recent first. Index entries whose file is gone are dropped; files missing from the index are
   * added; files that could not be read and were moved aside are listed with `damaged`.
   */
  async list(): Promise<ConversationSummary[]> {
    return this.serialized(async () => {
      await this.start();
      const index = await this.files.readIndex();
      const deleted = await this.files.deletedIds(index);
      const names = await this.files.names();
      const files = conversationIds(names);
      const byId = new Map(index.conversations.filter((s) => files.has(s.id) && !deleted.has(s.id)).map((s) => [s.id, s]));
      for (const id of files) {
        if (byId.has(id) || deleted.has(id)) continue;
        const read = await this.files.readConversation(id);
        if (read.state === 'ok') byId.set(id, { id, title: read.data.title, updatedAt: read.data.updatedAt });
      }
      // A crash between the two renames of a save, or a damaged file whose previous generation is readable.
      for (const name of names) {
        const id = name.endsWith(PREV_SUFFIX) ? name.slice(0, -PREV_SUFFIX.length) : undefined;
        if (!id || files.has(id) || deleted.has(id) || !SAFE_ID.test(id)) continue;
        const read = await this.files.readGeneration(join(this.dir, name), id);
        if (read.state === 'ok') byId.set(id, { id, title: read.data.title, updatedAt: read.data.updatedAt });
      }
      const damaged = await Promise.all(names.filter((n) => n.endsWith(DAMAGED_SUFFIX)).map((n) => this.files.damagedSummary(n)));
      return [...byId.values(), ...damaged].sort((a, b) => b.updatedAt - a.updatedAt);
    });
  }

  async load(id: string): Promise<ConversationData | undefined> {
    const result = await this.read(id);
    return result.state === 'ok' ? result.data : undefined;
  }

  /**
   * Reads a conversation; with `ifChanged`, answers 'unchanged' when no one wrote it since this store last did. A file
   * that cannot be read is recovered from its previous generation (`restored` says so) or moved aside ('damaged').
   */
  async read(id: string, options: { ifChanged?: boolean } = {}): Promise<ReadResult> {
    if (!SAFE_ID.test(id)) return { state: 'missing' };
    return this.serialized(async () => {
      if (await this.files.isDeleted(id, await this.files.readIndex())) return { state: 'deleted' };
      const stamp = await this.files.stampOf(id);
      if (stamp && options.ifChanged && this.stamps.get(id) === stamp) return { state: 'unchanged' };
      const read = stamp ? await this.files.readConversation(id) : ({ state: 'missing' } as const);
      if (read.state === 'ok') {
        this.stamps.set(id, stamp!);
        await this.remember(id, read);
        return { state: 'ok', data: read.data };
      }
      if (read.state === 'missing' && !(await this.fs.stat(this.files.prevFile(id)))) return { state: 'missing' };
      return this.locked(() => this.recover(id));
    });
  }

  /** Writes the conversation (merged with another window's changes to it, if any) and its index entry. */
  async save(data: ConversationData, options: SaveOptions = {}): Promise<SaveResult> {
    if (!SAFE_ID.test(data.id)) throw new Error(`Unsafe conversation id: ${data.id}`);
    // Serialized now: the caller keeps changing the conversation while the write waits its turn. A delta serializes
    // only the changed exchanges; should it not apply when its turn comes, the whole chat is serialized then.
    const refs = data.exchanges.slice();
    const shape = options.changed ? this.shapes.get(data.id) : undefined;
    const delta = shape && options.changed ? journalRecords(data, refs, shape, new Set(options.changed)) : undefined;
    let json = delta === undefined ? JSON.stringify(data) : undefined;
    return this.serialized(async () => {
      await this.start();
      return this.locked(async () => {
        const index = await this.files.readIndexForWrite();
        if (await this.files.isDeleted(data.id, index)) return { size: 0, deleted: true };
        await this.fs.mkdir(this.dir);
        const stamp = await this.files.stampOf(data.id);
        // The records apply on top of whatever this store wrote since (they replace whole exchanges), as long as the
        // base is the same generation and no one else wrote.
        const current = this.shapes.get(data.id);
        if (delta !== undefined && current?.gen === shape?.gen && current && stamp !== undefined && stamp === this.stamps.get(data.id)) {
          const limit = Math.max(JOURNAL_MIN_LIMIT, current.baseSize);
          const grown = current.journalSize + delta.length;
          const compact = options.compact && grown > Math.max(COMPACT_MIN, current.baseSize * COMPACT_SHARE);
          if (grown <= limit && !compact) {
            await this.append(data, current, delta, refs);
            await this.files.updateIndexEntry(index, data);
            return { size: delta.length, appended: true };
          }
        }
        json ??= JSON.stringify({ ...data, exchanges: refs });
        let text = json;
        let merged: ConversationData | undefined;
        let keepPrevious = true;
        // Someone else wrote it since we last did: merge their changes in rather than overwrite them.
        if (stamp && stamp !== this.stamps.get(data.id)) {
          const theirs = await this.files.readConversation(data.id);
          if (theirs.state === 'ok') {
            const result = mergeConversationData(JSON.parse(text) as ConversationData, theirs.data, options.pinnedAnswerId);
            if (result.changed) {
              merged = result.data;
              text = JSON.stringify(merged);
            }
          } else if (theirs.state === 'unreadable') {
            // Not a generation worth keeping: it goes aside (listed in History), the last good one stays as .prev.
            await this.files.moveAside(data.id, this.files.file(data.id));
            keepPrevious = false;
          }
        }
        const gen = await this.files.writeBase(data.id, text, { keepPrevious });
        // After a merge the caller's copy lacks the other window's part until it takes `merged` in: the next save
        // must merge again rather than trust that the file holds nothing it does not have.
        const written = merged ? undefined : await this.files.stampOf(data.id);
        if (written) {
          this.stamps.set(data.id, written);
          this.shapes.set(data.id, { gen, refs, baseSize: text.length, journalSize: 0 });
        } else {
          this.stamps.delete(data.id);
          this.shapes.delete(data.id);
        }
        const final = merged ?? data;
        index.conversations = index.conversations.filter((s) => s.id !== data.id);
        index.conversations.push({ id: final.id, title: final.title, updatedAt: final.updatedAt });
        await this.files.writeIndex(index);
        if (this.durable) await this.fs.syncDir(this.dir);
        return merged ? { size: text.length, merged } : { size: text.length };
      });
    });
  }

  /**
   * Deletes a conversation: its tombstone is written first (a file of its own, fsynced), then the files and the index
   * entry go, so no window's stale copy brings it back whatever is lost or killed in between.
   */
  async delete(id: string): Promise<void> {
    if (!SAFE_ID.test(id)) return;
    return this.serialized(async () => {
      await this.start();
      await this.locked(async () => {
        // Kept for Undo (History) for the rest of the session.
        const current = await this.files.readConversation(id);
        if (current.state === 'ok') this.trash.set(id, current.data);
        await this.fs.mkdir(join(this.dir, TOMBSTONE_DIR));
        await this.files.writeAtomic(this.files.tombstone(id), String(Date.now()), { durable: true });
        if (this.durable) await this.fs.syncDir(join(this.dir, TOMBSTONE_DIR));
        await this.files.removeFiles(id);
        this.stamps.delete(id);
        this.shapes.delete(id);
        const index = await this.files.readIndexForWrite();
        index.conversations = index.conversations.filter((s) => s.id !== id);
        index.deleted = [...index.deleted.filter((t) => t.id !== id), { id, at: Date.now() }].slice(-TOMBSTONES_KEPT);
        await this.files.writeIndex(index);
      });
    });
  }

  /** Whether this store deleted `id` this session and can bring it back. */
  canUndelete(id: string): boolean {
    return this.trash.has(id);
  }

  /** Undo of `delete`: the conversation comes back as it was (its tombstone goes). False when this store did not delete it. */
  async undelete(id: string): Promise<boolean> {
    const data = this.trash.get(id);
    if (!data) return false;
    return this.serialized(async () => {
      await this.start();
      return this.locked(async () => {
        await this.fs.mkdir(this.dir);
        await this.files.writeBase(id, JSON.stringify(data), { keepPrevious: false });
        const written = await this.files.stampOf(id);
        if (written) this.stamps.set(id, written);
        this.shapes.delete(id);
        const index = await this.files.readIndexForWrite();
        index.deleted = index.deleted.filter((t) => t.id !== id);
        index.conversations = [...index.conversations.filter((s) => s.id !== id), { id, title: data.title, updatedAt: data.updatedAt }];
        await this.files.writeIndex(index);
        // The tombstone goes last: until then the chat counts as deleted, never half back.
        await this.fs.rm(this.files.tombstone(id));
        if (this.durable) await this.fs.syncDir(this.dir);
        this.trash.delete(id);
        return true;
      });
    });
  }

  /** Resolves when every write queued so far has finished. */
  async flushed(): Promise<void> {
    await this.serialized(async () => {});
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Runs `task` under the folder's cross-process lock; if the lock cannot be had, says so and runs it anyway. */
  private async locked<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await withFileLock(this.lockDir, task, { staleMs: 15_000, timeoutMs: 20_000, ...this.lockOptions });
    } catch (error) {
      if (!(error instanceof LockTimeoutError)) throw error;
      this.log('Another window kept the conversations locked for too long; saving without the lock.');
      return task();
    }
  }

  /**
   * Once per store, under the lock (skipped when another window holds it too long: the next store does it): temp
   * files left by a killed or failed write go, chats deleted by a window killed half-way are removed, and a lost or
   * unreadable index is rebuilt from the files.
   */
  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      await withFileLock(
        this.lockDir,
        async () => {
          const names = await this.files.names();
          let swept = 0;
          for (const name of names) {
            if (!name.endsWith('.tmp')) continue;
            await this.fs.rm(join(this.dir, name));
            swept++;
          }
          for (const name of await this.fs.readdir(join(this.dir, TOMBSTONE_DIR)).catch(() => [] as string[])) {
            if (name.endsWith('.tmp')) {
              await this.fs.rm(join(this.dir, TOMBSTONE_DIR, name));
              swept++;
            } else if (SAFE_ID.test(name)) {
              await this.files.removeFiles(name);
            }
          }
          if (swept > 0) this.log(`Removed ${swept} temp file(s) left by an interrupted save.`);
          await this.files.readIndexForWrite();
        },
        { staleMs: 15_000, timeoutMs: 2_000, ...this.lockOptions },
      );
    } catch (error) {
      this.log(`Conversation storage check skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Under the lock: the file again, else its previous generation; whatever cannot be read is moved aside. */
  private async recover(id: string): Promise<ReadResult> {
    const current = await this.files.readConversation(id);
    if (current.state === 'ok') {
      const stamp = await this.files.stampOf(id);
      if (stamp) this.stamps.set(id, stamp);
      await this.remember(id, current);
      return { state: 'ok', data: current.data };
    }
    const previous = await this.files.readGeneration(this.files.prevFile(id), id);
    const damagedFile = current.state === 'unreadable' ? await this.files.moveAside(id, this.files.file(id)) : undefined;
    if (previous.state === 'ok') {
      // Under a new generation: the journal of the damaged base (if any) no longer applies.
      await this.files.writeBase(id, JSON.stringify(previous.data), { keepPrevious: false, keepJournal: true });
      const stamp = await this.files.stampOf(id);
      if (stamp) this.stamps.set(id, stamp);
      this.shapes.delete(id);
      const when = new Date(previous.data.updatedAt).toISOString();
      this.log(`Conversation ${id} could not be read${damagedFile ? ` (moved aside to ${damagedFile})` : ''}; the version saved at ${when} was restored.`);
      return { state: 'ok', data: previous.data, restored: { savedAt: previous.data.updatedAt, damagedFile } };
    }
    const prevAside = previous.state === 'unreadable' ? await this.files.moveAside(id, this.files.prevFile(id)) : undefined;
    const aside = damagedFile ?? prevAside;
    if (!aside) return { state: 'missing' };
    this.log(`Conversation ${id} could not be read and has no readable earlier version; it was moved aside to ${aside}.`);
    return { state: 'damaged', damagedFile: aside };
  }

  /** After reading the chat as the files now hold it: the next save may be a delta on top of that. */
  private async remember(id: string, read: FileRead): Promise<void> {
    if (read.state !== 'ok' || read.gen === undefined) {
      this.shapes.delete(id);
      return;
    }
    const base = await this.fs.stat(this.files.file(id));
    const journal = await this.fs.stat(this.files.journal(id));
    if (!base) this.shapes.delete(id);
    else this.shapes.set(id, { gen: read.gen, refs: read.data.exchanges.slice(), baseSize: base.size, journalSize: journal?.size ?? 0 });
  }

  /**
   * Appends the records of a delta save to the journal, on a fresh line, fsynced (and the folder, when the journal
   * is new). A failure (a full disk cutting the write short) forgets the chat's stamp and shape: the next save writes
   * the base whole, and readers drop the torn record.
   */
  private async append(data: ConversationData, shape: Shape, records: string, refs: readonly unknown[]): Promise<void> {
    const path = this.files.journal(data.id);
    const isNew = shape.journalSize === 0 && !(await this.fs.stat(path));
    try {
      await this.fs.append(path, records, { durable: this.durable });
      if (isNew && this.durable) await this.fs.syncDir(this.dir);
    } catch (error) {
      this.stamps.delete(data.id);
      this.shapes.delete(data.id);
      throw new StorageWriteError(error);
    }
    const stamp = await this.files.stampOf(data.id);
    if (stamp) this.stamps.set(data.id, stamp);
    const size = (await this.fs.stat(path))?.size ?? shape.journalSize + records.length;
    this.shapes.set(data.id, { ...shape, refs, journalSize: size });
  }

}
