// Project rules, part 1: which files are instruction files (AGENTS.md, CLAUDE.md, Copilot's, Cursor's, Cline's, Roo's,
// Continue's, Windsurf's) and what each says about when it applies (frontmatter read by frontmatterYaml.ts). Pure:
// given a folder-relative path and the file's text. Discovery on disk is host/context/projectRules.ts.
import { FrontmatterYamlError, parseFrontmatterYaml } from './frontmatterYaml';

/** The formats, named after the tool that reads them. */
export type RuleFormat = 'agents' | 'claude' | 'copilot' | 'copilotInstructions' | 'cursor' | 'cursorLegacy' | 'windsurf' | 'cline' | 'roo' | 'continue';

/** When a rule goes into the system prompt. */
export type RuleScope =
  /** Every question. */
  | { kind: 'always' }
  /** When a file of the question (selection, attachment, a file the tools touched) matches one of the globs. */
  | { kind: 'globs'; globs: string[] }
  /** A nested AGENTS.md / CLAUDE.md: when a file of the question is under `dir` (folder-relative, no trailing slash). */
  | { kind: 'folder'; dir: string }
  /** Cursor's "agent requested" (and a Copilot file without applyTo but with a description): listed by description and path, read on demand. */
  | { kind: 'onRequest'; description: string }
  /** Never applied automatically (no globs, no description, alwaysApply false). */
  | { kind: 'manual' };

/** Glob patterns that find every rule file in a workspace folder (for `findFiles` and the file watcher). */
export const RULE_FILE_GLOBS: readonly string[] = [
  '**/AGENTS.md',
  '**/CLAUDE.md',
  'CLAUDE.local.md',
  '.claude/CLAUDE.md',
  '.github/copilot-instructions.md',
  '.github/instructions/**/*.instructions.md',
  '.cursor/rules/**/*.mdc',
  '.cursorrules',
  '.windsurfrules',
  '.clinerules',
  '.clinerules/**/*.md',
  '.roo/rules/**',
  '.continue/rules/**/*.md',
];

/** Folders never searched for nested AGENTS.md / CLAUDE.md (dependencies and build output). */
export const RULE_SEARCH_EXCLUDE = '**/{node_modules,.git,dist,out,build,.venv,vendor,target}/**';

/** The format of a folder-relative path (forward slashes), or undefined when it is not a rule file. */
export function ruleFormatOf(relPath: string): RuleFormat | undefined {
  const path = relPath.replace(/^\.\//, '');
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (path === '.github/copilot-instructions.md') return 'copilot';
  if (/^\.github\/instructions\/(?:.+\/)?[^/]+\.instructions\.md$/.test(path)) return 'copilotInstructions';
  if (/^\.cursor\/rules\/(?:.+\/)?[^/]+\.mdc$/.test(path)) return 'cursor';
  if (path === '.cursorrules') return 'cursorLegacy';
  if (path === '.windsurfrules') return 'windsurf';
  if (path === '.clinerules' || /^\.clinerules\/(?:.+\/)?[^/]+\.md$/.test(path)) return 'cline';
  if (/^\.roo\/rules\/(?:.+\/)?[^/]+$/.test(path)) return 'roo';
  if (/^\.continue\/rules\/(?:.+\/)?[^/]+\.md$/.test(path)) return 'continue';
  if (path === 'CLAUDE.local.md' || path === '.claude/CLAUDE.md') return 'claude';
  if (base === 'AGENTS.md' && !isExcludedFolder(path)) return 'agents';
  if (base === 'CLAUDE.md' && !isExcludedFolder(path)) return 'claude';
  return undefined;
}

const EXCLUDED_SEGMENTS = new Set(['node_modules', '.git', 'dist', 'out', 'build', '.venv', 'vendor', 'target']);

function isExcludedFolder(path: string): boolean {
  const parts = path.split('/');
  parts.pop();
  return parts.some((part) => EXCLUDED_SEGMENTS.has(part));
}

export interface FrontmatterResult {
  /** The body after the frontmatter (the whole text when there is none). */
  body: string;
  /** The parsed frontmatter (an object), or undefined when the file has none. */
  data?: Record<string, unknown>;
  /** Why the frontmatter could not be read, with a 0-based line in the file where known. */
  problem?: { message: string; line: number };
}

/** Splits `---` frontmatter from the body and parses it (the YAML rule files use: plain data, no anchors or tags); a broken one is reported, never ignored. */
export function parseFrontmatter(text: string): FrontmatterResult {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const open = /^---[ \t]*\r?\n/.exec(source);
  if (!open) return { body: source };
  const rest = source.slice(open[0].length);
  const close = /^---[ \t]*(?:\r?\n|$)/m.exec(rest);
  if (!close) return { body: source, problem: { message: 'The frontmatter starts with "---" but has no closing "---" line.', line: 0 } };
  const yamlText = rest.slice(0, close.index);
  const body = rest.slice(close.index + close[0].length);
  if (yamlText.trim() === '') return { body, data: {} };
  let data: unknown;
  try {
    // Duplicate keys are an error, not a silent last-wins.
    data = parseFrontmatterYaml(yamlText);
  } catch (error) {
    const reason = error instanceof FrontmatterYamlError ? error.reason : String(error);
    const lastLine = yamlText.trimEnd().split('\n').length - 1;
    const at = error instanceof FrontmatterYamlError ? Math.min(error.line, lastLine) : 0;
    const line = at + 1; // +1 for the opening "---" line
    return { body, problem: { message: `The frontmatter is not valid YAML: ${firstLine(reason)}`, line } };
  }
  if (data === null || data === undefined) return { body, data: {} };
  if (typeof data !== 'object' || Array.isArray(data)) return { body, problem: { message: 'The frontmatter must be a set of "key: value" lines.', line: 1 } };
  return { body, data: data as Record<string, unknown> };
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0].trim();
}

