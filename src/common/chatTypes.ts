// The chat's value types that both sides share and that are saved to disk (turns, attachments, answer meta, errors,
// tool changes, the conversation list, the rules line) with their zod schemas.
// It imports nothing from the project; the message unions over these are protocol.ts. The webviews import its types
// only (`import type`): its schemas would bring zod into their bundles.
import * as z from 'zod/mini';

export const ImageMediaTypeSchema = z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
export type ImageMediaType = z.infer<typeof ImageMediaTypeSchema>;


/**
 * An image attached to a user turn: base64 data (no `data:` prefix). Saved conversations may hold images from before
 * the limits were checked (up to 5 MB of file); requests refuse those until they fit or are removed.
 */
export const ImageAttachmentSchema = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(100)),
  name: z.string().check(z.maxLength(500)),
  mediaType: ImageMediaTypeSchema,
  data: z.string().check(z.maxLength(7_000_000)),
  /** The user dropped it from the conversation: later requests no longer send it (a short note takes its place). */
  omitted: z.optional(z.boolean()),
});
export type ImageAttachment = z.infer<typeof ImageAttachmentSchema>;

/**
 * Text a user turn carries besides the question: a selection (Ask About Selection; one item per cursor), a whole file
 * (Add File to Chat) or the workspace's problems. Sent as a fenced block with its path; lines are 1-based.
 */
export const CodeContextKindSchema = z.enum(['selection', 'file', 'problems']);
export type CodeContextKind = z.infer<typeof CodeContextKindSchema>;

export const CodeContextSchema = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(100)),
  kind: CodeContextKindSchema,
  languageId: z.string().check(z.maxLength(200)),
  /** Workspace-relative path, or a readable name for untitled files and notebook cells. */
  path: z.string().check(z.maxLength(2000)),
  /** Absent when the item is not a range of one file (problems). */
  startLine: z.optional(z.int()),
  endLine: z.optional(z.int()),
  text: z.string(),
  /** The user dropped it from the conversation: later requests no longer send it (a short note takes its place). */
  omitted: z.optional(z.boolean()),
});
export type CodeContext = z.infer<typeof CodeContextSchema>;

export const UserTurnSchema = z.object({
  id: z.string(),
  role: z.literal('user'),
  text: z.string(),
  /** Code, files and problems the question is about, in the order they were added. */
  context: z._default(z.array(CodeContextSchema), []),
  images: z._default(z.array(ImageAttachmentSchema), []),
});
export type UserTurn = z.infer<typeof UserTurnSchema>;

/**
 * Where a tool call is: pending (not started), running, approval (its card waits for Apply / Reject), done, error
 * (the model got an error result), applied / rejected (the user's decision on a change, or on reading a secret-looking file).
 */
export const ToolStateSchema = z.enum(['pending', 'running', 'approval', 'done', 'error', 'applied', 'rejected']);
export type ToolState = z.infer<typeof ToolStateSchema>;

/** A change a tool proposes (edit_file, create_file), as its approval card shows it. */
export const ToolChangeSchema = z.object({
  path: z.string().check(z.maxLength(5000)),
  added: z.int().check(z.nonnegative()),
  removed: z.int().check(z.nonnegative()),
  create: z.optional(z.boolean()),
});
export type ToolChange = z.infer<typeof ToolChangeSchema>;

// run_command (issue 17): the approval card's command with its parsed parts and the rule each matched.
export const CommandPartViewSchema = z.object({
  text: z.string().check(z.maxLength(10_000)),
  verdict: z.enum(['allow', 'deny', 'ask']),
  rule: z.optional(z.string().check(z.maxLength(1000))),
  reasons: z.array(z.string().check(z.maxLength(500))).check(z.maxLength(20)),
});
export const CommandCardSchema = z.object({
  command: z.string().check(z.maxLength(10_000)),
  /** Workspace-relative folder it runs in ("" = the workspace folder). */
  cwd: z.string().check(z.maxLength(5000)),
  parts: z.array(CommandPartViewSchema).check(z.maxLength(200)),
  /** Why the whole command asks whatever the rules say (substitutions, unreadable text…). */
  reasons: z.array(z.string().check(z.maxLength(500))).check(z.maxLength(20)),
});
export type CommandCard = z.infer<typeof CommandCardSchema>;

/**
 * A file the tools and commands of a question changed, as the line under its answer lists it ("Changed 3 files
 * +40 −12"): lines added and removed from before the question to when the answer ended.
 */
