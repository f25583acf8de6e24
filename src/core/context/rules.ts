// Project rules, part 2: from the rule files of the workspace folders to the rules in effect for one question and the
// text they add to the system prompt. Pure: the host finds and reads the files (host/context/projectRules.ts).
import { estimateTextTokens } from '../../common/tokenCount';
import { globToRegExp } from '../tools/text';
import { parseRule, ruleFormatOf, type RuleFormat, type RuleScope } from './rulesFormat';

/** A rule file over this many characters is cut (at a line end) with a note saying so. */
export const MAX_RULE_CHARS = 40_000;

export interface RuleFile {
  /** The workspace folder's name (multi-root paths start with it). */
  folder: string;
  /** Folder-relative, forward slashes. */
  relPath: string;
  text: string;
}

export interface ProjectRule {
  /** Stable across reads: `folder/relPath`. The toggles (workspaceState) are keyed by it. */
  id: string;
  folder: string;
  relPath: string;
  /** What the rules line shows: the file name, or the path when two rules share a name. */
  label: string;
  format: RuleFormat;
  scope: RuleScope;
  /** The text sent (frontmatter removed, cut to MAX_RULE_CHARS with a note). */
  body: string;
  /** The file was longer than MAX_RULE_CHARS: its length in characters. */
  cutFrom?: number;
  /** Estimated tokens of what this rule adds to the system prompt. */
  tokens: number;
  /** Broken frontmatter (reported in the Problems panel): 0-based line and why. */
  problem?: { message: string; line: number };
}

/** Formats in the order their rules are sent: the cross-tool AGENTS.md first, then each tool's own files. */
const FORMAT_ORDER: readonly RuleFormat[] = ['agents', 'claude', 'copilot', 'copilotInstructions', 'cursor', 'cursorLegacy', 'windsurf', 'cline', 'roo', 'continue'];

