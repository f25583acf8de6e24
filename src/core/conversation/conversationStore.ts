// Conversations on disk: one JSON file per conversation plus a small index, in the extension's global storage
// folder (globalState stays free of big data such as inline images), shared by every window. Writes are atomic
// (temp file + rename). Each save or delete is a read-modify-write under a cross-process lock (fileLock.ts):
// a save re-reads the conversation when another window wrote it since and merges (conversationMerge.ts), so two
// windows asking in the same chat keep both their turns; the index is re-read before it is written, so two
// windows creating or deleting chats at once keep it whole; a deleted conversation leaves a tombstone in the
// index, so another window's later save of its stale copy cannot bring it back.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import {
  AnswerMetaSchema,
  AnswerStatusSchema,
  ConversationSummarySchema,
  ToolChangeSchema,
  TurnErrorSchema,
  UserTurnSchema,
  type ConversationSummary,
} from '../../common/protocol';
import type { ConversationData } from './conversation';
import { mergeConversationData } from './conversationMerge';
import { LockTimeoutError, withFileLock, type FileLockOptions } from './fileLock';

const StoredMessageSchema = z.object({
  // Blocks are kept as the API sent them; only their `type` matters to us, the rest goes back unchanged.
  content: z.array(z.looseObject({ type: z.string() })),
  complete: z.boolean(),
  stopReason: z.string().optional(),
  toolResults: z.array(z.object({
    toolUseId: z.string(),
    content: z.string(),
    isError: z.boolean().optional(),
    summary: z.string().optional(),
    state: z.enum(['done', 'error', 'applied', 'rejected']),
    change: ToolChangeSchema.optional(),
  })).optional(),
});

/**
 * A saved user turn. Files written before turns could carry several context items have a single `code` (a selection
 * without an id): it becomes `context: [that selection]`, with an id derived from the turn's.
 */
const StoredUserTurnSchema = z.preprocess((value) => {
  if (typeof value !== 'object' || value === null || !('code' in value)) return value;
  const { code, ...rest } = value as { code?: unknown; id?: unknown; context?: unknown };
  if (rest.context !== undefined || typeof code !== 'object' || code === null) return rest;
  return { ...rest, context: [{ id: `${String(rest.id)}-code`, kind: 'selection', ...code }] };
}, UserTurnSchema);

const ConversationDataSchema = z.object({
  version: z.literal(1),
  id: z.string().min(1),
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  exchanges: z.array(
    z.object({
      user: StoredUserTurnSchema,
      answer: z.object({
        id: z.string(),
        status: AnswerStatusSchema,
        meta: AnswerMetaSchema.optional(),
        error: TurnErrorSchema.optional(),
        messages: z.array(StoredMessageSchema),
        paused: z.string().optional(),
      }),
      askedAt: z.number().optional(),
      updatedAt: z.number().optional(),
      streamingPid: z.number().optional(),
    }),
  ),
  removed: z.array(z.string()).optional(),
});

const TombstoneSchema = z.object({ id: z.string(), at: z.number() });
const IndexSchema = z.object({
  version: z.literal(1),
  conversations: z.array(ConversationSummarySchema),
  /** Conversations deleted (by any window): never written again. */
  deleted: z.array(TombstoneSchema).optional(),
});
type Index = { conversations: ConversationSummary[]; deleted: z.infer<typeof TombstoneSchema>[] };

/** Ids become file names: only ids we generate (uuid-like) are accepted. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** Tombstones kept (the newest); a conversation deleted longer ago than this many deletions could be resaved. */
const TOMBSTONES_KEPT = 1000;

export interface SaveOptions {
  /** The answer this window is streaming: its copy wins any merge. */
  pinnedAnswerId?: string;
}

export interface SaveResult {
  /** Characters written (0 when nothing was written). */
  size: number;
  /** Another window deleted this conversation: nothing was written. */
  deleted?: boolean;
  /** What the file now holds when another window's changes were merged in (absent when it is exactly what was given). */
  merged?: ConversationData;
}

