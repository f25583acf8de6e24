// The one typed message contract between the extension host and the chat webview, both directions.
// Host and webview both import this file; it imports only the value types (chatTypes.ts). Every message that
// arrives from the webview is validated with `WebviewToHostSchema` before the host acts on it.
import * as z from 'zod/mini';
import { MAX_SOURCE_BASE64 } from './imageType';
import { AnswerBlockSchema, AnswerMetaSchema, AnswerStatusSchema, AssistantTurnSchema, ChatSnapshotSchema, CompactionViewSchema, ConversationSummarySchema, DeltaChunkSchema, ErrorActionSchema, ImageAttachmentSchema, PendingContextSchema, RequestEstimateSchema, RetryNoticeSchema, RuleChipSchema, SettingIdSchema, TurnErrorSchema, TurnFileChangeSchema, UserTurnSchema } from './chatTypes';

// ---------------------------------------------------------------------------------------------
// Host → webview

export const HostToWebviewSchema = z.discriminatedUnion('type', [
  /** Replace the whole view (first paint after `ready`, switching conversations, New Chat). */
  z.object({ type: z.literal('snapshot'), snapshot: ChatSnapshotSchema }),
  /** A user turn and its (empty, streaming) answer were appended. */
  z.object({ type: z.literal('turnAdded'), user: UserTurnSchema, assistant: AssistantTurnSchema }),
  /** New text only, batched: at most one per animation frame. */
  z.object({ type: z.literal('delta'), turnId: z.string(), chunks: z.array(DeltaChunkSchema) }),
  /** A non-streamed block of the answer (tool use, an opaque block such as a web search) at index `block`; a tool call's is sent again whenever its state changes. */
  z.object({ type: z.literal('block'), turnId: z.string(), block: z.int().check(z.nonnegative()), value: AnswerBlockSchema }),
  /** The answer ended (done, stopped, error). The webview keeps the text it has. */
  z.object({
    type: z.literal('turnEnded'),
    turnId: z.string(),
    status: AnswerStatusSchema,
    meta: z.optional(AnswerMetaSchema),
    error: z.optional(TurnErrorSchema),
    paused: z.optional(z.string()),
    changes: z.optional(z.array(TurnFileChangeSchema).check(z.maxLength(10_000))),
  }),
  /**
   * The answer waits before its request is sent again (429, 529…): the turn shows why and counts down, Stop still
   * stops it. `retry: null` clears it once the stream starts.
   */
  z.object({ type: z.literal('retrying'), turnId: z.string(), retry: z.nullable(RetryNoticeSchema) }),
  /** An answer is being retried or continued: its blocks are reset to `blocks` and it streams again. */
  z.object({ type: z.literal('turnRestarted'), turnId: z.string(), blocks: z.array(AnswerBlockSchema) }),
  z.object({ type: z.literal('conversations'), conversations: z.array(ConversationSummarySchema), activeId: z.string() }),
  z.object({ type: z.literal('busy'), busy: z.boolean() }),
  z.object({ type: z.literal('model'), model: z.string(), modelName: z.optional(z.string()) }),
  /** Images chosen through the host's file picker (or Ask About Image), to attach to the next message. */
  /** The chat resizes any that are over IMAGE_LIMITS before they can be sent. */
  z.object({ type: z.literal('attachImages'), images: z.array(z.extend(ImageAttachmentSchema, { data: z.string().check(z.maxLength(MAX_SOURCE_BASE64)) })) }),
  /** A message for the composer area (e.g. an image was rejected). */
  z.object({
    type: z.literal('notice'),
    level: z.enum(['info', 'error']),
    message: z.string(),
    /** Buttons under the notice (e.g. Open Settings for a bad setting); `setting` is the one Open Settings opens. */
    actions: z.optional(z.array(ErrorActionSchema)),
    setting: z.optional(SettingIdSchema),
  }),
  z.object({ type: z.literal('focusInput') }),
  /** The cost preview's base changed (an answer ended, the model or system prompt changed, context was dropped). */
  z.object({ type: z.literal('estimate'), estimate: RequestEstimateSchema }),
  /** Files and problems waiting to go with the next message (Add File to Chat, Add Problems to Chat): chips, not text. */
  z.object({ type: z.literal('pendingContext'), items: z.array(PendingContextSchema) }),
  // Checkpoints (issue 17): a Restore put the question back into the composer.
  z.object({ type: z.literal('composerText'), text: z.string().check(z.maxLength(1_000_000)) }),
  /** Project rules (issue 18): the rules the next question uses, switched-off and broken ones included; empty hides the line. */
  z.object({ type: z.literal('rules'), rules: z.array(RuleChipSchema) }),
  /** The compaction row after the answer `turnId` appeared or changed (null: it went, e.g. after Undo). */
  z.object({ type: z.literal('compaction'), turnId: z.string(), compaction: z.nullable(CompactionViewSchema) }),
]);
export type HostToWebview = z.infer<typeof HostToWebviewSchema>;

// ---------------------------------------------------------------------------------------------
// Webview → host

const MAX_CODE = 2_000_000;

