// One answer: its blocks (Markdown text, thinking, tool calls, rows for server tools) collect deltas and are committed when the log's frame runs.
import type { AnswerBlock, AnswerMeta, AnswerStatus, AssistantTurn, CompactionView, DeltaChunk, RetryNotice, TurnError, TurnFileChange } from '../../common/chatTypes';
import type { WebviewToHost } from '../../common/protocol';
import { renderCompactionRow } from './compactionRow';
import { renderAnswerFooter } from './answerFooter';
import { h } from '../common/dom';
import type { MarkdownRenderer } from './markdown';
import { StreamingMarkdown } from './streamingMarkdown';
import { ThinkingSection, type ThinkingBlock } from './thinking';
import { renderOpaqueBlock } from './opaqueBlock';
import { RetryCountdown } from './retryCountdown';
import { renderEditSummary, renderToolCall, type ToolUseBlock } from './toolCall';

/** Elements whose text must not run into the next block's in the announcement. */
const BLOCK_TAGS = /^(?:P|LI|PRE|H[1-6]|DIV|TR|TD|TH|BLOCKQUOTE|BR|HR)$/;

type BlockView =
  | { kind: 'text'; md: StreamingMarkdown }
  | { kind: 'thinking'; thinking: ThinkingBlock }
  | { kind: 'other'; element: HTMLElement }
  /** A row for a block the chat does not model (a web search): not an answer by itself, as the host counts it. */
  | { kind: 'opaque'; element: HTMLElement };

export class AssistantTurnView {
  readonly element: HTMLElement;
  private readonly answer: HTMLElement;
  private readonly footer: HTMLElement;
  private thinking: ThinkingSection | undefined;
  private blocks = new Map<number, BlockView>();
  /** The tool calls as last drawn, for the summary of several proposed edits. */
  private toolBlocks = new Map<number, ToolUseBlock>();
  private summary: HTMLElement | null = null;
  private retry: RetryCountdown | undefined;
  /** The "Compacted" row under the answer, when the conversation was compacted here. */
  private compaction: HTMLElement | undefined;
  private dirty = false;
  status: AnswerStatus = 'streaming';

  constructor(readonly id: string, private readonly renderer: MarkdownRenderer) {
    this.answer = h('div', { class: 'answer' });
    this.footer = h('div', { class: 'turn-footer' });
    this.element = h('div', { class: 'turn', 'data-role': 'assistant', 'data-turn-id': id },
      h('div', { class: 'turn-label' }, 'Claude'),
      this.answer,
      this.footer,
    );
    this.setStatus('streaming');
  }

  static fromTurn(turn: AssistantTurn, renderer: MarkdownRenderer): AssistantTurnView {
    const view = new AssistantTurnView(turn.id, renderer);
    view.setBlocks(turn.blocks);
    if (turn.status === 'streaming') view.flush();
    else view.end(turn.status, turn.meta, turn.error, turn.paused, turn.changes);
    return view;
  }

  get needsFlush(): boolean {
    return this.dirty;
  }

  /**
   * Whether the question got an answer the model will see again: some text or a tool call. One that failed or was
   * stopped before any (thinking alone does not count) is not sent with later questions, as the host builds them.
   */
  get answered(): boolean {
    for (const view of this.blocks.values()) {
      if (view.kind === 'text' ? view.md.source.trim() !== '' : view.kind === 'other') return true;
    }
    return false;
  }

  /** Shows (or, with undefined, removes) the "Compacted" row under this answer; an expanded row stays expanded. */
  setCompaction(view: CompactionView | undefined, post: (message: WebviewToHost) => void): void {
    const wasOpen = this.compaction?.querySelector('details')?.open === true;
    const hadFocus = this.compaction?.contains(document.activeElement) === true;
    this.compaction?.remove();
    this.compaction = view ? renderCompactionRow(view, this.renderer, post, wasOpen) : undefined;
    if (!this.compaction) return;
    this.element.append(this.compaction);
    if (hadFocus) this.compaction.querySelector<HTMLElement>('summary')?.focus();
  }

  /** Shows the countdown while the request waits to be sent again (429, 529, …); null takes it away. */
  showRetry(notice: RetryNotice | null): void {
    this.retry?.dispose();
    this.retry = undefined;
    delete this.element.dataset.retrying;
    if (!notice || this.status !== 'streaming') return;
    this.retry = new RetryCountdown(notice);
    this.element.dataset.retrying = 'true';
    this.answer.after(this.retry.element);
  }

