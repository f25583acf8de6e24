// Incremental rendering edge cases: whatever the delta boundaries and frame timing, a finished streamed answer has
// exactly the DOM of the same answer rendered at once (fences closed late, lists and setext headings across the
// tail boundary, reference links defined before or after their use, CRLF split across deltas).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness, emptySnapshot, type ChatPage } from './harness';
import { RICH_ANSWER, assistantTurn, chunks, turnAdded } from './fixtures';

export const STREAMING_CORPUS: Record<string, string> = {
  fenceClosedLate: 'Intro line.\n\n```js\nconst a = 1;\n\nfunction f() {\n  return a;\n}\n\n// still code\n```\n\nAfter the fence.\n',
  fenceNeverClosed: 'Start:\n\n```python\ndef f():\n    pass\n',
  listAcrossTail: '- one\n- two\n\n- three, loose\n  continued in the item\n\nText after.\n\n1. a\n2. b\n   - nested\n3. c\n\n10. ten\n11. eleven\n',
  setextLater: 'A paragraph\nthat becomes a heading\n---\n\nAnother one\n===\n\nplain text\n\n---\n\nAfter a rule.\n',
  referenceDefinedLater: 'See [the docs][docs] and [x].\n\nMore text in between.\n\n- a list with [x] too\n\n[docs]: https://example.com/docs "Docs"\n[x]: https://example.com/x\n',
  referenceDefinedEarlier: '[a]: https://example.com/a\n[b]: <https://example.com/b>\n\nFirst paragraph.\n\nUse [a] and [text][a] and [b][].\n\n> quoted [a]\n',
  definitionAfterParagraph: 'A paragraph\n[z]: https://example.com/z\n\nthen [z].\n',
  tableGrowing: '| a | b |\n|---|--:|\n| 1 | 2 |\n| 3 | 4 |\n| `5` | **6** |\n\ntext after\n\n| lone |\n|------|\n',
  blockquoteLazy: '> quote\ncontinued lazily\n> more\n>\n> - list in quote\n\nafter\n',
  htmlBlock: '<div>\nraw <b>html</b>\n</div>\n\ntext <span>inline</span>\n',
  indentedCode: 'para\n\n    code line\n    more code\n\nafter\n',
  emphasisAcrossLines: '**bold\ncontinues** end and *it\nalics* and ~~struck\nthrough~~ and `code\nspan`.\n',
  hardBreaks: 'line one  \nline two\\\nline three\n',
  crlf: 'first\r\nsecond\r\n\r\n- item\r\n- item 2\r\n\r\n```\r\ncode\r\n```\r\n',
  headingsBackToBack: '# One\n## Two\n### Three\ntext\n#### Four\n',
  nestedFences: '````md\n```ts\nlet a = 1;\n```\n````\n\n~~~\ntilde fence\n~~~\n',
  trailingSpace: 'Ends with blank lines\n\n\n\n',
  partialLineJoinsAbove: 'Some text\n#hashtag continues it\n\n| a |\n|---|\n| 1 |\n#x row\n\n- item\n\n* star item\n\n+ plus\n',
  rich: RICH_ANSWER,
  // Long fenced blocks stream line by line (each finished line highlighted once); the end must still equal one render.
  longCodeBlock: `Here it is:\n\n\`\`\`ts\n${longTypeScript(60)}\`\`\`\n\nDone.\n`,
  longCodeNeverClosed: `\`\`\`python\n${'class A:\n    """A docstring\n    over lines."""\n    def f(self, x):\n        return [i for i in range(x)]  # c\n\n'.repeat(12)}`,
  longCodeAtEndNoNewline: `\`\`\`js\n${'const s = `multi\nline ${x}`;\n/* a\n * b */\nf(s);\n'.repeat(15)}\`\`\``,
  indentedFence: '  ```js\n  let a = 1;\n    nested();\n b();\n\tc();\n  ```\n\ntext\n',
  tildeFenceLongerClose: '~~~ yaml extra info\nkey: |\n  block\n  scalar\nlist:\n  - a # c\n```\nnot a close\n~~~~~   \n\nafter\n',
  fenceBlankLinesAtEnd: '```json\n{\n  "a": [1, 2,\n    {"b": null}],\n  "c": "d"\n}\n\n\n```\nnext\n',
  unknownLanguageBlock: '```brainfuck\n++++[>++<-]>.\n<>&"\'\n```\n',
  emptyAndCloseOnly: '```\n```\n\n```css\n\n```\n',
  closeThenMore: '```rust\nfn main() {\n    /* block\n       comment */\n}\n```\n```rust\nlet x = 1;\n```\n- item\n',
  // Long paragraphs without a line break stream in pieces; the end must still equal one render (constructs across pieces too).
  longParagraph: `${longProse(70)} **bold that spans ${'many words '.repeat(30)}to here** and [a link](https://example.com/x) end.\n\nAfter.\n`,
  longParagraphUnbalanced: `A lone \` backtick and a lone * star, then ${longProse(110)}[ref] and \`code\`.\n\n[ref]: https://example.com/ref\n`,
  longParagraphThenSoftBreak: `${longProse(60)}\nsecond line of the same paragraph\n===\n`,
};

