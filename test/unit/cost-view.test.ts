// The cost view's aggregation (src/core/cost/costView.ts): ledger lines folded by the real Folder, then shaped into the
// last 30 days, per-model rows, cache savings from list prices, recent requests with their source, and CSV.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cacheSavings, costCsv, costViewData, CSV_HEADER, describeSource, lastDays } from '../../src/core/cost/costView';
import { Folder, localDayKey, requestEntry, totalsFor, type LedgerEntry, type RecordInput } from '../../src/core/cost/costTotals';
import { findModel } from '../../src/core/models/modelCatalog';
import { CostViewDataSchema, CostViewToHostSchema, HostToCostViewSchema } from '../../src/common/costViewProtocol';

const SONNET = 'anthropic/claude-sonnet-4-20250514';
const DAY = 24 * 3600_000;
// Noon local time, so "n days ago" is never ambiguous around midnight.
const NOW = new Date(2026, 11, 6, 12, 0, 0).getTime();

function fold(lines: Array<[at: number, input: RecordInput] | LedgerEntry>) {
  const folder = new Folder();
  for (const line of lines) folder.apply(Array.isArray(line) ? requestEntry(line[1], line[0], 'w1') : line);
  return totalsFor(folder.state, 'w1');
}

describe('cost view data', () => {
  test('lastDays: 30 consecutive local days ending today, oldest first', () => {
    const days = lastDays(NOW);
    assert.equal(days.length, 30);
    assert.equal(days.at(-1), localDayKey(NOW));
    assert.equal(days[0], localDayKey(NOW - 29 * DAY));
    assert.equal(new Set(days).size, 30, 'no day twice (DST changes included)');
    assert.deepEqual([...days].sort(), days, 'in order');
    // Across a month boundary and the spring DST change in many zones (end of March).
    const march = lastDays(new Date(2026, 3, 2, 0, 30).getTime(), 5);
    assert.deepEqual(march, ['2026-03-29', '2026-03-30', '2026-03-31', '2026-04-01', '2026-04-02']);
  });

  test('days: billed and estimated credits per day of the last 30, empty days as zero, older days left out', () => {
    const totals = fold([
      [NOW - 40 * DAY, { model: SONNET, inputTokens: 1, outputTokens: 1, cost: 9 }],
      [NOW - 2 * DAY, { model: SONNET, inputTokens: 10, outputTokens: 5, cost: 0.25 }],
      [NOW - 2 * DAY + 60_000, { model: SONNET, inputTokens: 10, outputTokens: 5, cost: 0.5 }],
      [NOW - 3600_000, { model: SONNET, inputTokens: 10, outputTokens: 5, estimatedCost: 0.125 }],
      [NOW, { model: SONNET, inputTokens: 10, outputTokens: 5 }],
    ]);
    const data = costViewData(totals, NOW);
    assert.equal(data.days.length, 30);
    const byDay = new Map(data.days.map((d) => [d.day, d]));
    const twoAgo = byDay.get(localDayKey(NOW - 2 * DAY))!;
    assert.deepEqual([twoAgo.credits.value, twoAgo.estimated.value, twoAgo.requests], [0.75, 0, 2]);
    assert.equal(twoAgo.credits.text, '0.75');
    const today = byDay.get(localDayKey(NOW))!;
    assert.deepEqual([today.credits.value, today.estimated.value, today.requests], [0, 0.125, 2], 'the estimate stays apart from billed credits');
    assert.equal(byDay.get(localDayKey(NOW - DAY))!.requests, 0, 'a day without requests is there, as zero');
    assert.equal(byDay.has(localDayKey(NOW - 40 * DAY)), false);
    assert.equal(data.days.reduce((sum, d) => sum + d.credits.value, 0), 0.75, 'the request 40 days ago is not in the chart');
    assert.deepEqual(data.daysTotal, { value: 0.75, text: '0.75' });
    assert.equal(data.total.credits.value, 9.75, 'but it is in the total since the last reset');
    assert.equal(data.total.unknownRequests, 1);
    CostViewDataSchema.parse(data);
  });

  test('per model: most credits first, readable names, tokens summed', () => {
    const totals = fold([
      [NOW, { model: SONNET, inputTokens: 100, outputTokens: 10, cost: 0.01 }],
      [NOW, { model: 'anthropic/claude-opus-4-20250514', inputTokens: 50, outputTokens: 20, cost: 0.2 }],
      [NOW, { model: SONNET, inputTokens: 300, outputTokens: 30, cacheReadTokens: 7, cost: 0.02 }],
      [NOW, { model: 'some-other/model-x', inputTokens: 1, outputTokens: 1, cost: 0.001 }],
    ]);
    const data = costViewData(totals, NOW);
    assert.deepEqual(data.models.map((m) => m.name), ['Claude Opus 4', 'Claude Sonnet 4', 'model-x']);
    const sonnet = data.models[1];
    assert.deepEqual([sonnet.requests, sonnet.inputTokens, sonnet.cacheReadTokens, sonnet.outputTokens], [2, 400, 7, 40]);
    assert.equal(sonnet.credits.value, 0.03);
  });

  test('cache savings: reads at 0.1 ×, writes at 1.25 × the input price; unknown prices are counted apart', () => {
    const pricing = findModel(SONNET)!.pricing; // $3 per million input tokens
    assert.ok(Math.abs(cacheSavings({ cacheReadTokens: 1_000_000, cacheWriteTokens: 0 }, pricing)! - 2.7) < 1e-9, 'a million reads save 0.9 × $3');
    assert.ok(Math.abs(cacheSavings({ cacheReadTokens: 0, cacheWriteTokens: 100_000 }, pricing)! + 0.075) < 1e-9, 'writes alone cost 0.25 × more');
    assert.equal(cacheSavings({ cacheReadTokens: 5, cacheWriteTokens: 0 }, undefined), undefined);

    const totals = fold([
      [NOW, { model: SONNET, inputTokens: 10, outputTokens: 5, cacheWriteTokens: 100_000, cost: 0.4 }],
      [NOW, { model: SONNET, inputTokens: 10, outputTokens: 5, cacheReadTokens: 1_000_000, cost: 0.4 }],
      [NOW, { model: 'vendor/unpriced', inputTokens: 10, outputTokens: 5, cacheReadTokens: 500, cacheWriteTokens: 20, cost: 0.1 }],
    ]);
    const data = costViewData(totals, NOW);
    assert.ok(Math.abs(data.cache.saved.value - 2.625) < 1e-9, `saved ${data.cache.saved.value}`);
    assert.equal(data.cache.saved.text, '2.63');
    assert.deepEqual([data.cache.readTokens, data.cache.writeTokens, data.cache.unpricedTokens], [1_000_500, 100_020, 520]);
    assert.equal(data.models.find((m) => m.id === 'vendor/unpriced')!.cacheSaved, undefined);
    assert.ok(Math.abs(data.models.find((m) => m.id === SONNET)!.cacheSaved!.value - 2.625) < 1e-9);
  });

  test('a saving that cost more is shown negative, with a minus sign', () => {
    const data = costViewData(fold([[NOW, { model: SONNET, inputTokens: 1, outputTokens: 1, cacheWriteTokens: 100_000, cost: 0.4 }]]), NOW);
    assert.ok(data.cache.saved.value < 0);
    assert.equal(data.cache.saved.text, '−0.075');
  });

  test('recent requests: newest first, cost kinds, sources named in the user\'s words', () => {
    const totals = fold([
      [NOW - 3000, { model: SONNET, inputTokens: 3400, cacheReadTokens: 2900, outputTokens: 120, cost: 0.0123, source: 'chat' }],
      [NOW - 2000, { model: SONNET, inputTokens: 10, outputTokens: 1, estimatedCost: 0.002, source: 'inline' }],
      [NOW - 1000, { model: SONNET, inputTokens: 10, outputTokens: 1, source: 'tool' }],
      [NOW, { model: SONNET, inputTokens: 10, outputTokens: 1, cost: 0.001, source: 'lm:VS Code chat' }],
    ]);
    const rows = costViewData(totals, NOW).recent;
    assert.deepEqual(rows.map((r) => r.sourceLabel), ['VS Code chat', 'tool round', 'inline', 'chat']);
    assert.deepEqual(rows.map((r) => r.cost.kind), ['billed', 'unknown', 'estimate', 'billed']);
    const chat = rows[3];
    assert.deepEqual([chat.inputTokens, chat.cacheReadTokens, chat.outputTokens, chat.modelName], [3400, 2900, 120, 'Claude Sonnet 4']);
    assert.deepEqual(chat.cost, { kind: 'billed', credits: { value: 0.0123, text: '0.0123' } });
    assert.deepEqual(describeSource('lm:acme.helper'), { kind: 'extension', label: 'acme.helper' });
    assert.deepEqual(describeSource(undefined), { kind: 'unspecified', label: 'not recorded' });
  });

  test('after Reset Cost: models and totals restart, the days keep what was spent', () => {
    const totals = fold([
      [NOW - DAY, { model: SONNET, inputTokens: 10, outputTokens: 5, cost: 0.5 }],
      { t: 'reset', at: NOW - 1000, win: 'w1' },
      [NOW, { model: SONNET, inputTokens: 10, outputTokens: 5, cost: 0.25 }],
    ]);
    const data = costViewData(totals, NOW);
    assert.equal(data.resetAt, NOW - 1000);
    assert.equal(data.total.credits.value, 0.25);
    assert.equal(data.models[0].credits.value, 0.25);
    assert.equal(data.days.at(-2)!.credits.value, 0.5, 'yesterday still shows what was spent');
  });
});