  /** Resets the answer to `blocks` (a restart or a snapshot) and streams again. */
  setBlocks(blocks: AnswerBlock[]): void {
    this.showRetry(null);
    this.answer.replaceChildren();
    this.thinking?.element.remove();
    this.thinking = undefined;
    this.blocks = new Map();
    this.toolBlocks = new Map();
    this.summary = null;
    this.footer.replaceChildren();
    blocks.forEach((block, index) => this.setBlock(index, block));
    this.setStatus('streaming');
  }

  appendChunks(chunks: DeltaChunk[]): void {
    for (const chunk of chunks) this.appendChunk(chunk, false);
  }

  private appendChunk(chunk: DeltaChunk, redacted: boolean): void {
    let view = this.blocks.get(chunk.block);
    if (!view) view = chunk.kind === 'text' ? this.addTextBlock(chunk.block) : this.addThinkingBlock(chunk.block, redacted);
    if (view.kind === 'text') view.md.append(chunk.text);
    else if (view.kind === 'thinking') view.thinking.append(chunk.text);
    this.dirty = true;
  }

  /** A whole block at `index`: text and thinking start a block (if new); a tool call or a row replaces what was there. */
  setBlock(index: number, block: AnswerBlock): void {
    if (block.kind === 'opaque') {
      // Sent at the block's start ("Searching the web…") and again when its input is whole ("Searched the web: …").
      const element = renderOpaqueBlock(block);
      const previous = this.blocks.get(index);
      if (previous?.kind === 'opaque' || previous?.kind === 'other') previous.element.remove();
      this.blocks.set(index, { kind: 'opaque', element });
      this.insertInOrder(index, element);
      return;
    }
    if (block.kind !== 'tool_use') {
      if (!this.blocks.has(index)) this.appendChunk({ block: index, kind: block.kind, text: block.text }, block.kind === 'thinking' && block.redacted === true);
      return;
    }
    const previous = this.blocks.get(index);
    // A row that is redrawn (its state changed) stays expanded if the user expanded it, and keeps the focus it had.
    const wasOpen = previous?.kind === 'other' && previous.element.querySelector('details')?.open === true;
    const hadFocus = previous?.kind === 'other' && previous.element.contains(document.activeElement);
    const element = renderToolCall(block, { open: wasOpen });
    if (previous?.kind === 'other') previous.element.remove();
    this.blocks.set(index, { kind: 'other', element });
    this.insertInOrder(index, element);
    if (hadFocus) (element.querySelector<HTMLElement>('.tool-card-actions button, summary'))?.focus();
    this.toolBlocks.set(index, block);
    this.updateEditSummary();
  }

  /** The line over the answer's proposed edits when there are several (outside the answer's blocks, before them). */
  private updateEditSummary(): void {
    const hadFocus = this.summary?.contains(document.activeElement) === true;
    const next = renderEditSummary([...this.toolBlocks.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b));
    if (this.summary) this.summary.remove();
    this.summary = next;
    if (next) {
      this.answer.before(next);
      if (hadFocus) next.querySelector<HTMLElement>('button')?.focus();
    }
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
      this.thinking = new ThinkingSection();
      this.answer.before(this.thinking.element);
    }
    const view: BlockView = { kind: 'thinking', thinking: this.thinking.addBlock(redacted) };
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
      } else if (view.kind === 'thinking') {
        view.thinking.flush();
      }
    }
    if (hasAnswerText) this.thinking?.foldOnce();
  }

  setStatus(status: AnswerStatus): void {
    this.status = status;
    this.element.dataset.status = status;
    this.element.setAttribute('aria-busy', String(status === 'streaming'));
  }

  /** The answer ended: commit the tail, then show meta, stop reason and error (the partial text stays). */
  end(status: AnswerStatus, meta: AnswerMeta | undefined, error: TurnError | undefined, paused?: string, changes?: TurnFileChange[]): void {
    this.showRetry(null);
    this.flush(true);
    this.thinking?.finish();
    this.setStatus(status);
    this.footer.replaceChildren(...renderAnswerFooter({ status, meta, error, paused, changes }));
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
