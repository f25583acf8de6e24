// A frame of a streaming answer works on the live tail only, never on the whole answer (issue 20 §7). Slicing or
// scanning the whole growing text each frame looks cheap, but V8 first flattens the string built by appending deltas:
// a copy of the whole answer per frame, whose garbage brought on major GCs of the workbench's heap (which the webview
// shares) in the middle of frames. Measured as work, not time: while the answer streams, every string slice, search
// and regular-expression match in the page records the length of the string it runs on; the longest must stay at the
// size of a block, however long the answer grows.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness, emptySnapshot } from './harness';
import { LONG_ANSWER, chunks, turnAdded } from './fixtures';

describe('chat webview: a frame works on the live tail, not the whole answer', () => {
  const harness = useHarness();

  test('no string operation while a 60,000-character answer streams runs over more than a block of it', async () => {
    const chat = await harness.open(emptySnapshot(), undefined, { width: 420, height: 600 });
    await chat.send(turnAdded('t1', 'Explain the request handling.'));
    let answer = '';
    while (answer.length < 60_000) answer += LONG_ANSWER;
    const parts = chunks(answer, 11, 60);
    const result = await chat.page.evaluate(`(async () => {
      const parts = ${JSON.stringify(parts)};
      const longest = { length: 0, op: '' };
      const restore = [];
      const watch = (proto, name, lengthOf) => {
        const original = proto[name];
        proto[name] = function (...args) {
          const n = lengthOf(this, args);
          if (n > longest.length) { longest.length = n; longest.op = name; }
          return original.apply(this, args);
        };
        restore.push(() => { proto[name] = original; });
      };
      for (const name of ['slice', 'substring', 'substr', 'indexOf', 'lastIndexOf', 'includes', 'startsWith', 'endsWith', 'split', 'replace', 'trim', 'charCodeAt']) {
        watch(String.prototype, name, (s) => String(s).length);
      }
      watch(RegExp.prototype, 'exec', (_re, args) => String(args[0]).length);
      watch(RegExp.prototype, 'test', (_re, args) => String(args[0]).length);
      const wait = (ms) => new Promise((r) => setTimeout(r, ms));
      try {
        for (const text of parts) {
          window.postMessage({ type: 'delta', turnId: 't1', chunks: [{ block: 0, kind: 'text', text }] }, '*');
          await wait(2);
        }
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      } finally {
        for (const undo of restore) undo();
      }
      return longest;
    })()`) as { length: number; op: string };
    const shown = await chat.page.locator('.turn[data-turn-id="t1"] .answer-text').evaluate((e) => e.textContent?.length ?? 0);
    assert.ok(shown > 40_000, `the answer was rendered as it streamed (${shown} characters shown)`);
    // The probe sees the tail's work (a block is at most a few hundred characters here; the lexer runs on the tail).
    assert.ok(result.length > 100, `the probe saw the renderer's string work (longest ${result.length})`);
    assert.ok(result.length < 8_000, `a string operation ran over ${result.length} characters (${result.op}) of a ${answer.length}-character answer`);
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });
});
