// A streamed Messages answer as VS Code language model response parts: text as each delta arrives, a tool call
// when its block is complete (input parsed). Thinking is not part of VS Code's stable API, so it is not shown; the
// thinking blocks (with their signatures) that preceded a tool call are kept by the call's id in `ThinkingMemory`,
// so the next round of the tool loop can send them back as the API requires. Pure: no vscode.
import type { StreamEvent } from '../../api';
import type { ThinkingBlock } from './lmRequest';

export type LmOutput =
  | { kind: 'text'; text: string }
  | { kind: 'toolCall'; callId: string; name: string; input: Record<string, unknown>; thinking: ThinkingBlock[] };

type OpenBlock =
  | { type: 'tool_use'; id: string; name: string; json: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'other' };

export class LmResponseTranslator {
  private readonly open = new Map<number, OpenBlock>();
  /** Thinking blocks completed so far in this answer, in order. */
  private readonly thinking: ThinkingBlock[] = [];
  private toolCallCount = 0;

  get toolCalls(): number {
    return this.toolCallCount;
  }

  /** The parts to report for one event (most events give none or one). */
  push(event: StreamEvent): LmOutput[] {
    switch (event.type) {
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'text') {
          this.open.set(event.index, { type: 'other' });
          return block.text ? [{ kind: 'text', text: block.text }] : [];
        }
        if (block.type === 'tool_use') {
          this.open.set(event.index, { type: 'tool_use', id: block.id, name: block.name, json: '' });
        } else if (block.type === 'thinking') {
          this.open.set(event.index, { type: 'thinking', thinking: block.thinking, signature: block.signature });
        } else {
          if (block.type === 'redacted_thinking') this.thinking.push({ type: 'redacted_thinking', data: block.data });
          this.open.set(event.index, { type: 'other' });
        }
        return [];
      }
      case 'content_block_delta': {
        const delta = event.delta;
        const open = this.open.get(event.index);
        if (delta.type === 'text_delta') return delta.text ? [{ kind: 'text', text: delta.text }] : [];
        if (delta.type === 'input_json_delta' && open?.type === 'tool_use') open.json += delta.partial_json;
        else if (delta.type === 'thinking_delta' && open?.type === 'thinking') open.thinking += delta.thinking;
        else if (delta.type === 'signature_delta' && open?.type === 'thinking') open.signature = delta.signature;
        return [];
      }
      case 'content_block_stop': {
        const open = this.open.get(event.index);
        this.open.delete(event.index);
        if (open?.type === 'thinking') {
          this.thinking.push({ type: 'thinking', thinking: open.thinking, signature: open.signature });
          return [];
        }
        if (open?.type !== 'tool_use') return [];
        this.toolCallCount++;
        return [{ kind: 'toolCall', callId: open.id, name: open.name, input: parseInput(open.json), thinking: [...this.thinking] }];
      }
      default:
        return [];
    }
  }
}

/** The streamed tool input; the API sends nothing for an empty input, and a broken JSON is given as `{}`. */
function parseInput(json: string): Record<string, unknown> {
  if (json.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Thinking blocks by tool call id, most recent `capacity` calls kept (a tool loop needs only its last round). */
export class ThinkingMemory {
  private readonly byCall = new Map<string, readonly ThinkingBlock[]>();

  constructor(private readonly capacity = 256) {}

  get size(): number {
    return this.byCall.size;
  }

  remember(callId: string, blocks: readonly ThinkingBlock[]): void {
    if (blocks.length === 0) return;
    this.byCall.delete(callId);
    this.byCall.set(callId, blocks);
    while (this.byCall.size > this.capacity) this.byCall.delete(this.byCall.keys().next().value!);
  }

  recall(callId: string): readonly ThinkingBlock[] | undefined {
    return this.byCall.get(callId);
  }
}
