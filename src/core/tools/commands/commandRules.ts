// fastrouter.tools.commandRules: keys are a command prefix ("npm test", matched word by word) or a /regex/ (matched
// against a sub-command's words joined by spaces); true = run without asking, false = never run. Deny wins: one part
// that matches a false rule denies the whole command, and the whole runs unasked only when every part matches a true
// rule and nothing in it is on the never-unasked list (see shellCommand.ts).
import { parse } from 'shell-quote';
import { parseCommand, windowsPieces, type CommandPart, type ParseOptions } from './shellCommand';

export interface CommandRule {
  key: string;
  allow: boolean;
  test(words: readonly string[]): boolean;
}

export interface PartVerdict {
  text: string;
  verdict: 'allow' | 'deny' | 'ask';
  /** The rule's key that decided it (allow or deny). */
  rule?: string;
  /** Why it is asked although a rule allows it, or that no rule matched. */
  reasons: string[];
}

export interface CommandVerdict {
  decision: 'run' | 'ask' | 'deny';
  parts: PartVerdict[];
  /** Why the whole command is asked (substitutions, unreadable…). */
  reasons: string[];
  /** The deny rule that matched (decision 'deny'). */
  deniedBy?: string;
}

/** Reads the setting; keys that are not a readable prefix or a valid /regex/ are reported, not used. */
export function compileRules(setting: unknown): { rules: CommandRule[]; invalid: string[] } {
  const rules: CommandRule[] = [];
  const invalid: string[] = [];
  if (typeof setting !== 'object' || setting === null || Array.isArray(setting)) return { rules, invalid };
  for (const [key, value] of Object.entries(setting as Record<string, unknown>)) {
    if (typeof value !== 'boolean') {
      invalid.push(key);
      continue;
    }
    const regex = /^\/(.+)\/([a-z]*)$/s.exec(key);
    if (regex) {
      try {
        const pattern = new RegExp(regex[1], regex[2].replace(/[gy]/g, ''));
        rules.push({ key, allow: value, test: (words) => pattern.test(words.join(' ')) });
      } catch {
        invalid.push(key);
      }
      continue;
    }
    let prefix: string[];
    try {
      prefix = parse(key).filter((w): w is string => typeof w === 'string');
    } catch {
      prefix = [];
    }
    if (prefix.length === 0 || prefix.length !== parse(key).length) {
      invalid.push(key);
      continue;
    }
    rules.push({ key, allow: value, test: (words) => prefix.length <= words.length && prefix.every((w, i) => w === words[i]) });
  }
  return { rules, invalid };
}

function denyRule(part: CommandPart, rules: readonly CommandRule[]): CommandRule | undefined {
  return rules.find((rule) => !rule.allow && part.denyCandidates.some((words) => rule.test(words) || rule.test(words.map((w) => w.toLowerCase()))));
}

/** Decides a command: run unasked, ask, or deny. */
export function judgeCommand(command: string, rules: readonly CommandRule[], options: ParseOptions): CommandVerdict {
  const parsed = parseCommand(command, options);
  const reasons = [...parsed.never];
  let deniedBy: string | undefined;
  const parts: PartVerdict[] = parsed.parts.map((part) => {
    const denied = denyRule(part, rules);
    if (denied) {
      deniedBy ??= denied.key;
      return { text: part.text, verdict: 'deny', rule: denied.key, reasons: [] };
    }
    const allowed = rules.find((rule) => rule.allow && rule.test(part.words));
    if (!allowed) return { text: part.text, verdict: 'ask', reasons: [...part.never, part.words.length === 0 ? 'no command' : 'no rule allows it'] };
    if (part.never.length > 0) return { text: part.text, verdict: 'ask', rule: allowed.key, reasons: part.never };
    return { text: part.text, verdict: 'allow', rule: allowed.key, reasons: [] };
  });
  // Deny rules also see the pieces cmd.exe would run, and a /regex/ deny sees the command as written.
  if (!deniedBy && options.dialect === 'windows') {
    const pieces = windowsPieces(command);
    deniedBy = rules.find((rule) => !rule.allow && pieces.some((words) => rule.test(words) || rule.test(words.map((w) => w.toLowerCase()))))?.key;
  }
  if (!deniedBy) deniedBy = rules.find((rule) => !rule.allow && rule.key.startsWith('/') && rule.test([command]))?.key;
  if (deniedBy) return { decision: 'deny', parts, reasons, deniedBy };
  const runs = parts.length > 0 && reasons.length === 0 && parts.every((p) => p.verdict === 'allow');
  return { decision: runs ? 'run' : 'ask', parts, reasons };
}
