// The shapes a conversation store reads back, as zod schemas: a conversation file (with the forms older versions wrote),
// a journal record, and the index with its tombstones. What is read is checked against these before it is used.
import * as z from 'zod';
import {
  AnswerMetaSchema,
  AnswerStatusSchema,
  ConversationSummarySchema,
  ToolChangeSchema,
  TurnFileChangeSchema,
  TurnErrorSchema,
  UserTurnSchema,
  type ConversationSummary,
} from '../storage/classicProtocolSchemas';

export const StoredMessageSchema = z.object({
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
export const StoredUserTurnSchema = z.preprocess((value) => {
  if (typeof value !== 'object' || value === null || !('code' in value)) return value;
  const { code, ...rest } = value as { code?: unknown; id?: unknown; context?: unknown };
  if (rest.context !== undefined || typeof code !== 'object' || code === null) return rest;
  return { ...rest, context: [{ id: `${String(rest.id)}-code`, kind: 'selection', ...code }] };
}, UserTurnSchema);

export const ExchangeSchema = z.object({
  user: StoredUserTurnSchema,
  answer: z.object({
    id: z.string(),
    status: AnswerStatusSchema,
    meta: AnswerMetaSchema.optional(),
    error: TurnErrorSchema.optional(),
    messages: z.array(StoredMessageSchema),
    paused: z.string().optional(),
    changes: z.array(TurnFileChangeSchema.extend({ fsPath: z.string(), before: z.string().nullable() })).optional(),
  }),
  askedAt: z.number().optional(),
  updatedAt: z.number().optional(),
  streamingPid: z.number().optional(),
});

export const CompactionSchema = z.object({
  id: z.string(),
  throughAnswerId: z.string(),
  summary: z.string(),
  trigger: z.enum(['auto', 'manual']),
  duringAnswerId: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  edited: z.boolean().optional(),
  undone: z.boolean().optional(),
  meta: AnswerMetaSchema.optional(),
  tokensBefore: z.number().optional(),
  tokensAfter: z.number().optional(),
  covers: z.number().optional(),
});

export const ConversationDataSchema = z.object({
  version: z.literal(1),
  id: z.string().min(1),
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  exchanges: z.array(ExchangeSchema),
  removed: z.array(z.string()).optional(),
  compactions: z.array(CompactionSchema).optional(),
});

/** One journal record: an exchange as it now is (new or changed), and the chat's title and times with it. */
export const JournalRecordSchema = z.object({
  gen: z.string(),
  title: z.string(),
  updatedAt: z.number(),
  removed: z.array(z.string()).optional(),
  /** The chat's summaries as they are (small): a record carries them whole. */
  compactions: z.array(CompactionSchema).optional(),
  exchange: ExchangeSchema,
});

export const TombstoneSchema = z.object({ id: z.string(), at: z.number() });
export const IndexSchema = z.object({
  version: z.literal(1),
  conversations: z.array(ConversationSummarySchema),
  /** Conversations deleted (by any window): never written again. */
  deleted: z.array(TombstoneSchema).optional(),
});
export type Index = { conversations: ConversationSummary[]; deleted: z.infer<typeof TombstoneSchema>[] };
