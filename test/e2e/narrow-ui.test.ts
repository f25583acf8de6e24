// UI e2e (issue 20 §5): the chat in a 300 px sidebar of the real workbench (code-server, Chromium, the simulator). The
// sidebar is dragged to 300 px by its sash as a user does; then a real edit of a file with a long path is applied and a
// selection of lines 9–12 is asked about. The tool row keeps its "+2 −1" on its one line and the end of the file name
// (the path is cut from the left), the chip keeps "lines 9–12" together, and nothing in the chat scrolls sideways.
// test/webview/narrow.test.ts measures the same in bare Chromium with more cases.
import * as assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import type { Simulator } from '../support/simulator';
import { screenshotOnFailure } from './harness';
import { startWorkbenchSession, type WorkbenchSession } from './session';
import { openChat, openFile, runCommand, selectLines, sendInChat, setApiKey, waitFor } from './workbench';

const LONG = 'packages/frontend/src/components/settings/advanced/ExperimentalFeaturesPanel.tsx';
const SOURCE = Array.from({ length: 16 }, (_, i) => `export const feature${i + 1} = { enabled: ${i % 2 === 0}, rolloutPercentage: ${i * 5} };`).join('\n') + '\n';

let session: WorkbenchSession | undefined;
let sim: Simulator;
let page: Page;

before(async () => {
  session = await startWorkbenchSession({ apiKeys: ['test-key'], workspaceFiles: { [LONG]: SOURCE } });
  ({ sim, page } = session);
});

after(async () => {
  await session?.close();
});

function step(t: TestContext, fn: () => Promise<void>): Promise<void> {
  return screenshotOnFailure(t, page, `narrow-ui-${t.name.slice(0, 40)}`, fn);
}

/** Drags the sash on the sidebar's right edge until the sidebar is `width` px wide. */
async function dragSidebarTo(width: number): Promise<void> {
  const sidebar = page.locator('.part.sidebar');
  await waitFor(`the sidebar at ${width} px`, async () => {
    const box = (await sidebar.boundingBox())!;
    if (Math.abs(box.width - width) <= 1) return true;
    const right = box.x + box.width;
    const sash = (await page.evaluate(`(() => {
      const boxes = Array.from(document.querySelectorAll('.monaco-sash.vertical')).map((s) => s.getBoundingClientRect());
      const hit = boxes.find((r) => Math.abs(r.left + r.width / 2 - ${right}) < 6 && r.height > 200);
      return hit ? { x: hit.left + hit.width / 2, y: hit.top + hit.height / 2 } : null;
    })()`)) as { x: number; y: number } | null;
    if (!sash) throw new Error(`no sash at the sidebar's right edge (${right} px)`);
    await page.mouse.move(sash.x, sash.y);
    await page.mouse.down();
    await page.mouse.move(sash.x + (width - box.width), sash.y, { steps: 8 });
    await page.mouse.up();
    return false;
  }, 30_000);
}

interface Layout {
  rowHeight: number;
  lineHeight: number;
  /** Distinct line tops of the "+2 −1" badge's text, and of the chip's "lines 9–12". */
  statTops: number[];
  statInRow: boolean;
  fileNameVisible: boolean;
  pathCutAtStart: boolean;
  overflow: string[];
}

