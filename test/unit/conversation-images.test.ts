import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sniffImageType } from '../../src/common/imageType';
import { checkAttachment, imageFromBytes, imageLimitProblem } from '../../src/core/conversation/conversationImages';
import { IMAGE_LIMITS } from '../../src/common/imageType';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const JPEG = Buffer.from('ffd8ffe000104a464946', 'hex');
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);

test('image types are recognised by their first bytes', () => {
  assert.equal(sniffImageType(PNG), 'image/png');
  assert.equal(sniffImageType(JPEG), 'image/jpeg');
  assert.equal(sniffImageType(GIF), 'image/gif');
  assert.equal(sniffImageType(WEBP), 'image/webp');
  assert.equal(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), undefined);
  assert.equal(sniffImageType(Buffer.from('RIFF\0\0\0\0WAVE')), undefined);
});

test('one sniffImageType for the webview and the host: a GIF is GIF87a or GIF89a, "GIF8" and anything else is not', () => {
  assert.equal(sniffImageType(Buffer.from('GIF87a\x01\x00\x01\x00', 'latin1')), 'image/gif');
  assert.equal(sniffImageType(Buffer.from('GIF8xa\x01\x00\x01\x00', 'latin1')), undefined);
  assert.equal(sniffImageType(Buffer.from('GIF89b\x01\x00', 'latin1')), undefined);
  assert.equal(sniffImageType(Buffer.from('GIF8', 'latin1')), undefined, 'a truncated header');
  // The webview bundle has no sniffer of its own: it imports this one (a second copy had a looser GIF check).
  const webview = readFileSync(join(__dirname, '..', '..', 'src', 'webviews', 'chat', 'attachments.ts'), 'utf8');
  assert.match(webview, /import \{ sniffImageType \} from '\.\.\/\.\.\/common\/imageType'/);
  assert.doesNotMatch(webview, /function sniffImageType/);
});

test('a file becomes a base64 attachment of the type its bytes show, whatever its name says', () => {
  const result = imageFromBytes('i1', 'photo.jpg', PNG);
  assert.ok(result.ok);
  assert.equal(result.attachment.mediaType, 'image/png');
  assert.equal(Buffer.from(result.attachment.data, 'base64').equals(PNG), true);
});

test('a file is taken in up to 30 MB (the chat resizes it to fit); bigger or not an image: refused naming the file', () => {
  const big = Buffer.alloc(IMAGE_LIMITS.maxSourceBytes + 1);
  PNG.copy(big);
  const tooBig = imageFromBytes('i', 'huge.png', big);
  assert.ok(!tooBig.ok && /huge\.png is 30 MB; images over 30 MB cannot be attached \(the API takes at most 3\.75 MB per image/.test(tooBig.reason), !tooBig.ok ? tooBig.reason : '');
  const notImage = imageFromBytes('i', 'notes.txt', Buffer.from('hello'));
  assert.ok(!notImage.ok && notImage.reason.includes('notes.txt'));
  assert.ok(imageFromBytes('i', 'photo.png', Buffer.concat([PNG, Buffer.alloc(4_500_000)])).ok, 'a 4.5 MB photo is taken in, to be resized');
});

test('the API limits: 5,242,880 base64 characters (3.75 MB of file) and 8000 pixels on the longest side', () => {
  const at = (bytes: number) => ({ name: 'p.png', data: Buffer.concat([PNG, Buffer.alloc(bytes - PNG.length)]).toString('base64') });
  assert.equal(imageLimitProblem(at(IMAGE_LIMITS.maxBytes)), undefined, 'exactly 3,932,160 bytes is allowed');
  assert.equal(at(IMAGE_LIMITS.maxBytes).data.length, 5_242_880);
  assert.match(imageLimitProblem(at(IMAGE_LIMITS.maxBytes + 1)) ?? '', /p\.png is 3\.75 MB; the API takes images of at most 3\.75 MB\./);
  assert.match(imageLimitProblem(at(4_500_000)) ?? '', /is 4\.29 MB; the API takes images of at most 3\.75 MB/, 'the 4,500,000-byte PNG of the report');
  // A PNG whose header says 8001 × 10 pixels.
  const ihdr = Buffer.alloc(8);
  ihdr.writeUInt32BE(8001, 0);
  ihdr.writeUInt32BE(10, 4);
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), ihdr, Buffer.alloc(16)]);
  assert.match(imageLimitProblem({ name: 'wide.png', data: png.toString('base64') }) ?? '', /wide\.png is 8001×10 pixels; the API takes images of at most 8000 pixels on the longest side/);
  ihdr.writeUInt32BE(8000, 0);
  const ok = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), ihdr, Buffer.alloc(16)]);
  assert.equal(imageLimitProblem({ name: 'ok.png', data: ok.toString('base64') }), undefined);
});

test('attachments from the webview must be real base64 of the declared type', () => {
  const ok = checkAttachment({ id: 'a', name: 'a.gif', mediaType: 'image/gif', data: GIF.toString('base64') });
  assert.ok(ok.ok);
  const lie = checkAttachment({ id: 'a', name: 'a.png', mediaType: 'image/png', data: JPEG.toString('base64') });
  assert.ok(!lie.ok && lie.reason.includes('image/jpeg'));
  const junk = checkAttachment({ id: 'a', name: 'a.png', mediaType: 'image/png', data: 'not base64!' });
  assert.ok(!junk.ok);
  const big = Buffer.alloc(IMAGE_LIMITS.maxBytes + 3);
  PNG.copy(big);
  const tooBig = checkAttachment({ id: 'a', name: 'b.png', mediaType: 'image/png', data: big.toString('base64') });
  assert.ok(!tooBig.ok && tooBig.reason.includes('at most 3.75 MB'), 'sent: over the API limit is refused');
  assert.ok(checkAttachment({ id: 'a', name: 'b.png', mediaType: 'image/png', data: big.toString('base64') }, { fit: false }).ok, 'attached: it can still be resized');
});
