// Pure text work behind the tools: numbered, size-capped reads; counting matches; +N −M of a change; line search;
// globs as regular expressions. Fast enough for a 1 MB file or 5,000 files per round (bench/tools.ts).

/** A read returns at most this much; the note says how to ask for the rest. */
export const READ_LIMITS = { maxLines: 2000, maxChars: 100_000 } as const;

/** Splits text into lines (\n, \r\n or \r), without the line ends. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

export interface NumberedRead {
  text: string;
  first: number;
  last: number;
  total: number;
  /** Lines were left out at the end because of the size limit. */
  cut: boolean;
}

/** Lines `start..end` (1-based, inclusive) with their numbers, cut at READ_LIMITS with a note saying how to go on. */
export function numberedLines(text: string, start = 1, end?: number, limits: { maxLines: number; maxChars: number } = READ_LIMITS): NumberedRead {
  const lines = splitLines(text);
  // A final line end does not start another line.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const total = text === '' ? 0 : lines.length;
  const first = Math.min(start, Math.max(total, 1));
  const wanted = Math.min(end ?? total, total);
  const width = String(Math.max(wanted, 1)).length;
  const out: string[] = [];
  let chars = 0;
  let last = first - 1;
  for (let i = first; i <= wanted; i++) {
    const line = `${String(i).padStart(width, ' ')}\t${lines[i - 1]}`;
    if (out.length >= limits.maxLines || (out.length > 0 && chars + line.length + 1 > limits.maxChars)) break;
    out.push(line.length > limits.maxChars ? `${line.slice(0, limits.maxChars)}… (line cut)` : line);
    chars += line.length + 1;
    last = i;
  }
  const cut = last < wanted;
  let body = out.join('\n');
  if (total === 0) body = '(empty file)';
  else if (start > total) body = `(the file has only ${total} lines)`;
  if (cut) body += `\n\n[Showing lines ${first}–${last} of ${total}. To read more, call read_file with start_line: ${last + 1}.]`;
  return { text: body, first, last: Math.max(last, first), total, cut };
}

/** How many times `needle` occurs in `haystack` (non-overlapping), stopping early past `limit`. */
export function countOccurrences(haystack: string, needle: string, limit = 1000): { count: number; index: number } {
  let count = 0;
  let index = -1;
  for (let at = haystack.indexOf(needle); at !== -1 && count <= limit; at = haystack.indexOf(needle, at + needle.length)) {
    if (count === 0) index = at;
    count++;
  }
  return { count, index };
}

/** Lines added and removed by replacing `before` with `after` (common leading and trailing lines do not count). */
export function lineChanges(before: string, after: string): { added: number; removed: number } {
  const a = before === '' ? [] : splitLines(before);
  const b = after === '' ? [] : splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return { added: b.length - head - tail, removed: a.length - head - tail };
}

/** Text after a line end is normalised to the document's own line ends (the model writes \n). */
export function withLineEnds(text: string, eol: '\n' | '\r\n'): string {
  return eol === '\n' ? text.replace(/\r\n/g, '\n') : text.replace(/\r?\n/g, '\r\n');
}

export interface LineMatch {
  line: number;
  text: string;
  before?: string;
  after?: string;
}

/** Longest text kept of one matching line in a search result. */
const MAX_MATCH_LINE = 300;

function clip(line: string): string {
  const trimmed = line.trim();
  return trimmed.length > MAX_MATCH_LINE ? `${trimmed.slice(0, MAX_MATCH_LINE)}…` : trimmed;
}

/** The lines of `text` that `pattern` matches (at most `max`), each with the line before and after. */
export function searchLines(text: string, pattern: RegExp, max: number): LineMatch[] {
  const found: LineMatch[] = [];
  // Cheap rejection first: most files do not match at all.
  pattern.lastIndex = 0;
  if (!pattern.test(text)) return found;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length && found.length < max; i++) {
    pattern.lastIndex = 0;
    if (!pattern.test(lines[i])) continue;
    found.push({
      line: i + 1,
      text: clip(lines[i]),
      ...(i > 0 && lines[i - 1].trim() ? { before: clip(lines[i - 1]) } : {}),
      ...(i + 1 < lines.length && lines[i + 1].trim() ? { after: clip(lines[i + 1]) } : {}),
    });
  }
  return found;
}

/** The search pattern of a search_text call; a bad regular expression is a message for the model. */
export function searchPattern(query: string, isRegexp: boolean): RegExp | string {
  if (!isRegexp) return new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  try {
    return new RegExp(query, 'm');
  } catch (error) {
    return `The regular expression is not valid: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * A glob as VS Code reads them (`**`, `*`, `?`, `{a,b}`, `[abc]`) as a regular expression over forward-slash paths.
 * A pattern without a slash matches at any depth when `anyDepth` (how files.exclude patterns like `node_modules` work).
 */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  let inGroup = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches any number of folders (also none); a trailing `**` matches everything below.
        if (glob[i + 2] === '/') {
          out += '(?:[^/]*/)*';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      inGroup++;
      out += '(?:';
    } else if (c === '}' && inGroup > 0) {
      inGroup--;
      out += ')';
    } else if (c === ',' && inGroup > 0) out += '|';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close === -1) out += '\\[';
      else {
        out += `[${glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else out += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** Patterns that are `true` in a files.exclude / search.exclude object (the `when` form is taken as true). */
export function enabledPatterns(setting: unknown): string[] {
  if (typeof setting !== 'object' || setting === null) return [];
  return Object.entries(setting as Record<string, unknown>).filter(([, v]) => v === true || (typeof v === 'object' && v !== null)).map(([k]) => k);
}

/** Matches workspace-relative paths against exclude globs the way VS Code does (a pattern also excludes what is below a match). */
export class ExcludeMatcher {
  private readonly patterns: RegExp[];
  /** Folder → excluded (itself or a folder above it): files of one folder share the answer. */
  private readonly folders = new Map<string, boolean>();

  constructor(globs: readonly string[]) {
    this.patterns = globs.map((g) => globToRegExp(g.replace(/^\.\//, '').replace(/\/+$/, '')));
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Whether `relative` itself matches a pattern (its folders not considered). */
  matches(relative: string): boolean {
    return this.patterns.some((p) => p.test(relative));
  }

  /** Whether `relative` (forward slashes, no leading slash) or one of its parent folders is excluded. */
  excludes(relative: string): boolean {
    if (this.patterns.length === 0) return false;
    const slash = relative.lastIndexOf('/');
    return (slash !== -1 && this.excludesFolder(relative.slice(0, slash))) || this.matches(relative);
  }

  private excludesFolder(folder: string): boolean {
    let known = this.folders.get(folder);
    if (known === undefined) {
      known = this.excludes(folder);
      this.folders.set(folder, known);
    }
    return known;
  }
}

/** Reads `.gitignore` lines that are simple enough to turn into exclude globs (negations and anchored oddities skipped). */
export function gitignoreGlobs(text: string): string[] {
  const globs: string[] = [];
  for (const raw of splitLines(text)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const body = line.replace(/\/+$/, '');
    if (!body) continue;
    if (body.startsWith('/')) globs.push(body.slice(1));
    else if (body.includes('/')) globs.push(body);
    else globs.push(`**/${body}`);
  }
  return globs;
}