/** Parses every rule file (files that are not rule files are ignored), cuts long ones, and orders them stably. */
export function readRules(files: readonly RuleFile[]): ProjectRule[] {
  const rules: ProjectRule[] = [];
  for (const file of files) {
    const relPath = file.relPath.replace(/\\/g, '/').replace(/^\.\//, '');
    const format = ruleFormatOf(relPath);
    if (!format) continue;
    const parsed = parseRule(relPath, file.text, format);
    let body = parsed.body;
    let cutFrom: number | undefined;
    if (body.length > MAX_RULE_CHARS) {
      cutFrom = body.length;
      const at = body.lastIndexOf('\n', MAX_RULE_CHARS);
      body = `${body.slice(0, at > MAX_RULE_CHARS / 2 ? at : MAX_RULE_CHARS)}\n\n[This file has ${cutFrom.toLocaleString('en-US')} characters; only the first ${MAX_RULE_CHARS.toLocaleString('en-US')} are included.]`;
    }
    rules.push({
      id: `${file.folder}/${relPath}`,
      folder: file.folder,
      relPath,
      label: basename(relPath),
      format,
      scope: parsed.scope,
      body,
      ...(cutFrom !== undefined ? { cutFrom } : {}),
      tokens: 0,
      ...(parsed.problem ? { problem: parsed.problem } : {}),
    });
  }
  rules.sort((a, b) => FORMAT_ORDER.indexOf(a.format) - FORMAT_ORDER.indexOf(b.format) || depth(a.relPath) - depth(b.relPath) || compare(a.id, b.id));
  const folders = new Set(rules.map((r) => r.folder));
  const names = new Map<string, number>();
  for (const rule of rules) names.set(rule.label, (names.get(rule.label) ?? 0) + 1);
  for (const rule of rules) {
    if ((names.get(rule.label) ?? 0) > 1) rule.label = displayOf(rule, folders.size > 1);
    rule.tokens = estimateTextTokens(ruleSection(rule, folders.size > 1));
  }
  return rules;
}

/** A file a question is about (its selection, an attachment, a file a tool read or changed): folder and relative path. */
export interface QuestionFile {
  folder: string;
  relPath: string;
}

/**
 * The rules in effect for a question: every `always` rule, nested ones whose folder holds one of the question's files,
 * glob rules matching one of them, and `onRequest` rules (listed by description). Rules the user switched off for this
 * workspace (`disabled` ids) and broken ones are left out.
 */
export function rulesInEffect(rules: readonly ProjectRule[], files: readonly QuestionFile[], disabled: ReadonlySet<string> = new Set()): ProjectRule[] {
  return rules.filter((rule) => !disabled.has(rule.id) && applies(rule, files));
}

export function applies(rule: ProjectRule, files: readonly QuestionFile[]): boolean {
  const scope = rule.scope;
  switch (scope.kind) {
    case 'always':
    case 'onRequest':
      return true;
    case 'manual':
      return false;
    case 'folder':
      return files.some((f) => f.folder === rule.folder && f.relPath.startsWith(`${scope.dir}/`));
    case 'globs': {
      const patterns = scope.globs.map(globMatcher);
      return files.some((f) => f.folder === rule.folder && patterns.some((match) => match(f.relPath)));
    }
  }
}

/** A glob as the rule formats write them: without a slash it matches the file name at any depth (`*.ts`). */
function globMatcher(glob: string): (relPath: string) => boolean {
  const clean = glob.trim().replace(/^\.\//, '').replace(/^\//, '');
  const regex = globToRegExp(clean);
  if (clean.includes('/')) return (relPath) => regex.test(relPath);
  return (relPath) => regex.test(relPath) || regex.test(basename(relPath));
}

/** The system prompt's rules part (empty when none): after fastrouter.systemPrompt, so both sit in the cached prefix. */
export function rulesSystemText(rules: readonly ProjectRule[]): string {
  if (rules.length === 0) return '';
  const multiRoot = new Set(rules.map((r) => r.folder)).size > 1;
  const applied = rules.filter((r) => r.scope.kind !== 'onRequest');
  const onRequest = rules.filter((r) => r.scope.kind === 'onRequest');
  const parts = [
    '<project_rules>',
    "The user's project has instruction files for AI assistants. Follow them unless the user says otherwise; where they disagree, the more specific one (a nested folder's, or one for the files in question) wins.",
    ...applied.map((rule) => ruleSection(rule, multiRoot)),
  ];
  if (onRequest.length > 0) {
    parts.push(`Rules to read (with read_file) when the task concerns them:\n${onRequest.map((rule) => ruleSection(rule, multiRoot)).join('\n')}`);
  }
  parts.push('</project_rules>');
  return parts.join('\n\n');
}

/** `fastrouter.systemPrompt` followed by the rules. */
export function systemWithRules(system: string, rulesText: string): string {
  if (!rulesText) return system;
  return system.trim() === '' ? rulesText : `${system}\n\n${rulesText}`;
}

function ruleSection(rule: ProjectRule, multiRoot: boolean): string {
  const path = displayOf(rule, multiRoot);
  const scope = rule.scope;
  if (scope.kind === 'onRequest') return `- ${path}: ${scope.description.replace(/\s+/g, ' ')}`;
  const when = scope.kind === 'folder' ? ` (applies to files under ${multiRoot ? `${rule.folder}/` : ''}${scope.dir}/)` : scope.kind === 'globs' ? ` (applies to ${scope.globs.join(', ')})` : '';
  return `## ${path}${when}\n\n${rule.body}`;
}

function displayOf(rule: Pick<ProjectRule, 'folder' | 'relPath'>, multiRoot: boolean): string {
  return multiRoot ? `${rule.folder}/${rule.relPath}` : rule.relPath;
}

/** A display path ("src/a.ts", or "folder/src/a.ts" in a multi-root workspace) as folder + relative path. */
export function questionFileOf(display: string, folders: readonly string[]): QuestionFile | undefined {
  const path = display.replace(/\\/g, '/').replace(/^\.\//, '');
  if (folders.length === 0 || path === '') return undefined;
  if (folders.length === 1) return { folder: folders[0], relPath: path };
  const slash = path.indexOf('/');
  const first = slash === -1 ? path : path.slice(0, slash);
  return folders.includes(first) && slash !== -1 ? { folder: first, relPath: path.slice(slash + 1) } : undefined;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function depth(path: string): number {
  let n = 0;
  for (const c of path) if (c === '/') n++;
  return n;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
