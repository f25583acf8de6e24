// The shapes a conversation store reads back, as zod schemas: a conversation file (with the forms older versions wrote),
// a journal record, and the index with its tombstones. What is read is checked against these before it is used.
import * as z from 'zod/mini';
import { AnswerMetaSchema, AnswerStatusSchema, ConversationSummarySchema, ToolChangeSchema, TurnFileChangeSchema, TurnErrorSchema, UserTurnSchema, type ConversationSummary } from '../../common/chatTypes';

export const StoredMessageSchema = z.object({
  // Blocks are kept as the API sent them; only their `type` matters to us, the rest goes back unchanged.
  content: z.array(z.looseObject({ type: z.string() })),
  complete: z.boolean(),
  stopReason: z.optional(z.string()),
  toolResults: z.optional(z.array(z.object({
    toolUseId: z.string(),
    content: z.string(),
    isError: z.optional(z.boolean()),
    summary: z.optional(z.string()),
    state: z.enum(['done', 'error', 'applied', 'rejected']),
    change: z.optional(ToolChangeSchema),
  }))),
});

/**
 * A saved user turn. Files written before turns could carry several context items have a single `code` (a selection
 * without an id): it becomes `context: [that selection]`, with an id derived from the turn's.
 */
export const StoredUserTurnSchema = z.pipe(z.transform((value: unknown) => {
  if (typeof value !== 'object' || value === null || !('code' in value)) return value;
  const { code, ...rest } = value as { code?: unknown; id?: unknown; context?: unknown };
  if (rest.context !== undefined || typeof code !== 'object' || code === null) return rest;
  return { ...rest, context: [{ id: `${String(rest.id)}-code`, kind: 'selection', ...code }] };
}), UserTurnSchema);

export const ExchangeSchema = z.object({
  user: StoredUserTurnSchema,
  answer: z.object({
    id: z.string(),
    status: AnswerStatusSchema,
    meta: z.optional(AnswerMetaSchema),
    error: z.optional(TurnErrorSchema),
    messages: z.array(StoredMessageSchema),
    paused: z.optional(z.string()),
    changes: z.optional(z.array(z.extend(TurnFileChangeSchema, { fsPath: z.string(), before: z.nullable(z.string()) }))),
  }),
  askedAt: z.optional(z.number()),
  updatedAt: z.optional(z.number()),
  streamingPid: z.optional(z.number()),
});

export const CompactionSchema = z.object({
  id: z.string(),
  throughAnswerId: z.string(),
  summary: z.string(),
  trigger: z.enum(['auto', 'manual']),
  duringAnswerId: z.optional(z.string()),
  createdAt: z.number(),
  updatedAt: z.number(),
  edited: z.optional(z.boolean()),
  undone: z.optional(z.boolean()),
  meta: z.optional(AnswerMetaSchema),
  tokensBefore: z.optional(z.number()),
  tokensAfter: z.optional(z.number()),
  covers: z.optional(z.number()),
});

export const ConversationDataSchema = z.object({
  version: z.literal(1),
  id: z.string().check(z.minLength(1)),
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  exchanges: z.array(ExchangeSchema),
  removed: z.optional(z.array(z.string())),
  compactions: z.optional(z.array(CompactionSchema)),
});

/** One journal record: an exchange as it now is (new or changed), and the chat's title and times with it. */
export const JournalRecordSchema = z.object({
  gen: z.string(),
  title: z.string(),
  updatedAt: z.number(),
  removed: z.optional(z.array(z.string())),
  /** The chat's summaries as they are (small): a record carries them whole. */
  compactions: z.optional(z.array(CompactionSchema)),
  exchange: ExchangeSchema,
});

export const TombstoneSchema = z.object({ id: z.string(), at: z.number() });
export const IndexSchema = z.object({
  version: z.literal(1),
  conversations: z.array(ConversationSummarySchema),
  /** Conversations deleted (by any window): never written again. */
  deleted: z.optional(z.array(TombstoneSchema)),
});
export type Index = { conversations: ConversationSummary[]; deleted: z.infer<typeof TombstoneSchema>[] };
