// The answer that is streaming right now: applies stream events to content blocks kept exactly as
// the API sends them (thinking signatures, redacted thinking, tool use), cheaply enough to run per
// delta (text goes into arrays of chunks, joined only when someone reads it).
import { isOpaque, type ContentBlock, type StreamEvent } from '../../api';
import type { AnswerBlock, DeltaChunk } from '../../common/chatTypes';
import type { StoredToolResult } from '../tools/types';

type LiveBlock =
  | { type: 'text'; parts: string[]; original: ContentBlock }
  | { type: 'thinking'; parts: string[]; signature: string; original: ContentBlock }
  | { type: 'tool_use'; jsonParts: string[]; original: ContentBlock & { type: 'tool_use' }; input: unknown }
  /** Kept as sent; an opaque block (a server tool) may take input JSON like tool_use. */
  | { type: 'other'; original: ContentBlock; jsonParts?: string[] };

/** What one stream event means for the view. */
export type AnswerUpdate =
  | { kind: 'delta'; chunk: DeltaChunk }
  | { kind: 'block'; block: number; value: AnswerBlock }
  | undefined;

/** Longest query shown in the row of a web search. */
const MAX_QUERY_CHARS = 200;

/**
 * The one-line label of a block the chat does not model: "Searched the web: <query>" for a web search
 * (server_tool_use), otherwise the block's type (web_search_tool_result, or a type added later).
 */
export function opaqueBlockLabel(block: ContentBlock): string {
  const fields = block as { type: string; name?: unknown; input?: unknown };
  if (fields.type === 'server_tool_use' && fields.name === 'web_search') {
    const query = (fields.input as { query?: unknown } | null | undefined)?.query;
    if (typeof query !== 'string' || query.trim() === '') return 'Searching the web…';
    const oneLine = query.replace(/\s+/g, ' ').trim();
    return `Searched the web: ${oneLine.length > MAX_QUERY_CHARS ? `${oneLine.slice(0, MAX_QUERY_CHARS - 1)}…` : oneLine}`;
  }
  return fields.type;
}

/**
 * How a block of an assistant message looks in the chat view. Every content block maps to exactly
 * one view block (blocks of types the chat does not model to a compact row), so stream indices and
 * view indices stay aligned.
 */
export function toAnswerBlock(block: ContentBlock): AnswerBlock {
  switch (block.type) {
    case 'text':
      return { kind: 'text', text: block.text };
    case 'thinking':
      return { kind: 'thinking', text: block.thinking };
    case 'redacted_thinking':
      return { kind: 'thinking', text: '', redacted: true };
    case 'tool_use':
      return { kind: 'tool_use', name: block.name, input: JSON.stringify(block.input ?? {}, null, 2), id: block.id };
    default:
      return { kind: 'opaque', type: String(block.type), label: opaqueBlockLabel(block) };
  }
}

export function toAnswerBlocks(content: readonly ContentBlock[]): AnswerBlock[] {
  return content.map(toAnswerBlock);
}

/** Longest tool result the view gets (the model gets all of it). */
const MAX_VIEW_RESULT = 20_000;

/** What a tool call shows while it waits or runs (not saved: a reload shows it as not run). */
export type ToolView = Pick<Extract<AnswerBlock, { kind: 'tool_use' }>, 'state' | 'summary' | 'change' | 'reason' | 'result' | 'command' | 'output'>;

export function toolResultView(result: StoredToolResult): ToolView {
  const text = result.content.length > MAX_VIEW_RESULT ? `${result.content.slice(0, MAX_VIEW_RESULT)}\n… (${result.content.length - MAX_VIEW_RESULT} more characters sent to the model)` : result.content;
  return { state: result.state, ...(result.summary ? { summary: result.summary } : {}), result: text, ...(result.change ? { change: result.change } : {}) };
}

/**
 * The view blocks of an answer's messages: each tool call with its result (or, while the loop runs, its live state
 * from `live`). A call with neither was cut before it ran.
 */
export function messagesToAnswerBlocks(messages: readonly { content: ContentBlock[]; toolResults?: StoredToolResult[] }[], live?: ReadonlyMap<string, ToolView>): AnswerBlock[] {
  const results = new Map<string, StoredToolResult>();
  for (const message of messages) for (const result of message.toolResults ?? []) results.set(result.toolUseId, result);
  const blocks: AnswerBlock[] = [];
  for (const message of messages) {
    for (const block of message.content) {
      const view = toAnswerBlock(block);
      if (view.kind === 'tool_use' && block.type === 'tool_use') {
        const result = results.get(block.id);
        const state = live?.get(block.id) ?? (result ? toolResultView(result) : undefined);
        blocks.push(state ? { ...view, ...state } : view);
      } else {
        blocks.push(view);
      }
    }
  }
  return blocks;
}

/**
 * Accumulates one assistant message. `existing` is the message this stream extends (a prefilled
 * continuation: the stream's first text block continues the existing last text block);
 * `viewOffset` is the number of view blocks that come before this message in the turn.
 */
export class LiveAnswer {
  private readonly blocks: LiveBlock[] = [];
  /** Stream block index → index in `blocks`. */
  private readonly indexMap = new Map<number, number>();
  private readonly mergeFirstText: boolean;

  constructor(existing: readonly ContentBlock[] = [], private readonly viewOffset = 0) {
    for (const block of existing) this.blocks.push(fromContentBlock(block));
    const last = this.blocks[this.blocks.length - 1];
    this.mergeFirstText = last?.type === 'text';
  }

