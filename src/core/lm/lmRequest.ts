// VS Code's language model requests as Messages requests, for the `fastrouter` language model provider. The host
// turns VS Code's message parts into the plain `LmPart`s below; everything the API is strict about is done here:
// system messages into `system`, images as base64 blocks, tool calls and results as tool_use/tool_result (results
// first in their message, every call answered, no orphan result), same-role messages merged so roles alternate,
// the thinking blocks of a tool loop put back before their tool_use, `tool_choice` from the tool mode, and
// `max_tokens` bounded by the model. Pure: no vscode.
import type {
  ContentBlockParam,
  ImageBlockParam,
  ImageMediaType,
  MessageCreateParams,
  MessageParam,
  RedactedThinkingBlockParam,
  TextBlockParam,
  ThinkingBlockParam,
  Tool,
  ToolResultBlockParam,
  ToolUseBlockParam,
} from '../../api';
import type { ModelInfo } from '../models/modelCatalog';
import { MIN_THINKING_BUDGET, requestParams, type FastRouterSettings } from '../request/settings';

/** One part of a VS Code message, as the host classified it. */
export type LmPart =
  | { kind: 'text'; text: string }
  /** `LanguageModelDataPart`: an image, text, JSON, or a caller's marker (e.g. `cache_control`). */
  | { kind: 'data'; mimeType: string; data: Uint8Array }
  | { kind: 'toolCall'; callId: string; name: string; input: unknown }
  | { kind: 'toolResult'; callId: string; content: LmPart[]; isError?: boolean }
  /** Anything else (thinking parts of other providers, future part types): left out of the request. */
  | { kind: 'other'; type: string };

export type LmRole = 'user' | 'assistant' | 'system';

export interface LmMessage {
  role: LmRole;
  parts: LmPart[];
}

export interface LmTool {
  name: string;
  description: string;
  inputSchema?: object;
}

export type LmToolMode = 'auto' | 'required';

export type ThinkingBlock = ThinkingBlockParam | RedactedThinkingBlockParam;

export interface LmRequestInput {
  model: Pick<ModelInfo, 'id' | 'maxOutputTokens'>;
  messages: readonly LmMessage[];
  tools?: readonly LmTool[];
  toolMode: LmToolMode;
  settings: FastRouterSettings;
  /** The thinking blocks that preceded a tool call in an earlier answer, by the call's id. */
  thinkingFor?: (callId: string) => readonly ThinkingBlock[] | undefined;
  /** `modelOptions` of the request: `temperature`, `top_p`, `top_k`, `max_tokens`, `stop_sequences` are honoured. */
  modelOptions?: Readonly<Record<string, unknown>>;
}

export interface LmRequest {
  params: MessageCreateParams;
  /** What was changed to make the request valid, for the log (never the user's text). */
  notes: string[];
}

export class LmRequestError extends Error {}

/** Claude models before 3.7 have no extended thinking. */
export function supportsThinking(modelId: string): boolean {
  return !/claude-(?:instant|2|3-(?:5-)?(?:haiku|sonnet|opus))/.test(modelId);
}

const IMAGE_TYPES: Record<string, ImageMediaType> = {
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/png': 'image/png',
  'image/gif': 'image/gif',
  'image/webp': 'image/webp',
};

const decoder = new TextDecoder();

function isTextMime(mimeType: string): boolean {
  return mimeType.startsWith('text/') || mimeType === 'application/json' || mimeType.endsWith('+json');
}

function textBlock(text: string): TextBlockParam | undefined {
  // The API refuses empty and whitespace-only text blocks.
  return text.trim() === '' ? undefined : { type: 'text', text };
}

