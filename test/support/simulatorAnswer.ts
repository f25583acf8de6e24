// The local simulator's deterministic "model": default answers about the user's code, token estimates and a price table.
import { createHash } from 'node:crypto';

/** Roughly four characters per token, like the usual rule of thumb; deterministic so tests can predict it. */
export function estimateTokens(chars: number): number {
  return chars <= 0 ? 0 : Math.ceil(chars / 4);
}

/** Tokens an image is counted as (the real API scales by pixels; a fixed figure keeps the simulator predictable). */
export const IMAGE_TOKENS = 1_000;

interface Price { input: number; output: number }

/** USD per million tokens, by model family; unknown models are priced like Sonnet. */
const PRICES: ReadonlyArray<[RegExp, Price]> = [
  [/opus/i, { input: 15, output: 75 }],
  [/haiku/i, { input: 0.8, output: 4 }],
  [/sonnet/i, { input: 3, output: 15 }],
];

export function priceFor(model: string): Price {
  return PRICES.find(([pattern]) => pattern.test(model))?.[1] ?? { input: 3, output: 15 };
}

export interface TokenCounts { input: number; output: number; cacheCreation?: number; cacheRead?: number }

/**
 * Cost in credits (USD) for the token counts, rounded to 1e-8 so the JSON stays short and stable. Cache writes cost
 * 1.25 × the input price and cache reads 0.1 ×, as on Anthropic's price list.
 */
export function costFor(model: string, tokens: TokenCounts): number {
  const price = priceFor(model);
  const input = tokens.input + 1.25 * (tokens.cacheCreation ?? 0) + 0.1 * (tokens.cacheRead ?? 0);
  return Math.round((input * price.input + tokens.output * price.output) * 100) / 1e8;
}

interface FencedBlock { lang: string; path?: string; code: string }

const LANGUAGE_NAMES: Record<string, string> = {
  ts: 'TypeScript', typescript: 'TypeScript', tsx: 'TypeScript (TSX)', js: 'JavaScript', javascript: 'JavaScript',
  jsx: 'JavaScript (JSX)', py: 'Python', python: 'Python', rs: 'Rust', rust: 'Rust', go: 'Go', java: 'Java',
  c: 'C', cpp: 'C++', 'c++': 'C++', cs: 'C#', csharp: 'C#', rb: 'Ruby', ruby: 'Ruby', php: 'PHP', sh: 'shell',
  bash: 'shell', json: 'JSON', yaml: 'YAML', yml: 'YAML', html: 'HTML', css: 'CSS', sql: 'SQL', kotlin: 'Kotlin',
  swift: 'Swift', md: 'Markdown', markdown: 'Markdown',
};

const EXTENSION_LANGS: Record<string, string> = {
  ts: 'ts', tsx: 'tsx', js: 'js', jsx: 'jsx', mjs: 'js', cjs: 'js', py: 'python', rs: 'rust', go: 'go', java: 'java',
  c: 'c', h: 'c', cpp: 'cpp', cc: 'cpp', cs: 'csharp', rb: 'ruby', php: 'php', sh: 'bash', json: 'json', yml: 'yaml',
  yaml: 'yaml', html: 'html', css: 'css', sql: 'sql', kt: 'kotlin', swift: 'swift', md: 'markdown',
};

