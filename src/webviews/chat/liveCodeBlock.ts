// A fenced code block that is still streaming. Each finished line is highlighted once (segment by segment, see
// SegmentedHighlight) and added to the DOM once; only the unfinished lines are redone per frame, so a long block
// streams in linear time. When its closing fence arrives the block is rendered the usual way, reusing the highlighting.
import type { Token } from 'marked';
import { canHighlight, highlightPiece, MAX_HIGHLIGHT_CHARS, SegmentedHighlight } from './highlight';
import { codeLanguage, type CodeSource, type MarkdownRenderer } from './markdown';
import { sanitizeToFragment } from './sanitize';

/** Unfinished lines longer than this are shown plain until they finish (bounds each frame's work). */
const MAX_OPEN_HIGHLIGHT_CHARS = 4_000;

export interface Fence {
  char: '`' | '~';
  length: number;
  /** Spaces before an opening backtick fence, which Markdown removes from each code line (up to that many). */
  indent: number;
}

/** The fence a code token opens with, or undefined for an indented code block. */
export function fenceOf(raw: string): Fence | undefined {
  const match = /^( {0,3})(`{3,}|~{3,})/.exec(raw);
  if (!match) return undefined;
  const char = match[2]![0] as '`' | '~';
  return { char, length: match[2]!.length, indent: char === '`' ? match[1]!.length : 0 };
}

/** Whether `line` (without its '\n') closes `fence`: the same character, at least as many, then only spaces. */
export function isClosingFence(line: string, fence: Fence): boolean {
  let i = 0;
  while (i < 3 && line[i] === ' ') i++;
  let n = 0;
  while (line[i + n] === fence.char) n++;
  if (n < fence.length) return false;
  for (let j = i + n; j < line.length; j++) if (line[j] !== ' ') return false;
  return true;
}

/** Whether a code token is a fenced block whose closing fence is there. */
export function isClosedFence(token: Token): boolean {
  if (token.type !== 'code') return false;
  const fence = fenceOf(token.raw);
  const lastLine = token.raw.lastIndexOf('\n');
  return fence !== undefined && lastLine >= 0 && isClosingFence(token.raw.slice(lastLine + 1), fence);
}

export class LiveCodeBlock {
  /** The last complete line: it is the code's last line if the closing fence comes next, so it is not fed yet. */
  private held: string | undefined;
  private openNodes: ChildNode[] = [];
  private shownSegments = 0;
  /** Plain text of the fed lines when the language is not highlighted. */
  private plain = '';
  /** HTML of finished segments not in the DOM yet: sanitized and inserted once per update, not once per segment. */
  private settledHtml = '';

  private constructor(
    /** The block's element (header and code), as the renderer made it. */
    readonly element: Element,
    private readonly fence: Fence,
    private readonly code: Element,
    private readonly source: CodeSource | undefined,
    readonly highlight: SegmentedHighlight,
    private highlighted: boolean,
    /** Offset in the streamed text (see update) of the first character not yet split into lines. */
    private scanned: number,
  ) {}

  /**
   * Starts following `token`, the live tail's only block (at offset `start` of the streamed text, rendered in `tail`), if it
   * is a fenced code block whose opening line is complete and that has not closed yet.
   */
  static start(token: Token, start: number, tail: HTMLElement, renderer: MarkdownRenderer): LiveCodeBlock | undefined {
    if (token.type !== 'code' || isClosedFence(token)) return undefined;
    const fence = fenceOf(token.raw);
    const bodyStart = token.raw.indexOf('\n') + 1;
    const block = tail.children.length === 1 ? tail.firstElementChild : null;
    const code = block?.classList.contains('code-block') ? block.querySelector('pre > code') : null;
    if (!fence || bodyStart === 0 || !block || !code) return undefined;
    const { language } = codeLanguage((token as { lang?: string }).lang);
    code.replaceChildren();
    return new LiveCodeBlock(block, fence, code, renderer.codeSources.get(block), new SegmentedHighlight(language), canHighlight('', language), start + bodyStart);
  }

  /** Shows what arrived in `text` (the streamed text the block is in: the answer from the live tail on); false once the fence has closed (render the block as usual). */
  update(text: string): boolean {
    for (let end = text.indexOf('\n', this.scanned); end >= 0; end = text.indexOf('\n', this.scanned)) {
      const line = text.slice(this.scanned, end);
      if (isClosingFence(line, this.fence)) {
        this.insertSettledHtml();
        return false;
      }
      this.scanned = end + 1;
      if (this.held !== undefined) this.feed(this.held);
      this.held = `${this.compensate(line)}\n`;
    }
    this.insertSettledHtml();
    // Like Markdown, a block whose last line is complete does not end in a newline (until more follows).
    const partial = this.compensate(text.slice(this.scanned));
    const last = partial === '' && this.held !== undefined ? this.held.slice(0, -1) : `${this.held ?? ''}${partial}`;
    this.showOpen(`${this.highlighted ? this.highlight.openText : ''}${last}`);
    if (this.source) this.source.code = `${this.highlighted ? this.highlight.text : this.plain}${last}`;
    return true;
  }

  /**
   * Completes the DOM for `token`, this block as a whole (its fence closed, or the answer ended), so that it is exactly
   * what rendering the token gives, without redoing the finished lines. False if it cannot (render it as usual then).
   */
  finish(token: Token): boolean {
    if (token.type !== 'code' || fenceOf(token.raw)?.length !== this.fence.length) return false;
    const text = (token as { text: string }).text;
    try {
      if (!canHighlight(text, this.highlight.language)) {
        if (this.highlighted) return false;
        this.code.replaceChildren(text);
      } else {
        if (!this.highlighted || (this.highlight.text !== '' && !this.highlight.continues(text, this.highlight.language))) return false;
        this.highlight.feedUpTo(text);
        this.takeSegments();
        this.insertSettledHtml();
        for (const node of this.openNodes) node.remove();
        this.openNodes = [];
        this.code.append(sanitizeToFragment(this.highlight.finish(text, false)));
      }
    } catch {
      return false;
    }
    if (this.source) this.source.code = text;
    return true;
  }

  private feed(line: string): void {
    if (this.highlighted && this.highlight.text.length + line.length > MAX_HIGHLIGHT_CHARS) {
      // Too long to highlight: the finished block will be plain, so stop here (what is shown stays as it is).
      this.highlighted = false;
      this.plain = this.highlight.text;
      this.insertSettledHtml();
      this.insertSettled(document.createTextNode(this.highlight.openText));
    }
    if (!this.highlighted) {
      this.plain += line;
      this.insertSettled(document.createTextNode(line));
      return;
    }
    this.highlight.feed(line);
    this.takeSegments();
  }

  /** Queues the segments the highlighter finished since the last call. */
  private takeSegments(): void {
    const segments = this.highlight.segments;
    while (this.shownSegments < segments.length) this.settledHtml += segments[this.shownSegments++]!;
  }

  /** Adds the queued segments to the DOM (each segment is whole, balanced markup, so together they parse the same). */
  private insertSettledHtml(): void {
    if (this.settledHtml === '') return;
    this.insertSettled(sanitizeToFragment(this.settledHtml));
    this.settledHtml = '';
  }

  private insertSettled(node: Node): void {
    this.code.insertBefore(node, this.openNodes[0] ?? null);
  }

  private showOpen(open: string): void {
    for (const node of this.openNodes) node.remove();
    const html = this.highlighted && open.length <= MAX_OPEN_HIGHLIGHT_CHARS ? highlightPiece(open, this.highlight.language) : undefined;
    const fragment = html === undefined ? document.createTextNode(open) : sanitizeToFragment(html);
    this.openNodes = fragment instanceof DocumentFragment ? Array.from(fragment.childNodes) : [fragment];
    this.code.append(fragment);
  }

  /** A code line as Markdown gives it: up to the opening fence's indentation removed. */
  private compensate(line: string): string {
    if (this.fence.indent === 0) return line;
    const spaces = /^\s+/.exec(line)?.[0].length ?? 0;
    return line.slice(Math.min(spaces, this.fence.indent));
  }
}
