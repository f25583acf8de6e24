// The page builder: strict CSP, nonce'd script only, and a first snapshot that survives any text in it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderChatHtml } from '../../src/host/webviews/webviewHtml';
import { emptySnapshot, useHarness } from './harness';
import { assistantTurn, userTurn } from './fixtures';

const NASTY = `"></body><script>window.__canary=1</script><img src=x onerror="window.__canary=2"> &amp; ' \u2028 </script>`;

describe('chat page (renderChatHtml)', () => {
  const input = {
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net', nonce: 'abcdefghijklmnopqrstuv',
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/webview.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/chat.css',
    snapshot: emptySnapshot({ turns: [userTurn('u1', NASTY)] }),
  };

  test('has a strict CSP, one nonce\'d script, no inline style, and the state only in an escaped attribute', () => {
    const html = renderChatHtml(input);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1]?.replace(/&#39;/g, "'");
    assert.equal(csp, "default-src 'none'; script-src 'nonce-abcdefghijklmnopqrstuv'; style-src https://file+.vscode-resource.vscode-cdn.net; "
      + "img-src https://file+.vscode-resource.vscode-cdn.net data:; font-src https://file+.vscode-resource.vscode-cdn.net; base-uri 'none'; form-action 'none'");
    assert.deepEqual(html.match(/<script\b[^>]*>/g), ['<script nonce="abcdefghijklmnopqrstuv" src="https://file+.vscode-resource.vscode-cdn.net/ext/media/webview.js">']);
    assert.doesNotMatch(html, /style=|<style/);
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
    assert.doesNotMatch(html, /<script>window|<img/, 'the payload never appears as markup');
    const state = /<body data-state="([^"]*)">/.exec(html)?.[1];
    assert.ok(state, 'the snapshot sits in one double-quoted attribute');
    assert.doesNotMatch(state, /[<>]/);
    const decoded = state.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    assert.deepEqual(JSON.parse(decoded), input.snapshot);
  });

  test('rejects a weak nonce', () => {
    assert.throws(() => renderChatHtml({ ...input, nonce: 'short' }), /nonce/);
    assert.throws(() => renderChatHtml({ ...input, nonce: 'abc"def<ghijklmnopqrst' }), /nonce/);
  });

  describe('in Chromium', () => {
    const harness = useHarness();

    test('the first paint shows hostile snapshot text exactly, as text', async () => {
      const chat = await harness.open(emptySnapshot({ turns: [userTurn('u1', NASTY), assistantTurn('a1', NASTY, { status: 'done' })] }));
      assert.equal(await chat.page.locator('.turn[data-turn-id="u1"] .user-text').textContent(), NASTY);
      assert.equal(await chat.canary(), 0);
      assert.deepEqual(await chat.violations(), []);
      assert.deepEqual(chat.requests.filter((u) => !harness.isOwnRequest(u)), []);
      await chat.close();
    });
  });
});