export type ReadResult = { state: 'ok'; data: ConversationData } | { state: 'unchanged' } | { state: 'missing' } | { state: 'deleted' };

export class ConversationStore {
  private queue: Promise<unknown> = Promise.resolve();
  /** Size and time of each conversation file as this store last wrote or read it: unchanged means no other writer. */
  private readonly stamps = new Map<string, string>();
  private readonly lockDir: string;
  /** What this store deleted, as it was, for Undo (History): kept for the rest of the session, in memory only. */
  private readonly trash = new Map<string, ConversationData>();

  constructor(
    private readonly dir: string,
    private readonly log: (message: string) => void = () => {},
    private readonly lockOptions: FileLockOptions = {},
  ) {
    this.lockDir = join(dir, '.lock');
  }

  /** Summaries, most recent first. Index entries whose file is gone are dropped; files missing from the index are added. */
  async list(): Promise<ConversationSummary[]> {
    return this.serialized(async () => {
      const index = await this.readIndex();
      const deleted = new Set(index.deleted.map((t) => t.id));
      const files = await this.conversationFiles();
      const byId = new Map(index.conversations.filter((s) => files.has(s.id)).map((s) => [s.id, s]));
      for (const id of files) {
        if (byId.has(id) || deleted.has(id)) continue;
        const data = await this.readConversation(id);
        if (data) byId.set(id, { id, title: data.title, updatedAt: data.updatedAt });
      }
      return [...byId.values()].sort((a, b) => b.updatedAt - a.updatedAt);
    });
  }

  async load(id: string): Promise<ConversationData | undefined> {
    const result = await this.read(id);
    return result.state === 'ok' ? result.data : undefined;
  }

  /** Reads a conversation; with `ifChanged`, answers 'unchanged' when no one wrote it since this store last did. */
  async read(id: string, options: { ifChanged?: boolean } = {}): Promise<ReadResult> {
    if (!SAFE_ID.test(id)) return { state: 'missing' };
    return this.serialized(async () => {
      if ((await this.readIndex()).deleted.some((t) => t.id === id)) return { state: 'deleted' };
      const stamp = await this.stampOf(id);
      if (!stamp) return { state: 'missing' };
      if (options.ifChanged && this.stamps.get(id) === stamp) return { state: 'unchanged' };
      const data = await this.readConversation(id);
      if (!data) return { state: 'missing' };
      this.stamps.set(id, stamp);
      return { state: 'ok', data };
    });
  }

  /** Writes the conversation (merged with another window's changes to it, if any) and its index entry. */
  async save(data: ConversationData, options: SaveOptions = {}): Promise<SaveResult> {
    if (!SAFE_ID.test(data.id)) throw new Error(`Unsafe conversation id: ${data.id}`);
    // Serialized now: the caller keeps changing the conversation while the write waits its turn.
    const json = JSON.stringify(data);
    return this.serialized(() =>
      this.locked(async () => {
        const index = await this.readIndex();
        if (index.deleted.some((t) => t.id === data.id)) return { size: 0, deleted: true };
        await mkdir(this.dir, { recursive: true });
        let text = json;
        let merged: ConversationData | undefined;
        const stamp = await this.stampOf(data.id);
        // Someone else wrote it since we last did: merge their changes in rather than overwrite them.
        if (stamp && stamp !== this.stamps.get(data.id)) {
          const theirs = await this.readConversation(data.id);
          if (theirs) {
            const result = mergeConversationData(JSON.parse(json) as ConversationData, theirs, options.pinnedAnswerId);
            if (result.changed) {
              merged = result.data;
              text = JSON.stringify(merged);
            }
          }
        }
        await this.writeAtomic(this.file(data.id), text);
        // After a merge the caller's copy lacks the other window's part until it takes `merged` in: the next save
        // must merge again rather than trust that the file holds nothing it does not have.
        const written = merged ? undefined : await this.stampOf(data.id);
        if (written) this.stamps.set(data.id, written);
        else this.stamps.delete(data.id);
        const final = merged ?? data;
        index.conversations = index.conversations.filter((s) => s.id !== data.id);
        index.conversations.push({ id: final.id, title: final.title, updatedAt: final.updatedAt });
        await this.writeIndex(index);
        return merged ? { size: text.length, merged } : { size: text.length };
      }),
    );
  }

