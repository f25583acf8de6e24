// Run-time validation of everything the endpoint sends. Schemas are built once at module load.
// Unknown event and delta types are recognised here so callers can skip them (the API adds new
// ones), blocks of unknown types are kept whole; a known type with a wrong shape is an error.
import * as z from 'zod/mini';
import type {
  ContentBlock,
  ContentBlockDelta,
  ContentBlockDeltaEvent,
  ContentBlockStartEvent,
  Message,
  MessageDeltaEvent,
  MessageStartEvent,
  Usage,
} from './types';

const Index = z.number().check(z.int(), z.nonnegative());
const Count = z.number();

const CitationSchema = z.looseObject({ type: z.string(), cited_text: z.optional(z.string()) });

const TextBlockSchema = z.object({
  type: z.literal('text'),
  text: z.string(),
  citations: z.optional(z.nullable(z.array(CitationSchema))),
});
const ThinkingBlockSchema = z.object({
  type: z.literal('thinking'),
  thinking: z.string(),
  // content_block_start sends no signature; signature_delta brings it.
  signature: z._default(z.string(), ''),
});
const RedactedThinkingBlockSchema = z.object({ type: z.literal('redacted_thinking'), data: z.string() });
const ToolUseBlockSchema = z.object({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.pipe(z.unknown(), z.transform((v) => (v === undefined ? {} : v))),
});

export const KNOWN_BLOCK_TYPES: ReadonlySet<string> = new Set(['text', 'thinking', 'redacted_thinking', 'tool_use']);
const KnownBlockSchema = z.discriminatedUnion('type', [
  TextBlockSchema,
  ThinkingBlockSchema,
  RedactedThinkingBlockSchema,
  ToolUseBlockSchema,
]);
// Only types we do not know may take this branch, so a malformed known block still fails. Every field is kept.
const UnknownBlockSchema = z.looseObject({ type: z.string().check(z.refine((t) => !KNOWN_BLOCK_TYPES.has(t))) });
// Known blocks are stripped to their modelled fields; any other type is kept whole (OpaqueBlock).
const AnyBlockSchema = z.pipe(z.union([KnownBlockSchema, UnknownBlockSchema]), z.transform((block) => block as ContentBlock));

const UsageSchema = z.looseObject({
  input_tokens: Count,
  output_tokens: Count,
  cache_creation_input_tokens: z.optional(z.nullable(Count)),
  cache_read_input_tokens: z.optional(z.nullable(Count)),
  cost: z.optional(z.nullable(z.number())),
});

const MessageDeltaUsageSchema = z.looseObject({
  output_tokens: z.optional(z.nullable(Count)),
  input_tokens: z.optional(z.nullable(Count)),
  cache_creation_input_tokens: z.optional(z.nullable(Count)),
  cache_read_input_tokens: z.optional(z.nullable(Count)),
  cost: z.optional(z.nullable(z.number())),
});

const MessageSchema = z.object({
  id: z.string(),
  type: z.literal('message'),
  role: z.literal('assistant'),
  model: z.string(),
  content: z.array(AnyBlockSchema),
  stop_reason: z.pipe(z.optional(z.nullable(z.string())), z.transform((v) => v ?? null)),
  stop_sequence: z.pipe(z.optional(z.nullable(z.string())), z.transform((v) => v ?? null)),
  usage: UsageSchema,
});

export const KNOWN_DELTA_TYPES: ReadonlySet<string> = new Set([
  'text_delta',
  'thinking_delta',
  'signature_delta',
  'input_json_delta',
  'citations_delta',
]);
const KnownDeltaSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text_delta'), text: z.string() }),
  z.object({ type: z.literal('thinking_delta'), thinking: z.string() }),
  z.object({ type: z.literal('signature_delta'), signature: z.string() }),
  z.object({ type: z.literal('input_json_delta'), partial_json: z.string() }),
  z.object({ type: z.literal('citations_delta'), citation: CitationSchema }),
]);
const UnknownDeltaSchema = z.looseObject({ type: z.string().check(z.refine((t) => !KNOWN_DELTA_TYPES.has(t))) });

