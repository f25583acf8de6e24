// A local Anthropic-compatible Messages endpoint on 127.0.0.1: real HTTP, real SSE, scenarios chosen by tests.
// Wire format follows Anthropic's Messages API reference (and FastRouter's `usage.cost`), as docs/DEVELOPMENT.md "The local simulator" describes.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cutBytes, encodeSseEvent, splitIntoDeltas } from './sse';
import {
  IMAGE_TOKENS, costFor, defaultAnswer, defaultThinking, estimateTokens, isSummaryRequest, summariseConversation, thinkingSignature,
  type SimMessage, type UserInput,
} from './simulatorAnswer';

export { longAnswerDeltas } from './simulatorAnswer';

/** What the next /messages request should get. Every field is optional; an empty scenario is the default answer. */
export interface Scenario {
  /** The answer text: a string is split into word-sized deltas, an array is sent as exactly these deltas. */
  text?: string | string[];
  /** A thinking block before the text (also sent, with default text, whenever the request enables thinking). */
  thinking?: string;
  /** A tool_use block after the text; its input JSON is streamed in input_json_delta pieces. */
  toolUse?: { name: string; input: unknown; id?: string };
  /** Several tool_use blocks after the text (parallel calls), in this order; `toolUse` is the one-call form. */
  toolUses?: { name: string; input: unknown; id?: string }[];
  /**
   * A server tool the endpoint ran itself, before the text: a `server_tool_use` block (input streamed in
   * input_json_delta pieces) and its result block, as web search sends them. `resultType` defaults to
   * `web_search_tool_result`; `result` is the result block's `content`.
   */
  serverTool?: { name: string; input: unknown; result: unknown; resultType?: string; id?: string };
  /** Extra blocks of any type, sent whole in content_block_start (no deltas) after the text: forward compatibility. */
  extraBlocks?: Array<Record<string, unknown>>;
  /** What every `event: ping` carries as data; default `{"type":"ping"}` ('' sends an empty `data:` line). */
  pingData?: string;
  /** Send message_delta without its `usage` (some upstreams leave it out). */
  omitDeltaUsage?: boolean;
  /** An HTTP error status: answers with the API's JSON error body (or `rawBody`) instead of a message. */
  status?: number;
  errorType?: string;
  errorMessage?: string;
  /** `retry-after` header value (seconds or an HTTP date). */
  retryAfter?: string;
  /** `retry-after-ms` header value. */
  retryAfterMs?: number;
  /** `x-should-retry` header. */
  shouldRetry?: boolean;
  /** Body sent verbatim (any status, e.g. an HTML 502 page or a recorded SSE transcript with status 200). */
  rawBody?: string;
  contentType?: string;
  /** Pause before each content_block_delta (and between raw body pieces). */
  deltaDelayMs?: number;
  /** Cut the response bytes every `chunkSize` bytes (each piece is a separate write). */
  chunkSize?: number;
  /** Cut the response bytes at these absolute byte offsets. */
  splitAt?: number[];
  /** The message's final cost; `null` sends no cost at all. Default: computed from tokens and a price table. */
  cost?: number | null;
  /** Which events carry `usage.cost`. Default 'both' (message_start carries the input part, message_delta the total). */
  costIn?: 'start' | 'delta' | 'both' | 'none';
  /** After this many content_block_delta events, send `event: error` and end the stream. */
  errorAfterDeltas?: number;
  /** After this many deltas, destroy the connection. */
  dropAfterDeltas?: number;
  /** After this many deltas, go silent (no bytes, no pings) until the client gives up. */
  stallAfterDeltas?: number;
  /** Send `event: ping` whenever this long passes without a write while waiting. */
  pingEveryMs?: number;
  stopReason?: string;
  usage?: { input_tokens?: number; output_tokens?: number; cache_creation_input_tokens?: number; cache_read_input_tokens?: number };
  /** Keep streaming text slowly, forever, until the client closes the connection. */
  holdUntilAborted?: boolean;
  /**
   * For a compaction's summary request (issue 18): such a request takes the first queued scenario marked `summary`
   * and leaves the others for the questions; without one, the simulated model writes the summary from the conversation.
   */
  summary?: boolean;
}

export interface RecordedRequest {
  path: string;
  method: string;
  /** Lowercased header names. Holds the API key: assert on it, never print it. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  receivedAt: number;
  /** HTTP status the simulator answered with. */
  status?: number;
  /** The scenario this request consumed (undefined: default answer, or rejected before reaching the "model"). */
  scenario?: Scenario;
  /** The client closed the connection before the response was complete. */
  aborted?: boolean;
  /** The response was written to the end. */
  completed?: boolean;
  /** When (Date.now()) the last byte of a streamed response was handed to the socket. */
  completedAt?: number;
  /** Body bytes written so far on a streamed response (shows that writing stops once the client is gone). */
  bytesSent?: number;
}

export interface SimulatorOptions {
  /** Keys accepted in `x-api-key` or `Authorization: Bearer`. Default ['test-key']. */
  apiKeys?: string[];
  /** Accept any non-empty key (standalone demo mode). */
  acceptAnyKey?: boolean;
  /** Port on 127.0.0.1; default 0 (random). */
  port?: number;
  /** Delay between deltas of the default answer (no scenario queued). Default 12 ms so a human sees it stream. */
  defaultDelayMs?: number;
}

export interface Simulator {
  /** 'http://127.0.0.1:PORT', no trailing slash. */
  readonly url: string;
  enqueue(...scenarios: Scenario[]): void;
  readonly requests: RecordedRequest[];
  /** GET /v1/models and /api/v1/models requests (public: no key needed), oldest first. */
  readonly modelRequests: RecordedRequest[];
  /** What the model list answers from now on: a body (any JSON) and/or a status; `undefined` restores the default. */
  setModelList(answer?: ModelListAnswer): void;
  /** Clears the scenario queue, the recorded requests, the prompt cache and the model list answer. */
  reset(): void;
  close(): Promise<void>;
}

