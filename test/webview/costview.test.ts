// The cost view (Show Cost) in real Chromium under its real CSP: the daily bar chart drawn to scale from the ledger's
// figures, the tables (days, models, recent requests), the keyboard on the chart, the actions (Export CSV, Reset
// Cost…, Spending Limits…) as typed messages, theme colours, live updates, and hostile text shown as text.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { costViewData } from '../../src/core/cost/costView';
import { Folder, localDayKey, requestEntry, totalsFor, type RecordInput } from '../../src/core/cost/costTotals';
import type { CostViewData } from '../../src/common/costViewProtocol';
import { CostHarness } from './costHarness';

const SONNET = 'anthropic/claude-sonnet-4-20250514';
const DAY = 24 * 3600_000;
const NOW = (() => {
  const d = new Date();
  return new Date(d.getFullYear(), d.getMonth(), d.getDate(), 12).getTime();
})();

function dataFrom(lines: Array<[number, RecordInput]>, now = NOW): CostViewData {
  const folder = new Folder();
  for (const [at, input] of lines) folder.apply(requestEntry(input, at, 'w'));
  return costViewData(totalsFor(folder.state, 'w'), now);
}

const LEDGER: Array<[number, RecordInput]> = [
  [NOW - 5 * DAY, { model: SONNET, inputTokens: 1000, outputTokens: 100, cost: 0.2, source: 'chat' }],
  [NOW - 2 * DAY, { model: SONNET, inputTokens: 2000, outputTokens: 200, cost: 0.4, source: 'inline' }],
  [NOW - 2 * DAY + 1000, { model: 'anthropic/claude-opus-4-20250514', inputTokens: 10, outputTokens: 20, estimatedCost: 0.1, source: 'tool' }],
  [NOW - 60_000, { model: SONNET, inputTokens: 3400, cacheReadTokens: 2900, cacheWriteTokens: 40, outputTokens: 120, cost: 0.1, source: 'lm:VS Code chat' }],
];

interface Box { height: number; y: number }

