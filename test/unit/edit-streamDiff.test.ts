// The stream-to-diff engine of Edit Selection: the reply's fence stripped while it streams, hunks as lines arrive,
// and exact text for every choice (CRLF, tabs, no final newline, an empty reply), proven on 1,000 random edits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplyLines } from '../../src/core/edit/replyLines';
import { StreamDiff, splitKeepingEols, type Hunk } from '../../src/core/edit/streamDiff';

/** Streams `reply` in the given pieces through the reply reader into a diff of `original`. */
function stream(original: string, pieces: readonly string[], options: { eol?: '\n' | '\r\n'; stopAfter?: number } = {}): StreamDiff {
  const reader = new ReplyLines();
  const diff = new StreamDiff(original, { eol: options.eol });
  pieces.forEach((piece, i) => {
    if (options.stopAfter !== undefined && i >= options.stopAfter) return;
    diff.push(reader.push(piece));
    // Reject All restores the original at every moment of the stream.
    assert.equal(diff.textWith([]), original);
  });
  if (options.stopAfter !== undefined) diff.finish({ stopped: true });
  else {
    diff.push(reader.finish());
    diff.finish();
  }
  return diff;
}

function byChars(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

test('a reply wrapped in one fenced block: the fence is stripped, even while it streams', () => {
  const reader = new ReplyLines();
  const seen: string[] = [];
  for (const piece of byChars('```typescript\nconst a = 1;\nconst b = 2;\n```\n', 3)) seen.push(...reader.push(piece));
  assert.deepEqual(seen, ['const a = 1;', 'const b = 2;'], 'the closing fence is never released while streaming');
  assert.deepEqual(reader.finish(), []);
  assert.equal(reader.fenced, true);
});

test('a fenced reply with a remark after it, leading blank lines, a fence inside (Markdown), and ~~~ fences', () => {
  const lines = (reply: string) => {
    const reader = new ReplyLines();
    return [...reader.push(reply), ...reader.finish()];
  };
  assert.deepEqual(lines('\n\n```js\nx();\n```\nThis renames x.'), ['x();']);
  assert.deepEqual(lines('```md\n# Title\n```\ncode\n```\nend\n```'), ['# Title', '```', 'code', '```', 'end']);
  assert.deepEqual(lines('~~~\na\n~~~'), ['a']);
  assert.deepEqual(lines('plain\n\ncode'), ['plain', '', 'code'], 'an unfenced reply is taken as it is');
  assert.deepEqual(lines('  \n\nx'), ['  ', '', 'x'], 'blank lines before unfenced code stay');
  assert.deepEqual(lines('a\r\nb\r\n'), ['a', 'b'], 'CRLF from the model');
});

test('an empty reply (or blank lines only) removes the code; Reject All keeps it', () => {
  for (const reply of ['', '\n\n', '```\n```']) {
    const diff = stream('a\nb\n', [reply]);
    assert.equal(diff.acceptedText(), '', JSON.stringify(reply));
    assert.equal(diff.textWith([]), 'a\nb\n');
    assert.equal(diff.hunks().length, 1);
  }
});

test('hunks: a changed line, an inserted line and a removed line are three hunks', () => {
  const original = 'function f() {\n  const a = 1;\n  const b = 2;\n  const c = 3;\n  return a + b + c;\n}\n';
  const reply = 'function f() {\n  const a = 10;\n  const b = 2;\n  const bb = 22;\n  return a + b + c;\n}\n';
  // c removed, bb added after b: one hunk (bb replaces c); a changed: another.
  const diff = stream(original, byChars(reply, 5));
  const hunks = diff.hunks();
  assert.deepEqual(hunks.map((h: Hunk) => [h.originalStart, h.originalEnd, h.newStart, h.newEnd]), [[1, 2, 1, 2], [3, 4, 3, 4]]);
  assert.equal(diff.textWith([true, false]), original.replace('a = 1;', 'a = 10;'));
  assert.equal(diff.textWith([false, true]), original.replace('const c = 3;', 'const bb = 22;'));
  assert.equal(diff.acceptedText(), reply);
  assert.equal(diff.textWith([]), original);
});

test('hunks appear as lines arrive, and an arriving line never moves an earlier one', () => {
  const diff = new StreamDiff('alpha\nbeta\ngamma\ndelta\n');
  diff.push(['alpha']);
  assert.deepEqual(diff.hunks(), []);
  diff.push(['omega']);
  assert.equal(diff.hunks().length, 1, 'an added line opens a hunk before its end is known');
  const before = diff.ops.slice();
  diff.push(['gamma']);
  assert.deepEqual(diff.ops.slice(0, before.length), before);
  assert.deepEqual(diff.hunks().map((h) => [h.originalStart, h.originalEnd, h.newStart, h.newEnd]), [[1, 2, 1, 2]]);
  assert.equal(diff.next, 3, 'delta is not reached yet');
  assert.equal(diff.textWith(() => true), 'alpha\nomega\ngamma\ndelta\n', 'lines not reached stay while streaming');
});

test('CRLF: replacement lines get CRLF, original lines keep theirs, Reject All restores byte for byte', () => {
  const original = 'if (a) {\r\n\treturn 1;\r\n}\n';
  const diff = stream(original, ['if (a) {\n\treturn 2;\n}\n']);
  assert.equal(diff.acceptedText(), 'if (a) {\r\n\treturn 2;\r\n}\n', 'a mixed file keeps each original line end');
  assert.equal(diff.textWith([]), original);
});

test('tabs are kept as they are, on both sides', () => {
  const diff = stream('\tif (x) {\n\t\ty();\n\t}\n', ['```\n\tif (x) {\n\t\ty(1);\n\t}\n```']);
  assert.equal(diff.acceptedText(), '\tif (x) {\n\t\ty(1);\n\t}\n');
});

test('no final newline: the result ends without one, whichever hunks are chosen', () => {
  const original = 'a = 1\nb = 2';
  const diff = stream(original, ['a = 1\nb = 3\nc = 4\n']);
  assert.equal(diff.acceptedText(), 'a = 1\nb = 3\nc = 4');
  assert.equal(diff.textWith([]), original);
  const grow = stream('x = 1', ['x = 1\ny = 2']);
  assert.equal(grow.acceptedText(), 'x = 1\ny = 2', 'an original last line that is no longer last gets the line end');
});

test('a whole-lines selection keeps its final line break when the model leaves it out', () => {
  const diff = stream('old();\n', ['new();']);
  assert.equal(diff.acceptedText(), 'new();\n');
});

test('Stop half way: what arrived can be accepted; the code not reached stays', () => {
  const original = 'one();\ntwo();\nthree();\nfour();\n';
  const diff = stream(original, ['one();\n', 'TWO();\n', 'three();\n', 'four();\n'], { stopAfter: 2 });
  assert.equal(diff.state, 'stopped');
  assert.equal(diff.acceptedText(), 'one();\nTWO();\ntwo();\nthree();\nfour();\n', 'TWO added; two is not reached, so kept');
  assert.equal(diff.textWith([]), original);
});

// A small deterministic PRNG so a failure can be reproduced from its seed.
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VOCABULARY = ['', '}', '{', '  }', '\t', '\treturn x;', 'const value = compute(a, b);', 'if (ready) {', '  log("done");', '    total += item.price;', '// comment', 'end', 'fn(1)', 'fn(2)', 'x', '\t\tdeep();'];

test('1,000 random edits: Reject All restores exactly, Accept All gives the reply, each per-hunk choice the expected text', () => {
  for (let seed = 1; seed <= 1000; seed++) {
    const random = prng(seed);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    const eol = random() < 0.3 ? '\r\n' : '\n';
    const originalLines = Array.from({ length: Math.floor(random() * 25) }, () => pick(VOCABULARY));
    // A last blank line is only a line when a line end follows it.
    const endsWithEol = originalLines.length > 0 && (random() < 0.7 || originalLines.at(-1) === '');
    const original = originalLines.join(eol) + (endsWithEol ? eol : '');
    // The reply: the original with random replaced, inserted and deleted runs.
    const replyLines: string[] = [];
    for (let i = 0; i <= originalLines.length; i++) {
      const roll = random();
      if (roll < 0.15) for (let k = Math.floor(random() * 3); k >= 0; k--) replyLines.push(pick(VOCABULARY) + (random() < 0.5 ? ' // new' : ''));
      if (i === originalLines.length) break;
      if (roll > 0.85) continue; // deleted
      replyLines.push(roll > 0.7 ? originalLines[i] + ';' : originalLines[i]);
    }
    // A reply of blank lines only is an empty reply (see ReplyLines).
    if (replyLines.every((line) => line.trim() === '')) replyLines.length = 0;
    let reply = replyLines.join('\n') + (replyLines.length > 0 && (random() < 0.5 || replyLines.at(-1) === '') ? '\n' : '');
    if (random() < 0.3) reply = '```ts\n' + reply + (reply.endsWith('\n') || reply === '' ? '' : '\n') + '```\n';
    const pieces = byChars(reply, 1 + Math.floor(random() * 12));
    const diff = stream(original, pieces, { eol: eol as '\n' | '\r\n' });
    const context = `seed ${seed}: ${JSON.stringify(original)} → ${JSON.stringify(reply)}`;

    assert.equal(diff.textWith([]), original, `Reject All, ${context}`);
    const expectedAll = replyLines.join(eol) + (endsWithEol && replyLines.length > 0 ? eol : '');
    assert.equal(diff.acceptedText(), expectedAll, `Accept All, ${context}`);
    assert.deepEqual(diff.replacement, replyLines, `the reply's lines, ${context}`);

    // Per hunk: the engine's text against splicing accepted hunks into the original lines, bottom up.
    const hunks = diff.hunks();
    for (let round = 0; round < 3; round++) {
      const choices = hunks.map(() => random() < 0.5);
      const lines = splitKeepingEols(original).map((p) => p.text);
      for (const hunk of [...hunks].reverse()) {
        if (choices[hunk.index]) lines.splice(hunk.originalStart, hunk.originalEnd - hunk.originalStart, ...replyLines.slice(hunk.newStart, hunk.newEnd));
      }
      const expected = lines.join(eol) + (endsWithEol && lines.length > 0 ? eol : '');
      assert.equal(diff.textWith(choices), expected, `choices ${JSON.stringify(choices)}, ${context}`);
    }
  }
});