/** `n` sentences of prose with inline Markdown and no line break. */
function longProse(n: number): string {
  let text = '';
  for (let i = 0; i < n; i++) text += `Step ${i} reads the **input** with \`parse${i}()\` and keeps a *small* state machine; see [rule ${i}](https://example.com/r/${i}). `;
  return text;
}

/** `n` TypeScript functions with doc comments and multi-line template strings (constructs that span lines). */
function longTypeScript(n: number): string {
  let code = '';
  for (let i = 0; i < n; i++) {
    code += `/**\n * Function ${i}.\n */\nexport function f${i}(a: number): string {\n  const t = \`line ${i}\n  \${a} & <b>\`;\n\n  return t; // done\n}\n`;
  }
  return code;
}

/** Streams `parts` into turn `turnId` from inside the page, letting a frame run after every `perFrame` deltas. */
async function streamInPage(chat: ChatPage, turnId: string, parts: string[], perFrame: number): Promise<void> {
  await chat.page.evaluate(`(async () => {
    const parts = ${JSON.stringify(parts)};
    for (let i = 0; i < parts.length; i++) {
      window.postMessage({ type: 'delta', turnId: ${JSON.stringify(turnId)}, chunks: [{ block: 0, kind: 'text', text: parts[i] }] }, '*');
      if ((i + 1) % ${perFrame} === 0) {
        await new Promise((r) => setTimeout(r, 0));
        await new Promise((r) => requestAnimationFrame(() => r()));
      }
    }
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => requestAnimationFrame(() => r()));
  })()`);
}

function byLines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

describe('chat webview: streamed = rendered at once', () => {
  const harness = useHarness();

  // A frame after every single character is the strictest split (every prefix gets committed once); it skips the
  // long rich answer only to keep the run short (the other splits and rendering.test.ts cover that one).
  const splits: Array<[string, (text: string) => string[], number, string[]]> = [
    ['one character per delta, a frame after each', (t) => Array.from(t), 1, ['rich', 'longCodeBlock', 'longCodeNeverClosed', 'longCodeAtEndNoNewline', 'longParagraph', 'longParagraphUnbalanced', 'longParagraphThenSoftBreak']],
    ['random sizes, a frame every 2 deltas', (t) => chunks(t, 11, 7), 2, []],
    ['line by line, a frame after each', byLines, 1, []],
  ];

  test('every corpus answer, under every split, ends with the one-shot DOM', async () => {
    const names = Object.keys(STREAMING_CORPUS);
    const once = await harness.open(emptySnapshot({
      turns: names.map((name) => assistantTurn(name, STREAMING_CORPUS[name]!, { status: 'done' })),
    }));
    const expected = new Map<string, string>();
    for (const name of names) expected.set(name, await once.page.locator(`.turn[data-turn-id="${name}"] .answer`).innerHTML());
    await once.close();

    const failures: string[] = [];
    for (const [label, split, perFrame, skip] of splits) {
      const chat = await harness.open();
      for (const name of names.filter((n) => !skip.includes(n))) {
        await chat.send(turnAdded(name));
        await streamInPage(chat, name, split(STREAMING_CORPUS[name]!), perFrame);
        await chat.send({ type: 'turnEnded', turnId: name, status: 'done' });
        const streamed = await chat.page.locator(`.turn[data-turn-id="${name}"] .answer`).innerHTML();
        if (streamed !== expected.get(name)) failures.push(`${name} (${label}):\n  streamed: ${streamed}\n  at once:  ${expected.get(name)}`);
      }
      assert.deepEqual(await chat.violations(), []);
      assert.deepEqual(chat.pageErrors, []);
      await chat.close();
    }
    assert.deepEqual(failures, []);
  });

  test('a reference definition in one answer does not turn text in another answer into a link', async () => {
    const chat = await harness.open(emptySnapshot({
      turns: [
        assistantTurn('a1', 'Defines it.\n\n[ref]: https://example.com/leak\n', { status: 'done' }),
        assistantTurn('a2', 'Uses [ref] without defining it.', { status: 'done' }),
      ],
    }));
    assert.equal(await chat.page.locator('.turn[data-turn-id="a2"] .answer a').count(), 0);
    await chat.send(turnAdded('a3'));
    await chat.send({ type: 'delta', turnId: 'a3', chunks: [{ block: 0, kind: 'text', text: 'Also [ref] here.\n\nMore.' }] });
    await chat.send({ type: 'turnEnded', turnId: 'a3', status: 'done' });
    assert.equal(await chat.page.locator('.turn[data-turn-id="a3"] .answer a').count(), 0);
    await chat.close();
  });
});
