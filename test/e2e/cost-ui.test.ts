// UI e2e of Show Cost in real code-server, driven in Chromium as a user would: a month of spending in the shared
// ledger (written the way other windows write it), the status bar click opening the cost view in the editor area,
// its figures matching the status bar, the chart read with the keyboard inside the real webview, and Reset Cost…
// whose default (Enter) keeps everything. FASTROUTER_SCREENSHOTS=1 refreshes the README's picture.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { localDayKey, requestEntry, type RecordInput } from '../../src/core/cost/costTotals';
import { EXTENSION_ID, REPO_ROOT, RESULTS_DIR, screenshotOnFailure } from './harness';
import { startWorkbenchSession, type WorkbenchSession } from './session';
import { findWebviewFrame, runCommand, statusBarItem, statusBarText } from './workbench';

const SCREENSHOT = process.env.FASTROUTER_SCREENSHOTS === '1'
  ? path.join(REPO_ROOT, 'media', 'screenshots', 'cost-view.png')
  : path.join(RESULTS_DIR, 'cost-view.png');
const DAY = 24 * 3600_000;

let session: WorkbenchSession | undefined;
let page: Page;

before(async () => {
  session = await startWorkbenchSession({ apiKeys: ['test-key'], workspaceFiles: { 'notes.md': '# Notes\n' } });
  page = session.page;
});

after(async () => {
  await session?.close();
});

function step(t: TestContext, fn: () => Promise<void>): Promise<void> {
  return screenshotOnFailure(t, page, `cost-ui-${t.name}`, fn);
}

/** A month of plausible use: chat most days, some inline explanations, tool rounds and VS Code chat, cache reads on follow-ups. */
function monthOfRequests(now: number): string {
  const lines: string[] = [];
  const models = ['anthropic/claude-sonnet-4-5-20250929', 'anthropic/claude-haiku-4-5-20251001', 'anthropic/claude-opus-4-5-20251101'];
  const sources = ['chat', 'chat', 'inline', 'tool', 'lm:VS Code chat'];
  for (let daysAgo = 29; daysAgo >= 0; daysAgo--) {
    const perDay = (daysAgo * 7) % 5 + (daysAgo % 6 === 0 ? 0 : 2);
    for (let i = 0; i < perDay; i++) {
      const model = models[(daysAgo + i) % 7 === 0 ? 2 : (daysAgo + i) % 3 === 0 ? 1 : 0];
      const input: RecordInput = {
        model,
        inputTokens: 800 + ((daysAgo * 131 + i * 977) % 4000),
        cacheReadTokens: i > 0 ? 6000 + ((daysAgo * 53) % 9000) : 0,
        cacheWriteTokens: i === 0 ? 5000 : 0,
        outputTokens: 150 + ((daysAgo * 71 + i * 37) % 900),
        source: sources[(daysAgo + i) % sources.length],
        durationMs: 4000,
      };
      const price = model.includes('opus') ? 5 : model.includes('haiku') ? 1 : 3;
      const cost = ((input.inputTokens + (input.cacheReadTokens ?? 0) * 0.1 + (input.cacheWriteTokens ?? 0) * 1.25) * price + input.outputTokens * price * 5) / 1e6;
      if ((daysAgo + i) % 11 === 5) input.estimatedCost = cost;
      else input.cost = Number(cost.toFixed(6));
      lines.push(JSON.stringify(requestEntry(input, now - daysAgo * DAY - (perDay - i) * 1800_000, 'other-window')));
    }
  }
  return lines.join('\n') + '\n';
}

let view: Frame;

test('clicking the status bar cost opens the cost view in the editor with the same total', async (t) => {
  await step(t, async () => {
    const dir = path.join(session!.server.userDataDir, 'User', 'globalStorage', EXTENSION_ID.toLowerCase());
    fs.mkdirSync(dir, { recursive: true });
    // Appended as another window would; the status bar picks it up through its folder watch / focus refresh.
    fs.appendFileSync(path.join(dir, 'cost-ledger.jsonl'), monthOfRequests(Date.now()));
    // The extension starts with its first view or command, as for a user who opens the chat.
    await runCommand(page, 'FastRouter: Open Chat');
    const item = statusBarItem(page, 'fastrouter.cost');
    await item.waitFor({ state: 'visible', timeout: 60_000 });
    let text = '';
    for (let i = 0; i < 60 && !/[1-9]/.test(text); i++) {
      text = await statusBarText(page, 'fastrouter.cost');
      if (!/[1-9]/.test(text)) await page.waitForTimeout(500);
    }
    const total = /(\d+(?:\.\d+)?)/.exec(text)?.[1];
    assert.ok(total && Number(total) > 0, `the status bar shows the month's credits (${text})`);
    await item.click();
    await page.locator('.tab', { hasText: 'FastRouter Cost' }).waitFor({ state: 'visible', timeout: 30_000 });
    view = await findWebviewFrame(page, '#day-chart', 60_000);
    assert.equal((await view.locator('#total-credits').innerText()).split(' ')[0], total, 'the view and the status bar agree');
    assert.equal(await view.locator('#day-chart g.bar').count(), 30);
    assert.ok((await view.locator('#day-chart rect.billed').count()) >= 20, 'most days have spending');
    assert.ok((await view.locator('#request-table tbody tr').count()) > 50);
    assert.deepEqual(
      [...new Set(await view.locator('#request-table tbody td:last-child').allInnerTexts())].sort(),
      ['VS Code chat', 'chat', 'inline', 'tool round'],
    );
    assert.match(await view.locator('#cache-note').innerText(), /tokens read from the cache/);
  });
});

test('the chart is read with the keyboard inside the real webview; the picture for the README', async (t) => {
  await step(t, async () => {
    await view.locator('#day-chart').focus();
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await view.locator('#day-chart g.bar.selected').getAttribute('data-day'), localDayKey(Date.now() - DAY));
    assert.match(await view.locator('#day-readout').innerText(), /credits, \d+ requests?$/);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    const editor = await page.locator('.part.editor').boundingBox();
    assert.ok(editor);
    await page.screenshot({ path: SCREENSHOT, clip: editor });
    t.diagnostic(`screenshot: ${path.relative(REPO_ROOT, SCREENSHOT)}`);
  });
});

test('Reset Cost… in the view asks first; Enter (the default) keeps the totals', async (t) => {
  await step(t, async () => {
    const before = await statusBarText(page, 'fastrouter.cost');
    await view.locator('#reset-cost').click();
    const pick = page.locator('.quick-input-widget');
    await pick.locator('.quick-input-title', { hasText: 'Reset the FastRouter cost counter?' }).waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    await pick.waitFor({ state: 'hidden', timeout: 10_000 });
    await page.waitForTimeout(500);
    assert.equal(await statusBarText(page, 'fastrouter.cost'), before, 'nothing was reset');
    assert.equal((await view.locator('#total-credits').innerText()).split(' ')[0], /(\d+(?:\.\d+)?)/.exec(before)?.[1]);
  });
});
