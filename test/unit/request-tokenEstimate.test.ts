// The local token estimate (issue 11, reused by the cost preview of issue 10): image sizes read from real encoder
// output (Chromium's canvas PNG/JPEG/WebP in test/fixtures/images, the README screenshot), Anthropic's image rule,
// text segmentation, tools, whole requests and calibration.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { MessageCreateParams, Tool } from '../../src/api';
import { imageSize, imageSizeFromBase64 } from '../../src/core/request/imageSize';
import { estimateImageTokens, estimateTextTokens, MAX_IMAGE_TOKENS } from '../../src/common/tokenCount';
import {
  MESSAGE_OVERHEAD_TOKENS,
  TOOL_PROMPT_TOKENS,
  calibrationFrom,
  estimateBlockTokens,
  estimateMessageTokens,
  estimateRequestTokens,
  estimateToolTokens,
} from '../../src/core/request/tokenEstimate';

const ROOT = path.resolve(__dirname, '..', '..');
const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'images', name)));

/** A RIFF/WEBP file holding only `chunk` (the simple lossy or lossless form). */
function simpleWebp(extended: Uint8Array, fourcc: 'VP8 ' | 'VP8L'): Uint8Array {
  const buf = Buffer.from(extended);
  for (let i = 12; i + 8 <= buf.length; ) {
    const size = buf.readUInt32LE(i + 4);
    if (buf.toString('latin1', i, i + 4) === fourcc) {
      const chunk = buf.subarray(i, i + 8 + size + (size % 2));
      const head = Buffer.alloc(12);
      head.write('RIFF', 0, 'latin1');
      head.writeUInt32LE(4 + chunk.length, 4);
      head.write('WEBP', 8, 'latin1');
      return new Uint8Array(Buffer.concat([head, chunk]));
    }
    i += 8 + size + (size % 2);
  }
  throw new Error(`no ${fourcc} chunk`);
}

/** A JPEG with a 70 KB APP1 (EXIF-like) segment before its frame header, as phone photos have. */
function jpegWithBigMetadata(jpeg: Uint8Array): Uint8Array {
  const payload = Buffer.alloc(65_533, 0x41);
  const segment = Buffer.concat([Buffer.from([0xff, 0xe1, 0xff, 0xff]), payload]);
  return new Uint8Array(Buffer.concat([Buffer.from(jpeg.subarray(0, 2)), segment, segment, Buffer.from(jpeg.subarray(2))]));
}

test('image sizes from real PNG, JPEG and WebP (extended, lossy, lossless) files', () => {
  assert.deepEqual(imageSize(fixture('canvas-37x23.png')), { width: 37, height: 23 });
  assert.deepEqual(imageSize(fixture('canvas-37x23.jpg')), { width: 37, height: 23 });
  assert.deepEqual(imageSize(fixture('canvas-37x23.webp')), { width: 37, height: 23 });
  assert.deepEqual(imageSize(simpleWebp(fixture('canvas-37x23.webp'), 'VP8 ')), { width: 37, height: 23 });
  assert.deepEqual(imageSize(simpleWebp(fixture('canvas-37x23.lossless.webp'), 'VP8L')), { width: 37, height: 23 });
  assert.deepEqual(imageSize(new Uint8Array(fs.readFileSync(path.join(ROOT, 'media', 'screenshots', 'chat-panel.png')))), { width: 1400, height: 900 });
});

test('GIF size from its logical screen descriptor', () => {
  const gif = Buffer.from('GIF89a\x2c\x01\xc8\x00\x80\x00\x00', 'latin1');
  assert.deepEqual(imageSize(new Uint8Array(gif)), { width: 300, height: 200 });
});

test('a JPEG whose frame header sits after 130 KB of metadata is read from base64 in growing prefixes', () => {
  const jpeg = jpegWithBigMetadata(fixture('canvas-37x23.jpg'));
  assert.ok(jpeg.length > 130_000);
  assert.deepEqual(imageSize(jpeg), { width: 37, height: 23 });
  assert.deepEqual(imageSizeFromBase64(Buffer.from(jpeg).toString('base64')), { width: 37, height: 23 });
});

test('bytes that are no image, or are cut before the size, give no size', () => {
  assert.equal(imageSize(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30])), undefined);
  assert.equal(imageSize(fixture('canvas-37x23.png').subarray(0, 20)), undefined);
  assert.equal(imageSize(fixture('canvas-37x23.jpg').subarray(0, 40)), undefined);
  assert.equal(imageSizeFromBase64('not base64 at all'), undefined);
  assert.equal(imageSizeFromBase64(''), undefined);
});

test('image tokens follow (w × h) / 750, scaled to a 1568 px long edge, at most ~1600', () => {
  assert.equal(estimateImageTokens({ width: 200, height: 200 }), 54); // 40,000 / 750 = 53.3
  assert.equal(estimateImageTokens({ width: 1000, height: 1000 }), 1334);
  // 3000 × 1500 → 1568 × 784 = 1,229,312 px → 1640 → capped.
  assert.equal(estimateImageTokens({ width: 3000, height: 1500 }), MAX_IMAGE_TOKENS);
  // 4000 × 500 → 1568 × 196 = 307,328 px → 410.
  assert.equal(estimateImageTokens({ width: 4000, height: 500 }), 410);
  assert.equal(estimateImageTokens(undefined), MAX_IMAGE_TOKENS, 'unknown size: the most an image can cost');
  assert.equal(estimateImageTokens({ width: 1, height: 1 }), 1);
});

