// Incremental Markdown for a streamed answer: finished top-level blocks are rendered once and never touched
// again; only the live tail (the last block, which later text can still change) is re-rendered.
import type { Links, Token, TokensList } from 'marked';
import { h } from './dom';
import type { MarkdownRenderer } from './markdown';

export class StreamingMarkdown {
  readonly element: HTMLElement;
  private readonly tail: HTMLElement;
  private text = '';
  /** Offset of the first character not yet inside a finished block. */
  private stable = 0;
  private dirty = false;
  private nonBlank = false;
  /** The last delta ended in '\r': the '\n' of a CRLF may come with the next one. */
  private pendingCR = false;
  /** Reference definitions inside finished blocks; later blocks resolve `[text][ref]` against them. */
  private links: Links = {};
  /** The reference definitions each commit was rendered with; if they differ from the final ones, the end redoes all. */
  private readonly commitLinks = new Set<string>();

  constructor(private readonly renderer: MarkdownRenderer, className = 'answer-text') {
    this.tail = h('div', { class: 'md-tail' });
    this.element = h('div', { class: className }, this.tail);
  }

  get source(): string {
    return this.text;
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
    this.text += chunk.includes('\r') ? chunk.replace(/\r\n?/g, '\n') : chunk;
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
      this.text += '\n';
      this.pendingCR = false;
    }
    const pending = this.text.slice(this.stable);
    const tokens = this.renderer.lex(pending, this.links);
    if (final && this.commitLinks.size > 0 && !onlyLinks(this.commitLinks, this.finalLinks(tokens))) {
      this.renderAllAgain();
      return;
    }
    const cut = final ? tokens.length : committable(tokens, pending);
    if (cut > 0) {
      const done = tokens.slice(0, cut);
      this.tail.before(this.renderer.render(done));
      this.stable += rawLength(done);
      this.commitLinks.add(JSON.stringify(tokens.links));
      this.renderer.walkTokens(done, (token) => {
        if (token.type === 'def' && !this.links[token.tag]) this.links[token.tag] = { href: token.href, title: token.title };
      });
    }
    const rest = final ? [] : tokens.slice(cut);
    if (rest.length > 0) this.tail.replaceChildren(this.renderer.render(rest));
    else if (this.tail.firstChild) this.tail.replaceChildren();
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
    this.tail.replaceChildren();
    this.links = {};
    this.commitLinks.clear();
    this.tail.before(this.renderer.render(this.renderer.lex(this.text)));
    this.stable = this.text.length;
  }
}

function onlyLinks(seen: Set<string>, links: string): boolean {
  return seen.size === 1 && seen.has(links);
}

/** How many leading tokens are final: all before the last block that starts on a complete line. */
function committable(tokens: Token[], pending: string): number {
  const partialLine = pending.lastIndexOf('\n') + 1;
  let offset = 0;
  let cut = 0;
  let i = 0;
  for (; i < tokens.length && offset < partialLine; i++) {
    if (tokens[i]!.type !== 'space') cut = i;
    offset += tokens[i]!.raw.length;
  }
  // A half-written line after a blank line cannot join the block before it, unless that block is a list.
  if (i < tokens.length && tokens[i - 1]?.type === 'space' && tokens[cut]!.type !== 'list') cut = i;
  return cut;
}

function rawLength(tokens: Token[]): number {
  let n = 0;
  for (const token of tokens) n += token.raw.length;
  return n;
}
