// One sub-command's words read for what they run: why it is never run unasked (the reasons, NEVER), the command
// behind assignments, wrappers and reserved words, inline code, `find -exec`; and the word lists deny rules are
// checked against. The shell syntax that produces the words is shellCommand.ts.
import type { CommandPart, ParsedCommand } from './shellCommand';

export const NEVER = {
  substitution: 'command substitution $(…) or `…`',
  process: 'process substitution <(…) / >(…)',
  heredoc: 'here-document <<',
  parameter: 'parameter expansion ${…}',
  ansiC: "ANSI-C quoting $'…'",
  invisible: 'invisible or control characters',
  unterminated: 'unterminated quote or trailing backslash',
  unreadable: 'shell syntax the parser cannot read',
  evalLike: 'runs text as code (eval, source, exec)',
  inlineCode: 'runs inline code (sh -c, node -e, python -c…)',
  variableName: 'command name from a variable',
  wildcardName: 'command name with wildcards, braces or ~',
  compound: 'shell control syntax (if, for, while, {…}, functions)',
  wrapper: 'runs another command (sudo, xargs, env, nohup…)',
  findExec: 'find that runs or deletes (-exec, -delete)',
  redirectOutside: 'writes to a path outside the workspace',
  redirectVariable: 'writes to a path from a variable or wildcard',
  windows: 'cmd/PowerShell special characters (& | < > ^ % ! quotes) the parser cannot read safely',
} as const;

/** Stands in for every $VAR (a control character, which a readable command never contains). */
export const VAR = '\u0001';

const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'for', 'case', 'esac', 'in', 'function', 'select', 'coproc', '{', '}', '!', 'time', '[[', ']]']);
const EVAL_LIKE = new Set(['eval', 'source', '.', 'exec', 'trap', 'alias', 'fc', 'enable']);
const WRAPPERS = new Set([
  'sudo', 'doas', 'su', 'env', 'nohup', 'nice', 'ionice', 'timeout', 'stdbuf', 'xargs', 'command', 'builtin', 'setsid', 'unbuffer',
  'watch', 'chroot', 'strace', 'ltrace', 'taskset', 'flock', 'caffeinate', 'script', 'runuser', 'pkexec', 'chronic', 'parallel',
  'start', 'call', 'cmd', 'wsl', 'busybox', 'dbus-launch', 'systemd-run', 'firejail', 'proot',
]);
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'fish', 'csh', 'tcsh', 'ash', 'rbash', 'yash', 'elvish', 'nu', 'xonsh']);
const INLINE_FLAGS: Record<string, RegExp> = {
  node: /^(?:-e|--eval|-p|--print|-pe|-r|--require|--import|--loader)(?:=|$)/,
  nodejs: /^(?:-e|--eval|-p|--print)(?:=|$)/,
  deno: /^(?:eval|-e)$/,
  bun: /^(?:-e|--eval|-p|--print)(?:=|$)/,
  python: /^-c/, python2: /^-c/, python3: /^-c/, py: /^-c/, pypy: /^-c/, pypy3: /^-c/,
  perl: /^-[a-zA-Z]*[eE]/, ruby: /^-[a-zA-Z]*e/, php: /^-r/, lua: /^-e/, osascript: /^-e/, tclsh: /./, wish: /./,
  powershell: /^[-/](?:c|co|com|command|e|ec|enc|encodedcommand)$/i, pwsh: /^[-/](?:c|co|com|command|e|ec|enc|encodedcommand)$/i,
  cmd: /^\/[ck]$/i, awk: /system|\|/, gawk: /system|\|/,
};
export function commandName(word: string): string {
  const base = word.replace(/\\/g, '/').split('/').pop() ?? word;
  return base.toLowerCase().replace(/\.(?:exe|cmd|bat|com|ps1)$/, '');
}

/** A word as the card shows it: quoted only when it needs to be. */
function showWord(word: string): string {
  const shown = word.split(VAR).join('$…');
  return /^[\w@%+=:,./-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
}

function isAssignment(word: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(word);
}

export interface RawPart {
  words: string[];
  globs: Set<number>;
  redirects: string[];
  never: Set<string>;
}

/** What a sub-command runs, and why it may never run unasked; `parseNested` reads code handed to a shell as text. */
export function analyzePart(part: RawPart, depth: number, parseNested: (text: string, depth: number) => ParsedCommand): CommandPart {
  const never = new Set(part.never);
  const words = part.words;
  const text = [...words.map(showWord), ...part.redirects].join(' ');
  const denyCandidates: string[][] = [words];
  if (words.some((w) => w.includes(VAR)) && words.length > 0 && words[0].includes(VAR)) never.add(NEVER.variableName);

  // Leading VAR=value assignments and reserved words: deny rules see the command behind them.
  let start = 0;
  for (;;) {
    const word = words[start];
    if (word === undefined) break;
    if (isAssignment(word) && !part.globs.has(start)) {
      start++;
      continue;
    }
    if (RESERVED.has(word)) {
      never.add(NEVER.compound);
      start++;
      continue;
    }
    break;
  }
  const rest = words.slice(start);
  if (start > 0 && rest.length > 0) denyCandidates.push(rest);
  const name = rest[0];
  if (name !== undefined) {
    if (name.includes(VAR)) never.add(NEVER.variableName);
    if (part.globs.has(start) || /[*?[\]{}~]/.test(name)) never.add(NEVER.wildcardName);
    const base = commandName(name);
    if (base !== name) denyCandidates.push([base, ...rest.slice(1)]);
    if (EVAL_LIKE.has(base)) never.add(NEVER.evalLike);
    if (WRAPPERS.has(base) || base === 'time') {
      never.add(NEVER.wrapper);
      // The wrapped command may start at any later word (options of the wrapper come first).
      for (let i = 1; i < rest.length; i++) {
        const inner = rest.slice(i);
        denyCandidates.push(inner, [commandName(inner[0]), ...inner.slice(1)]);
      }
    }
    const inline = INLINE_FLAGS[base];
    const shellInline = SHELLS.has(base) && rest.slice(1).some((w) => /^-[a-zA-Z]*c/.test(w));
    if (shellInline || (inline && rest.slice(1).some((w) => inline.test(w)))) never.add(NEVER.inlineCode);
    if (SHELLS.has(base) || base === 'cmd' || base === 'powershell' || base === 'pwsh' || WRAPPERS.has(base)) {
      // Code handed to a shell as text: its own sub-commands are checked against deny rules too.
      if (depth < 3) {
        for (const arg of rest.slice(1)) {
          if (!/[\s;&|]/.test(arg)) continue;
          for (const inner of parseNested(arg, depth + 1).parts) denyCandidates.push(...inner.denyCandidates);
        }
      }
    }
    if (base === 'find') {
      const exec = rest.findIndex((w) => /^-(?:exec|execdir|ok|okdir)$/.test(w));
      if (exec !== -1 || rest.includes('-delete') || rest.some((w) => /^-fprint/.test(w))) never.add(NEVER.findExec);
      if (exec !== -1) {
        const inner = rest.slice(exec + 1);
        const end = inner.findIndex((w) => w === ';' || w === '+');
        const command = end === -1 ? inner : inner.slice(0, end);
        if (command.length > 0) denyCandidates.push(command, [commandName(command[0]), ...command.slice(1)]);
      }
    }
  }
  return { words, text, never: [...never], denyCandidates };
}

