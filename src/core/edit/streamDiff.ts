// The stream-to-diff engine of Edit Selection: the original lines of the range against the replacement lines as
// they arrive, aligned greedily so that every line, once placed, keeps its place (the editor shows each line as it
// arrives and never has to take one back); hunks from that alignment; and the exact text of any per-hunk choice.
// Pure; no vscode.
//
// Exactness: original lines are never rewritten (each keeps its own line end, CRLF, LF or none); replacement lines
// get the range's line end. A range that ends with a line end (whole lines) keeps it; one that ends without (the end
// of a file with no final newline) ends without one, whatever was chosen.

export interface LinePiece {
  text: string;
  /** '\n', '\r\n', '\r', or '' for a last line without a line end. */
  eol: string;
}

export type DiffOp = { kind: 'same'; o: number; n: number } | { kind: 'removed'; o: number } | { kind: 'added'; n: number };

export interface Hunk {
  /** Position in the list of hunks. */
  index: number;
  /** Original lines [originalStart, originalEnd) are replaced by replacement lines [newStart, newEnd). */
  originalStart: number;
  originalEnd: number;
  newStart: number;
  newEnd: number;
}

/** How far ahead (in original lines) an arriving line may find its match; nearer matches win. */
export const MATCH_LOOKAHEAD = 200;

/** Splits text into lines that keep their own line ends ("" → none; "a\n" → one line "a" with "\n"). */
export function splitKeepingEols(text: string): LinePiece[] {
  const pieces: LinePiece[] = [];
  const pattern = /\r\n|\r|\n/g;
  let start = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    pieces.push({ text: text.slice(start, match.index), eol: match[0] });
    start = match.index + match[0].length;
  }
  if (start < text.length) pieces.push({ text: text.slice(start), eol: '' });
  return pieces;
}

/** The line end the replacement uses: the range's own (its first), else the document's. */
export function dominantEol(text: string, fallback: '\n' | '\r\n'): string {
  const match = /\r\n|\r|\n/.exec(text);
  return match ? match[0] : fallback;
}

/**
 * A line that may match an original line further ahead than the next one. Blank lines and lone brackets occur
 * everywhere; matching them far away would mark the code between as removed.
 */
function distinctive(line: string): boolean {
  const trimmed = line.trim();
  return trimmed.length >= 4 && /[\p{L}\p{N}]/u.test(trimmed);
}

export class StreamDiff {
  readonly original: readonly LinePiece[];
  /** Replacement lines so far. */
  readonly replacement: string[] = [];
  /** The alignment so far, in order; only ever appended to. */
  readonly ops: DiffOp[] = [];
  /** The next original line not yet reached by the replacement ("pending" while streaming). */
  next = 0;
  /** 'streaming' until the reply ends; 'done' (the rest of the original was removed) or 'stopped' (it stays). */
  state: 'streaming' | 'done' | 'stopped' = 'streaming';
  readonly eol: string;
  /** The original ends with a line end (a selection of whole lines). */
  readonly endsWithEol: boolean;
  /** Lines added since the last unchanged line. */
  private openAdded = 0;

  constructor(originalText: string, options: { eol?: '\n' | '\r\n' } = {}) {
    this.original = splitKeepingEols(originalText);
    this.eol = dominantEol(originalText, options.eol ?? '\n');
    this.endsWithEol = this.original.length > 0 && this.original[this.original.length - 1].eol !== '';
  }

  /** Places arriving replacement lines; returns the ops it appended. */
  push(lines: readonly string[]): DiffOp[] {
    if (this.state !== 'streaming') throw new Error('the reply has ended');
    const first = this.ops.length;
    for (const line of lines) {
      const n = this.replacement.length;
      this.replacement.push(line);
      const o = this.match(line);
      if (o === undefined) {
        this.ops.push({ kind: 'added', n });
        this.openAdded++;
        continue;
      }
      this.openAdded = 0;
      for (let r = this.next; r < o; r++) this.ops.push({ kind: 'removed', o: r });
      this.ops.push({ kind: 'same', o, n });
      this.next = o + 1;
    }
    return this.ops.slice(first);
  }

