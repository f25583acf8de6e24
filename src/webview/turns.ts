// DOM for the two kinds of turn. An assistant turn collects deltas and commits them when the view's frame runs.
import type { AnswerBlock, AnswerMeta, AnswerStatus, AssistantTurn, DeltaChunk, ErrorAction, TurnError, UserTurn } from '../protocol';
import { button, h } from './dom';
import type { MarkdownRenderer } from './markdown';
import { StreamingMarkdown } from './streamingMarkdown';

export function imageDataUrl(image: { mediaType: string; data: string }): string | undefined {
  // Only our own base64 (validated media type, base64 alphabet) ever becomes an image source.
  return /^[A-Za-z0-9+/=\s]*$/.test(image.data) ? `data:${image.mediaType};base64,${image.data}` : undefined;
}

export function renderUserTurn(turn: UserTurn): HTMLElement {
  const el = h('div', { class: 'turn', 'data-role': 'user', 'data-turn-id': turn.id },
    h('div', { class: 'turn-label' }, 'You'),
  );
  if (turn.text) el.append(h('div', { class: 'user-text' }, turn.text));
  for (const c of turn.context) {
    const where = c.startLine === undefined ? c.path : `${c.path}:${c.startLine}–${c.endLine ?? c.startLine}`;
    el.append(h('details', { class: 'code-context', 'data-context-kind': c.kind, 'data-omitted': c.omitted ? 'true' : undefined },
      h('summary', {}, c.omitted ? `${where} (removed from the conversation)` : where),
      h('pre', { tabindex: '0' }, h('code', {}, c.text)),
    ));
  }
  if (turn.images.length > 0) {
    const images = h('div', { class: 'user-images' });
    for (const image of turn.images) {
      const src = imageDataUrl(image);
      if (!src) continue;
      const img = h('img', { class: 'thumbnail', alt: image.name || 'Attached image' });
      img.src = src;
      images.append(img);
    }
    el.append(images);
  }
  return el;
}

/** Elements whose text must not run into the next block's in the announcement. */
const BLOCK_TAGS = /^(?:P|LI|PRE|H[1-6]|DIV|TR|TD|TH|BLOCKQUOTE|BR|HR)$/;

const ERROR_ACTION_LABELS: Record<ErrorAction, string> = {
  retry: 'Retry', setApiKey: 'Set API Key', openSettings: 'Open Settings', openBilling: 'Open Billing', showLog: 'Show Log', sendAnyway: 'Send Anyway',
};

const STATUS_NOTES: Partial<Record<AnswerStatus, string>> = {
  stopped: 'Stopped.',
  interrupted: 'This answer was interrupted before it finished.',
};

type BlockView =
  | { kind: 'text'; md: StreamingMarkdown }
  | { kind: 'thinking'; element: HTMLElement; pending: string; redacted: boolean }
  | { kind: 'other'; element: HTMLElement };

export class AssistantTurnView {
  readonly element: HTMLElement;
  private readonly answer: HTMLElement;
  private readonly footer: HTMLElement;
  private thinking: HTMLDetailsElement | undefined;
  private thinkingCollapsed = false;
  private blocks = new Map<number, BlockView>();
  private dirty = false;
  status: AnswerStatus;

  constructor(readonly id: string, private readonly renderer: MarkdownRenderer) {
    this.answer = h('div', { class: 'answer' });
    this.footer = h('div', { class: 'turn-footer' });
    this.element = h('div', { class: 'turn', 'data-role': 'assistant', 'data-turn-id': id },
      h('div', { class: 'turn-label' }, 'Claude'),
      this.answer,
      this.footer,
    );
    this.status = 'streaming';
    this.setStatus('streaming');
  }

  static fromTurn(turn: AssistantTurn, renderer: MarkdownRenderer): AssistantTurnView {
    const view = new AssistantTurnView(turn.id, renderer);
    view.setBlocks(turn.blocks);
    if (turn.status === 'streaming') view.flush();
    else view.end(turn.status, turn.meta, turn.error);
    return view;
  }

