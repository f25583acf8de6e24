// A long paragraph that is still streaming (an answer with no line break at all, say). Re-rendering all of it every
// frame costs time in its length, so while it grows it is shown as pieces: a piece of a few KB ending between words is
// rendered once and kept, and only the last piece is redone per frame. Markdown inside a piece renders as usual; the
// paragraph is rendered whole, exactly, once it ends (a line break, the next block, or the end of the answer).
import type { Token } from 'marked';
import type { MarkdownRenderer } from './markdown';

/** Paragraphs shorter than this are simply re-rendered per frame. */
export const LIVE_PARAGRAPH_MIN_CHARS = 4_096;
/** A piece is cut once the live part is this long... */
const PIECE_CHARS = 2_048;
/** ...at a word boundary where its inline Markdown is balanced, or past this length at any word boundary. */
const MAX_PIECE_CHARS = 8_192;

export class LiveParagraph {
  private liveNodes: ChildNode[] = [];

  private constructor(
    private readonly paragraph: HTMLElement,
    private readonly renderer: MarkdownRenderer,
    /** Offset in the streamed text (see update) where the piece being written starts. */
    private pieceStart: number,
    /** Offset up to which the streamed text has been checked for a line break. */
    private scanned: number,
  ) {}

  /** Starts following `token` (the live tail's only block, at `start`) if it is a long paragraph with no line break. */
  static start(token: Token, start: number, tail: HTMLElement, renderer: MarkdownRenderer): LiveParagraph | undefined {
    if (token.type !== 'paragraph' || token.raw.length < LIVE_PARAGRAPH_MIN_CHARS || token.raw.includes('\n')) return undefined;
    const paragraph = tail.children.length === 1 && tail.firstElementChild?.tagName === 'P' ? tail.firstElementChild as HTMLElement : undefined;
    if (!paragraph) return undefined;
    paragraph.replaceChildren();
    return new LiveParagraph(paragraph, renderer, start, start);
  }

  /** Shows what arrived in `text` (the streamed text the paragraph is in: the answer from the live tail on); false once a line break arrived (render as usual then). */
  update(text: string): boolean {
    if (text.indexOf('\n', this.scanned) >= 0) return false;
    this.scanned = text.length;
    while (text.length - this.pieceStart > PIECE_CHARS) {
      const cut = pieceEnd(text, this.pieceStart);
      if (cut === undefined) break;
      this.paragraph.insertBefore(this.renderer.renderInline(text.slice(this.pieceStart, cut)), this.liveNodes[0] ?? null);
      this.pieceStart = cut;
    }
    for (const node of this.liveNodes) node.remove();
    const live = this.renderer.renderInline(text.slice(this.pieceStart));
    this.liveNodes = Array.from(live.childNodes);
    this.paragraph.append(live);
    return true;
  }
}

/**
 * Where the piece starting at `start` can end: after a space, at least PIECE_CHARS in and short of the text's end (the
 * last word may still grow), where code spans, emphasis and link brackets are balanced; past MAX_PIECE_CHARS at any
 * space. Undefined if there is no such place yet.
 */
function pieceEnd(text: string, start: number): number | undefined {
  // Delimiter runs (`**`, a backtick run, `~~`) open and close constructs: balanced means an even number of each kind.
  const runs = { '`': 0, '*': 0, '_': 0, '~': 0 } as Record<string, number>;
  let brackets = 0;
  let parens = 0;
  const last = text.length - 1;
  for (let i = start; i < last; i++) {
    const c = text[i]!;
    if (c in runs) {
      if (text[i - 1] !== c || i === start) runs[c]!++;
    } else if (c === '[') brackets++;
    else if (c === ']') brackets--;
    else if (c === '(') parens++;
    else if (c === ')') parens--;
    else if (c === '\\') i++;
    else if (c === ' ' && text[i + 1] !== ' ' && i + 1 - start >= PIECE_CHARS && i + 1 < last) {
      if (brackets === 0 && parens === 0 && Object.values(runs).every((n) => n % 2 === 0)) return i + 1;
      if (i + 1 - start >= MAX_PIECE_CHARS) return i + 1;
    }
  }
  return undefined;
}