export const WebviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('send'), text: z.string().check(z.maxLength(1_000_000)), images: z._default(z.array(ImageAttachmentSchema).check(z.maxLength(20)), []) }),
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('retry'), turnId: z.string() }),
  z.object({ type: z.literal('continue'), turnId: z.string() }),
  z.object({ type: z.literal('newChat') }),
  z.object({ type: z.literal('switchChat'), conversationId: z.string() }),
  z.object({ type: z.literal('deleteChat'), conversationId: z.string() }),
  z.object({ type: z.literal('exportChat') }),
  z.object({ type: z.literal('pickImages') }),
  /** The composer's Add File… button: the host's quick pick of files and problems. */
  z.object({ type: z.literal('pickContext') }),
  /** A chip's remove button. */
  z.object({ type: z.literal('removeContext'), id: z.string().check(z.maxLength(100)) }),
  /** Files dragged from the Explorer or an editor tab onto the chat (their `file:`/`vscode-remote:` URIs). */
  z.object({ type: z.literal('dropUris'), uris: z.array(z.string().check(z.maxLength(10_000))).check(z.maxLength(100)) }),
  z.object({ type: z.literal('errorAction'), turnId: z.string(), action: ErrorActionSchema }),
  /** A button of a composer notice. */
  z.object({ type: z.literal('noticeAction'), action: ErrorActionSchema, setting: z.optional(SettingIdSchema) }),
  // Checkpoints (issue 17): a question's Restore button.
  z.object({ type: z.literal('restoreQuestion'), turnId: z.string().check(z.maxLength(200)) }),
  /** A file of the "Changed N files" line under an answer: its diff, before the question ↔ now. */
  z.object({ type: z.literal('openFileChange'), turnId: z.string().check(z.maxLength(200)), index: z.int().check(z.nonnegative(), z.lte(100_000)) }),
  z.object({ type: z.literal('copyCode'), code: z.string().check(z.maxLength(MAX_CODE)) }),
  z.object({ type: z.literal('insertCode'), code: z.string().check(z.maxLength(MAX_CODE)) }),
  z.object({ type: z.literal('replaceSelection'), code: z.string().check(z.maxLength(MAX_CODE)) }),
  z.object({ type: z.literal('newFile'), code: z.string().check(z.maxLength(MAX_CODE)), language: z.string().check(z.maxLength(100)) }),
  /** A link the user clicked; the host opens it with openExternal after `checkLink` passes it again. */
  z.object({ type: z.literal('openLink'), href: z.string().check(z.maxLength(10_000)) }),
  z.object({ type: z.literal('selectModel') }),
  /** The user's decision on a tool call's approval card (Apply / Reject). */
  z.object({ type: z.literal('toolDecision'), turnId: z.string().check(z.maxLength(200)), toolUseId: z.string().check(z.maxLength(200)), decision: z.enum(['apply', 'allowForChat', 'reject']) }),
  /** Show Diff on a proposed change: VS Code's diff editor, current vs proposed. */
  z.object({ type: z.literal('showToolDiff'), toolUseId: z.string().check(z.maxLength(200)) }),
  /**
   * Drop an attached selection, file or image of a question from the context of later questions (`omitted: true`;
   * a short note takes its place), or add it back (`false`). `itemId` is the CodeContext's or ImageAttachment's id.
   */
  z.object({ type: z.literal('setOmitted'), turnId: z.string().check(z.maxLength(100)), itemId: z.string().check(z.maxLength(100)), omitted: z.boolean() }),
  // --- Chat basics (issue 20): Regenerate goes through `retry`; Copy and Edit and Undo are these.
  /** Copy an answer as Markdown (its text, with a line per tool call). */
  z.object({ type: z.literal('copyAnswer'), turnId: z.string().check(z.maxLength(200)) }),
  /** Edit a question and send it again: the question `turnId` and every later turn are replaced by the new one. */
  z.object({ type: z.literal('editResend'), turnId: z.string().check(z.maxLength(200)), text: z.string().check(z.maxLength(1_000_000)), images: z._default(z.array(ImageAttachmentSchema).check(z.maxLength(20)), []) }),
  /** Undo of a History delete (the conversation comes back as it was). */
  z.object({ type: z.literal('undoDelete'), conversationId: z.string().check(z.maxLength(200)) }),
  /** Project rules (issue 18): open a rule file of the rules line; switch one on or off for this workspace. */
  z.object({ type: z.literal('openRule'), id: z.string().check(z.maxLength(2000)) }),
  z.object({ type: z.literal('toggleRule'), id: z.string().check(z.maxLength(2000)), enabled: z.boolean() }),
  /** Compaction (issue 18 §3): the composer's Compact button; a summary edited in its row; Undo of a compaction. */
  z.object({ type: z.literal('compact') }),
  z.object({ type: z.literal('editCompaction'), id: z.string().check(z.maxLength(200)), summary: z.string().check(z.minLength(1), z.maxLength(400_000)) }),
  z.object({ type: z.literal('undoCompaction'), id: z.string().check(z.maxLength(200)) }),
]);
export type WebviewToHost = z.infer<typeof WebviewToHostSchema>;