export const TurnFileChangeSchema = z.object({
  /** Workspace-relative. */
  path: z.string().check(z.maxLength(5000)),
  added: z.int().check(z.nonnegative()),
  removed: z.int().check(z.nonnegative()),
  created: z.optional(z.boolean()),
  deleted: z.optional(z.boolean()),
});
export type TurnFileChange = z.infer<typeof TurnFileChangeSchema>;

/** One block of an answer as the webview shows it. */
export const AnswerBlockSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string() }),
  z.object({ kind: z.literal('thinking'), text: z.string(), redacted: z.optional(z.boolean()) }),
  z.object({
    kind: z.literal('tool_use'),
    name: z.string(),
    /** The input as pretty JSON. */
    input: z.string(),
    /** The tool_use id (absent in answers saved before tools existed). */
    id: z.optional(z.string()),
    state: z.optional(ToolStateSchema),
    /** The row's text: "Read src/a.ts:1–40", "Searched 'parseUrl' — 12 matches". */
    summary: z.optional(z.string()),
    /** What the model got back (cut for the view). */
    result: z.optional(z.string()),
    change: z.optional(ToolChangeSchema),
    /** Why a read waits for approval (a file that looks secret). */
    reason: z.optional(z.string()),
    /** run_command: the command and its parsed parts, for the card. */
    command: z.optional(CommandCardSchema),
    /** run_command: the live output so far (its last part), while it runs. */
    output: z.optional(z.string()),
  }),
  /**
   * A block the chat does not model (a server tool such as web search and its result, or a type the API added later),
   * shown as one compact row: `label` ("Searched the web: …", or the block's type); `type` is the API block type.
   */
  z.object({ kind: z.literal('opaque'), type: z.string().check(z.maxLength(200)), label: z.string().check(z.maxLength(1000)) }),
]);
export type AnswerBlock = z.infer<typeof AnswerBlockSchema>;

/**
 * streaming: deltas still arriving; done: finished normally (any stop reason);
 * stopped: the user pressed Stop; error: the request failed (partial text kept);
 * interrupted: cut by a window reload or a crash.
 */
export const AnswerStatusSchema = z.enum(['streaming', 'done', 'stopped', 'error', 'interrupted']);
export type AnswerStatus = z.infer<typeof AnswerStatusSchema>;

/** Cost of one answer. `billed`: FastRouter's usage.cost (credits). `estimate`: from tokens, never mixed with billed. */
export const AnswerCostSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('billed'), credits: z.number() }),
  z.object({ kind: z.literal('estimate'), credits: z.number() }),
  z.object({ kind: z.literal('unknown') }),
]);
export type AnswerCost = z.infer<typeof AnswerCostSchema>;

export const AnswerMetaSchema = z.object({
  model: z.string(),
  /** The model's name for people ("Claude Sonnet 4"), from the endpoint's model list; the id when absent. */
  modelName: z.optional(z.string()),
  /** All input tokens: uncached + cache writes + cache reads. */
  inputTokens: z.int().check(z.nonnegative()),
  /** Of `inputTokens`, read from the prompt cache (`cache_read_input_tokens`). */
  cacheReadTokens: z.optional(z.int().check(z.nonnegative())),
  /** Of `inputTokens`, written to the prompt cache (`cache_creation_input_tokens`). */
  cacheWriteTokens: z.optional(z.int().check(z.nonnegative())),
  outputTokens: z.int().check(z.nonnegative()),
  cost: AnswerCostSchema,
  durationMs: z.number().check(z.nonnegative()),
  stopReason: z.nullable(z.string()),
  /** Issue 14 (cost preview): the model, system prompt and tools the last request went with, hashed; another starts a cold cache. */
  cacheKey: z.optional(z.string()),
});
export type AnswerMeta = z.infer<typeof AnswerMetaSchema>;

/** Why an answer waits before it is asked again: 429, 529, another retryable status (5xx, 408, 409), a failed connection. */
export const RetryReasonSchema = z.enum(['rate_limit', 'overloaded', 'server_error', 'connection']);
export type RetryReason = z.infer<typeof RetryReasonSchema>;

/** A wait before the next attempt of an answer (only before anything streamed), for the chat to count down. */
export const RetryNoticeSchema = z.object({
  reason: RetryReasonSchema,
  /** The wait, counted from when the message arrives. */
  delayMs: z.number().check(z.nonnegative()),
  /** 1 for the first retry, up to `maxRetries`. */
  retry: z.int().check(z.positive()),
  maxRetries: z.int().check(z.nonnegative()),
});
export type RetryNotice = z.infer<typeof RetryNoticeSchema>;

/** A FastRouter setting's full id, e.g. "fastrouter.baseUrl". */
export const SettingIdSchema = z.string().check(z.regex(/^fastrouter\.[A-Za-z.]{1,100}$/));

