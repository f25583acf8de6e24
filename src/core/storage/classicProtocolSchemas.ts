// The saved value types' schemas that the conversation store chains zod's classic methods on (`.optional()`,
// `.extend()`). protocol.ts writes them with zod/mini, so the webview bundles carry no classic zod; these are the same
// objects' shapes under classic `z.object` (unknown keys stripped either way), not copies. Once the store uses
// `z.optional(...)`/`z.extend(...)` itself, it imports protocol.ts directly and this file goes.
import * as z from 'zod';
import * as protocol from '../../common/protocol';

export { AnswerStatusSchema, ConversationSummarySchema, UserTurnSchema, type ConversationSummary } from '../../common/protocol';
export const AnswerMetaSchema = z.object(protocol.AnswerMetaSchema.shape);
export const ToolChangeSchema = z.object(protocol.ToolChangeSchema.shape);
export const TurnFileChangeSchema = z.object(protocol.TurnFileChangeSchema.shape);
export const TurnErrorSchema = z.object(protocol.TurnErrorSchema.shape);
