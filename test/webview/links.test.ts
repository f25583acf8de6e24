// Links in answers, in real Chromium: only a link whose parsed URL is http, https or mailto keeps an href (the
// normalised URL) and posts `openLink` on click; anything else, `https:javascript:alert(1)` included, is plain text.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness } from './harness';
import { delta, meta, turnAdded } from './fixtures';

/** [link destination as the model wrote it, the href the link keeps (and posts on click), or null for none]. */
const TABLE: Array<[string, string | null]> = [
  ['https://fastrouter.ai/docs?a=1#x', 'https://fastrouter.ai/docs?a=1#x'],
  ['HTTP://Example.com', 'http://example.com/'],
  ['mailto:someone@example.com', 'mailto:someone@example.com'],
  ['https:example.com/path', 'https://example.com/path'],
  ['https://example.com/javascript:alert(1)', 'https://example.com/javascript:alert(1)'],
  ['https:javascript:alert(1)', null],
  ['http:javascript:alert(1)', null],
  ['https://javascript:alert(1)', null],
  ['HTTPS:JAVASCRIPT:alert(document.cookie)', null],
  ['https://example.com:99999/', null],
  ['javascript:alert(1)', null],
  ['vbscript:x', null],
  ['file:///etc/passwd', null],
  ['command:fastrouter.clearApiKey', null],
  ['/relative/path', null],
];

describe('chat webview: links', () => {
  const harness = useHarness();

  test('each link keeps an href only when its parsed URL may be opened, and a click posts exactly that URL', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1'));
    const markdown = TABLE.map(([href], i) => `- [link${i}](${href})`).join('\n') + '\n\n![pic](https:javascript:alert(1))\n';
    await chat.send(delta('t1', markdown));
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done', meta: meta() });
    await chat.frames();
    const anchors = chat.page.locator('.turn[data-turn-id="t1"] .answer a');
    assert.equal(await anchors.count(), TABLE.length, 'every destination was parsed as a Markdown link');
    for (const [i, [href, expected]] of TABLE.entries()) {
      const anchor = anchors.nth(i);
      assert.equal(await anchor.textContent(), `link${i}`);
      assert.equal(await anchor.getAttribute('href'), expected, `href kept for ${href}`);
      assert.equal(await anchor.evaluate((el) => el.classList.contains('inert-link')), expected === null, `inert: ${href}`);
      await chat.clearPosted();
      await anchor.click({ force: true });
      const posted = (await chat.posted()).filter((m) => m.type === 'openLink');
      assert.deepEqual(posted, expected === null ? [] : [{ type: 'openLink', href: expected }], `click on ${href}`);
    }
    // An image whose URL does not parse offers nothing to open.
    const placeholder = chat.page.locator('.turn[data-turn-id="t1"] .image-placeholder');
    assert.equal(await placeholder.locator('button').count(), 0);
    assert.equal(await placeholder.locator('.image-url').count(), 0);
    assert.equal(new URL(chat.page.url()).pathname, '/', 'the page never navigated');
    assert.equal(await chat.canary(), 0);
    assert.deepEqual(chat.dialogs, []);
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });
});
