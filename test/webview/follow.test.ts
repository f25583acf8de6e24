// Following the answer (issue 8 §1): while the user has not scrolled up, the log stays at the bottom in every frame,
// whatever the layout does (code blocks, highlighting, tables, thinking folding, content-visibility, a footer, the
// composer growing); a scroll up by wheel, keyboard, scrollbar or touch stops following and shows "Jump to latest",
// which follows again. Real Chromium, deltas posted at the rate the host sends them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness, emptySnapshot, type ChatPage } from './harness';
import { LONG_ANSWER, chunks, delta, meta, turnAdded } from './fixtures';

interface StreamResult { samples: number[]; worst: number; frames: number }

/**
 * Posts the answer's deltas from inside the page every `intervalMs` (the host sends at most one per frame) and
 * records, at the start of every frame (what the previous frame painted), how far the log is from its bottom.
 * `thinking` first streams a thinking block that folds when the answer starts; `growComposer` types lines into the
 * composer halfway, which shrinks the log.
 */
async function streamAndSample(chat: ChatPage, turnId: string, parts: string[], intervalMs: number, options: { thinking?: boolean; growComposer?: boolean } = {}): Promise<StreamResult> {
  return await chat.page.evaluate(`(async () => {
    const parts = ${JSON.stringify(parts)};
    const m = document.querySelector('#messages');
    const samples = [];
    let sampling = true;
    const sample = () => {
      if (!sampling) return;
      samples.push(m.scrollHeight - m.scrollTop - m.clientHeight);
      requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
    const post = (text, block, kind) => window.postMessage({ type: 'delta', turnId: ${JSON.stringify(turnId)}, chunks: [{ block, kind, text }] }, '*');
    const wait = (ms) => new Promise((r) => setTimeout(r, ms));
    if (${options.thinking === true}) {
      for (let i = 0; i < 40; i++) { post('Thinking about step ' + i + ' of the request handling, line by line.\\n', 0, 'thinking'); await wait(${intervalMs}); }
    }
    for (let i = 0; i < parts.length; i++) {
      post(parts[i], ${options.thinking === true ? 1 : 0}, 'text');
      if (${options.growComposer === true} && i === Math.floor(parts.length / 2)) {
        // Inside a frame callback (after the sampler's), so the sampler's forced layout never sees a change before it
        // is painted; typing between frames is laid out the same way when the frame comes.
        await new Promise((r) => requestAnimationFrame(() => {
          const input = document.querySelector('#composer-input');
          input.value = 'a\\nb\\nc\\nd\\ne\\nf';
          input.dispatchEvent(new Event('input', { bubbles: true }));
          r();
        }));
      }
      await wait(${intervalMs});
    }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    sampling = false;
    return { samples, worst: Math.max(...samples), frames: samples.length };
  })()`) as StreamResult;
}

async function distanceFromBottom(chat: ChatPage): Promise<number> {
  return chat.page.locator('#messages').evaluate((m) => m.scrollHeight - m.scrollTop - m.clientHeight);
}

async function scrollTopOf(chat: ChatPage): Promise<number> {
  return chat.page.locator('#messages').evaluate((m) => m.scrollTop);
}

/** Waits until a (possibly animated) scroll has come to rest: the same position over five frames. */
async function settle(chat: ChatPage): Promise<void> {
  let last = -1;
  for (let same = 0; same < 5;) {
    await chat.frames(1);
    const top = await scrollTopOf(chat);
    same = top === last ? same + 1 : 0;
    last = top;
  }
}

/** Whether `selector`'s box is inside the log's visible box. */
async function visibleInLog(chat: ChatPage, selector: string): Promise<boolean> {
  return chat.page.evaluate(`(() => {
    const m = document.querySelector('#messages').getBoundingClientRect();
    const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect();
    return r.height > 0 && r.top >= m.top - 1 && r.bottom <= m.bottom + 1;
  })()`) as Promise<boolean>;
}

