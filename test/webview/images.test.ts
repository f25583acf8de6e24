// Images over the API's limits (3.75 MB of file, 8000 pixels on the longest side) are resized on a canvas in the chat
// before they can be sent, whether pasted, dropped or read by the host (file picker, Ask About Image).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness, type ChatPage } from './harness';

const LIMIT_BASE64 = 5_242_880;

interface Made { base64: string; bytes: number }

/** Draws an image in the page (random pixels make it incompressible: a big file) and encodes it. */
async function makeImage(chat: ChatPage, options: { width: number; height: number; type: string; quality?: number; noise: boolean }): Promise<Made> {
  // Runs in the page (this file is type-checked without the DOM library, so the script is a string).
  return chat.page.evaluate(`(async ({ width, height, type, quality, noise }) => {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (noise) {
      const pixels = context.createImageData(width, height);
      for (let at = 0; at < pixels.data.length; at += 65536) crypto.getRandomValues(pixels.data.subarray(at, at + 65536));
      for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = 255;
      context.putImageData(pixels, 0, 0);
    } else {
      context.fillStyle = '#3b2fc9';
      context.fillRect(0, 0, width, height);
    }
    const blob = await canvas.convertToBlob({ type, quality });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { base64: btoa(binary), bytes: bytes.length };
  })(${JSON.stringify(options)})`);
}

async function paste(chat: ChatPage, name: string, type: string, base64: string): Promise<void> {
  await chat.page.evaluate(`(({ name, type, base64 }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name, { type }));
    document.querySelector('#composer-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  })(${JSON.stringify({ name, type, base64 })})`);
}

/** The natural size of the attachment's thumbnail, once it is there and loaded (polled: the page's CSP forbids eval). */
async function attachedSize(chat: ChatPage, index: number): Promise<{ width: number; height: number }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const size = await chat.page.evaluate(`(() => {
      const img = document.querySelectorAll('#attachments img.thumbnail')[${index}];
      return img && img.complete && img.naturalWidth > 0 ? { width: img.naturalWidth, height: img.naturalHeight } : null;
    })()`) as { width: number; height: number } | null;
    if (size) return size;
    if (Date.now() > deadline) throw new Error(`attachment ${index} did not appear`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('chat webview: images fitted to the API limits', () => {
  const harness = useHarness();

  test('a pasted PNG over 3.75 MB is resized to fit, says so, and is what gets sent', async () => {
    const chat = await harness.open();
    const big = await makeImage(chat, { width: 1400, height: 1400, type: 'image/png', noise: true });
    assert.ok(big.bytes > 3_932_160, `the test image is over the limit (${big.bytes} bytes)`);
    await paste(chat, 'screenshot.png', 'image/png', big.base64);
    const size = await attachedSize(chat, 0);
    assert.ok(size.width <= 1400 && size.width === size.height, `same aspect (${size.width}×${size.height})`);
    const notice = chat.page.locator('#composer-notice');
    await notice.waitFor({ state: 'visible' });
    assert.match(await notice.innerText(), /“screenshot\.png” \(1400×1400, [\d.]+ MB\) was (resized to \d+×\d+|saved again as WEBP) \([\d.]+ MB\) to fit the API's limits of 3\.75 MB and 8000 pixels per image\./);
    await chat.clearPosted();
    await chat.page.locator('#composer-input').fill('What is this?');
    await chat.page.locator('button#send').click();
    const [sent] = await chat.posted();
    assert.ok(sent?.type === 'send' && sent.images.length === 1);
    assert.ok(sent.images[0].data.length <= LIMIT_BASE64, `sent within 5,242,880 base64 characters (${sent.images[0].data.length})`);
    assert.match(sent.images[0].mediaType, /^image\/(png|webp)$/, 'a PNG stays lossless or becomes WebP (both keep transparency)');
    await chat.close();
  });

  test('a small image wider than 8000 pixels is scaled to 8000 on its longest side', async () => {
    const chat = await harness.open();
    const wide = await makeImage(chat, { width: 9000, height: 30, type: 'image/png', noise: false });
    assert.ok(wide.bytes < 3_932_160, 'small in bytes: only its side is over');
    await paste(chat, 'banner.png', 'image/png', wide.base64);
    const size = await attachedSize(chat, 0);
    assert.equal(size.width, 8000);
    assert.equal(size.height, 26, '30 × 8000/9000, rounded down');
    await chat.close();
  });

  test('a JPEG photo stays a JPEG when resized; an image within the limits is kept byte for byte', async () => {
    const chat = await harness.open();
    const photo = await makeImage(chat, { width: 2600, height: 1800, type: 'image/jpeg', quality: 1, noise: true });
    assert.ok(photo.bytes > 3_932_160, `over the limit (${photo.bytes})`);
    const small = await makeImage(chat, { width: 64, height: 48, type: 'image/jpeg', quality: 0.9, noise: true });
    await paste(chat, 'photo.jpg', 'image/jpeg', photo.base64);
    await paste(chat, 'small.jpg', 'image/jpeg', small.base64);
    await attachedSize(chat, 1);
    await chat.clearPosted();
    await chat.page.locator('#composer-input').fill('Two photos');
    await chat.page.locator('button#send').click();
    const [sent] = await chat.posted();
    assert.ok(sent?.type === 'send');
    assert.equal(sent.images[0].mediaType, 'image/jpeg');
    assert.ok(sent.images[0].data.length <= LIMIT_BASE64);
    assert.equal(sent.images[1].data, small.base64, 'untouched');
    await chat.close();
  });

  test('an image the host read (file picker, Ask About Image) is fitted the same way', async () => {
    const chat = await harness.open();
    const big = await makeImage(chat, { width: 1400, height: 1400, type: 'image/png', noise: true });
    await chat.send({ type: 'attachImages', images: [{ id: 'h1', name: 'from-disk.png', mediaType: 'image/png', data: big.base64 }] });
    await attachedSize(chat, 0);
    assert.match(await chat.page.locator('#composer-notice').innerText(), /“from-disk\.png” .* was (resized|saved again)/);
    await chat.clearPosted();
    await chat.page.locator('#composer-input').fill('From disk');
    await chat.page.locator('button#send').click();
    const [sent] = await chat.posted();
    assert.ok(sent?.type === 'send' && sent.images[0].data.length <= LIMIT_BASE64, 'what is sent fits');
    assert.deepEqual(await chat.violations(), [], 'no CSP violation from the canvas work');
    await chat.close();
  });
});
