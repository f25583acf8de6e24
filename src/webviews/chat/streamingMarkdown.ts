// Incremental Markdown for a streamed answer: finished top-level blocks are rendered once and never touched
// again; only the live tail (the last block, which later text can still change) is re-rendered.
import type { Links, Token, TokensList } from 'marked';
import { h } from '../common/dom';
import type { SegmentedHighlight } from './highlight';
import { isClosedFence, LiveCodeBlock } from './liveCodeBlock';
import { LiveParagraph } from './liveParagraph';
import type { MarkdownRenderer } from './markdown';

/**
 * Finished blocks are kept in chunks of this many: the browser then lays out, paints and watches (`content-visibility:
 * auto`) a long answer chunk by chunk. Block by block, each frame of a long stream costs time in the number of blocks
 * already shown (layout walks them, and each is an intersection target), which made a 100,000-character answer fall
 * seconds behind in the workbench.
 */
export const CHUNK_BLOCKS = 16;

export class StreamingMarkdown {
  readonly element: HTMLElement;
  private readonly tail: HTMLElement;
  /**
   * The text in finished blocks, and the rest after it (the live tail). Kept apart so that a frame only ever slices or
   * scans the rest: slicing the whole growing answer made V8 flatten it, a copy of all of it per frame, whose garbage
   * brought on major GCs of the workbench's whole heap (which the webview shares) in the middle of frames.
   */
  private head = '';
  private rest = '';
  private dirty = false;
  private nonBlank = false;
  /** The last delta ended in '\r': the '\n' of a CRLF may come with the next one. */
  private pendingCR = false;
  /** Reference definitions inside finished blocks; later blocks resolve `[text][ref]` against them. */
  private links: Links = {};
  /** The reference definitions each commit was rendered with; if they differ from the final ones, the end redoes all. */
  private readonly commitLinks = new Set<string>();
  /** The live tail is a fenced code block still open: it is updated line by line instead of re-rendered. */
  private live: LiveCodeBlock | undefined;
  /** The live tail is a long paragraph without a line break: shown in pieces, rendered whole when it ends. */
  private liveParagraph: LiveParagraph | undefined;
  /** The highlighting the last live code block did, reused when that block is rendered whole. */
  private resume: SegmentedHighlight | undefined;
  /** The chunk finished blocks go into, until it holds CHUNK_BLOCKS. */
  private chunk: HTMLElement | undefined;

  constructor(private readonly renderer: MarkdownRenderer, className = 'answer-text') {
    this.tail = h('div', { class: 'md-tail' });
    this.element = h('div', { class: className }, this.tail);
  }

  get source(): string {
    return this.head + this.rest;
  }

  /** Whether any visible text has arrived (kept as a flag: trimming the whole answer every frame is O(n)). */
  get hasText(): boolean {
    return this.nonBlank;
  }

  append(text: string): void {
    if (!text) return;
    if (!this.nonBlank && /\S/.test(text)) this.nonBlank = true;
    let chunk = this.pendingCR ? `\r${text}` : text;
    this.pendingCR = chunk.endsWith('\r');
    if (this.pendingCR) chunk = chunk.slice(0, -1);
    this.rest += chunk.includes('\r') ? chunk.replace(/\r\n?/g, '\n') : chunk;
    this.dirty = true;
  }

  get needsRender(): boolean {
    return this.dirty;
  }

  /**
   * Commits the new text to the DOM. While streaming, a block is final once a later block starts on a complete
   * line, or after a blank line (a half-written "1" may still become "10. item" and continue a list, and
   * "#" may become "#tag", a paragraph's next line). With `final`, the tail is committed too.
   */
  render(final: boolean): void {
    if (!this.dirty && !final) return;
    this.dirty = false;
    if (final && this.pendingCR) {
      this.rest += '\n';
      this.pendingCR = false;
    }
    if (this.liveParagraph) {
      if (!final && this.liveParagraph.update(this.rest)) return;
      this.liveParagraph = undefined;
    }
    if (this.live) {
      if (!final && this.live.update(this.rest)) return;
      this.finishLive(this.live);
      this.live = undefined;
    }
    const pending = this.rest;
    const tokens = this.renderer.lex(pending, this.links);
    if (final && this.commitLinks.size > 0 && !onlyLinks(this.commitLinks, this.finalLinks(tokens))) {
      this.renderAllAgain();
      return;
    }
    const cut = final ? tokens.length : committable(tokens, pending);
    if (cut > 0) {
      const done = tokens.slice(0, cut);
      this.commit(this.renderer.render(done, this.resume));
      this.settle(rawLength(done));
      this.commitLinks.add(JSON.stringify(tokens.links));
      this.renderer.walkTokens(done, (token) => {
        if (token.type === 'def' && !this.links[token.tag]) this.links[token.tag] = { href: token.href, title: token.title };
      });
    }
    const rest = final ? [] : tokens.slice(cut);
    if (rest.length > 0) this.tail.replaceChildren(this.renderer.render(rest, this.resume));
    else if (this.tail.firstChild) this.tail.replaceChildren();
    if (final) this.resume = undefined;
    if (rest.length === 1) {
      this.live = LiveCodeBlock.start(rest[0]!, 0, this.tail, this.renderer);
      this.live?.update(this.rest);
      this.liveParagraph = this.live ? undefined : LiveParagraph.start(rest[0]!, 0, this.tail, this.renderer);
      this.liveParagraph?.update(this.rest);
    }
  }