describe('chat webview: following the answer', () => {
  const harness = useHarness({ scrollbars: true });

  const cases: Array<[string, { intervalMs: number; max: number; thinking?: boolean; growComposer?: boolean; viewport: { width: number; height: number } }]> = [
    ['small deltas every frame, thinking first, composer grows halfway (300 × 420)', { intervalMs: 16, max: 24, thinking: true, growComposer: true, viewport: { width: 300, height: 420 } }],
    ['bursts of up to 160 characters every 50 ms (420 × 600)', { intervalMs: 50, max: 160, viewport: { width: 420, height: 600 } }],
  ];
  for (const [label, c] of cases) {
    test(`stays at the bottom (±1 px) in every frame and at the end: ${label}`, async () => {
      const chat = await harness.open(emptySnapshot(), undefined, c.viewport);
      await chat.send(turnAdded('t1', 'Explain the request handling.'));
      const result = await streamAndSample(chat, 't1', chunks(LONG_ANSWER, 5, c.max), c.intervalMs, c);
      assert.ok(result.frames > 30, `sampled ${result.frames} frames`);
      assert.ok(await chat.page.locator('#messages').evaluate((m) => m.scrollHeight > 3 * m.clientHeight), 'the answer is several screens long');
      const off = result.samples.map((d, i) => `frame ${i}: ${Math.round(d)} px`).filter((_, i) => result.samples[i]! > 1);
      assert.equal(off.length, 0, `${off.length} of ${result.frames} frames not at the bottom: ${off.slice(0, 8).join(', ')}…`);
      assert.ok(await chat.page.locator('.turn[data-turn-id="t1"] .code-block .hljs-keyword').count() > 0, 'code was highlighted');
      const thinking = chat.page.locator('.turn[data-turn-id="t1"] details.thinking');
      assert.equal(await thinking.count(), c.thinking ? 1 : 0);
      if (c.thinking) assert.equal(await thinking.getAttribute('open'), null, 'thinking folded when the answer started');

      await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done', meta: meta() });
      await chat.frames(3);
      assert.ok(Math.abs(await distanceFromBottom(chat)) <= 1, 'at the bottom after the end');
      assert.equal(await visibleInLog(chat, '.turn[data-turn-id="t1"] .answer-meta'), true, 'the meta line is on screen');
      assert.equal(await chat.page.locator('#jump-to-latest').isVisible(), false, 'no Jump to latest while following');
      assert.deepEqual(chat.pageErrors, []);
      await chat.close();
    });
  }

  /** Streams the first part, leaving the answer open, and checks the log follows (it overflows by then). */
  async function startLongAnswer(chat: ChatPage): Promise<string[]> {
    await chat.send(turnAdded('t1'));
    const parts = chunks(LONG_ANSWER, 3, 60);
    const half = Math.floor(parts.length / 2);
    for (const part of parts.slice(0, half)) await chat.send(delta('t1', part));
    await chat.frames(3);
    assert.ok(Math.abs(await distanceFromBottom(chat)) <= 1, 'following before the user scrolls');
    return parts.slice(half);
  }

  /** More text and layout changes arrive; the view must not move while the user reads further up. */
  async function assertStaysPut(chat: ChatPage, rest: string[], how: string): Promise<void> {
    await settle(chat);
    const held = await scrollTopOf(chat);
    assert.ok(await distanceFromBottom(chat) > 20, `${how}: scrolled away from the bottom`);
    assert.equal(await chat.page.locator('#jump-to-latest').isVisible(), true, `${how}: Jump to latest shows`);
    for (const part of rest.splice(0, 20)) await chat.send(delta('t1', part));
    await chat.frames(3);
    assert.equal(await scrollTopOf(chat), held, `${how}: the view stays where the user put it`);
  }

  async function jump(chat: ChatPage): Promise<void> {
    await chat.page.locator('#jump-to-latest').click();
    await chat.frames(3);
    assert.ok(Math.abs(await distanceFromBottom(chat)) <= 1, 'Jump to latest goes to the bottom');
    assert.equal(await chat.page.locator('#jump-to-latest').isVisible(), false);
  }

  test('a wheel, keyboard, scrollbar or touch scroll up stops following and shows Jump to latest', async () => {
    const chat = await harness.open(emptySnapshot(), undefined, { width: 420, height: 500 });
    const rest = await startLongAnswer(chat);
    const log = chat.page.locator('#messages');

    await log.hover();
    await chat.page.mouse.wheel(0, -300);
    await assertStaysPut(chat, rest, 'wheel');
    await jump(chat);

    for (const key of ['PageUp', 'Home', 'ArrowUp']) {
      await log.focus();
      await chat.page.keyboard.press(key);
      await assertStaysPut(chat, rest, key);
      await jump(chat);
    }

    // Drag the scrollbar's thumb (at the bottom of the track) up by 120 px. VS Code's default webview style gives
    // scroll containers a 10 px classic scrollbar (headless Chromium alone draws none).
    await chat.page.evaluate(`(() => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync('::-webkit-scrollbar { width: 10px; height: 10px; } ::-webkit-scrollbar-thumb { background-color: rgba(121, 121, 121, 0.4); }');
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    })()`);
    await chat.frames(2);
    const box = await log.evaluate((m) => {
      const r = m.getBoundingClientRect();
      return { right: r.right, bottom: r.bottom, scrollbar: m.offsetWidth - m.clientWidth };
    });
    assert.ok(box.scrollbar > 0, 'the log has a classic scrollbar to drag');
    await chat.page.mouse.move(box.right - box.scrollbar / 2, box.bottom - 30);
    await chat.page.mouse.down();
    await chat.page.mouse.move(box.right - box.scrollbar / 2, box.bottom - 150, { steps: 6 });
    await chat.page.mouse.up();
    await assertStaysPut(chat, rest, 'scrollbar drag');
    await jump(chat);

    // A finger dragging the content down (reading further up), through Chromium's touch input.
    const cdp = await chat.page.context().newCDPSession(chat.page);
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });
    const x = Math.round(await log.evaluate((m) => { const r = m.getBoundingClientRect(); return r.left + r.width / 2; }));
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y: 150 }] });
    for (let i = 1; i <= 8; i++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: 150 + i * 20 }] });
      await chat.frames(1);
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await assertStaysPut(chat, rest, 'touch');
    await jump(chat);

    // Once back at the bottom, it follows again.
    for (const part of rest.splice(0, 20)) await chat.send(delta('t1', part));
    await chat.frames(3);
    assert.ok(Math.abs(await distanceFromBottom(chat)) <= 1, 'follows again after Jump to latest');
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });

  test('Jump to latest is a labelled button reachable by keyboard; it follows again and gives the focus to the log', async () => {
    const chat = await harness.open(emptySnapshot(), undefined, { width: 420, height: 500 });
    const rest = await startLongAnswer(chat);
    await chat.page.locator('#messages').focus();
    await chat.page.keyboard.press('PageUp');
    await settle(chat);
    const button = chat.page.locator('#jump-to-latest');
    assert.equal(await button.isVisible(), true);
    assert.equal(await button.getAttribute('type'), 'button');
    assert.match(((await button.getAttribute('aria-label')) ?? (await button.textContent()) ?? ''), /jump to latest/i);
    // It comes right before the log in the focus order: Shift+Tab from the log reaches it.
    await chat.page.keyboard.press('Shift+Tab');
    assert.equal(await chat.page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'jump-to-latest');
    await chat.page.keyboard.press('Enter');
    await chat.frames(3);
    assert.ok(Math.abs(await distanceFromBottom(chat)) <= 1, 'at the bottom');
    assert.equal(await button.isVisible(), false);
    assert.equal(await chat.page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'messages', 'the focus goes to the log, not the page');
    for (const part of rest.splice(0, 30)) await chat.send(delta('t1', part));
    await chat.frames(3);
    assert.ok(Math.abs(await distanceFromBottom(chat)) <= 1, 'following again');
    // Scrolling back to the bottom by hand follows again too, and hides the button.
    await chat.page.keyboard.press('PageUp');
    await settle(chat);
    assert.equal(await button.isVisible(), true);
    await chat.page.keyboard.press('End');
    await chat.page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { hidden: boolean } } }).document.querySelector('#jump-to-latest').hidden);
    for (const part of rest.splice(0, 20)) await chat.send(delta('t1', part));
    await chat.frames(3);
    assert.ok(Math.abs(await distanceFromBottom(chat)) <= 1, 'following after End');
    await chat.close();
  });

  test('a new question follows its answer even after the user had scrolled up', async () => {
    const chat = await harness.open(emptySnapshot(), undefined, { width: 420, height: 500 });
    await startLongAnswer(chat);
    await chat.page.locator('#messages').hover();
    await chat.page.mouse.wheel(0, -300);
    await chat.frames(3);
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done', meta: meta() });
    await chat.send(turnAdded('t2', 'And then?'));
    for (const part of chunks(LONG_ANSWER.slice(0, 1500), 4, 30)) await chat.send(delta('t2', part));
    await chat.frames(3);
    assert.ok(Math.abs(await distanceFromBottom(chat)) <= 1);
    assert.equal(await chat.page.locator('#jump-to-latest').isVisible(), false);
    await chat.close();
  });
});
