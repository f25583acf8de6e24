// What Add File to Chat and Add Problems to Chat put into a question, as pure functions: whether bytes look like a
// binary file (refused: the model cannot read them as text), and the workspace's problems as a compact text block
// (one line per problem, errors first, capped so a broken build cannot fill the context). No vscode.

/** Bytes looked at to decide whether a file is text. */
export const BINARY_SNIFF_BYTES = 8192;

/** A NUL byte, or many control characters, in the first bytes: not a text file. UTF-8 and UTF-16 text with a BOM pass. */
export function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, BINARY_SNIFF_BYTES);
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) return false;
  let control = 0;
  for (const byte of head) {
    if (byte === 0) return true;
    // Control characters other than tab, line feed, form feed, carriage return and escape.
    if (byte < 32 && byte !== 9 && byte !== 10 && byte !== 12 && byte !== 13 && byte !== 27) control++;
  }
  return head.length > 0 && control / head.length > 0.1;
}

export type ProblemSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface Problem {
  /** Workspace-relative path. */
  path: string;
  /** 1-based. */
  line: number;
  column: number;
  severity: ProblemSeverity;
  message: string;
  source?: string;
  code?: string;
}

/** The most problems one attachment carries; more are counted, not listed. */
export const MAX_PROBLEMS = 200;

const RANK: Record<ProblemSeverity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

export interface ProblemsText {
  text: string;
  /** Problems listed. */
  listed: number;
  /** All problems of the severities asked for. */
  total: number;
}

/**
 * One line per problem, `path:line:column severity message (source code)`, errors first then by path and position;
 * `severities` chooses which count (errors and warnings by default, as the Problems panel shows them).
 */
export function formatProblems(problems: readonly Problem[], severities: readonly ProblemSeverity[] = ['error', 'warning'], max = MAX_PROBLEMS): ProblemsText {
  const wanted = problems.filter((p) => severities.includes(p.severity));
  const sorted = [...wanted].sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column);
  const listed = sorted.slice(0, max);
  const lines = listed.map((p) => {
    const origin = [p.source, p.code].filter(Boolean).join(' ');
    const message = p.message.replace(/\s*\n\s*/g, ' ').trim();
    return `${p.path}:${p.line}:${p.column} ${p.severity} ${message}${origin ? ` (${origin})` : ''}`;
  });
  if (sorted.length > listed.length) lines.push(`… and ${sorted.length - listed.length} more not listed.`);
  return { text: lines.join('\n'), listed: listed.length, total: sorted.length };
}