  /**
   * The live code block has closed (or the answer ended): commit it keeping its DOM, completed to exactly what
   * rendering it gives (a code block does not depend on link definitions). If it cannot, it is rendered as usual,
   * reusing its highlighting.
   */
  private finishLive(live: LiveCodeBlock): void {
    const block = this.renderer.lex(this.rest, this.links)[0];
    if (block && live.finish(block)) {
      this.commit(live.element);
      this.settle(block.raw.length);
    } else {
      this.resume = live.highlight;
    }
  }

  /** Every definition in the answer, as a one-shot render of the whole text would see them. */
  private finalLinks(tokens: TokensList): string {
    return JSON.stringify(tokens.links);
  }

  /**
   * A reference definition arrived (or was completed) after blocks that may use it were committed: render the
   * whole answer once more, so the finished answer is exactly what rendering it at once gives.
   */
  private renderAllAgain(): void {
    while (this.element.firstChild !== this.tail) this.element.firstChild!.remove();
    this.chunk = undefined;
    this.tail.replaceChildren();
    this.links = {};
    this.commitLinks.clear();
    this.live = undefined;
    this.liveParagraph = undefined;
    this.resume = undefined;
    this.head += this.rest;
    this.rest = '';
    this.commit(this.renderer.render(this.renderer.lex(this.head)));
  }

  /** The first `length` characters of the rest are in finished blocks now. */
  private settle(length: number): void {
    this.head += this.rest.slice(0, length);
    this.rest = this.rest.slice(length);
  }

  /** Adds finished blocks (a fragment's top-level nodes, or one element) to the chunks before the live tail. */
  private commit(blocks: DocumentFragment | Element): void {
    const nodes = blocks instanceof DocumentFragment ? Array.from(blocks.childNodes) : [blocks];
    let start = 0;
    while (start < nodes.length) {
      if (!this.chunk || this.chunk.childElementCount >= CHUNK_BLOCKS) {
        this.chunk = h('div', { class: 'md-chunk' });
        this.tail.before(this.chunk);
      }
      // Text nodes between blocks (marked's newlines) ride along without counting.
      let end = start;
      for (let room = CHUNK_BLOCKS - this.chunk.childElementCount; end < nodes.length && (room > 0 || nodes[end]!.nodeType !== Node.ELEMENT_NODE); end++) {
        if (nodes[end]!.nodeType === Node.ELEMENT_NODE) room--;
      }
      this.chunk.append(...nodes.slice(start, end));
      start = end;
    }
  }
}

function onlyLinks(seen: Set<string>, links: string): boolean {
  return seen.size === 1 && seen.has(links);
}

/**
 * How many leading tokens are final: all before the last block that starts on a complete line, and that block too if
 * it is a fenced code block whose closing fence line is complete (nothing after it can change it).
 */
function committable(tokens: Token[], pending: string): number {
  const partialLine = pending.lastIndexOf('\n') + 1;
  let offset = 0;
  let cut = 0;
  let cutEnd = 0;
  let i = 0;
  for (; i < tokens.length && offset < partialLine; i++) {
    offset += tokens[i]!.raw.length;
    if (tokens[i]!.type !== 'space') {
      cut = i;
      cutEnd = offset;
    }
  }
  let final = cut;
  if (cutEnd < partialLine && isClosedFence(tokens[cut]!)) final = cut + 1;
  // A half-written line after a blank line cannot join the block before it, unless that block is a list.
  if (i < tokens.length && tokens[i - 1]?.type === 'space' && tokens[cut]!.type !== 'list') final = i;
  return final;
}

function rawLength(tokens: Token[]): number {
  let n = 0;
  for (const token of tokens) n += token.raw.length;
  return n;
}
