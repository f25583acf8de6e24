// The files of the conversations folder, without the store's rules: where each file of a chat lives (base, previous
// generation, journal, tombstone, damaged copies), reading a generation with its journal applied, atomic writes, and
// the index with its tombstones. ConversationStore decides when to read and write them (one queue, the lock, merges).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ConversationSummary } from '../../common/chatTypes';
import type { ConversationData } from './conversation';
import { applyJournal, readJournal } from './conversationJournal';
import { ConversationDataSchema, IndexSchema, type Index } from './storedConversation';
import { describeWriteError, type StorageFs } from '../storage/storageFs';

/** Ids become file names: only ids we generate (uuid-like) are accepted. */
export const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** Where deletions are kept, one empty file per deleted conversation: a lost or rewritten index cannot lose them. */
export const TOMBSTONE_DIR = 'deleted';
export const PREV_SUFFIX = '.json.prev';
export const DAMAGED_SUFFIX = '.damaged';
export const JOURNAL_SUFFIX = '.journal';

export type FileRead = { state: 'ok'; data: ConversationData; gen?: string } | { state: 'missing' } | { state: 'unreadable'; reason: string };
type IndexRead = Index & { state: 'ok' | 'missing' | 'unreadable' };

export class ConversationFiles {
  constructor(
    private readonly dir: string,
    private readonly fs: StorageFs,
    private readonly durable: boolean,
    private readonly log: (message: string) => void,
  ) {}

  /** Renames an unreadable file to `<id>.<time>.damaged` (kept, never deleted by us); returns its new path. */
  async moveAside(id: string, path: string): Promise<string | undefined> {
    const aside = join(this.dir, `${id}.${Date.now()}-${randomUUID().slice(0, 4)}${DAMAGED_SUFFIX}`);
    try {
      await this.fs.rename(path, aside);
      return aside;
    } catch {
      return undefined;
    }
  }

