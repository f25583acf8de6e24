// Conversations on disk: one JSON file per conversation plus a small index, in the extension's
// global storage folder (globalState stays free of big data such as inline images). Writes are
// atomic (temp file + rename) and serialized, so a crash never leaves a half-written file.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import {
  AnswerMetaSchema,
  AnswerStatusSchema,
  ConversationSummarySchema,
  TurnErrorSchema,
  UserTurnSchema,
  type ConversationSummary,
} from '../protocol';
import type { ConversationData } from './conversation';

const StoredMessageSchema = z.object({
  // Blocks are kept as the API sent them; only their `type` matters to us, the rest goes back unchanged.
  content: z.array(z.looseObject({ type: z.string() })),
  complete: z.boolean(),
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
      }),
    }),
  ),
});

const IndexSchema = z.object({ version: z.literal(1), conversations: z.array(ConversationSummarySchema) });

/** Ids become file names: only ids we generate (uuid-like) are accepted. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;

export class ConversationStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly log: (message: string) => void = () => {},
  ) {}

  /** Summaries, most recent first. Index entries whose file is gone are dropped; files missing from the index are added. */
  async list(): Promise<ConversationSummary[]> {
    return this.serialized(async () => {
      const index = await this.readIndex();
      const files = await this.conversationFiles();
      const byId = new Map(index.filter((s) => files.has(s.id)).map((s) => [s.id, s]));
      for (const id of files) {
        if (byId.has(id)) continue;
        const data = await this.readConversation(id);
        if (data) byId.set(id, { id, title: data.title, updatedAt: data.updatedAt });
      }
      return [...byId.values()].sort((a, b) => b.updatedAt - a.updatedAt);
    });
  }

  async load(id: string): Promise<ConversationData | undefined> {
    if (!SAFE_ID.test(id)) return undefined;
    return this.serialized(() => this.readConversation(id));
  }

  /** Writes the conversation and its index entry; resolves to the file's size in characters. */
  async save(data: ConversationData): Promise<number> {
    if (!SAFE_ID.test(data.id)) throw new Error(`Unsafe conversation id: ${data.id}`);
    // Serialized now: the caller keeps changing the conversation while the write waits its turn.
    const json = JSON.stringify(data);
    return this.serialized(async () => {
      await mkdir(this.dir, { recursive: true });
      await this.writeAtomic(this.file(data.id), json);
      // Re-read the index just before writing it: another window may have added its own conversation.
      const index = (await this.readIndex()).filter((s) => s.id !== data.id);
      index.push({ id: data.id, title: data.title, updatedAt: data.updatedAt });
      await this.writeIndex(index);
      return json.length;
    });
  }

  async delete(id: string): Promise<void> {
    if (!SAFE_ID.test(id)) return;
    return this.serialized(async () => {
      await rm(this.file(id), { force: true });
      const index = await this.readIndex();
      if (index.some((s) => s.id === id)) await this.writeIndex(index.filter((s) => s.id !== id));
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

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
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

  private async readIndex(): Promise<ConversationSummary[]> {
    try {
      const parsed = IndexSchema.safeParse(JSON.parse(await readFile(join(this.dir, 'index.json'), 'utf8')));
      return parsed.success ? parsed.data.conversations : [];
    } catch {
      return [];
    }
  }

  private async writeIndex(conversations: ConversationSummary[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.writeAtomic(join(this.dir, 'index.json'), JSON.stringify({ version: 1, conversations }));
  }

  private async writeAtomic(path: string, text: string): Promise<void> {
    const temp = `${path}.${randomUUID()}.tmp`;
    await writeFile(temp, text, 'utf8');
    await rename(temp, path);
  }
}
