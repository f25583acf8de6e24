// Builds the user message of a turn: the question, the code it is about (a fenced block with language, path and
// line range) and any images. Also the pure "which lines does an empty selection mean" helper. No vscode.
import type { ContentBlockParam } from '../../api';
import type { CodeContext, CodeContextKind, ImageAttachment } from '../../common/chatTypes';

export const DEFAULT_QUESTION = 'Explain this code';

/** A backtick fence longer than any backtick run inside `code`, so the code can never close it early. */
export function chooseFence(code: string): string {
  let longest = 0;
  for (const run of code.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/** VS Code language ids that are not useful as a Markdown info string. */
const NO_INFO_STRING = new Set(['plaintext', 'text', '']);

/** One line naming where the code comes from; newlines and backticks in a path cannot break the Markdown. */
export function describeCodeLocation(code: CodeContext): string {
  const path = code.path.replace(/[\r\n]+/g, ' ').replace(/`/g, "'");
  const lines = describeLines(code);
  const language = NO_INFO_STRING.has(code.languageId) ? '' : code.languageId;
  const details = [lines, language].filter(Boolean).join(', ');
  return `\`${path}\`${details ? ` (${details})` : ''}`;
}

/** "line 4", "lines 4-9", or '' when the item is not a range (problems). */
export function describeLines(code: Pick<CodeContext, 'startLine' | 'endLine'>): string {
  if (code.startLine === undefined) return '';
  const end = code.endLine ?? code.startLine;
  return code.startLine === end ? `line ${code.startLine}` : `lines ${code.startLine}-${end}`;
}

const KIND_INTRO: Record<CodeContextKind, string> = { selection: 'From', file: 'File', problems: 'Problems in' };

/** The item as a fenced block, preceded by its location. */
export function formatCodeBlock(code: CodeContext): string {
  const fence = chooseFence(code.text);
  const info = NO_INFO_STRING.has(code.languageId) ? '' : code.languageId.replace(/\s+/g, '');
  const body = code.text.endsWith('\n') ? code.text : `${code.text}\n`;
  return `${KIND_INTRO[code.kind]} ${describeCodeLocation(code)}:\n\n${fence}${info}\n${body}${fence}`;
}

/** What stands in for an item the user dropped from the conversation, so the model knows it is gone and why. */
export function omittedNote(what: string): string {
  return `(${what} was attached here; the user removed it from the conversation.)`;
}

/** The text of a user turn as the model sees it: the context first (long context before the question reads best), then the question. */
export function buildUserText(turn: { text: string; context?: readonly CodeContext[] }): string {
  const context = turn.context ?? [];
  const question = turn.text.trim() === '' && context.some((c) => !c.omitted) ? DEFAULT_QUESTION : turn.text;
  const parts = context.map((c) => (c.omitted ? omittedNote(describeCodeLocation(c)) : formatCodeBlock(c)));
  return [...parts, question].filter((part) => part !== '').join('\n\n');
}

/** The `content` of the API user message for a turn: a plain string, or blocks when images are attached (images first). */
export function buildUserContent(turn: { text: string; context?: readonly CodeContext[]; images?: readonly ImageAttachment[] }): ContentBlockParam[] | string {
  const images = turn.images ?? [];
  const sent = images.filter((image) => !image.omitted);
  const notes = images.filter((image) => image.omitted).map((image) => omittedNote(`An image (${image.name || 'unnamed'})`));
  const text = [...notes, buildUserText(turn)].filter((part) => part.trim() !== '').join('\n\n');
  if (sent.length === 0) return text;
  const blocks: ContentBlockParam[] = sent.map((image) => ({
    type: 'image',
    source: { type: 'base64', media_type: image.mediaType, data: image.data },
  }));
  if (text.trim() !== '') blocks.push({ type: 'text', text });
  return blocks;
}

/**
 * The block around 0-based `line` found by indentation: the nearest less-indented header line above it and every
 * following line indented deeper (blank lines included), plus a closing line at the header's indent (`}`, `end`).
 * Undefined when the line is blank at top level or the "block" is just one line.
 */
export function enclosingBlockByIndentation(lines: readonly string[], line: number): { start: number; end: number } | undefined {
  if (line < 0 || line >= lines.length) return undefined;
  const indentOf = (i: number): number | undefined => {
    const text = lines[i];
    if (text.trim() === '') return undefined;
    return text.length - text.trimStart().length;
  };
  let at = line;
  while (at >= 0 && indentOf(at) === undefined) at--;
  if (at < 0) return undefined;
  const ownIndent = indentOf(at)!;
  // A header line is one whose next non-blank line is indented deeper than itself.
  const nextIndent = (i: number): number | undefined => {
    for (let j = i + 1; j < lines.length; j++) {
      const ind = indentOf(j);
      if (ind !== undefined) return ind;
    }
    return undefined;
  };
  let start = at;
  const next = nextIndent(at);
  if (next === undefined || next <= ownIndent) {
    start = -1;
    for (let i = at - 1; i >= 0; i--) {
      const ind = indentOf(i);
      if (ind !== undefined && ind < ownIndent) {
        start = i;
        break;
      }
    }
    if (start < 0) return undefined;
  }
  const headerIndent = indentOf(start)!;
  let end = start;
  for (let i = start + 1; i < lines.length; i++) {
    const ind = indentOf(i);
    if (ind === undefined) continue;
    if (ind > headerIndent) {
      end = i;
      continue;
    }
    // A closing bracket or keyword at the header's indent belongs to the block.
    if (ind === headerIndent && /^\s*([}\])]|end\b|fi\b|done\b|esac\b)/.test(lines[i])) end = i;
    break;
  }
  return end > start ? { start, end } : undefined;
}

/** Cuts `text` to at most `maxChars`, at a line end when there is one, and says how many lines were kept. */
export function truncateAtLine(text: string, maxChars: number): { text: string; lines: number } {
  if (text.length <= maxChars) return { text, lines: text.split('\n').length };
  let cut = text.lastIndexOf('\n', maxChars);
  if (cut <= 0) cut = maxChars;
  const kept = text.slice(0, cut);
  return { text: kept, lines: kept.split('\n').length };
}

/** The items cut to `maxChars` in all, each at a line end; items that no longer fit are left out. */
export function truncateItems(items: readonly CodeContext[], maxChars: number): CodeContext[] {
  const out: CodeContext[] = [];
  let budget = maxChars;
  for (const code of items) {
    if (budget <= 0) break;
    if (code.text.length <= budget) {
      out.push(code);
      budget -= code.text.length;
      continue;
    }
    const cut = truncateAtLine(code.text, budget);
    out.push(code.startLine === undefined ? { ...code, text: cut.text } : { ...code, text: cut.text, endLine: code.startLine + cut.lines - 1 });
    break;
  }
  return out;
}