test('text: words, camelCase parts, numbers, whitespace, punctuation and other scripts', () => {
  assert.equal(estimateTextTokens(''), 0);
  assert.equal(estimateTextTokens('The quick brown fox jumps over the lazy dog.'), 10);
  assert.equal(estimateTextTokens('getElementById'), 4);
  assert.equal(estimateTextTokens('HTMLParser'), 2);
  assert.equal(estimateTextTokens('12345678'), 3);
  assert.equal(estimateTextTokens('a\n\nb'), 3);
  assert.equal(estimateTextTokens('        return x;'), 4); // indentation, word, word, punctuation
  assert.equal(estimateTextTokens('日本語のテキスト'), 8);
  assert.equal(estimateTextTokens('😀😀'), 4);
  assert.equal(estimateTextTokens('Привет'), 3);
});

test('text estimates land in the known range of Claude\'s tokenizer for prose and code', () => {
  const prose = 'Closures capture the variables of their enclosing scope. When a function is defined inside another function, it keeps access to the outer variables even after the outer function has returned.\n';
  const code = 'export function debounce<T extends (...args: unknown[]) => void>(fn: T, ms: number): T {\n  let timer: ReturnType<typeof setTimeout> | undefined;\n  return ((...args: unknown[]) => {\n    clearTimeout(timer);\n    timer = setTimeout(() => fn(...args), ms);\n  }) as T;\n}\n';
  // Claude averages ~3.5-4.5 characters per token on English and ~2.5-3.5 on code.
  const proseRatio = prose.length / estimateTextTokens(prose);
  const codeRatio = code.length / estimateTextTokens(code);
  assert.ok(proseRatio > 3.5 && proseRatio < 5, `prose: ${proseRatio.toFixed(2)} chars/token`);
  assert.ok(codeRatio > 2 && codeRatio < 3.6, `code: ${codeRatio.toFixed(2)} chars/token`);
  // Linear in size: a long text is estimated as the sum of its parts (no hidden per-call cost).
  assert.equal(estimateTextTokens(prose.repeat(100)), estimateTextTokens(prose) * 100);
});

test('blocks and messages: text, images by size, tool use, tool results, per-message overhead', () => {
  const png = Buffer.from(fixture('canvas-37x23.png')).toString('base64');
  const image = { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png' as const, data: png } };
  assert.equal(estimateBlockTokens(image), estimateImageTokens({ width: 37, height: 23 }));
  assert.equal(estimateBlockTokens({ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }), MAX_IMAGE_TOKENS);
  const use = estimateBlockTokens({ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } });
  assert.ok(use > estimateTextTokens('get_weather') && use < 20);
  const result = estimateBlockTokens({ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'Sunny, 21 degrees.' }, image] });
  assert.equal(result, 4 + estimateTextTokens('Sunny, 21 degrees.') + estimateImageTokens({ width: 37, height: 23 }));
  assert.equal(estimateMessageTokens({ role: 'user', content: 'Hello there' }), MESSAGE_OVERHEAD_TOKENS + estimateTextTokens('Hello there'));
});

test('tools cost their definitions plus the tool-use system prompt, which depends on tool_choice', () => {
  const tools: Tool[] = [{ name: 'get_weather', description: 'Weather for a city.', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
  assert.equal(estimateToolTokens(undefined), 0);
  assert.equal(estimateToolTokens([]), 0);
  const auto = estimateToolTokens(tools);
  const forced = estimateToolTokens(tools, { type: 'any' });
  assert.equal(auto - forced, TOOL_PROMPT_TOKENS.auto - TOOL_PROMPT_TOKENS.forced);
  assert.ok(auto > TOOL_PROMPT_TOKENS.auto + 10);
});

test('a whole request by part; calibration scales text and tools but never images', () => {
  const png = Buffer.from(fixture('canvas-37x23.png')).toString('base64');
  const request: MessageCreateParams = {
    model: 'm',
    max_tokens: 100,
    system: 'You are terse.',
    tools: [{ name: 'read_file', description: 'Read a file.', input_schema: { type: 'object' } }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }] },
      { role: 'assistant', content: 'A green box.' },
      { role: 'user', content: 'And the white one?' },
    ],
  };
  const estimate = estimateRequestTokens(request);
  assert.equal(estimate.imageCount, 1);
  assert.equal(estimate.images, estimateImageTokens({ width: 37, height: 23 }));
  assert.equal(estimate.system, estimateTextTokens('You are terse.'));
  assert.equal(estimate.tools, estimateToolTokens(request.tools));
  assert.equal(estimate.total, estimate.system + estimate.messages + estimate.tools + estimate.images);
  const doubled = estimateRequestTokens(request, { calibration: 2 });
  assert.equal(doubled.images, estimate.images);
  assert.equal(doubled.messages, estimate.messages * 2);
  assert.equal(doubled.tools, estimate.tools * 2);
  assert.deepEqual(estimateRequestTokens(request, { calibration: Number.NaN }), estimate, 'a bad calibration is ignored');
  assert.equal(estimateRequestTokens({ messages: [{ role: 'user', content: 'x' }], system: [{ type: 'text', text: 'a b' }] }).system, 2);
});

test('calibrationFrom: real over estimated across samples, clamped, 1 without usable samples', () => {
  assert.equal(calibrationFrom([]), 1);
  assert.equal(calibrationFrom([{ estimated: 0, actual: 100 }]), 1);
  assert.equal(calibrationFrom([{ estimated: 100, actual: 120 }, { estimated: 300, actual: 360 }]), 1.2);
  assert.equal(calibrationFrom([{ estimated: 100, actual: 1000 }]), 2);
  assert.equal(calibrationFrom([{ estimated: 1000, actual: 10 }]), 0.5);
});
