// Streaming Markdown in real Chromium: appears as it arrives, finished blocks are never redone, and the streamed
// result is identical to rendering the whole answer at once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness, emptySnapshot, type PageWindow } from './harness';
import { RICH_ANSWER, assistantTurn, delta, meta, stream, turnAdded, userTurn } from './fixtures';

interface MarkWindow extends PageWindow {
  __marked: unknown;
  __removedOutsideTail: number;
  __observerCalls: number;
  __frames: number;
}

describe('chat webview: rendering', () => {
  const harness = useHarness();

  test('first paint comes from data-state, acquireVsCodeApi is called once and ready is posted', async () => {
    const chat = await harness.open(emptySnapshot({
      turns: [userTurn('u1', 'Hello there'), assistantTurn('a1', 'Hi! **Welcome**.', { status: 'done', meta: meta() })],
      model: 'claude-opus-4-1',
    }));
    assert.equal(await chat.page.locator('.turn[data-role="user"][data-turn-id="u1"] .user-text').textContent(), 'Hello there');
    assert.equal(await chat.page.locator('.turn[data-role="assistant"][data-turn-id="a1"] .answer strong').textContent(), 'Welcome');
    assert.equal(await chat.page.locator('.turn[data-turn-id="a1"]').getAttribute('data-status'), 'done');
    assert.equal(await chat.page.locator('#model-label').textContent(), 'claude-opus-4-1');
    assert.equal(await chat.page.locator('#messages').getAttribute('role'), 'log');
    assert.deepEqual(await chat.posted(), [{ type: 'ready' }]);
    assert.equal(await chat.page.evaluate(() => (globalThis as unknown as { __acquireCount: number }).__acquireCount), 1);
    assert.deepEqual(await chat.violations(), []);
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });

  test('text appears as deltas arrive and finished blocks keep their DOM nodes', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1'));
    const answer = chat.page.locator('.turn[data-turn-id="t1"] .answer');
    assert.equal(await chat.page.locator('.turn[data-turn-id="t1"]').getAttribute('data-status'), 'streaming');
    assert.equal(await chat.page.locator('.turn[data-turn-id="t1"]').getAttribute('aria-busy'), 'true');

    await chat.send(delta('t1', 'First para'));
    await chat.frames();
    assert.equal((await answer.textContent())?.trim(), 'First para');
    await chat.send(delta('t1', 'graph.\n\nSecond'));
    await chat.frames();
    // Mark the finished first paragraph and watch for any removal outside the live tail from now on.
    await chat.page.evaluate(() => {
      const w = globalThis as unknown as MarkWindow & { document: { querySelector(s: string): { __mark?: number } | null } };
      const p = w.document.querySelector('.turn[data-turn-id="t1"] .answer-text p');
      if (!p) throw new Error('no finished paragraph');
      p.__mark = 42;
      w.__marked = p;
      w.__removedOutsideTail = 0;
      const MO = (globalThis as unknown as { MutationObserver: new (cb: (records: Array<{ removedNodes: { length: number }; target: { closest(s: string): unknown } }>) => void) => { observe(n: unknown, o: unknown): void } }).MutationObserver;
      new MO((records) => {
        // (A live code block's unfinished lines are completed as it moves out of the tail: records are read later.)
        for (const r of records) if (r.removedNodes.length > 0 && !r.target.closest('.md-tail, .code-block pre > code')) w.__removedOutsideTail += r.removedNodes.length;
      }).observe(w.document.querySelector('.turn[data-turn-id="t1"] .answer-text'), { childList: true, subtree: true, characterData: true });
    });
    for (const part of [' paragraph is ', 'longer.\n\n- item one\n', '- item two\n\n```js\nconst x', ' = 1;\n```\n\nDone.']) {
      await chat.send(delta('t1', part));
      await chat.frames();
    }
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done', meta: meta() });
    const result = await chat.page.evaluate(() => {
      const w = globalThis as unknown as MarkWindow & { document: { querySelector(s: string): unknown } };
      return {
        same: w.document.querySelector('.turn[data-turn-id="t1"] .answer-text p') === w.__marked,
        mark: (w.__marked as { __mark?: number }).__mark,
        removed: w.__removedOutsideTail,
      };
    });
    assert.deepEqual(result, { same: true, mark: 42, removed: 0 });
    assert.deepEqual(await answer.locator('li').allTextContents(), ['item one', 'item two']);
    assert.equal(await answer.locator('.code-block pre').textContent(), 'const x = 1;');
    assert.equal(await answer.locator('p').last().textContent(), 'Done.');
    assert.equal(await chat.page.locator('.turn[data-turn-id="t1"]').getAttribute('aria-busy'), 'false');
    await chat.close();
  });

  test('a streamed answer renders exactly like the same answer rendered at once', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1'));
    await stream(chat, 't1', RICH_ANSWER, 3);
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done', meta: meta() });
    const streamed = await chat.page.locator('.turn[data-turn-id="t1"] .answer').innerHTML();

    const once = await harness.open(emptySnapshot({ turns: [assistantTurn('t1', RICH_ANSWER, { status: 'done', meta: meta() })] }));
    const whole = await once.page.locator('.turn[data-turn-id="t1"] .answer').innerHTML();
    assert.equal(streamed, whole);

    const answer = chat.page.locator('.turn[data-turn-id="t1"] .answer');
    assert.equal(await answer.locator('h1').textContent(), 'Plan');
    assert.equal(await answer.locator('h2').textContent(), 'Setext heading');
    assert.deepEqual(await answer.locator('table th').allTextContents(), ['Name', 'Value', 'Note']);
    assert.deepEqual(await answer.locator('table tbody tr').count(), 2);
    assert.equal(await answer.locator('table td code').textContent(), 'b');
    assert.deepEqual(await answer.locator('ol > li > ul > li').allTextContents(), ['nested bullet', 'another one']);
    assert.match((await answer.locator('ul').nth(1).textContent()) ?? '', /☑ done task[\s\S]*☐ open task/);
    assert.equal(await answer.locator('p code').first().textContent(), 'inline code');
    assert.equal(await answer.locator('.code-block').count(), 2);
    assert.deepEqual(await answer.locator('.code-lang').allTextContents(), ['typescript', 'markdown']);
    assert.ok(await answer.locator('.code-block').first().locator('.hljs-keyword').count() > 0, 'typescript is highlighted');
    assert.equal(await answer.locator('.code-block').nth(1).locator('pre').textContent(), 'Nested example:\n```js\nconsole.log("inner");\n```');
    assert.equal(await answer.locator('blockquote em').textContent(), 'style');
    assert.deepEqual(await chat.violations(), []);
    await chat.close();
    await once.close();
  });

  test('a long answer keeps its finished blocks in chunks of 16 that skip layout off screen, streamed as at once', async () => {
    const sections = Array.from({ length: 12 }, (_, i) => [
      `## Part ${i}\n\nThe **parser** reads case ${i} line by line.\n\n- one\n- two\n\n`,
      `| a | b |\n|---|---|\n| ${i} | x |\n\n\`\`\`ts\nconst n${i} = ${i};\n\`\`\`\n\n> note ${i}\n\n`,
    ].join('')).join('');
    const chat = await harness.open();
    await chat.send(turnAdded('t1'));
    await stream(chat, 't1', sections, 7);
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done', meta: meta() });
    const layout = await chat.page.evaluate(() => {
      type El = { className: string; childElementCount: number; classList: { contains(c: string): boolean } };
      const w = globalThis as unknown as { document: { querySelector(s: string): { children: ArrayLike<El> } }; getComputedStyle(e: El): { contentVisibility: string } };
      const children = Array.from(w.document.querySelector('.turn[data-turn-id="t1"] .answer-text').children);
      const chunks = children.filter((c) => c.classList.contains('md-chunk'));
      return {
        kinds: children.map((c) => c.className),
        sizes: chunks.map((c) => c.childElementCount),
        visibility: chunks.map((c) => w.getComputedStyle(c).contentVisibility),
      };
    });
    // 72 blocks (heading, paragraph, list, table, code, quote per part): four full chunks and one of 8, then the empty tail.
    assert.deepEqual(layout.kinds, ['md-chunk', 'md-chunk', 'md-chunk', 'md-chunk', 'md-chunk', 'md-tail']);
    assert.deepEqual(layout.sizes, [16, 16, 16, 16, 8]);
    assert.deepEqual(layout.visibility, ['auto', 'auto', 'auto', 'auto', 'auto']);
    const streamed = await chat.page.locator('.turn[data-turn-id="t1"] .answer').innerHTML();
    const once = await harness.open(emptySnapshot({ turns: [assistantTurn('t1', sections, { status: 'done', meta: meta() })] }));
    assert.equal(streamed, await once.page.locator('.turn[data-turn-id="t1"] .answer').innerHTML());
    assert.equal(await chat.page.locator('.turn[data-turn-id="t1"] .answer .code-block .hljs-keyword').count(), 12, 'every code block is highlighted');
    assert.deepEqual(await chat.violations(), []);
    await chat.close();
    await once.close();
  });

  test('an unclosed fence shows as code while streaming, and nested fences stay inside the outer one', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1'));
    await chat.send(delta('t1', 'Try this:\n\n```python\ndef f(x):\n    return x * 2'));
    await chat.frames();
    const answer = chat.page.locator('.turn[data-turn-id="t1"] .answer');
    assert.equal(await answer.locator('.code-block .code-lang').textContent(), 'python');
    assert.equal(await answer.locator('.code-block pre').textContent(), 'def f(x):\n    return x * 2');
    assert.ok(await answer.locator('.code-block .hljs-keyword').count() > 0);

    await chat.send(delta('t1', '\n```\n\n````md\n```ts\nlet a = 1;\n```\n'));
    await chat.frames();
    // The outer four-backtick fence is still open: the inner fence and everything after it are its code.
    assert.equal(await answer.locator('.code-block').count(), 2);
    assert.equal(await answer.locator('.code-block').nth(1).locator('pre').textContent(), '```ts\nlet a = 1;\n```');
    await chat.send(delta('t1', '````\n\nAfter the block.'));
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done' });
    assert.equal(await answer.locator('.code-block').nth(1).locator('pre').textContent(), '```ts\nlet a = 1;\n```');
    assert.equal(await answer.locator('p').last().textContent(), 'After the block.');
    await chat.close();
  });

  test('a long code block streams line by line: finished lines keep their DOM nodes, only the open line is redone', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1'));
    const lines = Array.from({ length: 40 }, (_, i) => `const value${i} = compute(${i}); // step ${i}\n`);
    await chat.send(delta('t1', `Code:\n\n\`\`\`ts\n${lines.slice(0, 5).join('')}`));
    await chat.frames();
    const pre = chat.page.locator('.turn[data-turn-id="t1"] .answer .code-block pre');
    assert.equal(await pre.textContent(), lines.slice(0, 5).join('').slice(0, -1));
    // Mark the first line's keyword node, and count removals of any node that holds a finished line's text.
    await chat.page.evaluate(() => {
      const w = globalThis as unknown as MarkWindow & { document: { querySelector(s: string): { __mark?: number } | null } };
      const keyword = w.document.querySelector('.turn[data-turn-id="t1"] .code-block pre code .hljs-keyword');
      if (!keyword) throw new Error('the open block is not highlighted');
      keyword.__mark = 7;
      w.__marked = keyword;
    });
    for (let i = 5; i < lines.length; i += 3) {
      await chat.send(delta('t1', lines.slice(i, i + 3).join('')));
      await chat.frames();
      assert.equal(await pre.textContent(), lines.slice(0, i + 3).join('').slice(0, -1));
    }
    const kept = await chat.page.evaluate(() => {
      const w = globalThis as unknown as MarkWindow & { document: { querySelector(s: string): unknown } };
      const marked = w.__marked as { __mark?: number; isConnected: boolean };
      return { connected: marked.isConnected, mark: marked.__mark, first: w.document.querySelector('.turn[data-turn-id="t1"] .code-block pre code .hljs-keyword') === marked };
    });
    assert.deepEqual(kept, { connected: true, mark: 7, first: true });
    assert.equal(await pre.locator('.hljs-comment').count(), 40, 'every line is highlighted');
    await chat.send(delta('t1', '```\n\nDone.'));
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done' });
    assert.equal(await pre.textContent(), lines.join('').slice(0, -1));
    // Closing the fence keeps the block's DOM (completed in place, not rendered again).
    assert.equal(await chat.page.evaluate(() => (globalThis as unknown as MarkWindow).__marked === (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('.turn[data-turn-id="t1"] .code-block pre code .hljs-keyword')), true);
    assert.equal(await chat.page.locator('.turn[data-turn-id="t1"] .answer p').last().textContent(), 'Done.');
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });

  test('a long paragraph with no line break streams in pieces: the finished start keeps its DOM nodes', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1'));
    const sentence = (i: number) => `Sentence ${i} has **bold ${i}** and \`code ${i}\` in it. `;
    let text = '';
    let i = 0;
    const grow = async (until: number) => {
      while (text.length < until) {
        const part = sentence(i++);
        text += part;
        await chat.send(delta('t1', part));
        if (i % 10 === 0) await chat.frames(1);
      }
      await chat.frames();
    };
    await grow(7000);
    await chat.page.evaluate(() => {
      const w = globalThis as unknown as MarkWindow & { document: { querySelector(s: string): { __mark?: number } | null } };
      const strong = w.document.querySelector('.turn[data-turn-id="t1"] .answer p strong');
      if (!strong) throw new Error('no bold text');
      strong.__mark = 9;
      w.__marked = strong;
    });
    await grow(20000);
    const answer = chat.page.locator('.turn[data-turn-id="t1"] .answer');
    const shownText = (await answer.textContent())?.trim() ?? '';
    const wanted = text.replace(/\*\*|`/g, '').trim();
    let at = 0;
    while (at < wanted.length && shownText[at] === wanted[at]) at++;
    assert.equal(shownText, wanted, `differs at ${at}: ${JSON.stringify(shownText.slice(at - 40, at + 40))} vs ${JSON.stringify(wanted.slice(at - 40, at + 40))}`);
    const kept = await chat.page.evaluate(() => {
      const w = globalThis as unknown as MarkWindow & { document: { querySelector(s: string): unknown } };
      const marked = w.__marked as { __mark?: number; isConnected: boolean };
      return { connected: marked.isConnected, mark: marked.__mark, first: w.document.querySelector('.turn[data-turn-id="t1"] .answer p strong') === marked };
    });
    assert.deepEqual(kept, { connected: true, mark: 9, first: true });
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done' });
    assert.equal(await answer.locator('p').count(), 1);
    assert.equal(await answer.locator('p strong').count(), i);
    assert.equal(await answer.locator('p code').count(), i);
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });

  test('many deltas within a frame are committed together (at most one commit per frame)', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1'));
    await chat.frames();
    const result = await chat.page.evaluate(async () => {
      const w = globalThis as unknown as MarkWindow & {
        document: { querySelector(s: string): unknown };
        MutationObserver: new (cb: () => void) => { observe(n: unknown, o: unknown): void; disconnect(): void };
        setTimeout(cb: () => void, ms: number): void;
      };
      w.__observerCalls = 0;
      w.__frames = 0;
      const observer = new w.MutationObserver(() => { w.__observerCalls++; });
      observer.observe(w.document.querySelector('.turn[data-turn-id="t1"] .answer'), { childList: true, subtree: true, characterData: true });
      let counting = true;
      const count = () => { if (!counting) return; w.__frames++; w.requestAnimationFrame(count); };
      w.requestAnimationFrame(count);
      for (let i = 0; i < 200; i++) {
        w.postMessage({ type: 'delta', turnId: 't1', chunks: [{ block: 0, kind: 'text', text: `word${i} ` }] }, '*');
      }
      await new Promise<void>((resolve) => w.setTimeout(resolve, 300));
      counting = false;
      observer.disconnect();
      return { calls: w.__observerCalls, frames: w.__frames };
    });
    const text = await chat.page.locator('.turn[data-turn-id="t1"] .answer').textContent();
    assert.ok(text?.includes('word0 ') && text.includes('word199'), 'all 200 deltas rendered');
    assert.ok(result.calls >= 1 && result.calls <= result.frames + 1, `commits ${result.calls} vs frames ${result.frames}`);
    assert.ok(result.calls < 50, `200 deltas took ${result.calls} commits`);
    await chat.close();
  });

  test('scrolling follows the answer until the user scrolls up, and resumes at the bottom', async () => {
    const chat = await harness.open(emptySnapshot(), undefined, { width: 420, height: 400 });
    await chat.send(turnAdded('t1'));
    const scrollInfo = () => chat.page.locator('#messages').evaluate((el) => ({ top: el.scrollTop, max: el.scrollHeight - el.clientHeight }));
    for (let i = 0; i < 30; i++) await chat.send(delta('t1', `Paragraph ${i} with some words to fill the line.\n\n`));
    await chat.frames();
    let info = await scrollInfo();
    assert.ok(info.max > 200, 'content overflows');
    assert.ok(info.max - info.top <= 2, `follows the answer (${info.top}/${info.max})`);

    await chat.page.locator('#messages').hover();
    await chat.page.mouse.wheel(0, -600);
    await chat.page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { scrollTop: number; scrollHeight: number; clientHeight: number } } })
      .document.querySelector('#messages').scrollTop < 1000000);
    await chat.frames(3);
    const held = (await scrollInfo()).top;
    assert.ok(held < info.max - 100, 'user scrolled up');
    for (let i = 0; i < 10; i++) await chat.send(delta('t1', `More ${i}.\n\n`));
    await chat.frames(3);
    info = await scrollInfo();
    assert.equal(info.top, held, 'stays where the user put it');

    await chat.page.locator('#messages').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await chat.frames(3);
    for (let i = 0; i < 10; i++) await chat.send(delta('t1', `Again ${i}.\n\n`));
    await chat.frames(3);
    info = await scrollInfo();
    assert.ok(info.max - info.top <= 2, 'follows again after returning to the bottom');
    await chat.close();
  });
});
