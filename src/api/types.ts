// The Messages API's wire shapes (Anthropic format, as FastRouter serves it). Hand-written so the
// public types read well; src/api/schemas.ts holds the matching zod schemas used at run time.

// ---------------------------------------------------------------------------------------------
// Request

export interface CacheControl {
  type: 'ephemeral';
}

export interface TextBlockParam {
  type: 'text';
  text: string;
  cache_control?: CacheControl | null;
}

export type ImageMediaType = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';

export interface Base64ImageSource {
  type: 'base64';
  media_type: ImageMediaType;
  /** Base64 data without a `data:` prefix. */
  data: string;
}

export interface UrlImageSource {
  type: 'url';
  url: string;
}

export interface ImageBlockParam {
  type: 'image';
  source: Base64ImageSource | UrlImageSource;
  cache_control?: CacheControl | null;
}

export interface ToolUseBlockParam {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
  cache_control?: CacheControl | null;
}

export interface ToolResultBlockParam {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | Array<TextBlockParam | ImageBlockParam>;
  is_error?: boolean;
  cache_control?: CacheControl | null;
}

/** Thinking blocks go back to the API unchanged (with their signature) in later turns. */
export interface ThinkingBlockParam {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface RedactedThinkingBlockParam {
  type: 'redacted_thinking';
  data: string;
}

export type ContentBlockParam =
  | TextBlockParam
  | ImageBlockParam
  | ToolUseBlockParam
  | ToolResultBlockParam
  | ThinkingBlockParam
  | RedactedThinkingBlockParam
  | OpaqueBlock;

export interface MessageParam {
  role: 'user' | 'assistant';
  content: string | ContentBlockParam[];
}

export interface Tool {
  name: string;
  description?: string;
  input_schema: { type: 'object'; [key: string]: unknown };
  cache_control?: CacheControl | null;
}

export type ToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export type ThinkingConfigParam = { type: 'enabled'; budget_tokens: number } | { type: 'disabled' };

/** The request body. `stream` is set by the client: `stream()` sends true, `create()` false. */
export interface MessageCreateParams {
  /** FastRouter takes `anthropic/claude-sonnet-4-20250514` or the bare model name. */
  model: string;
  max_tokens: number;
  messages: MessageParam[];
  system?: string | TextBlockParam[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  metadata?: { user_id?: string | null };
  tools?: Tool[];
  tool_choice?: ToolChoice;
  /** budget_tokens ≥ 1024 and < max_tokens. */
  thinking?: ThinkingConfigParam;
}

// ---------------------------------------------------------------------------------------------
// Response

/** Known values listed; any other string is accepted because the API adds new reasons. */
export type StopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded'
  | (string & {});

/** A citation attached to a text block; several location kinds exist, so only `type` is fixed. */
export interface TextCitation {
  type: string;
  cited_text?: string;
  [key: string]: unknown;
}

export interface TextBlock {
  type: 'text';
  text: string;
  citations?: TextCitation[] | null;
}

export interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
  /** Opaque; replaced (not appended) by each signature_delta. */
  signature: string;
}

export interface RedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  /** Parsed from the streamed JSON at content_block_stop; `{}` until then. */
  input: unknown;
}

/**
 * Block types the API sends that this client does not model: server tools (web search, web fetch, code execution, MCP)
 * and their results. Listed so `switch (block.type)` still narrows the modelled types; at run time a type the API adds
 * later arrives the same way (kept verbatim, sent back unchanged, shown by its type), so never switch exhaustively
 * over this list.
 */
export type OpaqueBlockType =
  | 'server_tool_use'
  | 'web_search_tool_result'
  | 'web_fetch_tool_result'
  | 'code_execution_tool_result'
  | 'bash_code_execution_tool_result'
  | 'text_editor_code_execution_tool_result'
  | 'tool_search_tool_result'
  | 'mcp_tool_use'
  | 'mcp_tool_result'
  | 'container_upload';

/**
 * A block of a type this client does not model, exactly as the API sent it (every field kept). Its
 * `input_json_delta`s are parsed into `input` at content_block_stop, as for tool_use.
 */
export interface OpaqueBlock {
  type: OpaqueBlockType;
  [field: string]: unknown;
}

export type ContentBlock = TextBlock | ThinkingBlock | RedactedThinkingBlock | ToolUseBlock | OpaqueBlock;

/**
 * Token counts are cumulative for the message: a later value replaces an earlier one.
 * `cost` is FastRouter's billed credits for the request (absent on other endpoints).
 * Fields the API adds later are kept as they arrive.
 */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cost?: number;
}

export interface Message {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: Usage;
}

// ---------------------------------------------------------------------------------------------
// Stream events

export interface TextDelta {
  type: 'text_delta';
  text: string;
}
export interface ThinkingDelta {
  type: 'thinking_delta';
  thinking: string;
}
export interface SignatureDelta {
  type: 'signature_delta';
  signature: string;
}
export interface InputJsonDelta {
  type: 'input_json_delta';
  partial_json: string;
}
export interface CitationsDelta {
  type: 'citations_delta';
  citation: TextCitation;
}

export type ContentBlockDelta = TextDelta | ThinkingDelta | SignatureDelta | InputJsonDelta | CitationsDelta;

/** Usage in message_delta: present fields overwrite; the API always sends output_tokens, some upstreams do not. */
export interface MessageDeltaUsage {
  output_tokens?: number | null;
  input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cost?: number | null;
}

export interface MessageStartEvent {
  type: 'message_start';
  message: Message;
}
export interface ContentBlockStartEvent {
  type: 'content_block_start';
  index: number;
  content_block: ContentBlock;
}
export interface ContentBlockDeltaEvent {
  type: 'content_block_delta';
  index: number;
  delta: ContentBlockDelta;
}
export interface ContentBlockStopEvent {
  type: 'content_block_stop';
  index: number;
}
export interface MessageDeltaEvent {
  type: 'message_delta';
  delta: { stop_reason: StopReason | null; stop_sequence?: string | null };
  /** Absent when an upstream leaves it out: the message keeps the usage seen so far. */
  usage?: MessageDeltaUsage;
}
export interface MessageStopEvent {
  type: 'message_stop';
}
export interface PingEvent {
  type: 'ping';
}

export type StreamEvent =
  | MessageStartEvent
  | ContentBlockStartEvent
  | ContentBlockDeltaEvent
  | ContentBlockStopEvent
  | MessageDeltaEvent
  | MessageStopEvent
  | PingEvent;