/** Measured in the chat's page (the webview frame) by bounding boxes. */
function measure(frame: Frame, toolId: string): Promise<Layout> {
  return frame.evaluate(`(() => {
    const lineTops = (el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      const line = parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.4;
      const tops = Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => r.top).sort((a, b) => a - b);
      return tops.filter((top, i) => i === 0 || top - tops[i - 1] > line / 2).map(Math.round);
    };
    const charBox = (title, index) => {
      const walker = document.createTreeWalker(title, NodeFilter.SHOW_TEXT);
      let offset = index;
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (offset < n.data.length) {
          const range = document.createRange();
          range.setStart(n, offset);
          range.setEnd(n, offset + 1);
          return range.getBoundingClientRect();
        }
        offset -= n.data.length;
      }
      return null;
    };
    const row = document.querySelector('.tool-call[data-tool-id="${toolId}"] summary.tool-row');
    const stat = row.querySelector('.tool-stat');
    const title = row.querySelector('.tool-title');
    const style = getComputedStyle(row);
    const rowBox = row.getBoundingClientRect();
    const statBox = stat.getBoundingClientRect();
    const titleBox = title.getBoundingClientRect();
    const whole = title.textContent;
    const first = charBox(title, whole.indexOf('packages/'));
    const last = charBox(title, whole.indexOf('.tsx') + 3);
    const width = document.documentElement.clientWidth;
    const overflow = [];
    if (document.documentElement.scrollWidth > width) overflow.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + width);
    const messages = document.querySelector('#messages');
    if (messages.scrollWidth > messages.clientWidth + 1) overflow.push('#messages scrolls sideways: ' + messages.scrollWidth + ' > ' + messages.clientWidth);
    return {
      rowHeight: rowBox.height,
      lineHeight: parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.4,
      statTops: lineTops(stat),
      statInRow: statBox.right <= rowBox.right + 0.5 && statBox.top >= rowBox.top - 0.5 && statBox.bottom <= rowBox.bottom + 0.5,
      fileNameVisible: !!last && last.right <= titleBox.right + 0.5 && last.left >= titleBox.left - 0.5,
      pathCutAtStart: whole.indexOf('packages/') < 0 || !first || first.right <= titleBox.left + 0.5 || first.left >= titleBox.right,
      overflow,
    };
  })()`) as Promise<Layout>;
}

test('a 300 px sidebar: the tool row keeps "+2 −1" on its line and cuts the path from the left; "lines 9–12" stays together; nothing scrolls sideways', { timeout: 240_000 }, async (t) => {
  await step(t, async () => {
    await setApiKey(page, 'test-key');
    const frame = await openChat(page);
    await dragSidebarTo(300);

    sim.enqueue(
      { toolUse: { id: 'toolu_narrow', name: 'edit_file', input: { path: LONG, old_text: 'export const feature1 = { enabled: true, rolloutPercentage: 0 };', new_text: 'export const feature1 = {\n  enabled: true, rolloutPercentage: 100 };' } } },
      { text: 'Done:\n\n```ts\nexport const feature1 = { enabled: true, rolloutPercentage: 100, owners: ["frontend-platform", "settings-team"] };\n```\n' },
    );
    await sendInChat(frame, 'Roll feature1 out');
    await frame.locator('.tool-call[data-tool-id="toolu_narrow"] .tool-card button', { hasText: 'Apply' }).click({ timeout: 60_000 });
    await frame.locator('.turn[data-role="assistant"][data-status="done"]').last().waitFor({ timeout: 60_000 });
    assert.equal((await frame.locator('.tool-call[data-tool-id="toolu_narrow"] summary.tool-row .tool-stat').textContent())?.trim(), '+2 \u22121');

    const layout = await measure(frame, 'toolu_narrow');
    assert.equal(layout.statTops.length, 1, `the badge is on one line (text at ${layout.statTops.join(', ')})`);
    assert.ok(layout.statInRow, 'the badge is inside its row');
    assert.ok(layout.rowHeight < layout.lineHeight * 1.8, `the row is one line (${layout.rowHeight} px for a ${layout.lineHeight} px line)`);
    assert.ok(layout.fileNameVisible, 'the end of the file name is visible');
    assert.ok(layout.pathCutAtStart, 'the path is shortened from the left');
    assert.deepEqual(layout.overflow, [], 'nothing scrolls sideways');

    await openFile(page, LONG);
    await selectLines(page, 9, 12);
    await runCommand(page, 'FastRouter: Ask About Selection');
    const lines = frame.locator('.context-chip[data-context-kind="selection"] .context-lines');
    await lines.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await lines.textContent(), 'lines 9\u201312');
    const chipTops = (await frame.evaluate(`(() => {
      const range = document.createRange();
      range.selectNodeContents(document.querySelector('.context-chip[data-context-kind="selection"] .context-lines'));
      return Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top));
    })()`)) as number[];
    assert.equal(new Set(chipTops).size, 1, `"lines 9–12" on one line (text at ${chipTops.join(', ')})`);
    assert.deepEqual((await measure(frame, 'toolu_narrow')).overflow, [], 'nothing scrolls sideways with the chip');
    assert.ok(Math.abs(((await page.locator('.part.sidebar').boundingBox())!.width) - 300) <= 1, 'still 300 px');
  });
});
