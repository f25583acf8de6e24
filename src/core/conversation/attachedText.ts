// What Add Problems to Chat puts into a question, as pure functions: the workspace's problems as a compact text block
// (one line per problem, errors first, capped so a broken build cannot fill the context). No vscode. (Whether a file
// is text is core/tools/textFile.ts: one rule for Add File to Chat and the tools.)

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