  async damagedSummary(name: string): Promise<ConversationSummary> {
    const stamp = await this.fs.stat(join(this.dir, name));
    let title = '';
    try {
      // The head of a torn file usually still holds the title.
      const head = (await this.fs.readFile(join(this.dir, name))).slice(0, 4096);
      const match = /"title":"((?:[^"\\]|\\.)*)"/.exec(head);
      if (match) title = JSON.parse(`"${match[1]}"`) as string;
    } catch {
      // no title
    }
    return { id: name, title, updatedAt: stamp?.mtimeMs ?? 0, damaged: join(this.dir, name) };
  }

  file(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  prevFile(id: string): string {
    return join(this.dir, `${id}${PREV_SUFFIX}`);
  }

  journal(id: string): string {
    return join(this.dir, `${id}${JOURNAL_SUFFIX}`);
  }

  prevJournal(id: string): string {
    return join(this.dir, `${id}${JOURNAL_SUFFIX}.prev`);
  }

  async removeFiles(id: string): Promise<void> {
    for (const path of [this.file(id), this.prevFile(id), this.journal(id), this.prevJournal(id)]) await this.fs.rm(path);
  }

  /** The index entry follows the chat's title and time (rewritten only when they changed). */
  async updateIndexEntry(index: Index, data: ConversationData): Promise<void> {
    const entry = index.conversations.find((s) => s.id === data.id);
    if (entry && entry.title === data.title && entry.updatedAt === data.updatedAt) return;
    index.conversations = index.conversations.filter((s) => s.id !== data.id);
    index.conversations.push({ id: data.id, title: data.title, updatedAt: data.updatedAt });
    await this.writeIndex(index);
  }

  /**
   * Writes the chat's base file whole under a new generation (atomically, keeping the previous one as `.prev` when
   * asked), then sets its journal aside as `.journal.prev` (the previous generation's records; with `keepJournal`, it
   * stays). A kill between the two leaves a journal of the old generation, which the new base ignores.
   */
  async writeBase(id: string, json: string, options: { keepPrevious: boolean; keepJournal?: boolean }): Promise<string> {
    const gen = randomUUID();
    await this.writeAtomic(this.file(id), `{"gen":${JSON.stringify(gen)},${json.slice(1)}`, { keepPrevious: options.keepPrevious, durable: this.durable });
    if (!options.keepJournal && (await this.fs.stat(this.journal(id)))) {
      try {
        await this.fs.rename(this.journal(id), this.prevJournal(id));
      } catch (error) {
        // The base is written: its records are not in that journal, so it may stay (its records are ignored).
        this.log(`Could not set the journal of conversation ${id} aside: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (this.durable) await this.fs.syncDir(this.dir);
    return gen;
  }

  tombstone(id: string): string {
    return join(this.dir, TOMBSTONE_DIR, id);
  }

  async isDeleted(id: string, index: Index): Promise<boolean> {
    return index.deleted.some((t) => t.id === id) || (await this.fs.stat(this.tombstone(id))) !== undefined;
  }

  async deletedIds(index: Index): Promise<Set<string>> {
    const ids = new Set(index.deleted.map((t) => t.id));
    for (const name of await this.fs.readdir(join(this.dir, TOMBSTONE_DIR)).catch(() => [] as string[])) if (SAFE_ID.test(name)) ids.add(name);
    return ids;
  }

  /** Size and time of the chat's base file and its journal: any write by anyone changes it. */
  async stampOf(id: string): Promise<string | undefined> {
    const s = await this.fs.stat(this.file(id));
    if (!s) return undefined;
    const j = await this.fs.stat(this.journal(id));
    return `${s.ino}:${s.size}:${s.mtimeMs}|${j ? `${j.ino}:${j.size}:${j.mtimeMs}` : '-'}`;
  }

  async names(): Promise<string[]> {
    return this.fs.readdir(this.dir).catch(() => [] as string[]);
  }

  readConversation(id: string): Promise<FileRead> {
    return this.readGeneration(this.file(id), id);
  }

  /**
   * A base file (the chat's, or its previous generation) with the journal records of its generation applied: those
   * of `.journal.prev`, then of `.journal` (after a kill between a base's rename and setting its journal aside, the
   * previous generation's records are still in `.journal`).
   */
  async readGeneration(path: string, id: string): Promise<FileRead> {
    const base = await this.readFile(path, id);
    if (base.state !== 'ok' || base.gen === undefined) return base;
    let data = base.data;
    let dropped = 0;
    for (const journal of [this.prevJournal(id), this.journal(id)]) {
      let text: string;
      try {
        text = await this.fs.readFile(journal);
      } catch {
        continue;
      }
      const read = readJournal(text, base.gen);
      dropped += read.dropped;
      if (read.records.length > 0) data = applyJournal(data, read.records);
    }
    if (dropped > 0) this.log(`Conversation ${id}: ${dropped} damaged or torn journal record(s) dropped (a save cut short).`);
    return { state: 'ok', data, gen: base.gen };
  }

  private async readFile(path: string, id: string): Promise<FileRead> {
    let text: string;
    try {
      text = await this.fs.readFile(path);
    } catch {
      return { state: 'missing' };
    }
    try {
      const raw = JSON.parse(text) as { gen?: unknown };
      const parsed = ConversationDataSchema.safeParse(raw);
      if (parsed.success) return { state: 'ok', data: parsed.data as unknown as ConversationData, ...(typeof raw.gen === 'string' ? { gen: raw.gen } : {}) };
      const reason = `it has an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`;
      this.log(`Conversation ${id} could not be read: ${reason}`);
      return { state: 'unreadable', reason };
    } catch {
      this.log(`Conversation ${id} could not be read: it is not valid JSON (cut short?).`);
      return { state: 'unreadable', reason: 'not valid JSON' };
    }
  }

  async readIndex(): Promise<IndexRead> {
    let text: string;
    try {
      text = await this.fs.readFile(join(this.dir, 'index.json'));
    } catch {
      return { state: 'missing', conversations: [], deleted: [] };
    }
    try {
      const parsed = IndexSchema.safeParse(JSON.parse(text));
      if (parsed.success) return { state: 'ok', conversations: parsed.data.conversations, deleted: parsed.data.deleted ?? [] };
    } catch {
      // below
    }
    return { state: 'unreadable', conversations: [], deleted: [] };
  }

  /** The index to rewrite (under the lock): a lost or unreadable one is rebuilt whole from the files first. */
  async readIndexForWrite(): Promise<Index> {
    const index = await this.readIndex();
    if (index.state === 'ok') return index;
    const names = await this.names();
    const ids = conversationIds(names);
    if (index.state === 'missing' && ids.size === 0) return index;
    const deleted = await this.deletedIds(index);
    const rebuilt: Index = { conversations: [], deleted: [...deleted].map((id) => ({ id, at: 0 })) };
    for (const id of ids) {
      if (deleted.has(id)) continue;
      const read = await this.readConversation(id);
      if (read.state === 'ok') rebuilt.conversations.push({ id, title: read.data.title, updatedAt: read.data.updatedAt });
    }
    await this.writeIndex(rebuilt);
    this.log(`The conversation index was ${index.state === 'missing' ? 'missing' : 'unreadable'}; rebuilt from ${rebuilt.conversations.length} file(s).`);
    return rebuilt;
  }

  async writeIndex(index: Index): Promise<void> {
    await this.fs.mkdir(this.dir);
    const body = index.deleted.length > 0 ? { version: 1, conversations: index.conversations, deleted: index.deleted } : { version: 1, conversations: index.conversations };
    // Not fsynced on its own: an index lost to a power cut is rebuilt from the files (the folder is synced after).
    await this.writeAtomic(join(this.dir, 'index.json'), JSON.stringify(body), { durable: false });
  }

  /**
   * Temp file (fsynced when `durable`), then rename over `path`; with `keepPrevious`, the file being replaced stays
   * as the previous generation. A failed write or rename removes its temp file: nothing is left to fill the disk.
   */
  async writeAtomic(path: string, text: string, options: { durable: boolean; keepPrevious?: boolean }): Promise<void> {
    const temp = `${path}.${randomUUID()}.tmp`;
    try {
      await this.fs.writeFile(temp, text, { durable: options.durable });
      if (options.keepPrevious) await this.keepPrevious(path);
      await this.fs.rename(temp, path);
    } catch (error) {
      await this.fs.rm(temp).catch(() => {});
      throw new StorageWriteError(error);
    }
  }

  /** `<id>.json` → `<id>.json.prev` by a hard link, so the chat file itself is never missing. */
  private async keepPrevious(path: string): Promise<void> {
    const prev = `${path}.prev`;
    const temp = `${prev}.${randomUUID()}.tmp`;
    try {
      await this.fs.link(path, temp);
    } catch {
      return; // no current file yet, or no hard links here
    }
    try {
      await this.fs.rename(temp, prev);
    } catch (error) {
      await this.fs.rm(temp).catch(() => {});
      throw error;
    }
  }
}

/** A save that did not reach the disk; `reason` is in the user's words ("no space left on the disk"). */
export class StorageWriteError extends Error {
  override name = 'StorageWriteError';
  readonly reason: string;
  readonly code: string | undefined;
  constructor(cause: unknown) {
    const reason = cause instanceof StorageWriteError ? cause.reason : describeWriteError(cause);
    super(reason, { cause });
    this.reason = reason;
    this.code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  }
}

export function conversationIds(names: string[]): Set<string> {
  return new Set(names.filter((n) => n.endsWith('.json') && n !== 'index.json').map((n) => n.slice(0, -5)).filter((id) => SAFE_ID.test(id)));
}
