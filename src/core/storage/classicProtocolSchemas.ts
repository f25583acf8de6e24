// The saved value types' schemas that the conversation store chains zod's classic methods on (`.optional()`,
// `.extend()`). chatTypes.ts writes them with zod/mini, so the webview bundles carry no classic zod; these are the same
// objects' shapes under classic `z.object` (unknown keys stripped either way), not copies. Once the store uses
// `z.optional(...)`/`z.extend(...)` itself, it imports chatTypes.ts directly and this file goes.
import * as z from 'zod';
import * as chatTypes from '../../common/chatTypes';

export { AnswerStatusSchema, ConversationSummarySchema, UserTurnSchema, type ConversationSummary } from '../../common/chatTypes';
export const AnswerMetaSchema = z.object(chatTypes.AnswerMetaSchema.shape);
export const ToolChangeSchema = z.object(chatTypes.ToolChangeSchema.shape);
export const TurnFileChangeSchema = z.object(chatTypes.TurnFileChangeSchema.shape);
export const TurnErrorSchema = z.object(chatTypes.TurnErrorSchema.shape);
