// Syntax highlighting with highlight.js core and a curated set of languages (the full bundle is ~1 MB).
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
// CSS is our own compact grammar (cssGrammar.ts): highlight.js's lists every property, tag and pseudo-class, which cost
// ~4.3 KB of the deflated .vsix (more than any other language here) for colours told apart as well by shape.
import css from './cssGrammar';

const languages = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, markdown, python, rust, shell, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(languages)) hljs.registerLanguage(name, language);

/** Past this size highlighting costs more than it helps while streaming; the code is shown plain. */
export const MAX_HIGHLIGHT_CHARS = 200_000;
/** A segment ends after at most this many lines even inside a construct (bounds the work per streamed line). */
const MAX_SEGMENT_LINES = 64;

/** Whether highlight.js ended at its grammar's top level (no comment, string or other mode left open). */
function endsAtTopLevel(result: unknown): boolean {
  const top = (result as { _top?: { parent?: unknown } })._top;
  return top !== undefined && top.parent === undefined;
}

function highlightFresh(code: string, language: string): { value: string; atTop: boolean } {
  const result = hljs.highlight(code, { language, ignoreIllegals: true });
  return { value: result.value, atTop: endsAtTopLevel(result) };
}

/**
 * Highlighting built line by line as code streams in, equal to highlighting it all at once with `highlightCode`.
 * highlight.js cannot resume from a saved state, so the code is cut into segments that each start at the grammar's
 * top level: a segment ends at the first line end (tried after 1, 2, 4 … lines) where highlight.js is back at its top
 * level, so each segment is highlighted once. Only a construct longer than 64 lines (or a match spanning a line end,
 * such as a YAML block scalar) restarts at a segment boundary. Both the streamed and the one-shot render cut the same
 * way, so they give the same DOM by construction.
 */
export class SegmentedHighlight {
  /** HTML of the finished segments, in order. */
  readonly segments: string[] = [];
  /** Every line fed so far (each known not to be the code's last line). */
  private fed = '';
  /** Characters of `fed` inside finished segments. */
  private settled = 0;
  /** Fed lines not yet in a finished segment. */
  private readonly pending: string[] = [];
  /** How many pending lines the next top-level check covers. */
  private span = 1;

  constructor(readonly language: string) {}

  /** Every line fed so far. */
  get text(): string {
    return this.fed;
  }

  /** Fed lines after the last finished segment, as one string. */
  get openText(): string {
    return this.fed.slice(this.settled);
  }

  /** Whether this state is a prefix of highlighting `code` (so `code` can continue from it). */
  continues(code: string, language: string): boolean {
    return language === this.language && code.length > this.fed.length && code.startsWith(this.fed);
  }

  /** Adds one complete line (ending in '\n') that is known not to be the last line of the code. */
  feed(line: string): void {
    this.fed += line;
    this.pending.push(line);
    while (this.pending.length >= this.span) {
      const text = this.pending.slice(0, this.span).join('');
      const result = highlightFresh(text, this.language);
      if (result.atTop || this.span >= MAX_SEGMENT_LINES) {
        this.segments.push(result.value);
        this.settled += text.length;
        this.pending.splice(0, this.span);
        this.span = 1;
      } else {
        this.span = Math.min(this.span * 2, MAX_SEGMENT_LINES);
      }
    }
  }

  /** Feeds every line of `code` after those already fed, except its last line. */
  feedUpTo(code: string): void {
    let start = this.fed.length;
    for (let end = code.indexOf('\n', start); end >= 0 && end + 1 < code.length; end = code.indexOf('\n', start)) {
      this.feed(code.slice(start, end + 1));
      start = end + 1;
    }
  }

  /**
   * The HTML of all of `code` (which `continues` this state, and whose lines up to the last are fed): the finished
   * segments plus the rest in one piece; with `withSegments` false, only the rest.
   */
  finish(code: string, withSegments = true): string {
    const rest = code.slice(this.settled);
    return (withSegments ? this.segments.join('') : '') + (rest ? highlightFresh(rest, this.language).value : '');
  }
}

export function canHighlight(code: string, language: string): boolean {
  return language !== '' && code.length <= MAX_HIGHLIGHT_CHARS && hljs.getLanguage(language) !== undefined;
}

/**
 * Returns highlighted HTML (hljs escapes the code; only `<span class>` markup is added), or undefined if the language is
 * unknown. `resume`, the state a streamed block built, saves redoing the lines it has done; the result is the same.
 */
export function highlightCode(code: string, language: string, resume?: SegmentedHighlight): string | undefined {
  if (!canHighlight(code, language)) return undefined;
  try {
    const state = resume?.continues(code, language) ? resume : new SegmentedHighlight(language);
    state.feedUpTo(code);
    return state.finish(code);
  } catch {
    return undefined;
  }
}

/** Highlights a piece of code from the grammar's top level (a streamed block's unfinished lines), escaped if it cannot. */
export function highlightPiece(code: string, language: string): string | undefined {
  if (!canHighlight(code, language)) return undefined;
  try {
    return highlightFresh(code, language).value;
  } catch {
    return undefined;
  }
}

/**
 * Compiles each grammar in idle time, one per idle callback, so the first code block of an answer does not pay
 * for it mid-stream (the TypeScript grammar alone takes ~25 ms to compile). Calls `done` when all are ready.
 */
export function warmUpHighlighter(done: () => void): void {
  const names = Object.keys(languages);
  const idle = (fn: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(fn, { timeout: 2000 }) : setTimeout(fn, 50));
  const next = () => {
    const name = names.shift();
    if (!name) return done();
    highlightCode('x', name);
    idle(next);
  };
  idle(next);
}
