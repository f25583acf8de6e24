// A command line split into the sub-commands a shell would run (what makes a part unsafe: commandSafety.ts).
// Words and operators come from shell-quote (a real shell tokenizer). It misses a few things a shell does, so one
// pass over the quoting first (below) fixes or flags them: unquoted newlines separate commands, `#` inside a word is
// not a comment, and substitutions ($(…), backticks, <(…)) are flagged even inside double quotes. When in doubt a
// part is flagged: a flag only means the user is asked.
import * as nodePath from 'node:path';
import { parse, type ParseEntry } from 'shell-quote';
import { NEVER, VAR, analyzePart, commandName, type RawPart } from './commandSafety';

export type ShellDialect = 'posix' | 'windows';

export interface CommandPart {
  /** The words as the shell passes them (quotes removed, leading VAR=value kept): what rules match. */
  words: string[];
  /** The part as shown on the card. */
  text: string;
  /** Why this part is never run unasked, whatever the rules say. */
  never: string[];
  /** Word lists deny rules are checked against too: the command without VAR=, behind wrappers, inside `sh -c`… */
  denyCandidates: string[][];
}

export interface ParsedCommand {
  parts: CommandPart[];
  /** Why the whole command is never run unasked (substitutions, unreadable text…). */
  never: string[];
}

export interface ParseOptions {
  /** Absolute folder the command runs in (relative redirection targets resolve against it). */
  cwd: string;
  /** Absolute workspace folders: redirection may write only inside them. */
  roots: readonly string[];
  dialect?: ShellDialect;
}

const SEPARATORS = new Set(['&&', '||', ';', ';;', '|', '|&', '&', '(', ')', '<(', '>(']);
const WRITES = new Set(['>', '>>', '>|', '&>', '&>>', '<>', '>&']);
const READS = new Set(['<', '<&', '<<<']);
const HARMLESS_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty']);

/** Control, format (zero-width, bidi), unusual whitespace (no shell splits at a no-break space) and line-separator characters: a command that holds them is not what it looks like. */
function invisible(code: number): boolean {
  if (code === 0x09 || code === 0x0a) return false;
  return code < 0x20 || (code >= 0x7f && code <= 0xa0) || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x202f
    || code === 0x205f || code === 0x3000 || code === 0x2028 || code === 0x2029 || code === 0xfeff || code === 0x00ad
    || (code >= 0x200b && code <= 0x200f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2060 && code <= 0x206f)
    || code === 0x061c || code === 0x180e || (code >= 0xfff9 && code <= 0xfffb) || (code >= 0xe0000 && code <= 0xe007f);
}

/**
 * The quoting pass: returns the text shell-quote should read (newlines → `;`, mid-word `#` escaped, comments and line
 * continuations dropped) and what it found that is never run unasked.
 */
function prescan(command: string): { text: string; never: Set<string>; inner: string[] } {
  const never = new Set<string>();
  // Backtick and double-quoted $(…) bodies, which shell-quote keeps inside a word: parsed as parts of their own.
  const inner: string[] = [];
  let out = '';
  let quote: '' | "'" | '"' = '';
  let wordStart = true;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    const next = command[i + 1];
    const code = command.codePointAt(i) ?? 0;
    if (invisible(code)) never.add(NEVER.invisible);
    if (quote === "'") {
      if (c === "'") quote = '';
      out += c;
      continue;
    }
    if (c === '\\') {
      if (next === undefined) {
        never.add(NEVER.unterminated);
        continue;
      }
      i++;
      if (next !== '\n') out += c + next;
      wordStart = false;
      continue;
    }
    if (c === '$' && next === '(') {
      never.add(NEVER.substitution);
      if (quote === '"') inner.push(enclosed(command, i + 2, '(', ')'));
    }
    if (c === '$' && next === '{') never.add(NEVER.parameter);
    if (c === '`') {
      never.add(NEVER.substitution);
      const body = enclosed(command, i + 1, '', '`');
      inner.push(body);
    }
    if (quote === '"') {
      if (c === '"') quote = '';
      out += c;
      continue;
    }
    if (c === "'" || c === '"') {
      if (c === "'" && command[i - 1] === '$') never.add(NEVER.ansiC);
      quote = c;
      out += c;
      wordStart = false;
      continue;
    }
    if ((c === '<' || c === '>') && next === '(') never.add(NEVER.process);
    if (c === '<' && next === '<') {
      if (command[i + 2] === '<') {
        out += '<<<';
        i += 2;
      } else {
        never.add(NEVER.heredoc);
        out += '<<';
        i += 1;
      }
      wordStart = true;
      continue;
    }
    if (c === '#') {
      if (wordStart) {
        while (i + 1 < command.length && command[i + 1] !== '\n') i++;
        continue;
      }
      out += '\\#';
      continue;
    }
    if (c === '\n' || c === '\r') {
      out += ' ; ';
      wordStart = true;
      continue;
    }
    out += c;
    wordStart = /[\s;&|()<>]/.test(c);
  }
  if (quote) never.add(NEVER.unterminated);
  return { text: out, never, inner };
}

/** The text from `from` to the matching `close` (nested `open`s counted); the rest of the text when there is none. */
function enclosed(text: string, from: number, open: string, close: string): string {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (open && text[i] === open) depth++;
    else if (text[i] === close) {
      if (depth === 0) return text.slice(from, i);
      depth--;
    }
  }
  return text.slice(from);
}