const MESSAGE_PATHS = new Set(['/v1/messages', '/api/v1/messages']);
const MODEL_LIST_PATHS = new Set(['/v1/models', '/api/v1/models']);

export interface ModelListAnswer {
  status?: number;
  /** The JSON body; a string is sent verbatim (e.g. not JSON at all). */
  body?: unknown;
}

const perToken = (usdPerMillion: number) => String(usdPerMillion / 1_000_000);

/**
 * A model with a small context window (issue 18, compaction): a prompt over SMALL_CONTEXT_LENGTH tokens (the
 * simulator's own count, the one it reports as input tokens) is refused as the API does, with a 400
 * invalid_request_error "prompt is too long: N tokens > M maximum". Not in DEFAULT_MODEL_LIST (tests list that exactly).
 */
export const SMALL_CONTEXT_MODEL = 'anthropic/claude-small-context-sim';
export const SMALL_CONTEXT_LENGTH = 20_000;

/**
 * FastRouter's model list shape (OpenAI-style, USD-per-token price strings), with Claude models, one the built-in list
 * does not know, and other vendors' models that Select Model must leave out.
 */
export const DEFAULT_MODEL_LIST = {
  data: [
    { id: 'anthropic/claude-sonnet-4-20250514', name: 'Anthropic: Claude Sonnet 4', context_length: 200_000, max_completion_tokens: 64_000, pricing: { prompt: perToken(3), completion: perToken(15), request: '0', image: '0.0048' } },
    { id: 'anthropic/claude-opus-4-1-20250805', name: 'Anthropic: Claude Opus 4.1', context_length: 200_000, max_completion_tokens: 32_000, pricing: { prompt: perToken(15), completion: perToken(75), input_cache_read: perToken(1.5), input_cache_write: perToken(18.75) } },
    { id: 'openai/gpt-4o', name: 'OpenAI: GPT-4o', context_length: 128_000, pricing: { prompt: perToken(2.5), completion: perToken(10) } },
    { id: 'anthropic/claude-haiku-4-5-20251001', name: 'Anthropic: Claude Haiku 4.5', context_length: 200_000, max_completion_tokens: 64_000, pricing: { prompt: perToken(1), completion: perToken(5) } },
    { id: 'anthropic/claude-sonnet-4-5-sim', name: 'Anthropic: Claude Sonnet 4.5 (Simulated)', context_length: 1_000_000, max_completion_tokens: 64_000, pricing: { prompt: perToken(3), completion: perToken(15) } },
    { id: 'google/gemini-2.5-pro', name: 'Google: Gemini 2.5 Pro', context_length: 1_048_576, pricing: { prompt: perToken(1.25), completion: perToken(10) } },
  ],
};

const ERROR_TYPES: Record<number, [type: string, message: string]> = {
  400: ['invalid_request_error', 'Invalid request.'],
  401: ['authentication_error', 'invalid x-api-key'],
  402: ['billing_error', 'Insufficient credits. Add more credits to continue.'],
  403: ['permission_error', 'Your request was blocked by moderation.'],
  404: ['not_found_error', 'Not found.'],
  408: ['timeout_error', 'Request timed out.'],
  409: ['api_error', 'Conflict.'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.'],
  500: ['api_error', 'Internal server error'],
  502: ['api_error', 'The upstream model returned an invalid response.'],
  503: ['api_error', 'Service unavailable.'],
  504: ['timeout_error', 'Gateway timeout.'],
  529: ['overloaded_error', 'Overloaded'],
};

/** The usual status of each error type (for a non-streaming answer to an `errorAfterDeltas` scenario). */
const STATUS_FOR_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400, authentication_error: 401, billing_error: 402, permission_error: 403, not_found_error: 404,
  request_too_large: 413, rate_limit_error: 429, api_error: 500, timeout_error: 504, overloaded_error: 529,
};