  get needsFlush(): boolean {
    return this.dirty;
  }

  /** Resets the answer to `blocks` (a restart or a snapshot) and streams again. */
  setBlocks(blocks: AnswerBlock[]): void {
    this.answer.replaceChildren();
    this.thinking?.remove();
    this.thinking = undefined;
    this.thinkingCollapsed = false;
    this.blocks = new Map();
    this.footer.replaceChildren();
    blocks.forEach((block, index) => {
      if (block.kind === 'tool_use') this.setBlock(index, block);
      else this.appendChunk({ block: index, kind: block.kind, text: block.text }, block.kind === 'thinking' && block.redacted === true);
    });
    this.setStatus('streaming');
  }

  appendChunks(chunks: DeltaChunk[]): void {
    for (const chunk of chunks) this.appendChunk(chunk, false);
  }

  private appendChunk(chunk: DeltaChunk, redacted: boolean): void {
    let view = this.blocks.get(chunk.block);
    if (!view) {
      view = chunk.kind === 'text' ? this.addTextBlock(chunk.block) : this.addThinkingBlock(chunk.block, redacted);
    }
    if (view.kind === 'text') view.md.append(chunk.text);
    else if (view.kind === 'thinking') view.pending += chunk.text;
    this.dirty = true;
  }

  setBlock(index: number, block: AnswerBlock): void {
    if (block.kind !== 'tool_use') {
      if (!this.blocks.has(index)) this.appendChunk({ block: index, kind: block.kind, text: block.text }, block.kind === 'thinking' && block.redacted === true);
      return;
    }
    const element = h('div', { class: 'tool-use' },
      h('div', { class: 'tool-use-name' }, `Tool call: ${block.name}`),
      h('pre', { tabindex: '0' }, h('code', {}, block.input)),
    );
    const previous = this.blocks.get(index);
    if (previous?.kind === 'other') previous.element.remove();
    this.blocks.set(index, { kind: 'other', element });
    this.insertInOrder(index, element);
  }

  private addTextBlock(index: number): BlockView {
    const md = new StreamingMarkdown(this.renderer);
    const view: BlockView = { kind: 'text', md };
    this.blocks.set(index, view);
    this.insertInOrder(index, md.element);
    return view;
  }

  private addThinkingBlock(index: number, redacted: boolean): BlockView {
    if (!this.thinking) {
      this.thinking = h('details', { class: 'thinking', open: true }, h('summary', {}, 'Thinking…'));
      this.answer.before(this.thinking);
    }
    const element = h('div', { class: 'thinking-text' }, redacted ? 'Some thinking was redacted by the provider.' : '');
    this.thinking.append(element);
    const view: BlockView = { kind: 'thinking', element, pending: '', redacted };
    this.blocks.set(index, view);
    return view;
  }

  /** Keeps answer blocks in their index order even if a block arrives late. */
  private insertInOrder(index: number, element: HTMLElement): void {
    element.dataset.block = String(index);
    const next = Array.from(this.answer.children).find((child) => Number((child as HTMLElement).dataset.block) > index);
    if (next) next.before(element);
    else this.answer.append(element);
  }

  /** One DOM commit of everything that arrived since the last frame. */
  flush(final = false): void {
    this.dirty = false;
    let hasAnswerText = false;
    for (const view of this.blocks.values()) {
      if (view.kind === 'text') {
        view.md.render(final);
        if (view.md.hasText) hasAnswerText = true;
      } else if (view.kind === 'thinking' && view.pending) {
        view.element.append(view.pending);
        view.pending = '';
      }
    }
    // Thinking is folded away once the answer itself starts; if the user reopens it, it stays open.
    if (this.thinking && hasAnswerText && !this.thinkingCollapsed) {
      this.thinking.open = false;
      this.thinkingCollapsed = true;
      this.thinking.querySelector('summary')!.textContent = 'Thinking';
    }
  }

