import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatProblems, type Problem } from '../../src/core/conversation/attachedText';
import { formatSize } from '../../src/common/credits';

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
