// The chat in a narrow sidebar (300 px, real Chromium, the real bundle and stylesheet), measured by bounding boxes:
// tool rows keep their "+8 −0" on one line and shorten a long path from the left (the file name stays visible, the
// whole summary is the tooltip); an approval card shows its whole path, broken only after a "/"; selection chips never
// break inside "lines 9–12"; a code block's long lines can be wrapped with its Wrap button; "Jump to latest" never lies
// over text; nothing overflows the page sideways.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnswerBlock } from '../../src/common/chatTypes';
import { Harness, emptySnapshot, type ChatPage } from './harness';
import { delta, meta, turnAdded } from './fixtures';

type ToolBlock = Extract<AnswerBlock, { kind: 'tool_use' }>;

// The page-side callbacks run in Chromium; this test's tsconfig has no DOM lib (other files' globals stay untouched).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const NodeFilter: any;
declare function getComputedStyle(element: any): any;
type Text = { data: string };
type Any = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const LONG = 'packages/frontend/src/components/settings/advanced/ExperimentalFeaturesPanel.tsx';

const TOOLS: ToolBlock[] = [
  { kind: 'tool_use', id: 'tu_read', name: 'read_file', input: JSON.stringify({ path: LONG }), state: 'done', summary: `Read ${LONG}:1–40`, result: '1\tx' },
  { kind: 'tool_use', id: 'tu_edit', name: 'edit_file', input: JSON.stringify({ path: LONG }), state: 'applied', summary: `Edited ${LONG}`, change: { path: LONG, added: 8, removed: 0 } },
  { kind: 'tool_use', id: 'tu_new', name: 'create_file', input: JSON.stringify({ path: LONG }), state: 'approval', summary: `Create ${LONG}`, change: { path: LONG, added: 120, removed: 0, create: true } },
  { kind: 'tool_use', id: 'tu_short', name: 'edit_file', input: JSON.stringify({ path: 'a.ts' }), state: 'applied', summary: 'Edited a.ts', change: { path: 'a.ts', added: 1, removed: 1 } },
];

interface Box { left: number; right: number; top: number; bottom: number; width: number; height: number }

/** Each child box of every tool row, and the row's one-line height (from its computed line height). */
async function toolRowBoxes(chat: ChatPage): Promise<Array<{ id: string; line: number; row: Box; parts: Array<{ cls: string; box: Box; lines: number; tops: number[] }> }>> {
  return chat.page.$$eval('.tool-call', (calls) => calls.map((call) => {
    const row = call.querySelector('summary.tool-row')!;
    const style = getComputedStyle(row);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.4;
    const parts = Array.from(row.children).filter((c: Any) => c.getBoundingClientRect().width > 0).map((c: Any) => {
      // How many line boxes the part's text takes: one rect per line for a text range.
      const range = document.createRange();
      range.selectNodeContents(c);
      // Rects more than half a line apart are on different lines (inline boxes of one line differ by a pixel or two).
      const tops = Array.from(range.getClientRects()).filter((r: Any) => r.width > 0).map((r: Any) => r.top).sort((a, b) => a - b);
      const lines = tops.filter((top, i) => i === 0 || top - tops[i - 1]! > line / 2).length;
      return { cls: c.className, box: c.getBoundingClientRect().toJSON() as Box, lines, tops: tops.map(Math.round) };
    });
    return { id: call.getAttribute('data-tool-id') ?? '', line, row: row.getBoundingClientRect().toJSON() as Box, parts };
  }));
}

/** Where the first and the last character of the row's path are drawn, and the visible box of the title. */
async function pathEnds(chat: ChatPage, id: string): Promise<{ title: Box; first: Box; last: Box; tooltip: string | null }> {
  return chat.page.$eval(`.tool-call[data-tool-id="${id}"] .tool-title`, (title) => {
    const walker = document.createTreeWalker(title, NodeFilter.SHOW_TEXT);
    const texts: Text[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n as Text);
    const whole = texts.map((t) => t.data).join('');
    const start = whole.indexOf('packages/');
    const end = whole.indexOf('.tsx') + 3;
    const at = (index: number) => {
      let offset = index;
      for (const t of texts) {
        if (offset < t.data.length) {
          const range = document.createRange();
          range.setStart(t, offset);
          range.setEnd(t, offset + 1);
          return range.getBoundingClientRect().toJSON() as Box;
        }
        offset -= t.data.length;
      }
      throw new Error(`no character ${index}`);
    };
    return { title: title.getBoundingClientRect().toJSON() as Box, first: at(start), last: at(end), tooltip: title.getAttribute('title') };
  });
}