  setStatus(status: AnswerStatus): void {
    this.status = status;
    this.element.dataset.status = status;
    this.element.setAttribute('aria-busy', String(status === 'streaming'));
  }

  /** The answer ended: commit the tail, then show meta, stop reason and error (the partial text stays). */
  end(status: AnswerStatus, meta: AnswerMeta | undefined, error: TurnError | undefined): void {
    this.flush(true);
    if (this.thinking) this.thinking.querySelector('summary')!.textContent = 'Thinking';
    this.setStatus(status);
    this.footer.replaceChildren();
    const note = STATUS_NOTES[status];
    if (note) {
      this.footer.append(h('div', { class: 'turn-note' }, note,
        status === 'interrupted' ? button('Retry', { 'data-action': 'retry' }) : null));
    }
    const stop = meta?.stopReason;
    if (stop && stop !== 'end_turn' && status !== 'stopped') {
      this.footer.append(h('div', { class: 'turn-note stop-reason', 'data-stop-reason': stop },
        stopReasonText(stop),
        stop === 'max_tokens' ? button('Continue', { 'data-action': 'continue' }) : null));
    }
    if (error) {
      const actions = h('div', { class: 'error-actions' });
      for (const action of error.actions) actions.append(button(ERROR_ACTION_LABELS[action], { 'data-action': action }));
      this.footer.append(h('div', { class: 'turn-error', role: 'alert', 'data-error-code': error.code },
        h('div', { class: 'error-message' }, error.message), actions));
    }
    if (meta) this.footer.append(renderMeta(meta));
  }

  /** The start of the answer's text for the screen-reader announcement (code toolbars left out; stops early on long answers). */
  announcement(maxChars: number): string {
    let text = '';
    const walker = document.createTreeWalker(this.answer, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => ((node as Element).classList?.contains('code-header') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    for (let node = walker.nextNode(); node && text.length <= maxChars; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) text += node.nodeValue;
      else if (BLOCK_TAGS.test((node as Element).tagName)) text += ' ';
    }
    text = text.replace(/\s+/g, ' ').trim();
    return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
  }
}

function stopReasonText(reason: string): string {
  switch (reason) {
    case 'max_tokens': return 'Stopped at max tokens.';
    case 'stop_sequence': return 'Stopped at a stop sequence.';
    case 'refusal': return 'The model declined to answer.';
    case 'pause_turn': return 'The model paused its turn.';
    case 'tool_use': return 'The model asked to use a tool.';
    default: return `Stopped: ${reason}.`;
  }
}

export function renderMeta(meta: AnswerMeta): HTMLElement {
  const parts = [
    h('span', { class: 'meta-model' }, meta.model),
    h('span', { class: 'meta-tokens' }, `${meta.inputTokens.toLocaleString('en-US')} in · ${meta.outputTokens.toLocaleString('en-US')} out`),
    h('span', { class: 'meta-cost', 'data-cost-kind': meta.cost.kind }, costText(meta)),
    h('span', { class: 'meta-time' }, `${(meta.durationMs / 1000).toFixed(1)} s`),
  ];
  const el = h('div', { class: 'answer-meta' });
  parts.forEach((part, i) => { if (i > 0) el.append(' · '); el.append(part); });
  return el;
}

function costText(meta: AnswerMeta): string {
  switch (meta.cost.kind) {
    case 'billed': return `${formatCredits(meta.cost.credits)} credits`;
    case 'estimate': return `≈${formatCredits(meta.cost.credits)} credits (estimate)`;
    case 'unknown': return 'cost unknown';
  }
}

function formatCredits(value: number): string {
  return value >= 1 ? value.toFixed(2) : value.toPrecision(3).replace(/0+$/, '').replace(/\.$/, '');
}
