// A block the chat does not model (a web search the endpoint ran, its results, a type added later): one compact,
// muted row with the label the host gave it ("Searched the web: …" or the block's type). Text only, never markup.
import type { AnswerBlock } from '../../common/chatTypes';
import { h } from '../common/dom';

export type OpaqueAnswerBlock = Extract<AnswerBlock, { kind: 'opaque' }>;

export function renderOpaqueBlock(block: OpaqueAnswerBlock): HTMLElement {
  return h('div', { class: 'opaque-block', 'data-block-type': block.type, title: block.label }, block.label);
}