describe('cost view in Chromium', () => {
  let harness: CostHarness;
  before(async () => { harness = await CostHarness.start(); });
  after(async () => { await harness?.close(); });

  test('the chart shows 30 days to scale, estimates stacked apart; the tables list days, models and requests', async () => {
    const data = dataFrom(LEDGER);
    const view = await harness.open(data);
    const { page } = view;
    const bars = page.locator('#day-chart g.bar');
    assert.equal(await bars.count(), 30);
    const bar = (daysAgo: number) => page.locator(`#day-chart g.bar[data-day="${localDayKey(NOW - daysAgo * DAY)}"]`);
    const height = async (daysAgo: number, kind: string): Promise<Box> => {
      const box = await bar(daysAgo).locator(`rect.${kind}`).boundingBox();
      assert.ok(box, `a ${kind} bar ${daysAgo} days ago`);
      return box;
    };
    const fiveAgo = await height(5, 'billed');
    const twoAgo = await height(2, 'billed');
    const today = await height(0, 'billed');
    assert.ok(Math.abs(twoAgo.height / fiveAgo.height - 2) < 0.05, `0.4 is drawn twice as tall as 0.2 (${twoAgo.height} vs ${fiveAgo.height})`);
    assert.ok(Math.abs(fiveAgo.height / today.height - 2) < 0.05, '0.2 twice as tall as 0.1');
    const estimate = await height(2, 'estimated');
    assert.ok(Math.abs(estimate.y + estimate.height - twoAgo.y) < 1, 'the estimate sits on top of the billed bar');
    assert.equal(await bar(1).locator('rect.billed, rect.estimated').count(), 0, 'a day without requests has no bar');

    assert.equal(await page.locator('#total-credits').innerText(), '0.70 + ≈ 0.10 estimated, not billed');
    assert.match(await page.locator('#cache-saved').innerText(), /^≈ 0\.00/);
    assert.match(await page.locator('#cache-note').innerText(), /2,900 tokens read from the cache, 40 written to it: about .* An estimate from list prices \(cache reads at 0\.1 ×, writes at 1\.25 × the input price\)\./);

    // The chart's accessible form: every day in a table, newest first.
    const dayRows = page.locator('#day-table tbody tr');
    assert.equal(await dayRows.count(), 30);
    assert.equal(await dayRows.nth(2).getAttribute('data-day'), localDayKey(NOW - 2 * DAY));
    // Closed by default (the chart is the picture); textContent reads it as a screen reader's table navigation does once open.
    assert.deepEqual((await dayRows.nth(2).locator('th, td').allTextContents()).slice(1), ['0.40', '≈ 0.10', '2']);

    const models = page.locator('#model-table tbody tr');
    assert.deepEqual(await models.locator('th').allInnerTexts(), ['Claude Sonnet 4', 'Claude Opus 4']);
    const requests = page.locator('#request-table tbody tr');
    assert.equal(await requests.count(), 4);
    assert.deepEqual((await requests.nth(0).locator('th, td').allInnerTexts()).slice(1), ['Claude Sonnet 4', '3,400', '2,900 (+40 written)', '120', '0.10', 'VS Code chat']);
    assert.deepEqual(await requests.locator('td:last-child').allInnerTexts(), ['VS Code chat', 'tool round', 'inline', 'chat']);
    assert.equal(await requests.nth(1).locator('td').nth(4).innerText(), '≈ 0.10', 'an estimate is marked');
    assert.equal(await page.locator('#request-table thead th').allInnerTexts().then((h) => h.join('|')), 'Time|Model|In|Cached|Out|Credits|Source');

    assert.deepEqual(await view.violations(), [], 'no CSP violation');
    assert.deepEqual(view.requests.filter((u) => !harness.isOwnRequest(u)), [], 'nothing but its own files is loaded');
    assert.deepEqual(view.pageErrors, []);
    assert.deepEqual(await view.posted(), [{ type: 'ready' }]);
    await view.close();
  });

  test('keyboard: the chart is one tab stop; arrows, Home and End read each day out', async () => {
    const view = await harness.open(dataFrom(LEDGER));
    const { page } = view;
    const readout = page.locator('#day-readout');
    assert.match(await readout.innerText(), /: 0\.10 credits, 1 request$/, 'today is selected first');
    // Tab order: Export CSV, Spending Limits…, Reset Cost…, then the chart.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'export-csv');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'day-chart');
    assert.equal(await page.locator('#day-chart').getAttribute('role'), 'img');
    assert.match((await page.locator('#day-chart').getAttribute('aria-label'))!, /Spend per day, last 30 days: 0\.70 credits billed, most on .* \(0\.40\)\. Left and Right arrows/);

    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    assert.match(await readout.innerText(), /: 0\.40 credits, about 0\.10 estimated \(not billed\), 2 requests$/);
    assert.equal(await readout.getAttribute('aria-live'), 'polite', 'read out as the user moves');
    assert.equal(await page.locator('#day-chart g.bar.selected').getAttribute('data-day'), localDayKey(NOW - 2 * DAY));
    await page.keyboard.press('Home');
    assert.equal(await page.locator('#day-chart g.bar.selected').getAttribute('data-day'), localDayKey(NOW - 29 * DAY));
    assert.match(await readout.innerText(), /: 0 credits, 0 requests$/);
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.locator('#day-chart g.bar.selected').getAttribute('data-day'), localDayKey(NOW - 29 * DAY), 'stays on the first day');
    await page.keyboard.press('End');
    assert.equal(await page.locator('#day-chart g.bar.selected').getAttribute('data-day'), localDayKey(NOW));

    // A click on a bar selects that day too.
    await page.locator(`#day-chart g.bar[data-day="${localDayKey(NOW - 5 * DAY)}"] rect.billed`).click();
    assert.match(await readout.innerText(), /: 0\.20 credits, 1 request$/);

    // The day table opens from the keyboard.
    await page.locator('#day-details summary').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#day-details').getAttribute('open'), '');
    assert.ok(await page.locator('#day-table').isVisible());
    await view.close();
  });

  test('Export CSV, Spending Limits… and Reset Cost… post their typed message (Enter and click); nothing resets by itself', async () => {
    const view = await harness.open(dataFrom(LEDGER));
    const { page } = view;
    await view.clearPosted();
    await page.locator('#export-csv').focus();
    await page.keyboard.press('Enter');
    await page.locator('#open-limits').click();
    await page.locator('#reset-cost').click();
    assert.deepEqual(await view.posted(), [{ type: 'exportCsv' }, { type: 'openLimits' }, { type: 'resetCost' }]);
    assert.equal(await page.locator('#reset-cost').innerText(), 'Reset Cost…', 'the label says it asks first');
    await view.close();
  });

  test('new data from the host updates the view in place and keeps the selected day', async () => {
    const view = await harness.open(dataFrom(LEDGER));
    const { page } = view;
    await page.locator('#day-chart').focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    const selected = localDayKey(NOW - 2 * DAY);
    const more = dataFrom([...LEDGER, [NOW - 2 * DAY + 5000, { model: SONNET, inputTokens: 1, outputTokens: 1, cost: 0.5, source: 'chat' }]], NOW + 1);
    await view.send({ type: 'data', data: more });
    assert.equal(await page.locator('#request-table tbody tr').count(), 5);
    assert.equal(await page.locator('#day-chart g.bar.selected').getAttribute('data-day'), selected);
    assert.equal(await page.locator('#day-readout').getAttribute('aria-live'), 'off', 'an update is not read out over the user');
    assert.match(await page.locator('#day-readout').innerText(), /: 0\.90 credits/);
    assert.equal(await page.locator('#total-credits').innerText(), '1.20 + ≈ 0.10 estimated, not billed');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'day-chart', 'focus stays on the chart');
    await view.close();
  });

  test('colours come from the theme: bars use --vscode-charts-blue / -yellow', async () => {
    const view = await harness.open(dataFrom(LEDGER));
    const { page } = view;
    // What VS Code sets on the webview's <html> for a theme (CSSOM, allowed by the CSP).
    await page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { style: { setProperty(n: string, v: string): void } } } }).document.documentElement;
      root.style.setProperty('--vscode-charts-blue', 'rgb(1, 2, 3)');
      root.style.setProperty('--vscode-charts-yellow', 'rgb(4, 5, 6)');
    });
    const fill = (selector: string) => page.locator(selector).first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { fill: string } }).getComputedStyle(el).fill);
    assert.equal(await fill('#day-chart rect.billed'), 'rgb(1, 2, 3)');
    assert.equal(await fill('#day-chart rect.estimated'), 'rgb(4, 5, 6)');
    await view.close();
  });

  test('an empty ledger shows zero days and says there are no requests', async () => {
    const view = await harness.open(dataFrom([]));
    const { page } = view;
    assert.equal(await page.locator('#day-chart g.bar').count(), 30);
    assert.equal(await page.locator('#day-chart rect.billed').count(), 0);
    assert.equal(await page.locator('#request-table tbody').innerText(), 'No requests yet.');
    assert.equal(await page.locator('#cache-note').innerText(), 'No prompt-cache reads or writes yet.');
    assert.deepEqual(view.pageErrors, []);
    await view.close();
  });

  test('a hostile model id or source is shown as text, never as markup', async () => {
    const evil = '<img src="http://127.0.0.1:9/x.png" onerror="window.__pwned=1">';
    const view = await harness.open(dataFrom([[NOW, { model: evil, inputTokens: 1, outputTokens: 1, cost: 0.01, source: `lm:${evil}` }]]));
    const { page } = view;
    assert.equal(await page.locator('#app img').count(), 0);
    assert.equal(await page.locator('#request-table tbody tr td:last-child').innerText(), evil);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(view.requests.filter((u) => !harness.isOwnRequest(u)), []);
    await view.close();
  });
});