export function errorTypeFor(status: number): string {
  return ERROR_TYPES[status]?.[0] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** A proxy's HTML error page, for "the body is not JSON" scenarios. */
export const HTML_502_BODY = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

const TOP_LEVEL_FIELDS = new Set([
  'model', 'messages', 'max_tokens', 'system', 'metadata', 'stop_sequences', 'stream', 'temperature', 'top_k', 'top_p',
  'tools', 'tool_choice', 'thinking', 'service_tier', 'container', 'mcp_servers', 'context_management',
]);
const IMAGE_MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

function newId(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return prefix + '01' + Array.from(randomBytes(22), (b) => alphabet[b % alphabet.length]).join('');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class BadRequest extends Error {}

/** Checks a content block the way the API does; throws BadRequest with the API-style field path. */
function validateBlock(block: unknown, where: string, role: string): void {
  if (!isRecord(block) || typeof block.type !== 'string') throw new BadRequest(`${where}.type: Field required`);
  switch (block.type) {
    case 'text':
      if (typeof block.text !== 'string') throw new BadRequest(`${where}.text: Field required`);
      if (block.text.length === 0) throw new BadRequest('messages: text content blocks must be non-empty');
      return;
    case 'image': {
      const source = block.source;
      if (!isRecord(source)) throw new BadRequest(`${where}.source: Field required`);
      if (source.type === 'base64') {
        if (typeof source.media_type !== 'string' || !IMAGE_MEDIA_TYPES.has(source.media_type)) {
          throw new BadRequest(`${where}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`);
        }
        if (typeof source.data !== 'string' || source.data.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(source.data)) {
          throw new BadRequest(`${where}.source.base64.data: The image data is not valid base64.`);
        }
        return;
      }
      if (source.type === 'url') {
        if (typeof source.url !== 'string' || !/^https?:\/\//.test(source.url)) throw new BadRequest(`${where}.source.url.url: Input should be a valid URL`);
        return;
      }
      throw new BadRequest(`${where}.source: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags: 'base64', 'url'`);
    }
    case 'document':
      if (!isRecord(block.source)) throw new BadRequest(`${where}.source: Field required`);
      return;
    case 'tool_use':
      if (role !== 'assistant') throw new BadRequest(`${where}: tool_use blocks are only allowed in assistant messages`);
      if (typeof block.id !== 'string' || typeof block.name !== 'string' || !isRecord(block.input)) {
        throw new BadRequest(`${where}: tool_use blocks need string id, string name and object input`);
      }
      return;
    case 'tool_result':
      if (role !== 'user') throw new BadRequest(`${where}: tool_result blocks are only allowed in user messages`);
      if (typeof block.tool_use_id !== 'string') throw new BadRequest(`${where}.tool_use_id: Field required`);
      return;
    case 'thinking':
      if (typeof block.thinking !== 'string' || typeof block.signature !== 'string') {
        throw new BadRequest(`${where}: thinking blocks need string thinking and signature`);
      }
      return;
    case 'redacted_thinking':
      if (typeof block.data !== 'string') throw new BadRequest(`${where}.data: Field required`);
      return;
    case 'server_tool_use':
      if (role !== 'assistant') throw new BadRequest(`${where}: server_tool_use blocks are only allowed in assistant messages`);
      if (typeof block.id !== 'string' || typeof block.name !== 'string' || !isRecord(block.input)) {
        throw new BadRequest(`${where}: server_tool_use blocks need string id, string name and object input`);
      }
      return;
    case 'web_search_tool_result':
    case 'web_fetch_tool_result':
    case 'code_execution_tool_result':
      if (role !== 'assistant') throw new BadRequest(`${where}: ${block.type} blocks are only allowed in assistant messages`);
      if (typeof block.tool_use_id !== 'string' || block.content === undefined) throw new BadRequest(`${where}: ${block.type} blocks need tool_use_id and content`);
      return;
    default:
      throw new BadRequest(`${where}: Input tag '${block.type}' found using 'type' does not match any of the expected tags: 'text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'server_tool_use', 'web_search_tool_result', 'web_fetch_tool_result', 'code_execution_tool_result'`);
  }
}

/**
 * The API's pairing rule: every tool_use is answered by a tool_result at the start of the very next (user) message,
 * and a tool_result answers a tool_use of the message right before it.
 */
function validateToolPairs(messages: { role: string; content: unknown }[]): void {
  const blocks = (i: number): Record<string, unknown>[] => (Array.isArray(messages[i]?.content) ? (messages[i].content as Record<string, unknown>[]) : []);
  messages.forEach((message, i) => {
    const uses = message.role === 'assistant' ? blocks(i).filter((b) => b.type === 'tool_use').map((b) => b.id as string) : [];
    if (uses.length > 0 && i + 1 < messages.length) {
      const next = blocks(i + 1);
      const leading: string[] = [];
      for (const b of next) {
        if (b.type !== 'tool_result') break;
        leading.push(b.tool_use_id as string);
      }
      const missing = uses.filter((id) => !leading.includes(id));
      if (missing.length > 0) {
        throw new BadRequest(`messages.${i + 1}.content.0: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`);
      }
    }
    if (message.role === 'user') {
      const previous = i > 0 ? blocks(i - 1).filter((b) => b.type === 'tool_use').map((b) => b.id as string) : [];
      blocks(i).forEach((b, j) => {
        if (b.type === 'tool_result' && !previous.includes(b.tool_use_id as string)) {
          throw new BadRequest(`messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(b.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`);
        }
      });
    }
  });
}

/** `cache_control` marks in system blocks, tools, message blocks and blocks inside tool results. */
function countCacheControl(body: Record<string, unknown>): number {
  const has = (value: unknown) => (isRecord(value) && value.cache_control != null ? 1 : 0);
  let count = 0;
  if (Array.isArray(body.system)) for (const block of body.system) count += has(block);
  if (Array.isArray(body.tools)) for (const tool of body.tools) count += has(tool);
  for (const message of body.messages as Array<{ content: unknown }>) {
    if (!Array.isArray(message.content)) continue;
    for (const block of message.content) {
      count += has(block);
      if (isRecord(block) && Array.isArray(block.content)) for (const inner of block.content) count += has(inner);
    }
  }
  return count;
}

/** Validates a Messages request body like the API (400 invalid_request_error with the field's path). */
export function validateMessagesRequest(body: unknown): void {
  if (!isRecord(body)) throw new BadRequest('The request body must be a JSON object.');
  for (const key of Object.keys(body)) if (!TOP_LEVEL_FIELDS.has(key)) throw new BadRequest(`${key}: Extra inputs are not permitted`);
  if (typeof body.model !== 'string' || body.model.length === 0) throw new BadRequest('model: Field required');
  if (body.max_tokens === undefined) throw new BadRequest('max_tokens: Field required');
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens)) throw new BadRequest('max_tokens: Input should be a valid integer');
  if (body.max_tokens < 1) throw new BadRequest('max_tokens: Input should be greater than or equal to 1');
  if (!Array.isArray(body.messages)) throw new BadRequest('messages: Field required');
  if (body.messages.length === 0) throw new BadRequest('messages: at least one message is required');
  body.messages.forEach((message: unknown, i: number) => {
    const where = `messages.${i}`;
    if (!isRecord(message)) throw new BadRequest(`${where}: Input should be a valid dictionary`);
    if (message.role !== 'user' && message.role !== 'assistant') throw new BadRequest(`${where}.role: Input should be 'user' or 'assistant'`);
    if (i === 0 && message.role !== 'user') throw new BadRequest('messages: first message must use the "user" role');
    const content = message.content;
    if (typeof content === 'string') {
      if (content.length === 0) throw new BadRequest(`${where}: user messages must have non-empty content`);
    } else if (Array.isArray(content)) {
      if (content.length === 0) throw new BadRequest(`${where}: all messages must have non-empty content`);
      content.forEach((block: unknown, j: number) => validateBlock(block, `${where}.content.${j}`, message.role as string));
    } else {
      throw new BadRequest(`${where}.content: Field required`);
    }
  });
  validateToolPairs(body.messages as { role: string; content: unknown }[]);
  if (body.system !== undefined && typeof body.system !== 'string') {
    if (!Array.isArray(body.system)) throw new BadRequest('system: Input should be a valid string or list of text blocks');
    body.system.forEach((block: unknown, j: number) => {
      if (!isRecord(block) || block.type !== 'text' || typeof block.text !== 'string') throw new BadRequest(`system.${j}: Input should be a text block`);
    });
  }
  const range = (name: string, min: number, max: number) => {
    const value = body[name];
    if (value === undefined) return;
    if (typeof value !== 'number' || Number.isNaN(value)) throw new BadRequest(`${name}: Input should be a valid number`);
    if (value < min || value > max) throw new BadRequest(`${name}: range: ${min}..${max}`);
  };
  range('temperature', 0, 1);
  range('top_p', 0, 1);
  if (body.top_k !== undefined && (typeof body.top_k !== 'number' || !Number.isInteger(body.top_k) || body.top_k < 0)) {
    throw new BadRequest('top_k: Input should be a non-negative integer');
  }
  if (body.stop_sequences !== undefined && (!Array.isArray(body.stop_sequences) || body.stop_sequences.some((s) => typeof s !== 'string'))) {
    throw new BadRequest('stop_sequences: Input should be a valid list of strings');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw new BadRequest('stream: Input should be a valid boolean');
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) throw new BadRequest('tools: Input should be a valid list');
    body.tools.forEach((tool: unknown, j: number) => {
      if (!isRecord(tool) || typeof tool.name !== 'string') throw new BadRequest(`tools.${j}.name: Field required`);
      if (tool.type === undefined && !isRecord(tool.input_schema)) throw new BadRequest(`tools.${j}.input_schema: Field required`);
    });
  }
  const marks = countCacheControl(body);
  if (marks > MAX_CACHE_BREAKPOINTS) throw new BadRequest(`A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${marks}.`);
  if (body.thinking !== undefined) {
    const thinking = body.thinking;
    if (!isRecord(thinking)) throw new BadRequest('thinking: Input should be a valid dictionary');
    if (thinking.type === 'enabled') {
      const budget = thinking.budget_tokens;
      if (typeof budget !== 'number' || !Number.isInteger(budget)) throw new BadRequest('thinking.enabled.budget_tokens: Field required');
      if (budget < 1024) throw new BadRequest('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
      if (budget >= body.max_tokens) throw new BadRequest('`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size');
      if (body.temperature !== undefined && body.temperature !== 1) throw new BadRequest('`temperature` may only be set to 1 when thinking is enabled.');
      if (body.top_k !== undefined) throw new BadRequest('`top_k` must be unset when thinking is enabled.');
    } else if (thinking.type !== 'disabled') {
      throw new BadRequest(`thinking: Input tag '${String(thinking.type)}' found using 'type' does not match any of the expected tags: 'enabled', 'disabled'`);
    }
  }
}

/** Prompts shorter than this are never cached (the API's minimum for Sonnet/Opus). */
export const MIN_CACHEABLE_TOKENS = 1024;

/** The API's limit on `cache_control` blocks in one request. */
export const MAX_CACHE_BREAKPOINTS = 4;
/** How many blocks before a breakpoint the API looks back for an earlier cache entry. */
export const CACHE_LOOKBACK_BLOCKS = 20;

interface RequestReading {
  last: UserInput;
  /** Estimated tokens of the whole prompt (tools, system, messages). */
  promptTokens: number;
  /**
   * The prompt's prefixes at each block boundary (an identity for the cache, without the `cache_control` marks, and
   * the tokens up to there) and the indices of the blocks that carry a breakpoint.
   */
  prefixes: Array<{ key: string; tokens: number }>;
  breakpoints: number[];
}

/** Text and images of the last user message, and token estimates of the prompt and its cacheable prefix. */
function readRequest(body: Record<string, unknown>): RequestReading {
  // Parts in the order the API caches them: tools, then system, then messages.
  const parts: Array<{ tokens: number; json: string; breakpoint: boolean }> = [];
  const add = (value: unknown, tokens: number, role = '') => {
    // The mark is not part of what is cached: the same block with or without it is the same prefix.
    const unmarked = isRecord(value) && 'cache_control' in value ? { ...value, cache_control: undefined } : value;
    parts.push({ tokens, json: role + JSON.stringify(unmarked), breakpoint: isRecord(value) && value.cache_control != null });
  };
  const blockTokens = (block: Record<string, unknown>) => block.type === 'image' || block.type === 'document' ? IMAGE_TOKENS
    : estimateTokens(block.type === 'text' && typeof block.text === 'string' ? block.text.length : JSON.stringify(block).length);
  if (Array.isArray(body.tools)) for (const tool of body.tools) add(tool, estimateTokens(JSON.stringify(tool).length));
  if (typeof body.system === 'string') add({ type: 'text', text: body.system }, estimateTokens(body.system.length));
  else if (Array.isArray(body.system)) for (const block of body.system as Array<Record<string, unknown>>) add(block, blockTokens(block));
  const messages = body.messages as Array<{ role: string; content: unknown }>;
  for (const message of messages) {
    // A string is one text block to the API (the same prefix either way).
    if (typeof message.content === 'string') add({ type: 'text', text: message.content }, estimateTokens(message.content.length), message.role);
    else for (const block of message.content as Array<Record<string, unknown>>) add(block, blockTokens(block), message.role);
  }
  const promptTokens = Math.max(1, parts.reduce((sum, part) => sum + part.tokens, 0));
  const prefixes: RequestReading['prefixes'] = [];
  const breakpoints: number[] = [];
  const hash = createHash('sha256').update(String(body.model));
  let tokens = 0;
  for (const [i, part] of parts.entries()) {
    hash.update('\u0000').update(part.json);
    tokens += part.tokens;
    prefixes.push({ key: hash.copy().digest('hex'), tokens });
    if (part.breakpoint) breakpoints.push(i);
  }

  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const last: UserInput = { text: '', imageMediaTypes: [] };
  if (lastUser && typeof lastUser.content === 'string') last.text = lastUser.content;
  else if (lastUser) {
    const texts: string[] = [];
    for (const block of lastUser.content as Array<Record<string, unknown>>) {
      if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
      if (block.type === 'image' && isRecord(block.source)) last.imageMediaTypes.push(String(block.source.media_type ?? 'image/url'));
    }
    last.text = texts.join('\n\n');
  }
  return { last, promptTokens, prefixes, breakpoints };
}

interface PlannedBlock {
  start: Record<string, unknown>;
  deltas: Array<Record<string, unknown>>;
  final: Record<string, unknown>;
  isText: boolean;
}

interface Plan {
  blocks: PlannedBlock[];
  usageStart: Record<string, number>;
  usageFinal: Record<string, number>;
  stopReason: string;
  stopSequence: string | null;
  message: Record<string, unknown>;
}

/** Works out the whole answer (blocks, deltas, usage, cost) before a byte is written. */
function planAnswer(body: Record<string, unknown>, scenario: Scenario | undefined, promptCache: Set<string>): Plan {
  const { last, promptTokens, prefixes, breakpoints } = readRequest(body);
  const model = body.model as string;
  const s = scenario ?? {};
  const blocks: PlannedBlock[] = [];
  const thinkingEnabled = isRecord(body.thinking) && body.thinking.type === 'enabled';
  let outputChars = 0;
  if (s.thinking !== undefined || thinkingEnabled) {
    const thinking = s.thinking ?? defaultThinking(last);
    const signature = thinkingSignature(thinking);
    outputChars += thinking.length;
    blocks.push({
      start: { type: 'thinking', thinking: '', signature: '' },
      deltas: [
        ...splitIntoDeltas(thinking).map((piece) => ({ type: 'thinking_delta', thinking: piece })),
        { type: 'signature_delta', signature },
      ],
      final: { type: 'thinking', thinking, signature },
      isText: false,
    });
  }
  const toolUses = s.toolUses ?? (s.toolUse ? [s.toolUse] : []);
  if (s.serverTool) {
    const id = s.serverTool.id ?? newId('srvtoolu_');
    const json = JSON.stringify(s.serverTool.input ?? {});
    outputChars += json.length;
    const pieces: string[] = [];
    for (let i = 0; i < json.length; i += 10) pieces.push(json.slice(i, i + 10));
    blocks.push({
      start: { type: 'server_tool_use', id, name: s.serverTool.name, input: {} },
      deltas: pieces.map((partial_json) => ({ type: 'input_json_delta', partial_json })),
      final: { type: 'server_tool_use', id, name: s.serverTool.name, input: s.serverTool.input ?? {} },
      isText: false,
    });
    const result = { type: s.serverTool.resultType ?? 'web_search_tool_result', tool_use_id: id, content: s.serverTool.result };
    blocks.push({ start: result, deltas: [], final: result, isText: false });
  }
  const textDeltas = Array.isArray(s.text) ? s.text
    : s.text !== undefined ? splitIntoDeltas(s.text)
      : toolUses.length > 0 ? []
        : splitIntoDeltas(isSummaryRequest(last.text) ? summariseConversation(body.messages as SimMessage[]) : defaultAnswer(last));
  if (textDeltas.length > 0 || (s.text !== undefined && toolUses.length === 0) || s.holdUntilAborted) {
    const text = textDeltas.join('');
    outputChars += text.length;
    blocks.push({
      start: { type: 'text', text: '' },
      deltas: textDeltas.map((piece) => ({ type: 'text_delta', text: piece })),
      final: { type: 'text', text },
      isText: true,
    });
  }
  for (const extra of s.extraBlocks ?? []) blocks.push({ start: extra, deltas: [], final: extra, isText: false });
  for (const use of toolUses) {
    const id = use.id ?? newId('toolu_');
    const json = JSON.stringify(use.input ?? {});
    outputChars += json.length;
    const pieces: string[] = [];
    for (let i = 0; i < json.length; i += 10) pieces.push(json.slice(i, i + 10));
    blocks.push({
      start: { type: 'tool_use', id, name: use.name, input: {} },
      deltas: pieces.map((partial_json) => ({ type: 'input_json_delta', partial_json })),
      final: { type: 'tool_use', id, name: use.name, input: use.input ?? {} },
      isText: false,
    });
  }
  // As the API does: the longest prefix cached before (same model, same blocks), found at a breakpoint or up to 20
  // blocks before one, is read; the rest up to the last breakpoint is written; each breakpoint's prefix is kept.
  let cachedWrite = 0;
  let cachedRead = 0;
  if (breakpoints.length > 0) {
    let hit = -1;
    for (const b of breakpoints) {
      for (let i = b; i >= Math.max(0, b - CACHE_LOOKBACK_BLOCKS); i--) {
        if (i > hit && prefixes[i].tokens >= MIN_CACHEABLE_TOKENS && promptCache.has(prefixes[i].key)) hit = i;
      }
    }
    cachedRead = hit >= 0 ? prefixes[hit].tokens : 0;
    const lastPrefix = prefixes[breakpoints[breakpoints.length - 1]];
    if (lastPrefix.tokens >= MIN_CACHEABLE_TOKENS) cachedWrite = lastPrefix.tokens - cachedRead;
    for (const b of breakpoints) if (prefixes[b].tokens >= MIN_CACHEABLE_TOKENS) promptCache.add(prefixes[b].key);
  }
  const inputTokens = s.usage?.input_tokens ?? Math.max(1, promptTokens - cachedWrite - cachedRead);
  const outputTokens = s.usage?.output_tokens ?? Math.max(1, estimateTokens(outputChars));
  const cacheCreation = s.usage?.cache_creation_input_tokens ?? cachedWrite;
  const cacheRead = s.usage?.cache_read_input_tokens ?? cachedRead;
  const costIn = s.cost === null ? 'none' : (s.costIn ?? 'both');
  const tokens = { input: inputTokens, cacheCreation, cacheRead };
  const finalCost = typeof s.cost === 'number' ? s.cost : costFor(model, { ...tokens, output: outputTokens });
  const startCost = costIn === 'start' ? finalCost : Math.min(finalCost, costFor(model, { ...tokens, output: 1 }));
  const base = { input_tokens: inputTokens, cache_creation_input_tokens: cacheCreation, cache_read_input_tokens: cacheRead };
  const usageStart: Record<string, number> = { ...base, output_tokens: 1 };
  if (costIn === 'start' || costIn === 'both') usageStart.cost = startCost;
  const usageFinal: Record<string, number> = { ...base, output_tokens: outputTokens };
  if (costIn === 'delta' || costIn === 'both') usageFinal.cost = finalCost;
  const stopReason = s.stopReason ?? (toolUses.length > 0 ? 'tool_use' : 'end_turn');
  const stopSequences = Array.isArray(body.stop_sequences) ? body.stop_sequences as string[] : [];
  const stopSequence = stopReason === 'stop_sequence' ? (stopSequences[0] ?? null) : null;
  const message = {
    id: newId('msg_'), type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: usageStart,
  };
  return { blocks, usageStart, usageFinal, stopReason, stopSequence, message };
}

/** Thrown inside a stream writer when the connection is gone (closed by the client, dropped, or stalled to the end). */
class StreamEnded extends Error {}

/** Writes one response: SSE events cut into pieces as the scenario asks, with delays, pings and disconnect detection. */
class ResponseWriter {
  private offset = 0;
  private lastWrite = Date.now();
  private pending = '';
  private carry: Buffer = Buffer.alloc(0);
  private closedFlag = false;
  /** Set when the simulator itself ends the connection (drop/error), so a close is not counted as the client's abort. */
  private endingOnPurpose = false;
  readonly closed: Promise<void>;

  constructor(private readonly res: ServerResponse, private readonly record: RecordedRequest, private readonly s: Scenario) {
    this.closed = new Promise((resolve) => {
      res.on('close', () => {
        this.closedFlag = true;
        if (!res.writableFinished && !this.endingOnPurpose) record.aborted = true;
        resolve();
      });
    });
  }

  get isClosed(): boolean { return this.closedFlag; }

  private get chunked(): boolean { return this.s.chunkSize !== undefined || (this.s.splitAt?.length ?? 0) > 0; }

  /** Queues text; without cutting it is coalesced into larger writes (as a fast network would deliver it). */
  async write(text: string): Promise<void> {
    if (this.closedFlag) throw new StreamEnded();
    if (!this.chunked) {
      this.pending += text;
      if (this.pending.length >= 16_384) await this.flush();
      return;
    }
    // Cut the stream as a whole: bytes after the last cut wait for the next event (or a pause) like on a real network.
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, Buffer.from(text, 'utf8')]) : Buffer.from(text, 'utf8');
    const pieces = cutBytes(bytes, this.offset, this.s.chunkSize, this.s.splitAt ?? []);
    const end = this.offset + bytes.length;
    const endsOnCut = (this.s.chunkSize !== undefined && this.s.chunkSize > 0 && end % this.s.chunkSize === 0) || (this.s.splitAt ?? []).includes(end);
    this.carry = endsOnCut ? Buffer.alloc(0) : pieces.pop()!;
    for (const piece of pieces) await this.writePiece(piece);
  }

  /** Writes one piece as its own write, then lets the event loop send it so the client really sees separate chunks. */
  async writePiece(piece: Buffer): Promise<void> {
    await this.writeRaw(piece);
    this.offset += piece.length;
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Sends whatever is held back (before a pause, the end, or a drop). */
  async flush(): Promise<void> {
    if (this.carry.length > 0) {
      const carry = this.carry;
      this.carry = Buffer.alloc(0);
      await this.writePiece(carry);
    }
    if (this.pending.length === 0) return;
    const text = this.pending;
    this.pending = '';
    this.offset += Buffer.byteLength(text);
    await this.writeRaw(Buffer.from(text, 'utf8'));
  }

  private async writeRaw(bytes: Buffer): Promise<void> {
    if (this.closedFlag) throw new StreamEnded();
    this.lastWrite = Date.now();
    this.record.bytesSent = (this.record.bytesSent ?? 0) + bytes.length;
    if (!this.res.write(bytes)) {
      await Promise.race([new Promise((resolve) => this.res.once('drain', resolve)), this.closed]);
      if (this.closedFlag) throw new StreamEnded();
    }
  }

  event(name: string, data: unknown): Promise<void> {
    return this.write(encodeSseEvent(name, data));
  }

  /** A keep-alive, with the data the scenario asks for. */
  ping(): Promise<void> {
    return this.s.pingData === undefined ? this.event('ping', { type: 'ping' }) : this.write(`event: ping\ndata: ${this.s.pingData}\n\n`);
  }

  /** Waits `ms`, sending pings meanwhile when the scenario asks for them; ends early if the client goes away. */
  async wait(ms: number): Promise<void> {
    await this.flush();
    const until = Date.now() + ms;
    for (;;) {
      if (this.closedFlag) throw new StreamEnded();
      const now = Date.now();
      if (now >= until) return;
      let step = until - now;
      if (this.s.pingEveryMs && this.s.pingEveryMs > 0) {
        const nextPing = this.lastWrite + this.s.pingEveryMs;
        if (now >= nextPing) {
          await this.ping();
          await this.flush();
          continue;
        }
        step = Math.min(step, nextPing - now);
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise((resolve) => { timer = setTimeout(resolve, step); }), this.closed]);
      clearTimeout(timer);
    }
  }

  /** Silence until the client closes (or the simulator shuts down). */
  async stall(): Promise<never> {
    await this.flush();
    await this.closed;
    throw new StreamEnded();
  }

  async drop(): Promise<never> {
    await this.flush();
    // Node sends the first write on the next tick (corked with the headers); let it reach the socket before destroying.
    await new Promise((resolve) => setImmediate(resolve));
    const socket = this.res.socket;
    if (socket && socket.writableLength > 0) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), this.closed]);
    this.endingOnPurpose = true;
    this.res.destroy();
    throw new StreamEnded();
  }

  async end(): Promise<void> {
    await this.flush();
    if (this.closedFlag) throw new StreamEnded();
    this.endingOnPurpose = true;
    await new Promise<void>((resolve) => this.res.end(resolve));
    this.record.completed = true;
    this.record.completedAt ??= Date.now();
  }
}