/** Buttons shown with an error. Each maps to a host action. */
/** `sendAnyway`: send a request a spending limit held back, this once. `removeImages`: drop the images an error names. */
export const ErrorActionSchema = z.enum(['retry', 'setApiKey', 'openSettings', 'openBilling', 'showLog', 'removeImages', 'sendAnyway']);
export type ErrorAction = z.infer<typeof ErrorActionSchema>;

export const TurnErrorSchema = z.object({
  /** A short stable code: 'no_key', 'auth', 'billing', 'rate_limit', 'overloaded', 'moderation', 'network', 'stalled', 'bad_setting', 'spending_limit', 'api', … */
  code: z.string(),
  message: z.string(),
  actions: z.array(ErrorActionSchema),
  /** The setting `openSettings` opens (e.g. "fastrouter.baseUrl"); all FastRouter settings when absent. */
  setting: z.optional(SettingIdSchema),
  /** The images `removeImages` drops from the conversation (over the API's limits, or rejected by it). */
  imageIds: z.optional(z.array(z.string().check(z.maxLength(100))).check(z.maxLength(1000))),
});
export type TurnError = z.infer<typeof TurnErrorSchema>;

/**
 * A compaction (issue 18 §3): from this answer on, the turns up to here are sent as a model-written summary. The chat
 * shows a "Compacted" row after the answer, expandable to read and edit the summary, with Undo until the next question.
 */
export const CompactionViewSchema = z.object({
  id: z.string().check(z.maxLength(200)),
  /** running: the summary request is streaming; done: the summary is in effect. */
  state: z.enum(['running', 'done']),
  summary: z.string().check(z.maxLength(400_000)),
  trigger: z.enum(['auto', 'manual']),
  canUndo: z.boolean(),
  edited: z.optional(z.boolean()),
  /** Questions (with their answers) the summary stands for. */
  covers: z.optional(z.int().check(z.nonnegative())),
  /** Estimated tokens of the next request before and after. */
  tokensBefore: z.optional(z.int().check(z.nonnegative())),
  tokensAfter: z.optional(z.int().check(z.nonnegative())),
  /** The summary request's tokens and cost. */
  meta: z.optional(AnswerMetaSchema),
});
export type CompactionView = z.infer<typeof CompactionViewSchema>;

export const AssistantTurnSchema = z.object({
  id: z.string(),
  role: z.literal('assistant'),
  blocks: z.array(AnswerBlockSchema),
  status: AnswerStatusSchema,
  meta: z.optional(AnswerMetaSchema),
  error: z.optional(TurnErrorSchema),
  /** The tool loop paused at a bound (rounds, credits): why, shown with a Continue button. */
  paused: z.optional(z.string()),
  /** Files its tools and commands changed (issue 17), listed under the answer. */
  changes: z.optional(z.array(TurnFileChangeSchema).check(z.maxLength(10_000))),
  /** The conversation was compacted after this answer: the row shown under it. */
  compaction: z.optional(CompactionViewSchema),
});
export type AssistantTurn = z.infer<typeof AssistantTurnSchema>;

export const TurnSchema = z.discriminatedUnion('role', [UserTurnSchema, AssistantTurnSchema]);
export type Turn = z.infer<typeof TurnSchema>;

export const ConversationSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  updatedAt: z.number(),
  /** Storage that survives faults (issue 16): a chat file that could not be read, moved aside to this path; it cannot be opened. */
  damaged: z.optional(z.string()),
});
export type ConversationSummary = z.infer<typeof ConversationSummarySchema>;

/**
 * The context meter (issue 18): how full the model's context window is with the next request, without the draft.
 * Exact after an answer (scaled by the last request's real input + cache read + cache write tokens), an estimate before.
 */
export const ContextUsageSchema = z.object({
  tokens: z.int().check(z.nonnegative()),
  /** The model's context window (the endpoint's model list). */
  contextLength: z.int().check(z.positive()),
  /** Real ÷ estimated tokens of the last request (1 before the first): the draft is scaled by it. */
  calibration: z.number().check(z.positive()),
  /** Anchored on the endpoint's count of the last request (false: an estimate, before the first answer). */
  exact: z.boolean(),
  breakdown: z.object({
    system: z.int().check(z.nonnegative()),
    tools: z.int().check(z.nonnegative()),
    conversation: z.int().check(z.nonnegative()),
    attachments: z.int().check(z.nonnegative()),
    toolResults: z.int().check(z.nonnegative()),
  }),
});
export type ContextUsage = z.infer<typeof ContextUsageSchema>;