/** Elements that stick out of the page's width (those inside a box that scrolls sideways are that box's business). */
async function overflowing(chat: ChatPage): Promise<string[]> {
  return chat.page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    if (document.documentElement.scrollWidth > width) out.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
    const messages = document.querySelector('#messages')!;
    if (messages.scrollWidth > messages.clientWidth + 1) out.push(`#messages scrolls sideways: ${messages.scrollWidth} > ${messages.clientWidth}`);
    for (const el of Array.from(document.querySelectorAll('body *')) as Any[]) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 0.5) continue;
      let scroller = el.parentElement;
      while (scroller && scroller !== document.body && !/auto|scroll|hidden/.test(getComputedStyle(scroller).overflowX)) scroller = scroller.parentElement;
      if (scroller && scroller !== document.body && scroller.id !== 'messages' && scroller.getBoundingClientRect().right <= width + 0.5) continue;
      out.push(`${el.tagName.toLowerCase()}.${el.className} ends at ${Math.round(r.right)} > ${width}`);
    }
    return out;
  });
}

describe('chat webview: a 300 px sidebar', () => {
  let harness: Harness;
  before(async () => { harness = await Harness.start({ scrollbars: true }); });
  after(async () => { await harness?.close(); });

  async function openNarrow(): Promise<ChatPage> {
    const chat = await harness.open(emptySnapshot(), undefined, { width: 300, height: 640 });
    await chat.send(turnAdded('t1', 'Add the experimental features panel'));
    await chat.send(delta('t1', 'I will read the panel first.'));
    for (const [i, block] of TOOLS.entries()) await chat.send({ type: 'block', turnId: 't1', block: i + 1, value: block });
    await chat.send(delta('t1', 'Here it is:\n\n```typescript\nexport const experimentalFeatures = { inlineSuggestions: true, multiCursorRefactors: false, telemetryOptIn: false };\n```\n', TOOLS.length + 1));
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done', meta: meta({ modelName: 'Claude Sonnet 4.5', inputTokens: 123456, cacheReadTokens: 120000, outputTokens: 4321 }) });
    await chat.send({
      type: 'pendingContext',
      items: [
        { id: 's1', kind: 'selection', label: LONG, chars: 2400, startLine: 1209, endLine: 1312 },
        { id: 's2', kind: 'selection', label: 'src/a.ts', chars: 120, startLine: 9, endLine: 9 },
      ],
    });
    await chat.frames(3);
    return chat;
  }

  test('tool rows: the +N −M badge and the state stay on the row\'s one line; a long path loses its start, not its file name', async () => {
    const chat = await openNarrow();
    for (const { id, line, row, parts } of await toolRowBoxes(chat)) {
      assert.ok(row.height < line * 1.8, `${id}: the row is one line (${row.height} px for a ${line} px line)`);
      for (const part of parts) {
        assert.equal(part.lines, 1, `${id}: .${part.cls} is on one line (text boxes at ${part.tops.join(', ')})`);
        assert.ok(part.box.top >= row.top - 0.5 && part.box.bottom <= row.bottom + 0.5, `${id}: .${part.cls} inside the row`);
        assert.ok(part.box.right <= row.right + 0.5, `${id}: .${part.cls} ends inside the row (${part.box.right} > ${row.right})`);
      }
      const stat = parts.find((p) => p.cls === 'tool-stat');
      if (id !== 'tu_read') assert.ok(stat, `${id}: the badge is shown`);
    }
    for (const id of ['tu_read', 'tu_edit', 'tu_new']) {
      const ends = await pathEnds(chat, id);
      assert.ok(ends.last.right <= ends.title.right + 0.5 && ends.last.left >= ends.title.left - 0.5, `${id}: the file name is visible`);
      assert.ok(ends.first.right <= ends.title.left + 0.5 || ends.first.left >= ends.title.right, `${id}: the start of the path is cut off`);
      assert.match(ends.tooltip ?? '', new RegExp(LONG.replace(/\./g, '\\.')), `${id}: the tooltip has the whole path`);
    }
    // The short path is whole, nothing cut.
    const short = await chat.page.locator('.tool-call[data-tool-id="tu_short"] .tool-title').textContent();
    assert.equal(short, 'Edited a.ts');
    assert.deepEqual(await overflowing(chat), []);
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });

  test('an approval card shows the whole path (it is what the user approves) and breaks it only after a "/"', async () => {
    const chat = await openNarrow();
    const path = chat.page.locator('.tool-call[data-tool-id="tu_new"] .tool-card-path');
    assert.equal(await path.textContent(), `New file ${LONG}`);
    // The character before each line break: a line may end only after a "/" (or the space after "New file").
    const { ends, inside } = await path.evaluate((el: Any) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      const chars: Array<{ ch: string; top: number; right: number }> = [];
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        for (let i = 0; i < n.data.length; i++) {
          const range = document.createRange();
          range.setStart(n, i);
          range.setEnd(n, i + 1);
          const r = range.getBoundingClientRect();
          chars.push({ ch: n.data[i], top: r.top, right: r.right });
        }
      }
      const box = el.getBoundingClientRect();
      const breaks = chars.filter((c, i) => i + 1 < chars.length && chars[i + 1]!.top - c.top > 4).map((c) => c.ch);
      return { ends: breaks, inside: chars.every((c) => c.right <= box.right + 0.5) };
    });
    assert.ok(ends.length > 0, 'the path takes more than one line at 300 px');
    for (const ch of ends) assert.ok(ch === '/' || ch === ' ', `a line ends with ${JSON.stringify(ch)}: only after "/" or a space`);
    assert.ok(inside, 'every character inside the card');
    assert.deepEqual(await overflowing(chat), []);
    await chat.close();
  });

  test('selection chips keep "lines 9–12" together; a long name is cut instead', async () => {
    const chat = await openNarrow();
    const chips = await chat.page.$$eval('.context-chip', (els) => els.map((chip) => {
      const lines = chip.querySelector('.context-lines')!;
      const range = document.createRange();
      range.selectNodeContents(lines);
      const tops = new Set(Array.from(range.getClientRects()).map((r: Any) => Math.round(r.top)));
      const chipBox = chip.getBoundingClientRect();
      return { text: lines.textContent, lineBoxes: tops.size, inside: lines.getBoundingClientRect().right <= chipBox.right + 0.5, chipRight: chipBox.right };
    }));
    assert.deepEqual(chips.map((c: Any) => c.text), ['lines 1209–1312', 'line 9']);
    for (const chip of chips) {
      assert.equal(chip.lineBoxes, 1, `"${chip.text}" on one line`);
      assert.ok(chip.inside, `"${chip.text}" inside its chip`);
      assert.ok(chip.chipRight <= 300, `the chip of "${chip.text}" fits the sidebar`);
    }
    assert.deepEqual(await overflowing(chat), []);
    await chat.close();
  });

  test('a code block with long lines: Wrap wraps them (and says it is pressed), the page never scrolls sideways', async () => {
    const chat = await openNarrow();
    const block = chat.page.locator('.turn[data-turn-id="t1"] .code-block').first();
    const pre = block.locator('pre');
    const scrolls = await pre.evaluate((el: Any) => el.scrollWidth > el.clientWidth);
    assert.equal(scrolls, true, 'the long line is wider than the block');
    const wrap = block.locator('button[data-action="wrap"]');
    assert.equal(await wrap.getAttribute('aria-pressed'), 'false');
    await wrap.click();
    assert.equal(await wrap.getAttribute('aria-pressed'), 'true');
    assert.equal(await pre.evaluate((el: Any) => el.scrollWidth <= el.clientWidth), true, 'wrapped: nothing to scroll');
    await wrap.click();
    assert.equal(await pre.evaluate((el: Any) => el.scrollWidth > el.clientWidth), true, 'unwrapped again');
    assert.deepEqual(await chat.posted().then((p) => p.filter((m) => m.type !== 'ready')), [], 'Wrap is the view\'s own business');
    assert.deepEqual(await overflowing(chat), []);
    await chat.close();
  });

  test('"Jump to latest" lies over no text of the conversation', async () => {
    const chat = await openNarrow();
    await chat.send(turnAdded('t2', 'And now a long answer'));
    for (let i = 0; i < 60; i++) await chat.send(delta('t2', `Paragraph ${i}: the panel reads its flags from the settings and shows each with a toggle.\n\n`));
    await chat.frames(3);
    await chat.page.locator('#messages').hover();
    await chat.page.mouse.wheel(0, -600);
    await chat.page.locator('#jump-to-latest').waitFor({ state: 'visible' });
    await chat.frames(3);
    const covered = await chat.page.evaluate(() => {
      const jump = document.querySelector('#jump-to-latest')!.getBoundingClientRect();
      const log = document.querySelector('#messages')!.getBoundingClientRect();
      const hits: string[] = [];
      // Any text of the log drawn (visibly, inside the log's box) where the button is.
      const walker = document.createTreeWalker(document.querySelector('#messages')!, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!n.textContent?.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const r of Array.from(range.getClientRects()) as Any[]) {
          const top = Math.max(r.top, log.top);
          const bottom = Math.min(r.bottom, log.bottom);
          if (bottom <= top) continue;
          if (r.right > jump.left && r.left < jump.right && bottom > jump.top && top < jump.bottom) hits.push(n.textContent.trim().slice(0, 40));
        }
      }
      return hits;
    });
    assert.deepEqual(covered, [], 'no text under Jump to latest');
    assert.deepEqual(await overflowing(chat), []);
    await chat.close();
  });
});
