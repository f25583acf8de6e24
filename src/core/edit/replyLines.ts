// The model's reply to Edit Selection, as replacement lines while it streams: complete lines only (a partial line
// waits for its line end), the fence of a reply wrapped in one fenced block stripped even while streaming, and
// whatever follows the closing fence (a remark) dropped. Pure; no vscode.

const OPENING_FENCE = /^\s*(`{3,}|~{3,})[^`]*$/;

export class ReplyLines {
  /** The text after the last line end seen. */
  private partial = '';
  /** Blank lines before the first other line: dropped when that line opens a fence, else released with it. */
  private leadingBlanks: string[] = [];
  private started = false;
  /** The opening fence (e.g. "```") when the reply is fenced. */
  private fence: string | undefined;
  /**
   * Lines from a possible closing fence on: released when another fence line follows (they were content, such as a
   * Markdown file's own fences), dropped at the end (the last fence closes the block; what follows is a remark).
   */
  private held: string[] = [];
  private ended = false;

  /** Adds streamed text; returns the replacement lines it completed (without line ends). */
  push(delta: string): string[] {
    if (this.ended || delta === '') return [];
    const text = this.partial + delta;
    const out: string[] = [];
    let start = 0;
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', start)) {
      this.line(text.slice(start, at).replace(/\r$/, ''), out);
      start = at + 1;
    }
    this.partial = text.slice(start);
    return out;
  }

  /** The reply ended: returns its last lines. */
  finish(): string[] {
    if (this.ended) return [];
    const out: string[] = [];
    if (this.partial !== '') this.line(this.partial.replace(/\r$/, ''), out);
    this.partial = '';
    this.ended = true;
    // A reply of blank lines only is an empty reply.
    this.leadingBlanks = [];
    this.held = [];
    return out;
  }

  /** Whether the reply was wrapped in a fence (known once its first non-blank line arrived). */
  get fenced(): boolean {
    return this.fence !== undefined;
  }

  private line(line: string, out: string[]): void {
    if (!this.started) {
      if (line.trim() === '') {
        this.leadingBlanks.push(line);
        return;
      }
      this.started = true;
      const opening = OPENING_FENCE.exec(line);
      if (opening) {
        this.fence = opening[1];
        this.leadingBlanks = [];
        return;
      }
      out.push(...this.leadingBlanks, line);
      this.leadingBlanks = [];
      return;
    }
    if (this.fence === undefined) {
      out.push(line);
      return;
    }
    if (this.isClosingFence(line)) {
      // Another fence: what was held was content.
      out.push(...this.held);
      this.held = [line];
      return;
    }
    if (this.held.length > 0) this.held.push(line);
    else out.push(line);
  }

  private isClosingFence(line: string): boolean {
    const trimmed = line.trim();
    const fence = this.fence!;
    return trimmed.length >= fence.length && trimmed[0] === fence[0] && /^(`+|~+)$/.test(trimmed);
  }
}
