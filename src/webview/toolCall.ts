// A tool call the model made (a `tool_use` block): the tool's name and its input, shown as code.
import type { AnswerBlock } from '../protocol';
import { h } from './dom';

export type ToolUseBlock = Extract<AnswerBlock, { kind: 'tool_use' }>;

export function renderToolCall(block: ToolUseBlock): HTMLElement {
  return h('div', { class: 'tool-use' },
    h('div', { class: 'tool-use-name' }, `Tool call: ${block.name}`),
    h('pre', { tabindex: '0' }, h('code', {}, block.input)),
  );
}