  /** Applies one stream event; returns what the view must be told (if anything). Unknown events are ignored. */
  apply(event: StreamEvent): AnswerUpdate {
    switch (event.type) {
      case 'content_block_start': {
        const started = event.content_block as ContentBlock;
        let local: number;
        if (event.index === 0 && this.mergeFirstText && started.type === 'text') {
          local = this.blocks.length - 1;
          const target = this.blocks[local];
          if (target.type === 'text' && started.text) target.parts.push(started.text);
        } else {
          local = this.blocks.length;
          this.blocks.push(fromContentBlock(started, true));
        }
        this.indexMap.set(event.index, local);
        const block = this.blocks[local];
        const view = this.viewIndex(local);
        if (block.type === 'text') return { kind: 'delta', chunk: { block: view, kind: 'text', text: started.type === 'text' ? started.text : '' } };
        if (block.type === 'thinking') return { kind: 'delta', chunk: { block: view, kind: 'thinking', text: block.parts.join('') } };
        if (block.type === 'other') return { kind: 'block', block: view, value: toAnswerBlock(block.original) };
        return undefined;
      }
      case 'content_block_delta': {
        const local = this.indexMap.get(event.index);
        if (local === undefined) return undefined;
        const block = this.blocks[local];
        const delta = event.delta as { type: string; text?: string; thinking?: string; signature?: string; partial_json?: string; citation?: unknown };
        if (delta.type === 'text_delta' && block.type === 'text' && typeof delta.text === 'string') {
          block.parts.push(delta.text);
          return { kind: 'delta', chunk: { block: this.viewIndex(local), kind: 'text', text: delta.text } };
        }
        if (delta.type === 'thinking_delta' && block.type === 'thinking' && typeof delta.thinking === 'string') {
          block.parts.push(delta.thinking);
          return { kind: 'delta', chunk: { block: this.viewIndex(local), kind: 'thinking', text: delta.thinking } };
        }
        // A signature replaces, never appends (PROTOCOL.md).
        if (delta.type === 'signature_delta' && block.type === 'thinking' && typeof delta.signature === 'string') {
          block.signature = delta.signature;
        } else if (delta.type === 'input_json_delta' && block.type === 'tool_use' && typeof delta.partial_json === 'string') {
          block.jsonParts.push(delta.partial_json);
        } else if (delta.type === 'input_json_delta' && block.type === 'other' && isOpaque(block.original) && typeof delta.partial_json === 'string') {
          (block.jsonParts ??= []).push(delta.partial_json);
        } else if (delta.type === 'citations_delta' && block.type === 'text') {
          const original = block.original as { citations?: unknown[] | null };
          original.citations = [...(original.citations ?? []), delta.citation];
        }
        return undefined;
      }
      case 'content_block_stop': {
        const local = this.indexMap.get(event.index);
        if (local === undefined) return undefined;
        const block = this.blocks[local];
        if (block.type === 'other') return this.finishOpaque(block, local);
        if (block.type !== 'tool_use') return undefined;
        const json = block.jsonParts.join('');
        if (json) {
          try {
            block.input = JSON.parse(json);
          } catch {
            block.input = { _unparsed: json };
          }
        }
        return { kind: 'block', block: this.viewIndex(local), value: toAnswerBlock(this.toContent(block)) };
      }
      default:
        return undefined;
    }
  }

  /** An opaque block that took input JSON (a web search's query): parsed as the API would, and its row updated. */
  private finishOpaque(block: Extract<LiveBlock, { type: 'other' }>, local: number): AnswerUpdate {
    const json = block.jsonParts?.join('') ?? '';
    block.jsonParts = undefined;
    if (!json) return undefined;
    let input: unknown;
    try {
      input = JSON.parse(json);
    } catch {
      input = { _unparsed: json };
    }
    block.original = { ...block.original, input } as ContentBlock;
    return { kind: 'block', block: this.viewIndex(local), value: toAnswerBlock(block.original) };
  }

  /** The message as content blocks in the API's shape (what goes back in later requests). */
  content(): ContentBlock[] {
    return this.blocks.map((block) => this.toContent(block));
  }

  /** Whether any answer text arrived (cheap: no join). */
  get hasText(): boolean {
    return this.blocks.some((b) => b.type === 'text' && b.parts.some((p) => p.length > 0));
  }

  private viewIndex(local: number): number {
    return this.viewOffset + local;
  }

  private toContent(block: LiveBlock): ContentBlock {
    switch (block.type) {
      case 'text': {
        // Chunks are joined once and kept joined, so repeated reads stay cheap.
        const text = block.parts.length === 1 ? block.parts[0] : block.parts.join('');
        block.parts = [text];
        return { ...block.original, text } as ContentBlock;
      }
      case 'thinking': {
        const thinking = block.parts.length === 1 ? block.parts[0] : block.parts.join('');
        block.parts = [thinking];
        return { ...block.original, thinking, signature: block.signature } as ContentBlock;
      }
      case 'tool_use':
        return { ...block.original, input: block.input } as ContentBlock;
      case 'other':
        return block.original;
    }
  }
}

function fromContentBlock(block: ContentBlock, streamed = false): LiveBlock {
  const original = { ...block } as ContentBlock;
  switch (block.type) {
    case 'text':
      return { type: 'text', parts: block.text ? [block.text] : [], original };
    case 'thinking':
      return { type: 'thinking', parts: block.thinking ? [block.thinking] : [], signature: block.signature ?? '', original };
    case 'tool_use':
      // A streamed tool_use starts with `input: {}` and gets its JSON in deltas.
      return { type: 'tool_use', jsonParts: [], original: original as ContentBlock & { type: 'tool_use' }, input: streamed ? {} : block.input };
    default:
      return { type: 'other', original };
  }
}
