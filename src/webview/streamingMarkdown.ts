// Incremental Markdown for a streamed answer: finished top-level blocks are rendered once and never touched
// again; only the live tail (the last block, which later text can still change) is re-rendered.
import type { Token } from 'marked';
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
    this.text += text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
    this.dirty = true;
  }

  get needsRender(): boolean {
    return this.dirty;
  }

  /**
   * Commits the new text to the DOM. While streaming, every block but the last is final: a block that
   * another block follows cannot be changed by later text. With `final`, the tail is committed too.
   */
  render(final: boolean): void {
    if (!this.dirty && !final) return;
    this.dirty = false;
    const tokens = this.renderer.lex(this.text.slice(this.stable));
    let last = tokens.length - 1;
    while (last >= 0 && tokens[last]!.type === 'space') last--;
    const cut = final ? tokens.length : Math.max(0, last);
    if (cut > 0) {
      const done = tokens.slice(0, cut);
      this.tail.before(this.renderer.render(done));
      this.stable += rawLength(done);
    }
    const rest = final ? [] : tokens.slice(cut);
    if (rest.length > 0) this.tail.replaceChildren(this.renderer.render(rest));
    else if (this.tail.firstChild) this.tail.replaceChildren();
  }
}

function rawLength(tokens: Token[]): number {
  let n = 0;
  for (const token of tokens) n += token.raw.length;
  return n;
}