/** A data part as a block: a supported image, decoded text, a note for an unsupported image; markers are dropped. */
function dataBlock(part: { mimeType: string; data: Uint8Array }, notes: string[]): TextBlockParam | ImageBlockParam | undefined {
  const mimeType = part.mimeType.toLowerCase();
  const image = IMAGE_TYPES[mimeType];
  if (image) return { type: 'image', source: { type: 'base64', media_type: image, data: Buffer.from(part.data).toString('base64') } };
  if (mimeType.startsWith('image/')) {
    notes.push(`unsupported image ${mimeType} left out`);
    return { type: 'text', text: `[An ${mimeType} image was left out: the model reads JPEG, PNG, GIF and WebP images.]` };
  }
  if (isTextMime(mimeType)) return textBlock(decoder.decode(part.data));
  // Caller markers (cache_control, stateful markers) carry no content for the model.
  notes.push(`data part ${mimeType} ignored`);
  return undefined;
}

/** Readable text of a prompt-tsx tree (a tool result from `@vscode/prompt-tsx`): its text nodes in order. */
export function promptTsxText(value: unknown): string {
  if (typeof value === 'string') return value;
  const pieces: string[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (depth > 64 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child, depth + 1);
      return;
    }
    const record = node as Record<string, unknown>;
    if (typeof record.text === 'string') pieces.push(record.text);
    for (const [key, child] of Object.entries(record)) if (key !== 'text') visit(child, depth + 1);
  };
  visit(value, 0);
  return pieces.join('');
}

function toolResultBlock(part: Extract<LmPart, { kind: 'toolResult' }>, notes: string[]): ToolResultBlockParam {
  const content: Array<TextBlockParam | ImageBlockParam> = [];
  for (const inner of part.content) {
    const block =
      inner.kind === 'text' ? textBlock(inner.text)
        : inner.kind === 'data' ? dataBlock(inner, notes)
          : undefined;
    if (block) content.push(block);
  }
  return {
    type: 'tool_result',
    tool_use_id: part.callId,
    ...(content.length > 0 ? { content } : {}),
    ...(part.isError ? { is_error: true } : {}),
  };
}

function objectInput(input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
}

/** The blocks of one message (user or assistant), in the API's terms; parts the role cannot carry are noted and left out. */
export function messageBlocks(message: LmMessage, notes: string[] = []): ContentBlockParam[] {
  const blocks: ContentBlockParam[] = [];
  for (const part of message.parts) {
    switch (part.kind) {
      case 'text': {
        const block = textBlock(part.text);
        if (block) blocks.push(block);
        break;
      }
      case 'data': {
        if (message.role === 'assistant' && IMAGE_TYPES[part.mimeType.toLowerCase()]) {
          notes.push('image in an assistant message left out');
          break;
        }
        const block = dataBlock(part, notes);
        if (block) blocks.push(block);
        break;
      }
      case 'toolCall':
        if (message.role !== 'assistant') notes.push('tool call in a user message left out');
        else blocks.push({ type: 'tool_use', id: part.callId, name: part.name, input: objectInput(part.input) });
        break;
      case 'toolResult':
        if (message.role !== 'user') notes.push('tool result in an assistant message left out');
        else blocks.push(toolResultBlock(part, notes));
        break;
      case 'other':
        notes.push(`${part.type} part left out`);
        break;
    }
  }
  return blocks;
}

interface Turn {
  role: 'user' | 'assistant';
  blocks: ContentBlockParam[];
}

/** Consecutive same-role turns become one; empty turns go. */
function mergeTurns(turns: Turn[]): Turn[] {
  const merged: Turn[] = [];
  for (const turn of turns) {
    if (turn.blocks.length === 0) continue;
    const last = merged[merged.length - 1];
    if (last && last.role === turn.role) last.blocks.push(...turn.blocks);
    else merged.push({ role: turn.role, blocks: [...turn.blocks] });
  }
  return merged;
}

/**
 * Makes tool blocks pair up as the API demands: each tool_use answered by a tool_result in the next (user) turn,
 * results first in that turn, and a result whose call is not in the turn before turned into text.
 */
