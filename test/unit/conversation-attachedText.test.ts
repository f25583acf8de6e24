import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatProblems, looksBinary, type Problem } from '../../src/core/conversation/attachedText';
import { formatSize } from '../../src/common/protocol';

test('text files are text, in UTF-8 (with accents), with a UTF-16 BOM, or empty; NULs and control noise are binary', () => {
  const utf8 = new TextEncoder().encode('const café = "naïve";\r\n\tindent\f\n\x1b[31mred\x1b[0m\n');
  assert.equal(looksBinary(utf8), false);
  assert.equal(looksBinary(new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x62, 0x00])), false, 'UTF-16LE with BOM');
  assert.equal(looksBinary(new Uint8Array()), false);
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
  assert.equal(looksBinary(png), true, 'a PNG header has NULs');
  const noise = new Uint8Array(100).map((_, i) => (i % 5 === 0 ? 3 : 65));
  assert.equal(looksBinary(noise), true, '20 % control characters');
  // Only the first 8 KB are looked at: a NUL far into a text file does not make it binary.
  const late = new Uint8Array(10_000).fill(65);
  late[9_000] = 0;
  assert.equal(looksBinary(late), false);
});

const p = (path: string, line: number, severity: Problem['severity'], message: string, source?: string, code?: string): Problem =>
  ({ path, line, column: 3, severity, message, source, code });

test('problems: errors first, then by path and line; one line each with source and code; hints and infos left out by default', () => {
  const out = formatProblems([
    p('src/b.ts', 9, 'warning', "'x' is declared but never used.", 'ts', '6133'),
    p('src/b.ts', 2, 'error', 'Cannot find name\n  "y".', 'ts', '2304'),
    p('src/a.ts', 40, 'error', 'Missing semicolon.', 'eslint'),
    p('src/a.ts', 1, 'hint', 'Could be const.'),
    p('src/a.ts', 5, 'information', 'FYI.'),
  ]);
  assert.equal(out.text, [
    'src/a.ts:40:3 error Missing semicolon. (eslint)',
    'src/b.ts:2:3 error Cannot find name "y". (ts 2304)',
    "src/b.ts:9:3 warning 'x' is declared but never used. (ts 6133)",
  ].join('\n'));
  assert.deepEqual([out.listed, out.total], [3, 3]);
  assert.equal(formatProblems([p('a', 1, 'hint', 'h')], ['hint']).text, 'a:1:3 hint h');
});

test('problems past the cap are counted, not listed', () => {
  const many = Array.from({ length: 205 }, (_, i) => p(`f${String(i).padStart(3, '0')}.ts`, 1, 'error', 'bad'));
  const out = formatProblems(many);
  assert.equal(out.listed, 200);
  assert.equal(out.total, 205);
  assert.match(out.text, /\n… and 5 more not listed\.$/);
  assert.equal(out.text.split('\n').length, 201);
  assert.deepEqual(formatProblems([]), { text: '', listed: 0, total: 0 });
});

test('sizes read like a file manager', () => {
  assert.deepEqual([formatSize(0), formatSize(1023), formatSize(1024), formatSize(2150), formatSize(5 * 1024 * 1024)], ['0 B', '1023 B', '1 KB', '2.1 KB', '5 MB']);
});