function inside(root: string, target: string): boolean {
  const rel = nodePath.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !nodePath.isAbsolute(rel));
}

/** Splits a command line into its sub-commands (see the file comment). */
export function parseCommand(command: string, options: ParseOptions): ParsedCommand {
  return parseDepth(command, options, 0);
}

function parseDepth(command: string, options: ParseOptions, depth: number): ParsedCommand {
  const scanned = prescan(command);
  const never = scanned.never;
  if (options.dialect === 'windows' && /[&|<>^%!()"'`;$@\n\r]/.test(command)) never.add(NEVER.windows);
  let entries: ParseEntry[];
  try {
    entries = parse(scanned.text, () => VAR);
  } catch {
    return { parts: [], never: [...never, NEVER.unreadable] };
  }

  const raw: RawPart[] = [];
  let current: RawPart = { words: [], globs: new Set(), redirects: [], never: new Set() };
  let pendingRedirect: string | undefined;
  let parens = 0;
  const finish = (): void => {
    if (current.words.length > 0 || current.redirects.length > 0 || current.never.size > 0) raw.push(current);
    current = { words: [], globs: new Set(), redirects: [], never: new Set() };
  };
  const checkTarget = (op: string, target: string, glob: boolean): void => {
    current.redirects.push(`${op} ${target}`);
    if (!WRITES.has(op)) return;
    if (op === '>&' && /^(?:\d+|-)$/.test(target)) return;
    if (glob || target.includes(VAR)) {
      current.never.add(NEVER.redirectVariable);
      return;
    }
    if (HARMLESS_TARGETS.has(target)) return;
    if (target.startsWith('~') || /^[A-Za-z]:|^\\\\/.test(target)) {
      current.never.add(NEVER.redirectOutside);
      return;
    }
    const resolved = nodePath.resolve(options.cwd, target);
    if (!options.roots.some((root) => inside(root, resolved))) current.never.add(NEVER.redirectOutside);
  };

  for (const entry of entries) {
    if (typeof entry === 'string') {
      if (pendingRedirect) {
        checkTarget(pendingRedirect, entry, false);
        pendingRedirect = undefined;
      } else current.words.push(entry);
      continue;
    }
    if ('comment' in entry) {
      // The quoting pass drops comments; one here means the two passes read the text differently.
      never.add(NEVER.unreadable);
      const inner = parseDepth(entry.comment, options, depth + 1);
      finish();
      raw.push(...inner.parts.map((p) => ({ words: p.words, globs: new Set<number>(), redirects: [], never: new Set(p.never) })));
      continue;
    }
    if (entry.op === 'glob') {
      if (pendingRedirect) {
        checkTarget(pendingRedirect, entry.pattern, true);
        pendingRedirect = undefined;
      } else {
        current.globs.add(current.words.length);
        current.words.push(entry.pattern);
      }
      continue;
    }
    if (pendingRedirect) {
      // An operator where a file name should be.
      never.add(NEVER.unreadable);
      pendingRedirect = undefined;
    }
    if (SEPARATORS.has(entry.op)) {
      if (entry.op === '(' || entry.op === '<(' || entry.op === '>(') parens++;
      if (entry.op === ')' && --parens < 0) never.add(NEVER.unreadable);
      // `name()` or `name=(…)`: a function definition or an array.
      // (`$(` arrives as a variable and `(`: already flagged as a substitution.)
      const last = current.words[current.words.length - 1];
      if (entry.op === '(' && last !== undefined && last !== VAR) current.never.add(NEVER.compound);
      finish();
      continue;
    }
    if (WRITES.has(entry.op) || READS.has(entry.op) || entry.op === '<<') {
      // `2>` arrives as the word "2" and the operator.
      const last = current.words[current.words.length - 1];
      if (last !== undefined && /^\d+$/.test(last) && current.words.length > 1) current.words.pop();
      pendingRedirect = entry.op;
      continue;
    }
    never.add(NEVER.unreadable);
  }
  if (pendingRedirect || parens !== 0) never.add(NEVER.unreadable);
  finish();

  const parts = raw.map((part) => analyzePart(part, depth, (text, at) => parseDepth(text, options, at)));
  if (depth < 3) {
    for (const body of scanned.inner) {
      const nested = parseDepth(body, options, depth + 1);
      parts.push(...nested.parts);
      for (const reason of nested.never) never.add(reason);
    }
  }
  return { parts, never: [...never] };
}

/** The dialect of the shell commands run in (cmd.exe and PowerShell read `&`, `^`, `%` and quotes differently). */
export function shellDialect(shellPath: string): ShellDialect {
  const base = commandName(shellPath);
  return base === 'cmd' || base === 'powershell' || base === 'pwsh' ? 'windows' : 'posix';
}

/**
 * For cmd.exe: `&` and `|` separate commands even inside single quotes, so deny rules also see every piece cut at
 * them (the command is never run unasked in that dialect when it holds them anyway).
 */
export function windowsPieces(command: string): string[][] {
  return command.split(/[&|\n\r]+/).map((piece) => piece.replace(/[\^"']/g, '').trim().split(/\s+/).filter(Boolean)).filter((w) => w.length > 0);
}
