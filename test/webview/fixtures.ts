// Host messages the tests send, built from the protocol's own types.
import type { AnswerMeta, AssistantTurn, UserTurn } from '../../src/common/chatTypes';
import type { HostToWebview } from '../../src/common/protocol';
import type { ChatPage } from './harness';

export function userTurn(id: string, text: string, extra: Partial<UserTurn> = {}): UserTurn {
  return { id, role: 'user', text, context: [], images: [], ...extra };
}

export function assistantTurn(id: string, text = '', extra: Partial<AssistantTurn> = {}): AssistantTurn {
  return { id, role: 'assistant', blocks: text ? [{ kind: 'text', text }] : [], status: 'streaming', ...extra };
}

export function turnAdded(turnId: string, question = 'Question?'): HostToWebview {
  return { type: 'turnAdded', user: userTurn(`${turnId}-q`, question), assistant: assistantTurn(turnId) };
}

export function delta(turnId: string, text: string, block = 0, kind: 'text' | 'thinking' = 'text'): HostToWebview {
  return { type: 'delta', turnId, chunks: [{ block, kind, text }] };
}

export function meta(overrides: Partial<AnswerMeta> = {}): AnswerMeta {
  return {
    model: 'claude-sonnet-4-5', inputTokens: 1200, outputTokens: 345,
    cost: { kind: 'billed', credits: 0.0123 }, durationMs: 4200, stopReason: 'end_turn', ...overrides,
  };
}

/** Splits text into chunks of pseudo-random sizes (seeded, so a failure reproduces). */
export function chunks(text: string, seed = 7, max = 9): string[] {
  const out: string[] = [];
  let state = seed;
  for (let i = 0; i < text.length;) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const size = 1 + (state % max);
    out.push(text.slice(i, i + size));
    i += size;
  }
  return out;
}

/** Streams `text` as deltas, letting the page run a frame every `perFrame` deltas. */
export async function stream(chat: ChatPage, turnId: string, text: string, perFrame = 5): Promise<void> {
  const parts = chunks(text);
  for (let i = 0; i < parts.length; i += perFrame) {
    for (const part of parts.slice(i, i + perFrame)) await chat.send(delta(turnId, part));
    await chat.frames(1);
  }
  await chat.frames();
}

/** A realistic answer using every construct the renderer must get right while streaming. */
export const RICH_ANSWER = `# Plan

Here is **bold**, *emphasis*, \`inline code\` and a [link](https://example.com/docs?q=1).

1. First step
2. Second step with \`code\`
   - nested bullet
   - another one

- [x] done task
- [ ] open task

| Name | Value | Note |
|:-----|------:|:----:|
| alpha | 1 | a |
| beta | 22 | \`b\` |

\`\`\`typescript
function add(a: number, b: number): number {
  return a + b; // <sum>
}
\`\`\`

> A quote with *style*.

\`\`\`\`markdown
Nested example:
\`\`\`js
console.log("inner");
\`\`\`
\`\`\`\`

Setext heading
--------------

Final paragraph with a line
that continues, and a hard-wrapped end.
`;

/** A long answer with every construct that changes layout after it is committed. */
export const LONG_ANSWER = (() => {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) {
    parts.push(
      `## Step ${i}: what the code does\n\nThe function \`handle${i}\` reads the **request**, checks it and answers; `
        + `this paragraph is long enough to wrap several times in a narrow sidebar, as real answers do.\n\n`,
      `1. Parse the input (${i})\n2. Validate it against the schema\n   - reject unknown fields\n   - keep the order\n3. Answer\n\n`,
      `| Field | Type | Required |\n|:--|:--|--:|\n| id${i} | \`string\` | yes |\n| name | \`string\` | no |\n| count | \`number\` | ${i} |\n\n`,
      `\`\`\`typescript\nexport async function handle${i}(req: Request): Promise<Response> {\n`
        + `  const body = await req.json(); // a deliberately long line that makes the code block scroll sideways in a narrow view\n`
        + `  if (!body || typeof body.id !== 'string') return new Response('bad request', { status: 400 });\n`
        + `  return Response.json({ ok: true, id: body.id, step: ${i} });\n}\n\`\`\`\n\n`,
      `> Note ${i}: an image ![diagram ${i}](https://example.com/d${i}.png) is shown as a placeholder.\n\n`,
    );
  }
  parts.push('That is the whole flow.\n');
  return parts.join('');
})();

/**
 * A long chat as the issue measured it: `exchanges` questions, each answered with prose, a code block, one tool call
 * (with its result) and more prose — 2,000 exchanges are 4,000 turns, 2,000 tool calls, about 6.7 MB.
 */
export function longChatTurns(exchanges: number): Array<UserTurn | AssistantTurn> {
  const turns: Array<UserTurn | AssistantTurn> = [];
  for (let i = 0; i < exchanges; i++) {
    turns.push(userTurn(`q${i}`, `Question ${i}: why does \`parse${i}\` skip blank lines, and what happens to the index when it does? ${'Some more context about the question. '.repeat(3)}`));
    const prose = `The function \`parse${i}\` reads the **input** line by line and keeps a small state machine. ${'It emits a token at each delimiter and keeps the longest match. '.repeat(8)}\n\n`;
    const code = `\`\`\`typescript\nexport function parse${i}(input: string): Token[] {\n  const tokens: Token[] = [];\n  for (const line of input.split('\\n')) {\n    if (line.trim() === '') continue;\n    tokens.push({ kind: 'line', text: line, index: ${i} });\n  }\n  return tokens;\n}\n\`\`\`\n\n`;
    turns.push(assistantTurn(`a${i}`, '', {
      status: 'done',
      meta: meta(),
      blocks: [
        { kind: 'text', text: prose + code },
        { kind: 'tool_use', id: `tu${i}`, name: 'read_file', input: JSON.stringify({ path: `src/parse${i}.ts` }, null, 2), state: 'done', summary: `Read src/parse${i}.ts:1–40`, result: `${'export const line = 1; // a line of the file that was read\n'.repeat(20)}` },
        { kind: 'text', text: `So blank lines are skipped before the index is taken: case ${i} keeps its numbering. ${'The rest follows from the rules table. '.repeat(6)}` },
      ],
    }));
  }
  return turns;
}