/**
 * The host's estimate of the next request without the draft (the cost preview, "≈ 12.4k tokens · ≈ 0.041 credits"):
 * computed locally, no paid call. The webview adds the draft's own estimate (src/common/tokenCount.ts) as the user types.
 */
export const RequestEstimateSchema = z.object({
  /** Input tokens of the next request before the draft: system prompt, tools, the conversation sent as context, the new message's overhead. Calibrated. */
  baseTokens: z.int().check(z.nonnegative()),
  /** Of those, the conversation's (its earlier questions and answers still sent). Calibrated. */
  conversationTokens: z.int().check(z.nonnegative()),
  /** Real ÷ estimated input tokens of this conversation's earlier answers (1 without any): the draft's text is scaled by it. */
  calibration: z.number().check(z.positive()),
  /** Credits per input token of the current model (list price); absent when unknown. */
  inputCreditsPerToken: z.optional(z.number().check(z.nonnegative())),
  /**
   * With prompt caching on: the prices of cache reads and writes, and how many of the tokens the next request should
   * read from the cache (what the last answer's request sent, while its cache is warm); the rest is written.
   */
  cache: z.optional(z.object({
    readTokens: z.int().check(z.nonnegative()),
    readCreditsPerToken: z.number().check(z.nonnegative()),
    writeCreditsPerToken: z.number().check(z.nonnegative()),
  })),
  /** The context meter's base (issue 18); absent when the model's context length is unknown. */
  context: z.optional(ContextUsageSchema),
});
export type RequestEstimate = z.infer<typeof RequestEstimateSchema>;

/** Everything the webview needs for a first paint; also put in the page's `data-state` attribute. */
export const ChatSnapshotSchema = z.object({
  conversationId: z.string(),
  turns: z.array(TurnSchema),
  conversations: z.array(ConversationSummarySchema),
  model: z.string(),
  /** The model's name for the header ("Claude Sonnet 4"); the id when absent. */
  modelName: z.optional(z.string()),
  busy: z.boolean(),
  /** The cost preview's base for the next question (absent: none shown). */
  estimate: z.optional(RequestEstimateSchema),
});
export type ChatSnapshot = z.infer<typeof ChatSnapshotSchema>;

/** New text for one block of the streaming answer. `block` is the answer's block index; a new index starts a block. */
export const DeltaChunkSchema = z.object({
  block: z.int().check(z.nonnegative()),
  kind: z.enum(['text', 'thinking']),
  text: z.string(),
});
export type DeltaChunk = z.infer<typeof DeltaChunkSchema>;

/** A file or the problems waiting in the composer, as its chip shows it (the text stays with the host). */
export const PendingContextSchema = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(100)),
  kind: CodeContextKindSchema,
  /** What the chip says: a workspace-relative path, or "Problems". */
  label: z.string().check(z.maxLength(2000)),
  /** Characters of text that will be sent. */
  chars: z.int().check(z.nonnegative()),
  /** Problems listed (kind "problems"). */
  count: z.optional(z.int().check(z.nonnegative())),
  /** The file was cut to fastrouter.maxSelectionChars. */
  cut: z.optional(z.boolean()),
  /** A selection's lines (Ask About Selection), 1-based: the chip says "line 9" or "lines 9–12". */
  startLine: z.optional(z.int()),
  endLine: z.optional(z.int()),
});
export type PendingContext = z.infer<typeof PendingContextSchema>;


// ---------------------------------------------------------------------------------------------
// Project rules and the context window (issue 18): the rules line above the composer.

/** One rule file in the rules line ("Rules: AGENTS.md, copilot-instructions.md · 1.2k tokens"). */
export const RuleChipSchema = z.object({
  /** `folder/relPath`; the toggle and Open use it. */
  id: z.string().check(z.minLength(1), z.maxLength(2000)),
  label: z.string().check(z.maxLength(2000)),
  /** Workspace-relative path (the tooltip). */
  path: z.string().check(z.maxLength(2000)),
  tokens: z.int().check(z.nonnegative()),
  /** Sent with questions (false: switched off for this workspace, or broken). */
  enabled: z.boolean(),
  /** When it applies, in words ("every question", "files matching src/**\/*.tsx"). */
  scope: z.string().check(z.maxLength(2000)),
  /** The file was cut to the size cap: its length in characters. */
  cutFrom: z.optional(z.int().check(z.nonnegative())),
  /** Broken frontmatter: why (the rule is not used until fixed). */
  problem: z.optional(z.string().check(z.maxLength(2000))),
});
export type RuleChip = z.infer<typeof RuleChipSchema>;
