import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAttachment, imageFromBytes, MAX_IMAGE_BYTES, sniffImageType } from '../../src/chat/conversationImages';

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

test('a file becomes a base64 attachment of the type its bytes show, whatever its name says', () => {
  const result = imageFromBytes('i1', 'photo.jpg', PNG);
  assert.ok(result.ok);
  assert.equal(result.attachment.mediaType, 'image/png');
  assert.equal(Buffer.from(result.attachment.data, 'base64').equals(PNG), true);
});

test('over 5 MB or not an image: refused with a reason naming the file', () => {
  const big = Buffer.alloc(MAX_IMAGE_BYTES + 1);
  PNG.copy(big);
  const tooBig = imageFromBytes('i', 'huge.png', big);
  assert.ok(!tooBig.ok && /huge\.png is 5\.0 MB; images can be at most 5 MB/.test(tooBig.reason));
  const notImage = imageFromBytes('i', 'notes.txt', Buffer.from('hello'));
  assert.ok(!notImage.ok && notImage.reason.includes('notes.txt'));
  assert.ok(imageFromBytes('i', 'exact.png', Buffer.concat([PNG, Buffer.alloc(MAX_IMAGE_BYTES - PNG.length)])).ok);
});

test('attachments from the webview must be real base64 of the declared type', () => {
  const ok = checkAttachment({ id: 'a', name: 'a.gif', mediaType: 'image/gif', data: GIF.toString('base64') });
  assert.ok(ok.ok);
  const lie = checkAttachment({ id: 'a', name: 'a.png', mediaType: 'image/png', data: JPEG.toString('base64') });
  assert.ok(!lie.ok && lie.reason.includes('image/jpeg'));
  const junk = checkAttachment({ id: 'a', name: 'a.png', mediaType: 'image/png', data: 'not base64!' });
  assert.ok(!junk.ok);
  const big = Buffer.alloc(MAX_IMAGE_BYTES + 3);
  PNG.copy(big);
  const tooBig = checkAttachment({ id: 'a', name: 'b.png', mediaType: 'image/png', data: big.toString('base64') });
  assert.ok(!tooBig.ok && tooBig.reason.includes('at most 5 MB'));
});
