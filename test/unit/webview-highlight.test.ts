// Code highlighting that can be built line by line while a block streams: the streamed state gives exactly the
// one-shot result, ordinary code looks as highlight.js highlights it in one pass, and the work grows linearly.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import hljs from 'highlight.js/lib/core';
import { SegmentedHighlight, highlightCode } from '../../src/webviews/chat/highlight';

const SAMPLES: Record<string, string> = {
  typescript: 'interface A {\n  x: number;\n}\n/**\n * doc\n */\nclass Foo extends Bar {\n  run(): void {\n    const s = `multi\nline ${this.a}`;\n    console.log(s); // done\n  }\n}\n',
  python: 'class A:\n    """doc\n    string"""\n    def f(self, x):\n        return [i for i in range(x)]\n\n@decorator\ndef g(a,\n      b):\n    pass\n',
  json: '{\n  "a": 1,\n  "b": [1, 2, {"c": "d"}],\n  "e": {\n    "f": true,\n    "g": null\n  }\n}\n',
  css: '.a {\n  color: red;\n  margin: 0 auto;\n}\n@media (max-width: 10px) {\n  .b { display: none; }\n}\n',
  xml: '<div class="a">\n  <span\n    id="x">text</span>\n  <!-- comment\n  more -->\n</div>\n',
  rust: 'fn main() {\n    let v: Vec<i32> = vec![1, 2];\n    /* block\n       comment */\n    println!("{}", v.len());\n}\n',
  go: 'package main\n\nfunc main() {\n\tx := `raw\nstring`\n\tfmt.Println(x)\n}\n',
  bash: 'for f in *.txt; do\n  echo "$f" # name\ndone\ncat <<EOF\nheredoc $x\nEOF\n',
};

/** Feeds `code` the way a streamed block does: each line once the next one has started. */
function streamed(code: string, language: string): SegmentedHighlight {
  const state = new SegmentedHighlight(language);
  const lines = code.split(/(?<=\n)/);
  for (const line of lines.slice(0, -1)) state.feed(line);
  return state;
}

/** Counts the characters highlight.js is asked to highlight while `fn` runs. */
function highlightedChars(fn: () => void): number {
  let chars = 0;
  const plugin = { 'before:highlight': (context: { code: string }) => { chars += context.code.length; } };
  hljs.addPlugin(plugin);
  try {
    fn();
  } finally {
    hljs.removePlugin(plugin);
  }
  return chars;
}

describe('webview: segmented code highlighting', () => {
  test('resuming from the streamed state gives exactly the one-shot result, for every prefix', () => {
    for (const [language, sample] of Object.entries(SAMPLES)) {
      const code = sample.repeat(3);
      const whole = highlightCode(code, language);
      assert.ok(whole?.includes('<span class="hljs-'), `${language} is highlighted`);
      assert.equal(highlightCode(code, language, streamed(code, language)), whole, language);
      // Every cut of the stream (including mid-line and right after a newline) resumes to the same result.
      for (let end = 1; end < code.length; end += 7) {
        const state = streamed(code.slice(0, end), language);
        assert.equal(highlightCode(code, language, state), whole, `${language} resumed after ${end} characters`);
      }
    }
  });

  test('ordinary code is highlighted as highlight.js highlights it in one pass (comments and strings over lines)', () => {
    for (const [language, sample] of Object.entries(SAMPLES)) {
      const code = sample.repeat(4).slice(0, -1);
      assert.equal(highlightCode(code, language), hljs.highlight(code, { language, ignoreIllegals: true }).value, language);
    }
  });

  test('a state that is not a prefix of the code is not used (the result is computed afresh)', () => {
    const state = streamed('let a = 1;\nlet b = 2;\nlet c', 'typescript');
    const other = 'const x = "y";\nlet b = 2;\nlet c = 3;\n';
    assert.equal(highlightCode(other, 'typescript', state), highlightCode(other, 'typescript'));
    assert.equal(highlightCode('let a = 1;\n', 'python', streamed('let a = 1;\nx', 'typescript')), highlightCode('let a = 1;\n', 'python'));
  });

  test('a construct longer than a segment (a 150-line comment) still resumes to the one-shot result', () => {
    const code = `/*\n${' * line\n'.repeat(150)} */\nconst a = 1;\n`;
    assert.equal(highlightCode(code, 'typescript', streamed(code, 'typescript')), highlightCode(code, 'typescript'));
  });

  test('streaming a 30 KB block line by line highlights each line about once, not the whole block per line', () => {
    let code = '';
    while (code.length < 30_000) code += SAMPLES.typescript;
    const lines = code.split(/(?<=\n)/).length;
    const chars = highlightedChars(() => {
      const state = streamed(code, 'typescript');
      highlightCode(code, 'typescript', state);
    });
    // Each top-level check is redone at most log2(64) times per line; re-highlighting per line would be ~lines/2 × 30 KB.
    assert.ok(chars < code.length * 4, `${chars} characters highlighted for a ${code.length}-character block of ${lines} lines`);
  });
});
