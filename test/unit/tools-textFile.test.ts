// One rule for "is this a text file" and its text (issue 14 §3, issue 15 §5): Add File to Chat, read_file, edit_file
// and search_text all use core/tools/textFile.ts. UTF-16 with a BOM is text; a decode that loses characters says so;
// an edit's text is found whatever line ends the file mixes.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeText, decoderLabel, findLineTolerant, hasMixedLineEnds, looksBinary, lostInDecode } from '../../src/core/tools/textFile';

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

test('UTF-16BE with a BOM is text too; a UTF-8 BOM file is text', () => {
  assert.equal(looksBinary(new Uint8Array([0xfe, 0xff, 0x00, 0x61, 0x00, 0x62])), false);
  assert.equal(looksBinary(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x0a])), false);
});

test('decodeText: the BOM decides, else files.encoding; a lossy UTF-8 decode of latin1 bytes is reported', () => {
  const latin1 = new Uint8Array([...new TextEncoder().encode('const x = 1;\n// caf'), 0xe9, 0x20, 0x6e, 0x61, 0xef, 0x76, 0x65, 0x0a]);
  assert.deepEqual(decodeText(latin1), { text: 'const x = 1;\n// caf\uFFFD na\uFFFDve\n', lossy: true });
  assert.deepEqual(decodeText(latin1, 'iso88591'), { text: 'const x = 1;\n// café naïve\n', lossy: false });
  assert.deepEqual(decodeText(latin1, 'windows1252'), { text: 'const x = 1;\n// café naïve\n', lossy: false });
  const utf16 = new Uint8Array([0xff, 0xfe, ...[...'héllo\n'].flatMap((c) => [c.charCodeAt(0), 0])]);
  assert.deepEqual(decodeText(utf16, 'iso88591'), { text: 'héllo\n', lossy: false }, 'the BOM wins over the setting');
  const withReplacement = new TextEncoder().encode('a \uFFFD b');
  assert.equal(decodeText(withReplacement).lossy, false, 'a U+FFFD the file really holds is not a loss');
  assert.equal(lostInDecode('x', new Uint8Array()), false);
});

test('decoderLabel: VS Code encoding ids as TextDecoder labels; unknown ones undefined', () => {
  assert.equal(decoderLabel('utf8bom'), 'utf-8');
  assert.equal(decoderLabel('iso885915'), 'iso-8859-15');
  assert.equal(decoderLabel('windows1251'), 'windows-1251');
  assert.equal(decoderLabel('shiftjis'), 'shift_jis');
  assert.equal(decoderLabel('nonsense'), undefined);
  assert.equal(decoderLabel(undefined), undefined);
});

test('findLineTolerant: each line end of the text matches any line end of the file', () => {
  const mixed = 'alpha\nbeta\r\ngamma\ndelta\n';
  assert.deepEqual(findLineTolerant(mixed, 'gamma\ndelta'), { count: 1, index: 12, length: 11 });
  assert.deepEqual(findLineTolerant(mixed, 'beta\ngamma'), { count: 1, index: 6, length: 11 });
  assert.deepEqual(findLineTolerant('a\r\nb\r\na\nb', 'a\nb'), { count: 2, index: 0, length: 4 });
  assert.equal(findLineTolerant(mixed, 'nope').count, 0);
  assert.equal(findLineTolerant(mixed, 'a.p').count, 0, 'the text is literal, not a pattern');
  assert.equal(hasMixedLineEnds(mixed), true);
  assert.equal(hasMixedLineEnds('a\r\nb\r\n'), false);
  assert.equal(hasMixedLineEnds('a\nb\n'), false);
});