describe('cost CSV', () => {
  test('header, one line per request oldest first, unrounded credits, estimates in their own column', () => {
    const csv = costCsv([
      requestEntry({ model: SONNET, inputTokens: 3400, cacheReadTokens: 2900, cacheWriteTokens: 12, outputTokens: 120, cost: 0.0012345678, source: 'chat' }, Date.UTC(2026, 11, 6, 9, 30), 'w'),
      requestEntry({ model: SONNET, inputTokens: 10, outputTokens: 2, estimatedCost: 0.5, source: 'inline' }, Date.UTC(2026, 11, 6, 9, 31), 'w'),
    ]);
    const lines = csv.split('\r\n');
    assert.equal(lines.at(-1), '', 'ends with CRLF');
    assert.equal(lines[0], CSV_HEADER.join(','));
    assert.equal(lines[1], `2026-12-06T09:30:00.000Z,${SONNET},chat,3400,2900,12,120,0.0012345678,`);
    assert.equal(lines[2], `2026-12-06T09:31:00.000Z,${SONNET},inline,10,0,0,2,,0.5`);
  });

  test('quotes, commas and line breaks are quoted; formulas are defused', () => {
    const csv = costCsv([
      requestEntry({ model: 'a,"b"\nc', inputTokens: 1, outputTokens: 1, source: '=HYPERLINK("x")' }, 0, 'w'),
    ]);
    assert.equal(csv.split('\r\n')[1], `1970-01-01T00:00:00.000Z,"a,""b""\nc","'=HYPERLINK(""x"")",1,0,0,1,,`);
  });
});

describe('cost view protocol', () => {
  test('the host takes only the view\'s four messages; data the view gets is checked too', () => {
    for (const ok of [{ type: 'ready' }, { type: 'exportCsv' }, { type: 'resetCost' }, { type: 'openLimits' }]) assert.ok(CostViewToHostSchema.safeParse(ok).success, ok.type);
    for (const bad of [{ type: 'deleteLedger' }, { type: 42 }, 'resetCost', null]) assert.equal(CostViewToHostSchema.safeParse(bad).success, false, JSON.stringify(bad));
    const data = costViewData(fold([[NOW, { model: SONNET, inputTokens: 1, outputTokens: 1, cost: 0.1 }]]), NOW);
    assert.ok(HostToCostViewSchema.safeParse({ type: 'data', data }).success);
    assert.equal(HostToCostViewSchema.safeParse({ type: 'data', data: { ...data, days: [{ day: 'yesterday' }] } }).success, false);
  });
});