const MessageStartSchema = z.object({ type: z.literal('message_start'), message: MessageSchema });
const ContentBlockStartSchema = z.object({
  type: z.literal('content_block_start'),
  index: Index,
  content_block: AnyBlockSchema,
});
export const ContentBlockDeltaSchema = z.object({
  type: z.literal('content_block_delta'),
  index: Index,
  delta: z.union([KnownDeltaSchema, UnknownDeltaSchema]),
});
export const ContentBlockStopSchema = z.object({ type: z.literal('content_block_stop'), index: Index });
const MessageDeltaSchema = z.object({
  type: z.literal('message_delta'),
  delta: z.object({
    stop_reason: z.nullable(z.string()),
    stop_sequence: z.optional(z.nullable(z.string())),
  }),
  // Some upstreams leave usage out; the message then keeps the usage seen so far.
  usage: z.optional(MessageDeltaUsageSchema),
});
const MessageStopSchema = z.object({ type: z.literal('message_stop') });
export const ErrorBodySchema = z.looseObject({
  type: z.optional(z.literal('error')),
  error: z.looseObject({ type: z.string(), message: z.optional(z.string()) }),
  request_id: z.optional(z.nullable(z.string())),
});

/** Why a known event failed validation, in one line (paths and expectations, never the payload). */
export function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

// ---------------------------------------------------------------------------------------------
// Event validation. Each returns the validated event, `undefined` to skip (an unknown delta type),
// or throws `InvalidEvent`.

export class InvalidEvent extends Error {}

function check<T>(schema: z.ZodMiniType<T>, value: unknown, name: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidEvent(`invalid ${name} event (${describeIssues(result.error)})`);
  return result.data;
}

export function validateMessageStart(value: unknown): MessageStartEvent {
  const event = check(MessageStartSchema, value, 'message_start');
  return { type: 'message_start', message: toMessage(event.message) };
}

export function validateMessage(value: unknown): Message {
  return toMessage(check(MessageSchema, value, 'message'));
}

function toMessage(message: z.infer<typeof MessageSchema>): Message {
  return { ...message, usage: toUsage(message.usage) };
}

/** A usage object with `cost: null` means "no cost"; drop it so `cost` is a number or absent. */
function toUsage(usage: z.infer<typeof UsageSchema>): Usage {
  if (usage.cost === null) {
    const { cost: _cost, ...rest } = usage;
    return rest as Usage;
  }
  return usage as Usage;
}

/** A block of a type we do not model comes back whole, as an OpaqueBlock. */
export function validateContentBlockStart(value: unknown): ContentBlockStartEvent {
  const event = check(ContentBlockStartSchema, value, 'content_block_start');
  return { type: 'content_block_start', index: event.index, content_block: event.content_block };
}

/**
 * The hot path: thousands of these per answer. A hand-written check, exactly as strict as
 * ContentBlockDeltaSchema for the string-carrying deltas, builds the same stripped output without
 * zod; any other shape goes through zod.
 */
export function validateContentBlockDelta(value: unknown): ContentBlockDeltaEvent | undefined {
  if (typeof value === 'object' && value !== null) {
    const v = value as { type?: unknown; index?: unknown; delta?: unknown };
    const index = v.index;
    const delta = v.delta as { type?: unknown; text?: unknown; thinking?: unknown; partial_json?: unknown } | null;
    if (
      v.type === 'content_block_delta' &&
      typeof index === 'number' &&
      Number.isSafeInteger(index) &&
      index >= 0 &&
      typeof delta === 'object' &&
      delta !== null
    ) {
      const type = delta.type;
      if (type === 'text_delta' && typeof delta.text === 'string') {
        return { type: 'content_block_delta', index, delta: { type: 'text_delta', text: delta.text } };
      }
      if (type === 'thinking_delta' && typeof delta.thinking === 'string') {
        return { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: delta.thinking } };
      }
      if (type === 'input_json_delta' && typeof delta.partial_json === 'string') {
        return {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: delta.partial_json },
        };
      }
    }
  }
  const event = check(ContentBlockDeltaSchema, value, 'content_block_delta');
  if (!KNOWN_DELTA_TYPES.has(event.delta.type)) return undefined;
  return { type: 'content_block_delta', index: event.index, delta: event.delta as ContentBlockDelta };
}

export function validateContentBlockStop(value: unknown): { type: 'content_block_stop'; index: number } {
  if (typeof value === 'object' && value !== null) {
    const v = value as { type?: unknown; index?: unknown };
    const index = v.index;
    if (v.type === 'content_block_stop' && typeof index === 'number' && Number.isSafeInteger(index) && index >= 0) {
      return { type: 'content_block_stop', index };
    }
  }
  return check(ContentBlockStopSchema, value, 'content_block_stop');
}

export function validateMessageDelta(value: unknown): MessageDeltaEvent {
  return check(MessageDeltaSchema, value, 'message_delta') as MessageDeltaEvent;
}

export function validateMessageStop(value: unknown): { type: 'message_stop' } {
  return check(MessageStopSchema, value, 'message_stop');
}