/** A glob field that may be a string ("a, b"), a list, or absent. */
function globList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') return undefined;
    for (const part of item.split(',')) if (part.trim() !== '') out.push(part.trim());
  }
  return out;
}

export interface ParsedRule {
  format: RuleFormat;
  scope: RuleScope;
  /** The rule's text as it goes into the system prompt (frontmatter removed). */
  body: string;
  /** Broken frontmatter, or a field of the wrong type: shown in the Problems panel. */
  problem?: { message: string; line: number };
}

/** Reads one rule file: its body and, from the frontmatter (or its place, for nested AGENTS.md), when it applies. */
export function parseRule(relPath: string, text: string, format: RuleFormat): ParsedRule {
  const hasFrontmatter = format !== 'cursorLegacy' && format !== 'windsurf' && format !== 'agents';
  const fm = hasFrontmatter ? parseFrontmatter(text) : { body: text.startsWith('\uFEFF') ? text.slice(1) : text };
  const data = 'data' in fm ? fm.data : undefined;
  let problem = 'problem' in fm ? fm.problem : undefined;
  const field = (key: string): unknown => data?.[key];
  const badField = (key: string, expected: string) => {
    problem ??= { message: `The frontmatter field "${key}" should be ${expected}.`, line: 1 };
  };
  const description = typeof field('description') === 'string' ? (field('description') as string).trim() : '';
  if (field('description') !== undefined && typeof field('description') !== 'string') badField('description', 'text');

  let scope: RuleScope;
  switch (format) {
    case 'agents':
    case 'claude': {
      const dir = relPath.includes('/') ? relPath.slice(0, relPath.lastIndexOf('/')) : '';
      const topLevel = dir === '' || relPath === '.claude/CLAUDE.md';
      scope = topLevel ? { kind: 'always' } : { kind: 'folder', dir };
      break;
    }
    case 'copilotInstructions': {
      const applyTo = globList(field('applyTo'));
      if (field('applyTo') !== undefined && applyTo === undefined) badField('applyTo', 'a glob or a list of globs');
      if (applyTo && applyTo.length > 0) scope = applyTo.some(isMatchAll) ? { kind: 'always' } : { kind: 'globs', globs: applyTo };
      else scope = description ? { kind: 'onRequest', description } : { kind: 'manual' };
      break;
    }
    case 'cursor':
    case 'continue':
    case 'cline':
    case 'roo': {
      const always = field('alwaysApply');
      if (always !== undefined && typeof always !== 'boolean') badField('alwaysApply', 'true or false');
      // Cline's conditional rules say `paths`; Cursor and Continue say `globs`.
      const globsField = field('globs') !== undefined ? 'globs' : field('paths') !== undefined ? 'paths' : undefined;
      const globs = globsField ? globList(field(globsField)) : undefined;
      if (globsField && globs === undefined) badField(globsField, 'a glob or a list of globs');
      if (always === true || (globs !== undefined && globs.some(isMatchAll))) scope = { kind: 'always' };
      else if (globs && globs.length > 0) scope = { kind: 'globs', globs };
      // Cursor's rules (and any with alwaysApply: false) without globs are read on request, by their description.
      else if (format === 'cursor' || always === false) scope = description ? { kind: 'onRequest', description } : { kind: 'manual' };
      else scope = { kind: 'always' };
      break;
    }
    default:
      scope = { kind: 'always' };
  }
  // A rule whose frontmatter cannot be read is not guessed at: it is reported and left out until fixed.
  if (problem) return { format, scope: { kind: 'manual' }, body: fm.body.trim(), problem: { ...problem, message: `${problem.message} The rule is not used until this is fixed.` } };
  return { format, scope, body: fm.body.trim() };
}

function isMatchAll(glob: string): boolean {
  return glob === '**' || glob === '**/*' || glob === '*';
}