  /**
   * The reply ended. `stopped`: the user stopped it, so the original lines it did not reach stay as they are;
   * otherwise they were not in the reply and are removed. Returns the ops it appended.
   */
  finish(options: { stopped?: boolean } = {}): DiffOp[] {
    if (this.state !== 'streaming') return [];
    const first = this.ops.length;
    const end = this.original.length;
    if (options.stopped) {
      for (let o = this.next; o < end; o++) this.ops.push({ kind: 'same', o, n: -1 });
      this.state = 'stopped';
    } else {
      for (let o = this.next; o < end; o++) this.ops.push({ kind: 'removed', o });
      this.state = 'done';
    }
    this.next = end;
    return this.ops.slice(first);
  }

  private match(line: string): number | undefined {
    const { original, next } = this;
    if (next < original.length && original[next].text === line) return next;
    // A common line ("}", "") may skip as many original lines as the open hunk added (they were replaced: the "}"
    // after a changed line); a distinctive one may look further.
    const reach = distinctive(line) ? MATCH_LOOKAHEAD : this.openAdded;
    const last = Math.min(original.length, next + 1 + reach);
    for (let o = next + 1; o < last; o++) if (original[o].text === line) return o;
    return undefined;
  }

  /** The hunks of the alignment so far: maximal runs of removed/added ops. */
  hunks(): Hunk[] {
    return hunksOf(this.ops);
  }

  /** The text of the range with each hunk accepted (true) or rejected (false; missing = rejected). */
  textWith(choices: readonly boolean[] | ((hunk: number) => boolean)): string {
    const accepted = typeof choices === 'function' ? choices : (hunk: number) => choices[hunk] === true;
    const lines: LinePiece[] = [];
    let hunk = -1;
    let inHunk = false;
    for (const op of this.ops) {
      if (op.kind === 'same') {
        inHunk = false;
        lines.push(this.original[op.o]);
        continue;
      }
      if (!inHunk) {
        hunk++;
        inHunk = true;
      }
      if (op.kind === 'added' && accepted(hunk)) lines.push({ text: this.replacement[op.n], eol: this.eol });
      if (op.kind === 'removed' && !accepted(hunk)) lines.push(this.original[op.o]);
    }
    // Not reached yet (while streaming): as it was.
    for (let o = this.next; o < this.original.length; o++) lines.push(this.original[o]);
    return joinLines(lines, this.endsWithEol, this.eol);
  }

  /** The whole replacement (Accept All), with the range's line ends and final line end. */
  acceptedText(): string {
    return this.textWith(() => true);
  }
}

/** The hunks of an alignment. */
export function hunksOf(ops: readonly DiffOp[]): Hunk[] {
  const hunks: Hunk[] = [];
  let o = 0;
  let n = 0;
  let current: Hunk | undefined;
  for (const op of ops) {
    if (op.kind === 'same') {
      current = undefined;
      o = op.o + 1;
      if (op.n >= 0) n = op.n + 1;
      continue;
    }
    if (!current) {
      current = { index: hunks.length, originalStart: o, originalEnd: o, newStart: n, newEnd: n };
      hunks.push(current);
    }
    if (op.kind === 'removed') current.originalEnd = o = op.o + 1;
    else current.newEnd = n = op.n + 1;
  }
  return hunks;
}

/**
 * Joins lines into the range's text: with `endsWithEol` every line ends with its line end; without, the last
 * line has none (an original line that moves off the end gets `eol`).
 */
export function joinLines(lines: readonly LinePiece[], endsWithEol: boolean, eol: string): string {
  let text = '';
  const last = lines.length - 1;
  for (let i = 0; i <= last; i++) {
    const line = lines[i];
    text += line.text;
    if (i < last || endsWithEol) text += line.eol === '' ? eol : line.eol;
  }
  return text;
}