async function streamPlan(writer: ResponseWriter, plan: Plan, s: Scenario, delayMs: number): Promise<void> {
  let deltasSent = 0;
  const fired = { error: false, drop: false, stall: false };
  const trigger = async (final: boolean) => {
    const due = (n: number | undefined) => n !== undefined && (deltasSent >= n || final);
    if (!fired.error && due(s.errorAfterDeltas)) {
      fired.error = true;
      const type = s.errorType ?? 'overloaded_error';
      await writer.event('error', { type: 'error', error: { type, message: s.errorMessage ?? ERROR_TYPES[529][1] } });
      await writer.end();
      throw new StreamEnded();
    }
    if (!fired.drop && due(s.dropAfterDeltas)) { fired.drop = true; await writer.drop(); }
    if (!fired.stall && due(s.stallAfterDeltas)) { fired.stall = true; await writer.stall(); }
  };
  await writer.event('message_start', { type: 'message_start', message: plan.message });
  await trigger(false);
  for (const [index, block] of plan.blocks.entries()) {
    await writer.event('content_block_start', { type: 'content_block_start', index, content_block: block.start });
    // The real API sends a ping right after the first block starts.
    if (index === 0) await writer.ping();
    for (const delta of block.deltas) {
      if (delayMs > 0) await writer.wait(delayMs);
      await writer.event('content_block_delta', { type: 'content_block_delta', index, delta });
      deltasSent++;
      await trigger(false);
    }
    if (block.isText && s.holdUntilAborted) {
      for (let i = 0; ; i++) {
        await writer.wait(delayMs > 0 ? delayMs : 50);
        await writer.event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: i % 8 === 7 ? 'waiting.\n' : 'waiting ' } });
        await writer.flush();
      }
    }
    await writer.event('content_block_stop', { type: 'content_block_stop', index });
  }
  await trigger(true);
  await writer.event('message_delta', {
    type: 'message_delta', delta: { stop_reason: plan.stopReason, stop_sequence: plan.stopSequence }, ...(s.omitDeltaUsage ? {} : { usage: plan.usageFinal }),
  });
  await writer.event('message_stop', { type: 'message_stop' });
  await writer.end();
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendApiError(res: ServerResponse, record: RecordedRequest, requestId: string, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  record.status = status;
  record.completed = true;
  sendJson(res, status, { type: 'error', error: { type, message }, request_id: requestId }, { 'request-id': requestId, ...headers });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function keyFrom(req: IncomingMessage): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const auth = req.headers.authorization;
  const match = typeof auth === 'string' ? /^Bearer\s+(.+)$/i.exec(auth) : null;
  return match?.[1].trim() || undefined;
}