/** Finds fenced code blocks; the info string may carry a path, e.g. ```ts src/a.ts or ```ts title="src/a.ts". */
export function findFencedBlocks(text: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const fence = /^(`{3,}|~{3,})([^\n`]*)\n([\s\S]*?)^\1[ \t]*$/gm;
  for (const match of text.matchAll(fence)) {
    const info = match[2].trim().split(/\s+/).filter(Boolean);
    let lang = (info[0] ?? '').toLowerCase();
    let path = info.slice(1).map((part) => part.replace(/^(title|file|path)=/, '').replace(/^["']|["']$/g, '')).find((part) => /[./\\]/.test(part));
    if (!path && /[./\\]/.test(lang) && !(lang in LANGUAGE_NAMES)) {
      path = info[0];
      lang = EXTENSION_LANGS[(path.split('.').pop() ?? '').toLowerCase()] ?? '';
    }
    if (!lang && path) lang = EXTENSION_LANGS[(path.split('.').pop() ?? '').toLowerCase()] ?? '';
    blocks.push({ lang, path, code: match[3] });
  }
  return blocks;
}

/** Names declared in the code (functions, classes, constants), in order of appearance, without duplicates. */
function declaredNames(code: string): string[] {
  const patterns = [
    /\b(?:function\*?|def|fn|func|class|interface|struct|enum|trait|type)\s+([A-Za-z_$][\w$]*)/g,
    /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=/g,
  ];
  const found: Array<[number, string]> = [];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) found.push([m.index ?? 0, m[1]]);
  return [...new Set(found.sort((a, b) => a[0] - b[0]).map(([, name]) => name))];
}

/** The first thing in the text that looks like a file path with an extension (e.g. `src/a.ts`, `main.py`). */
function mentionedPath(text: string): string | undefined {
  const match = /(?:^|[\s`'"(:])((?:[\w@.-]+\/)*[\w@-][\w@.-]*\.([A-Za-z][A-Za-z0-9]{0,9}))(?=$|[\s`'",):;])/m.exec(text);
  return match && match[2].toLowerCase() in EXTENSION_LANGS ? match[1] : undefined;
}

function quote(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** What the simulator knows about the last user message. */
export interface UserInput { text: string; imageMediaTypes: string[] }

/** The default answer: deterministic, plausible Markdown about the code or question, clearly labelled. */
export function defaultAnswer(input: UserInput): string {
  const blocks = findFencedBlocks(input.text);
  const question = quote(input.text.replace(/(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, ' '), 120);
  const lines: string[] = ['> **Local simulator** — this answer was generated by the FastRouter Chat local simulator, not by Claude.', ''];
  const block = blocks[0];
  const lang = block?.lang || 'ts';
  const names = block ? declaredNames(block.code) : [];
  if (block) {
    const languageName = LANGUAGE_NAMES[block.lang] ?? (block.lang ? block.lang : 'plain text');
    const codeLines = block.code.replace(/\n$/, '').split('\n');
    // A path may also sit in the prose around the block ("File: src/a.ts, lines 3-9").
    const path = block.path ?? mentionedPath(input.text.replace(block.code, ''));
    const where = path ? `\`${path}\` (${languageName})` : `this ${languageName} snippet`;
    lines.push(`## About ${where}`, '');
    lines.push(question ? `You asked: *${question}*` : 'You asked me to look at this code.', '');
    lines.push(`The snippet has **${codeLines.length} line${codeLines.length === 1 ? '' : 's'}**. What stands out:`, '');
    lines.push(names.length > 0
      ? `- It declares ${names.slice(0, 5).map((name) => `\`${name}\``).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}.`
      : '- It declares no named functions or classes; it reads as a fragment of a larger unit.');
    const longest = codeLines.reduce((max, line) => Math.max(max, line.length), 0);
    lines.push(`- The longest line is ${longest} characters${longest > 100 ? ', which is worth wrapping' : ''}.`);
    lines.push(codeLines.some((line) => /\b(TODO|FIXME|XXX)\b/.test(line))
      ? '- There is a `TODO`/`FIXME` marker left in it.'
      : '- No `TODO` or `FIXME` markers remain.');
    if (blocks.length > 1) lines.push(`- You sent ${blocks.length} code blocks; I looked at the first one.`);
  } else {
    lines.push('## Answer', '');
    lines.push(question ? `You asked: *${question}*` : 'You sent an empty question.', '');
    lines.push('Here is how I would approach it:', '');
    lines.push('- Restate the goal in one sentence.', '- Find the smallest piece of code that shows the problem.', '- Change one thing at a time and check the result.');
  }
  if (input.imageMediaTypes.length > 0) {
    lines.push(`- I received ${input.imageMediaTypes.length} image${input.imageMediaTypes.length === 1 ? '' : 's'} (${[...new Set(input.imageMediaTypes)].join(', ')}).`);
  }
  lines.push('', 'A small example:', '', '```' + lang, exampleCode(lang, names[0] ?? 'example'), '```', '');
  lines.push('Next steps:', '', '1. Add a unit test that pins the current behaviour.', '2. Make the change.', '3. Run the tests again.');
  return lines.join('\n');
}

function exampleCode(lang: string, name: string): string {
  switch (lang) {
    case 'python': case 'py':
      return `def test_${name}():\n    assert ${name} is not None`;
    case 'rust': case 'rs':
      return `#[test]\nfn ${name}_works() {\n    assert!(true);\n}`;
    case 'go':
      return `func Test_${name}(t *testing.T) {\n\tt.Log("${name}")\n}`;
    default:
      return `// Exercise ${name} once and check the result.\nconst result = ${name};\nconsole.log(result);`;
  }
}

/** Thinking text shown when the request enables extended thinking and the scenario gives none. */
export function defaultThinking(input: UserInput): string {
  const block = findFencedBlocks(input.text)[0];
  return block
    ? `The user wants help with ${block.path ?? 'a code snippet'}. (Local simulator thinking.) I should read the code, name what it declares, and suggest a test.`
    : `The user asked: "${quote(input.text, 80)}". (Local simulator thinking.) I should answer briefly with a list and a small example.`;
}

/** A stable signature for a thinking block, base64 like the real ones. */
export function thinkingSignature(thinking: string): string {
  return createHash('sha256').update(`sim:${thinking}`).digest('base64');
}

/** `count` deterministic text deltas for long-answer tests and the benchmark. */
export function longAnswerDeltas(count: number): string[] {
  const words = ['stream', 'token', 'delta', 'answer', 'chunk', 'event', 'local', 'simulator', 'bytes', 'line'];
  return Array.from({ length: count }, (_, i) => `${words[i % words.length]}${i % 17 === 16 ? '\n' : ' '}`);
}

/** A message of a request, as the simulator reads it. */
export interface SimMessage { role: string; content: string | Array<Record<string, unknown>> }

/** Whether the last user message asks for a compaction summary (the four sections of FastRouter Chat's instruction). */
export function isSummaryRequest(text: string): boolean {
  return /being compacted/i.test(text) && /^## Goals$/m.test(text) && /^## Open tasks$/m.test(text);
}

const SUMMARY_SECTIONS = ['Goals', 'Decisions', 'Files changed', 'Open tasks'] as const;
/** Bullets kept per section: a summary stays much smaller than what it stands for, however often it is redone. */
const SUMMARY_KEEP = 12;

function textsOf(message: SimMessage): string[] {
  if (typeof message.content === 'string') return [message.content];
  return message.content.filter((b) => b.type === 'text' && typeof b.text === 'string').map((b) => b.text as string);
}

/** The sections of an earlier summary carried in the conversation (`<conversation-summary>` … `</conversation-summary>`). */
function earlierSummary(text: string): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  const body = /<conversation-summary>([\s\S]*?)<\/conversation-summary>/.exec(text)?.[1] ?? '';
  let current: string | undefined;
  for (const line of body.split('\n')) {
    const heading = /^## (.+)$/.exec(line.trim());
    if (heading) current = heading[1];
    else if (current && /^[-*] /.test(line.trim()) && !/^[-*] None\.?$/.test(line.trim())) (found[current] ??= []).push(line.trim().slice(2));
  }
  return found;
}

/**
 * The simulated model's summary of a conversation for compaction: read from the request like a model would — the
 * user's questions become the goals, the answers' first sentences the decisions, the edits and new files the tools
 * made the files changed, an unanswered last question the open task — in the four sections asked for.
 */
export function summariseConversation(messages: SimMessage[]): string {
  const sections: Record<string, string[]> = { Goals: [], Decisions: [], 'Files changed': [], 'Open tasks': [] };
  const add = (section: string, line: string) => {
    if (line && !sections[section].includes(line)) sections[section].push(line);
  };
  const calls = new Map<string, { name: string; path?: string }>();
  const history = messages.slice(0, -1);
  for (const message of history) {
    if (message.role === 'user') {
      for (const text of textsOf(message)) {
        if (text.includes('<conversation-summary>')) {
          const earlier = earlierSummary(text);
          for (const section of SUMMARY_SECTIONS) for (const line of earlier[section] ?? []) add(section, line);
          continue;
        }
        if (/^Please continue exactly where/.test(text)) continue;
        const question = quote(text.replace(/(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, ' '), 140);
        if (question) add('Goals', question);
      }
      if (typeof message.content !== 'string') {
        for (const block of message.content) {
          if (block.type !== 'tool_result') continue;
          const call = calls.get(String(block.tool_use_id));
          const content = typeof block.content === 'string' ? block.content : '';
          if (call?.path && (call.name === 'edit_file' || call.name === 'create_file') && block.is_error !== true && !/declined|rejected/i.test(content)) {
            add('Files changed', `${call.path} — ${call.name === 'create_file' ? 'created' : 'edited'}`);
          }
        }
      }
    } else {
      for (const text of textsOf(message)) {
        const prose = text.split('\n').filter((line) => line.trim() && !line.startsWith('>') && !line.startsWith('#') && !line.startsWith('```')).join(' ');
        const sentence = /^(.*?[.!?])(\s|$)/.exec(prose.trim())?.[1] ?? prose.trim();
        if (sentence) add('Decisions', quote(sentence, 140));
      }
      if (typeof message.content !== 'string') {
        for (const block of message.content) {
          if (block.type !== 'tool_use') continue;
          const input = (block.input ?? {}) as Record<string, unknown>;
          calls.set(String(block.id), { name: String(block.name), ...(typeof input.path === 'string' ? { path: input.path } : {}) });
        }
      }
    }
  }
  const instruction = textsOf(messages[messages.length - 1]).join('\n');
  const told = /Files the tools changed in these turns: (.+)\.$/m.exec(instruction)?.[1];
  for (const path of told ? told.split(', ') : []) if (!sections['Files changed'].some((line) => line.startsWith(`${path} —`))) add('Files changed', `${path} — changed`);
  // The last question got no answer in the history: it is still open.
  const lastUser = [...history].reverse().find((m) => m.role === 'user' && textsOf(m).some((t) => !t.includes('<conversation-summary>')));
  if (lastUser && history[history.length - 1] === lastUser) add('Open tasks', quote(textsOf(lastUser).join(' '), 140));
  return SUMMARY_SECTIONS.map((section) => {
    const lines = sections[section].slice(-SUMMARY_KEEP);
    return `## ${section}\n${lines.length > 0 ? lines.map((line) => `- ${line}`).join('\n') : '- None.'}`;
  }).join('\n\n');
}
