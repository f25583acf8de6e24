// The model-written summary of compaction (issue 18 §3): the request that asks for it and the reading of its answer.
// The request is the conversation as the next question would send it (same system prompt, tools and history, so the
// prompt cache's prefix is read), with the summary instruction where the question would be. The answer must hold four
// sections: the user's goals, decisions made, files changed, open tasks. Pure: no vscode, no I/O.
import type { MessageParam, StreamEvent } from '../../api';
import { type Exchange, type UserContentBuilder } from '../conversation/conversation';
import { buildRequest } from '../conversation/conversationRequest';
import { sentSummary, type Compaction } from '../conversation/compactions';

/** The four sections of a summary, in order. */
export const SUMMARY_SECTIONS = ['Goals', 'Decisions', 'Files changed', 'Open tasks'] as const;
export type SummarySection = (typeof SUMMARY_SECTIONS)[number];

/** Marks the instruction, so a reader (the simulator, a test) can tell a summary request from a question. */
export const SUMMARY_REQUEST_MARK = '[compaction: summary request]';

/** The instruction that takes the place of the next question. `filesChanged`: what the tools changed (facts, not guesses). */
export function summaryInstruction(filesChanged: readonly string[]): string {
  return [
    SUMMARY_REQUEST_MARK,
    'This conversation is being compacted: the turns above will no longer be sent, and the summary you write now takes',
    'their place. Everything not in it is forgotten, so keep what the work needs. Do not call any tools and do not',
    'answer the last question again. Write exactly these four Markdown sections, with short bullet points, and nothing',
    'before or after them:',
    '',
    '## Goals',
    'What the user wants overall and from each question (their words where it matters, constraints they set).',
    '## Decisions',
    'What was decided or found out, with the reasons.',
    '## Files changed',
    'Each file created or edited: path — what changed. "None." if none.',
    '## Open tasks',
    'What is not done yet, including the last request if it is unfinished. "None." if none.',
    '',
    'Keep names, paths, commands, error messages and numbers exact. If the conversation starts with an earlier summary,',
    'carry over what still matters from it.',
    ...(filesChanged.length > 0 ? ['', `Files the tools changed in these turns: ${filesChanged.join(', ')}.`] : []),
  ].join('\n');
}

/** The files applied edits and new files changed in `exchanges`, in order, once each. */
export function filesChangedBy(exchanges: readonly Exchange[]): string[] {
  const files = new Set<string>();
  for (const exchange of exchanges) {
    for (const message of exchange.answer.messages) {
      for (const result of message.toolResults ?? []) if (result.state === 'applied' && result.change) files.add(result.change.path);
    }
  }
  return [...files];
}

/**
 * The messages of the request that summarises `exchanges[0..throughIndex]`: the history exactly as a question after
 * them would send it (an earlier compaction's summary in place of what it stands for), then the instruction.
 */
export function summaryRequestMessages(exchanges: readonly Exchange[], compactions: readonly Compaction[], throughIndex: number, userContent: UserContentBuilder): MessageParam[] {
  const covered = exchanges.slice(0, throughIndex + 1);
  const summary = sentSummary(covered, compactions, covered.length);
  const instruction: Exchange = {
    user: { id: 'compaction', role: 'user', text: summaryInstruction(filesChangedBy(covered.slice(summary ? summary.throughIndex + 1 : 0))), context: [], images: [] },
    answer: { id: 'compaction-answer', status: 'streaming', messages: [] },
  };
  return buildRequest([...covered, instruction], covered.length, 'answer', userContent, { prefill: false, ...(summary ? { summary } : {}) }).messages;
}

/** Collects the text of a streamed answer (thinking and tool calls left out). */
export class SummaryText {
  private readonly parts: string[] = [];

  observe(event: StreamEvent): void {
    if (event.type === 'content_block_start' && event.content_block.type === 'text') this.parts[event.index] = event.content_block.text;
    else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') this.parts[event.index] = (this.parts[event.index] ?? '') + event.delta.text;
  }

  get text(): string {
    return this.parts.filter((part) => part !== undefined).join('\n\n').trim();
  }
}

export interface ParsedSummary {
  /** The summary in its four sections, in order ("None." where the model left one out). */
  text: string;
  sections: Record<SummarySection, string>;
  /** The sections the answer itself had (a summary without any is refused). */
  found: SummarySection[];
}

const HEADING = /^\s{0,3}(?:#{1,6}\s*|\*\*)\s*(goals?|decisions?(?: made)?|files? changed|open tasks?)\s*:?\s*(?:\*\*)?\s*:?\s*$/i;

function sectionOf(name: string): SummarySection {
  const lower = name.toLowerCase();
  if (lower.startsWith('goal')) return 'Goals';
  if (lower.startsWith('decision')) return 'Decisions';
  if (lower.startsWith('file')) return 'Files changed';
  return 'Open tasks';
}

/**
 * Reads the model's answer into the four sections (headings as `## Goals` or `**Goals**`, any case). Undefined when it
 * has none of them: that is not a summary, and sending it in place of the turns would forget them silently.
 */
export function parseSummary(answer: string): ParsedSummary | undefined {
  const sections: Record<SummarySection, string[]> = { Goals: [], Decisions: [], 'Files changed': [], 'Open tasks': [] };
  const found: SummarySection[] = [];
  let current: SummarySection | undefined;
  for (const line of answer.split(/\r?\n/)) {
    const heading = HEADING.exec(line);
    if (heading) {
      current = sectionOf(heading[1]);
      if (!found.includes(current)) found.push(current);
      continue;
    }
    if (current) sections[current].push(line);
  }
  if (found.length === 0) return undefined;
  const body = {} as Record<SummarySection, string>;
  for (const name of SUMMARY_SECTIONS) body[name] = sections[name].join('\n').trim() || 'None.';
  const text = SUMMARY_SECTIONS.map((name) => `## ${name}\n${body[name]}`).join('\n\n');
  return { text, sections: body, found };
}