function pairToolBlocks(turns: Turn[], notes: string[]): Turn[] {
  const out: Turn[] = [];
  for (let i = 0; i < turns.length; i++) {
    const turn = turns[i]!;
    if (turn.role === 'assistant') {
      out.push(turn);
      const calls = turn.blocks.filter((b): b is ToolUseBlockParam => b.type === 'tool_use');
      if (calls.length === 0) continue;
      let next = turns[i + 1];
      if (!next) {
        // A tool call as the last turn: the API would answer "tool_use without tool_result"; answer it as not run.
        next = { role: 'user', blocks: [] };
        turns.splice(i + 1, 0, next);
      }
      const answered = new Set(next.blocks.filter((b) => b.type === 'tool_result').map((b) => (b as ToolResultBlockParam).tool_use_id));
      for (const call of calls) {
        if (answered.has(call.id)) continue;
        notes.push('a tool call without a result was answered as not run');
        next.blocks.push({ type: 'tool_result', tool_use_id: call.id, content: [{ type: 'text', text: 'The tool was not run.' }], is_error: true });
      }
      continue;
    }
    const previous = out[out.length - 1];
    const callIds = new Set(
      previous?.role === 'assistant' ? previous.blocks.filter((b) => b.type === 'tool_use').map((b) => (b as ToolUseBlockParam).id) : [],
    );
    const results: ContentBlockParam[] = [];
    const rest: ContentBlockParam[] = [];
    for (const block of turn.blocks) {
      if (block.type !== 'tool_result') {
        rest.push(block);
      } else if (callIds.has(block.tool_use_id)) {
        results.push(block);
      } else {
        notes.push('a tool result without its call was sent as text');
        const text = typeof block.content === 'string' ? block.content : (block.content ?? []).map((b) => (b.type === 'text' ? b.text : '[image]')).join('\n');
        rest.push({ type: 'text', text: `Result of tool call ${block.tool_use_id}${block.is_error ? ' (failed)' : ''}:\n${text || '(empty)'}` });
      }
    }
    out.push({ role: 'user', blocks: [...results, ...rest] });
  }
  return out;
}

function lastTurnIsToolLoop(turns: Turn[]): boolean {
  const last = turns[turns.length - 1];
  const before = turns[turns.length - 2];
  return !!last && last.role === 'user' && last.blocks.some((b) => b.type === 'tool_result') && !!before && before.blocks.some((b) => b.type === 'tool_use');
}

/** Puts the remembered thinking blocks back at the start of each assistant turn whose tool call they preceded. */
function withThinking(turns: Turn[], thinkingFor: LmRequestInput['thinkingFor']): Turn[] {
  if (!thinkingFor) return turns;
  return turns.map((turn) => {
    if (turn.role !== 'assistant' || turn.blocks.some((b) => b.type === 'thinking' || b.type === 'redacted_thinking')) return turn;
    for (const block of turn.blocks) {
      if (block.type !== 'tool_use') continue;
      const thinking = thinkingFor(block.id);
      if (thinking && thinking.length > 0) return { role: turn.role, blocks: [...thinking.map((b) => ({ ...b })), ...turn.blocks] };
    }
    return turn;
  });
}