  /** Deletes the file and its index entry, and leaves a tombstone so no window's stale copy brings it back. */
  async delete(id: string): Promise<void> {
    if (!SAFE_ID.test(id)) return;
    return this.serialized(() =>
      this.locked(async () => {
        const data = await this.readConversation(id);
        if (data) this.trash.set(id, data);
        await rm(this.file(id), { force: true });
        this.stamps.delete(id);
        const index = await this.readIndex();
        index.conversations = index.conversations.filter((s) => s.id !== id);
        index.deleted = [...index.deleted.filter((t) => t.id !== id), { id, at: Date.now() }].slice(-TOMBSTONES_KEPT);
        await this.writeIndex(index);
      }),
    );
  }

  /** Whether this store deleted `id` this session and can bring it back. */
  canUndelete(id: string): boolean {
    return this.trash.has(id);
  }

  /** Undo of `delete`: the conversation comes back as it was (its tombstone goes). False when this store did not delete it. */
  async undelete(id: string): Promise<boolean> {
    const data = this.trash.get(id);
    if (!data) return false;
    return this.serialized(() =>
      this.locked(async () => {
        const index = await this.readIndex();
        index.deleted = index.deleted.filter((t) => t.id !== id);
        await mkdir(this.dir, { recursive: true });
        await this.writeAtomic(this.file(id), JSON.stringify(data));
        const written = await this.stampOf(id);
        if (written) this.stamps.set(id, written);
        index.conversations = [...index.conversations.filter((s) => s.id !== id), { id, title: data.title, updatedAt: data.updatedAt }];
        await this.writeIndex(index);
        this.trash.delete(id);
        return true;
      }),
    );
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

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private async stampOf(id: string): Promise<string | undefined> {
    try {
      const s = await stat(this.file(id));
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return undefined;
    }
  }

  private async conversationFiles(): Promise<Set<string>> {
    try {
      const names = await readdir(this.dir);
      return new Set(names.filter((n) => n.endsWith('.json') && n !== 'index.json').map((n) => n.slice(0, -5)).filter((id) => SAFE_ID.test(id)));
    } catch {
      return new Set();
    }
  }

  private async readConversation(id: string): Promise<ConversationData | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(id), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const parsed = ConversationDataSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data as unknown as ConversationData;
      this.log(`Conversation ${id} has an unexpected shape and was skipped: ${parsed.error.issues[0]?.message ?? ''}`);
    } catch {
      this.log(`Conversation ${id} is not valid JSON and was skipped.`);
    }
    return undefined;
  }

  private async readIndex(): Promise<Index> {
    try {
      const parsed = IndexSchema.safeParse(JSON.parse(await readFile(join(this.dir, 'index.json'), 'utf8')));
      return parsed.success ? { conversations: parsed.data.conversations, deleted: parsed.data.deleted ?? [] } : { conversations: [], deleted: [] };
    } catch {
      return { conversations: [], deleted: [] };
    }
  }

  private async writeIndex(index: Index): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const body = index.deleted.length > 0 ? { version: 1, conversations: index.conversations, deleted: index.deleted } : { version: 1, conversations: index.conversations };
    await this.writeAtomic(join(this.dir, 'index.json'), JSON.stringify(body));
  }

  private async writeAtomic(path: string, text: string): Promise<void> {
    const temp = `${path}.${randomUUID()}.tmp`;
    await writeFile(temp, text, 'utf8');
    await rename(temp, path);
  }
}