function isScenario(value: unknown): value is Scenario {
  return isRecord(value);
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const apiKeys = new Set(options.apiKeys ?? ['test-key']);
  const defaultDelayMs = options.defaultDelayMs ?? 12;
  const queue: Scenario[] = [];
  const requests: RecordedRequest[] = [];
  const promptCache = new Set<string>();
  const modelRequests: RecordedRequest[] = [];
  let modelList: ModelListAnswer | undefined;

  function handleModelList(res: ServerResponse, record: RecordedRequest): void {
    modelRequests.push(record);
    if (record.method !== 'GET') return sendApiError(res, record, newId('req_'), 405, 'invalid_request_error', `Method ${record.method} not allowed; use GET.`);
    const status = modelList?.status ?? 200;
    const body = modelList?.body ?? (status === 200 ? DEFAULT_MODEL_LIST : { type: 'error', error: { type: errorTypeFor(status), message: ERROR_TYPES[status]?.[1] ?? 'Error' } });
    record.status = status;
    record.completed = true;
    if (typeof body === 'string') {
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end(body);
      return;
    }
    sendJson(res, status, body);
  }

  async function handleMessages(req: IncomingMessage, res: ServerResponse, record: RecordedRequest): Promise<void> {
    const requestId = newId('req_');
    const key = keyFrom(req);
    if (key === undefined) {
      return sendApiError(res, record, requestId, 401, 'authentication_error', 'x-api-key header is required');
    }
    if (!options.acceptAnyKey && !apiKeys.has(key)) {
      return sendApiError(res, record, requestId, 401, 'authentication_error', 'invalid x-api-key');
    }
    if (record.body === undefined) {
      return sendApiError(res, record, requestId, 400, 'invalid_request_error', 'The request body is not valid JSON.');
    }
    try {
      validateMessagesRequest(record.body);
    } catch (error) {
      if (error instanceof BadRequest) return sendApiError(res, record, requestId, 400, 'invalid_request_error', error.message);
      throw error;
    }
    const body = record.body as Record<string, unknown>;
    if (body.model === SMALL_CONTEXT_MODEL) {
      const { promptTokens } = readRequest(body);
      if (promptTokens > SMALL_CONTEXT_LENGTH) {
        return sendApiError(res, record, requestId, 400, 'invalid_request_error', `prompt is too long: ${promptTokens} tokens > ${SMALL_CONTEXT_LENGTH} maximum`);
      }
    }
    // A summary request is answered by the simulated model (summariseConversation) unless a scenario is queued for one.
    const summaryRequest = isSummaryRequest(readRequest(body).last.text);
    const at = queue.findIndex((queued) => (queued.summary === true) === summaryRequest);
    const scenario = at === -1 ? undefined : queue.splice(at, 1)[0];
    record.scenario = scenario;
    const s = scenario ?? {};
    const headers: Record<string, string> = { 'request-id': requestId };
    if (s.retryAfter !== undefined) headers['retry-after'] = s.retryAfter;
    if (s.retryAfterMs !== undefined) headers['retry-after-ms'] = String(s.retryAfterMs);
    if (s.shouldRetry !== undefined) headers['x-should-retry'] = String(s.shouldRetry);
    const status = s.status ?? 200;

    if (s.rawBody !== undefined) {
      record.status = status;
      res.writeHead(status, { 'content-type': s.contentType ?? (status === 200 ? 'text/event-stream; charset=utf-8' : 'text/html'), ...headers });
      const writer = new ResponseWriter(res, record, s);
      try {
        // A raw body is cut into its pieces up front so the delay can go between pieces.
        for (const piece of cutBytes(Buffer.from(s.rawBody, 'utf8'), 0, s.chunkSize, s.splitAt ?? [])) {
          if (s.deltaDelayMs) await writer.wait(s.deltaDelayMs);
          await writer.writePiece(piece);
        }
        await writer.end();
      } catch (error) {
        if (!(error instanceof StreamEnded)) throw error;
      }
      return;
    }
    if (status !== 200) {
      const type = s.errorType ?? errorTypeFor(status);
      return sendApiError(res, record, requestId, status, type, s.errorMessage ?? ERROR_TYPES[status]?.[1] ?? 'Error', headers);
    }

    const plan = planAnswer(body, scenario, promptCache);
    const delayMs = s.deltaDelayMs ?? (scenario === undefined ? defaultDelayMs : 0);
    record.status = 200;
    if (body.stream !== true) {
      return sendNonStreaming(res, record, plan, s, headers);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
    res.socket?.setNoDelay(true);
    try {
      await streamPlan(new ResponseWriter(res, record, s), plan, s, delayMs);
    } catch (error) {
      if (!(error instanceof StreamEnded)) throw error;
    }
  }

  async function sendNonStreaming(res: ServerResponse, record: RecordedRequest, plan: Plan, s: Scenario, headers: Record<string, string>): Promise<void> {
    const writer = new ResponseWriter(res, record, {});
    try {
      if (s.dropAfterDeltas !== undefined) await writer.drop();
      if (s.stallAfterDeltas !== undefined || s.holdUntilAborted) await writer.stall();
    } catch (error) {
      if (error instanceof StreamEnded) return;
      throw error;
    }
    if (s.errorAfterDeltas !== undefined) {
      const type = s.errorType ?? 'overloaded_error';
      const status = STATUS_FOR_ERROR_TYPE[type] ?? 500;
      return sendApiError(res, record, headers['request-id'], status, type, s.errorMessage ?? ERROR_TYPES[529][1], headers);
    }
    const message = {
      ...plan.message,
      content: plan.blocks.map((block) => block.final),
      stop_reason: plan.stopReason,
      stop_sequence: plan.stopSequence,
      usage: { ...plan.usageFinal, ...(plan.usageFinal.cost === undefined && plan.usageStart.cost !== undefined ? { cost: plan.usageStart.cost } : {}) },
    };
    record.completed = true;
    sendJson(res, 200, message, headers);
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string, raw: string): Promise<void> {
    if (path === '/__sim/enqueue' && req.method === 'POST') {
      let parsed: unknown;
      try { parsed = JSON.parse(raw); } catch { return sendJson(res, 400, { error: 'body must be JSON' }); }
      const scenarios = Array.isArray(parsed) ? parsed : [parsed];
      if (!scenarios.every(isScenario)) return sendJson(res, 400, { error: 'a scenario must be a JSON object' });
      queue.push(...scenarios);
      return sendJson(res, 200, { queued: queue.length });
    }
    if (path === '/__sim/requests' && req.method === 'GET') return sendJson(res, 200, requests);
    if (path === '/__sim/model-requests' && req.method === 'GET') return sendJson(res, 200, modelRequests);
    if (path === '/__sim/models' && req.method === 'POST') {
      let parsed: unknown;
      try { parsed = raw ? JSON.parse(raw) : undefined; } catch { return sendJson(res, 400, { error: 'body must be JSON' }); }
      modelList = isRecord(parsed) ? parsed as ModelListAnswer : undefined;
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/__sim/reset' && req.method === 'POST') {
      queue.length = 0;
      requests.length = 0;
      promptCache.clear();
      modelRequests.length = 0;
      modelList = undefined;
      return sendJson(res, 200, { ok: true });
    }
    return sendJson(res, 404, { error: 'unknown control endpoint' });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const handle = async () => {
      const raw = await readBody(req);
      if (path.startsWith('/__sim/')) return handleControl(req, res, path, raw);
      let body: unknown;
      try { body = raw.length > 0 ? JSON.parse(raw) : undefined; } catch { body = undefined; }
      const headers: Record<string, string | string[] | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = value;
      const record: RecordedRequest = { path, method: req.method ?? 'GET', headers, body, receivedAt: Date.now() };
      if (MODEL_LIST_PATHS.has(path)) return handleModelList(res, record);
      if (!MESSAGE_PATHS.has(path)) {
        return sendApiError(res, record, newId('req_'), 404, 'not_found_error', `Not found: ${req.method} ${path}`);
      }
      requests.push(record);
      if (req.method !== 'POST') {
        return sendApiError(res, record, newId('req_'), 405, 'invalid_request_error', `Method ${req.method} not allowed; use POST.`);
      }
      return handleMessages(req, res, record);
    };
    handle().catch((error: unknown) => {
      // A simulator bug must be loud in test output, and still answer the client.
      console.error('simulator: handler failed:', error instanceof Error ? error.stack : error);
      if (!res.headersSent) sendJson(res, 500, { type: 'error', error: { type: 'api_error', message: 'simulator internal error' } });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    enqueue: (...scenarios: Scenario[]) => { queue.push(...scenarios); },
    requests,
    modelRequests,
    setModelList: (answer?: ModelListAnswer) => { modelList = answer; },
    reset: () => { queue.length = 0; requests.length = 0; promptCache.clear(); modelRequests.length = 0; modelList = undefined; },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Held and stalled streams would keep close() waiting forever.
      server.closeAllConnections();
    }),
  };
}
