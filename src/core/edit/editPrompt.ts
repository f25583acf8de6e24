// The request of Edit Selection (and Fix with FastRouter): the code to rewrite with its file name, language and line
// range, a few lines around it (to read, not to rewrite), the instruction and any diagnostics (the project's rules
// join the system prompt, see core/context/rules.ts); the answer must be the replacement code only. Pure; no vscode.
import { chooseFence } from '../request/prompt';

/** Lines of context shown before and after the code. */
export const CONTEXT_LINES = 12;

export const EDIT_SYSTEM_PROMPT = [
  'You edit code in place inside the user\'s editor. You get the code to rewrite, some surrounding lines for context, and an instruction.',
  'Reply with the complete replacement for the code to rewrite, and nothing else: no explanation, no comments about the change, no surrounding lines.',
  'Keep the indentation style (tabs or spaces), the line structure and everything the instruction does not ask to change exactly as it is.',
  'You may wrap the code in one fenced block; write nothing outside it.',
].join(' ');

export interface EditRequest {
  instruction: string;
  path: string;
  languageId: string;
  /** 1-based line numbers of the code. */
  startLine: number;
  endLine: number;
  code: string;
  before: string;
  after: string;
  /** Diagnostics on the code ("Fix with FastRouter"), one line each. */
  diagnostics?: readonly string[];
}

/** The user message. */
export function editUserText(request: EditRequest): string {
  const info = request.languageId === 'plaintext' ? '' : request.languageId.replace(/\s+/g, '');
  const path = request.path.replace(/[\r\n]+/g, ' ').replace(/`/g, "'");
  const block = (text: string) => {
    const fence = chooseFence(text);
    return `${fence}${info}\n${text.endsWith('\n') || text === '' ? text : `${text}\n`}${fence}`;
  };
  const parts = [`File \`${path}\` (${request.languageId}).`];
  if (request.before !== '') parts.push(`Lines before the code (context only, do not repeat them):\n${block(request.before)}`);
  parts.push(`The code to rewrite (lines ${request.startLine}-${request.endLine}):\n${block(request.code)}`);
  if (request.after !== '') parts.push(`Lines after the code (context only, do not repeat them):\n${block(request.after)}`);
  if (request.diagnostics && request.diagnostics.length > 0) parts.push(`Problems reported on this code:\n${request.diagnostics.map((d) => `- ${d}`).join('\n')}`);
  parts.push(`Instruction: ${request.instruction.trim()}`);
  parts.push('Reply with the replacement code only.');
  return parts.join('\n\n');
}

/** The instructions kept for the input box's history: newest first, no repeats, at most `max`. */
export function rememberInstruction(history: readonly string[], instruction: string, max = 20): string[] {
  const trimmed = instruction.trim();
  if (trimmed === '') return [...history];
  return [trimmed, ...history.filter((h) => h !== trimmed)].slice(0, max);
}