function numberOption(options: LmRequestInput['modelOptions'], key: string, min: number, max: number): number | undefined {
  const value = options?.[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? value : undefined;
}

/** The Messages request for a VS Code language model request under the user's settings. */
export function buildLmRequest(input: LmRequestInput): LmRequest {
  const notes: string[] = [];
  const systemTexts: string[] = [];
  const turns: Turn[] = [];
  for (const message of input.messages) {
    if (message.role === 'system') {
      for (const part of message.parts) {
        if (part.kind === 'text' && part.text.trim() !== '') systemTexts.push(part.text);
        else if (part.kind === 'data' && isTextMime(part.mimeType.toLowerCase())) systemTexts.push(decoder.decode(part.data));
      }
      continue;
    }
    turns.push({ role: message.role, blocks: messageBlocks(message, notes) });
  }
  let merged = mergeTurns(turns);
  if (merged.length === 0) throw new LmRequestError('The request has no message to send.');
  if (merged[0]!.role !== 'user') {
    notes.push('a user turn was put first');
    merged.unshift({ role: 'user', blocks: [{ type: 'text', text: 'Continue.' }] });
  }
  merged = pairToolBlocks(merged, notes);
  const last = merged[merged.length - 1]!;
  if (last.role === 'assistant') {
    // A final assistant turn is a prefill, and the API refuses one that ends in whitespace.
    const tail = last.blocks[last.blocks.length - 1];
    if (tail?.type === 'text') tail.text = tail.text.trimEnd();
  }

  const settings = input.settings;
  const modelMax = Math.max(1, input.model.maxOutputTokens);
  const requestedMax = numberOption(input.modelOptions, 'max_tokens', 1, Number.MAX_SAFE_INTEGER);
  const tools: Tool[] = (input.tools ?? []).map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: { ...(tool.inputSchema ?? {}), type: 'object' },
  }));

  // Extended thinking when configured, unless the model, the tool mode or the conversation rules it out.
  let budget = settings.thinkingBudgetTokens;
  const why = (reason: string) => {
    notes.push(`thinking off: ${reason}`);
    budget = 0;
  };
  if (budget >= MIN_THINKING_BUDGET) {
    if (!supportsThinking(input.model.id)) why('the model has none');
    else if (input.toolMode === 'required' && tools.length > 0) why('a tool call is required');
    else if (last.role === 'assistant') why('the request ends with an assistant turn');
    else if (budget >= modelMax) why('the budget does not fit the model\'s output limit');
  }
  const thinking = budget >= MIN_THINKING_BUDGET;
  const withBlocks = thinking ? withThinking(merged, input.thinkingFor) : merged;
  if (thinking && lastTurnIsToolLoop(withBlocks)) {
    const loop = withBlocks[withBlocks.length - 2]!;
    if (loop.blocks[0]?.type !== 'thinking' && loop.blocks[0]?.type !== 'redacted_thinking') {
      // The API wants the thinking that led to the tool call; without it (another model's call, a restart) think no more.
      why('the tool call being answered has no thinking to send back');
      return finish(merged);
    }
  }
  return finish(withBlocks);

  function finish(final: Turn[]): LmRequest {
    const on = budget >= MIN_THINKING_BUDGET;
    const params = requestParams({ ...settings, thinkingBudgetTokens: on ? budget : 0, systemPrompt: '' }, {
      messages: final.map((turn): MessageParam => ({ role: turn.role, content: turn.blocks })),
    });
    // The configured answer room, never more than the model can write; with thinking, room for the budget too.
    const answerRoom = Math.min(requestedMax ?? settings.maxTokens, modelMax);
    params.max_tokens = !on || answerRoom > budget ? answerRoom : Math.min(modelMax, budget + answerRoom);
    if (systemTexts.length > 0) params.system = systemTexts.join('\n\n');
    if (tools.length > 0) {
      params.tools = tools;
      if (input.toolMode === 'required') params.tool_choice = tools.length === 1 ? { type: 'tool', name: tools[0]!.name } : { type: 'any' };
    }
    if (!on) {
      const temperature = numberOption(input.modelOptions, 'temperature', 0, 1);
      const topP = numberOption(input.modelOptions, 'top_p', 0, 1);
      const topK = numberOption(input.modelOptions, 'top_k', 1, Number.MAX_SAFE_INTEGER);
      if (temperature !== undefined) params.temperature = temperature;
      if (topP !== undefined) params.top_p = topP;
      if (topK !== undefined) params.top_k = Math.floor(topK);
    }
    const stops = input.modelOptions?.stop_sequences;
    if (Array.isArray(stops) && stops.every((s) => typeof s === 'string' && s !== '')) params.stop_sequences = [...stops];
    return { params, notes };
  }
}
