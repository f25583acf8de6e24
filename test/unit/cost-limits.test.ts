// Spending-limit arithmetic (what counts, 80 %, local day and month, every window through the shared ledger,
// unknown costs) and the estimate of a stopped answer's cost.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { StreamEvent } from '../../src/api';
import { estimateStoppedCost, StreamedOutput } from '../../src/core/cost/costEstimate';
import { CostLedger } from '../../src/core/cost/costLedger';
import { findModel } from '../../src/core/models/modelCatalog';
import { parseSettings } from '../../src/core/request/settings';
import { addCost, checkLimit, describeSpend, noSpend, spendingLimitError, spendingStatus, spendOfCosts } from '../../src/core/cost/spendingLimits';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function ledgerFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastrouter-ledger-'));
  dirs.push(dir);
  return path.join(dir, 'cost-ledger.jsonl');
}

const at = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h).getTime();

test('the daily and monthly limits count every window\'s spending in the local day and month', () => {
  const file = ledgerFile();
  let clock = at(2025, 3, 31, 23);
  const a = new CostLedger(file, 'window-a', () => clock);
  const b = new CostLedger(file, 'window-b', () => clock);
  a.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 4 }); // March 31, 23:00: last month, yesterday
  clock = at(2025, 4, 1, 0) + 60_000; // April 1, 00:01
  a.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 0.3 });
  b.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 0.2 });
  a.refresh();
  const status = spendingStatus(a.totals, { dailyCredits: 1, monthlyCredits: 10 }, clock);
  assert.equal(status.checks.length, 2);
  const [day, month] = status.checks;
  assert.equal(day.period, 'day');
  assert.ok(Math.abs(day.spend.credits - 0.5) < 1e-12, 'both windows, today only');
  assert.ok(Math.abs(day.remaining - 0.5) < 1e-12);
  assert.equal(day.reached, false);
  assert.equal(day.warning, false);
  assert.ok(Math.abs(month.spend.credits - 0.5) < 1e-12, 'March is not April');
  assert.equal(status.reached, undefined);
  // In March the 4 credits counted: the month limit of 3 was reached then.
  assert.equal(spendingStatus(a.totals, { dailyCredits: 0, monthlyCredits: 3 }, at(2025, 3, 31, 23)).reached?.period, 'month');
});

test('80 % warns, the limit itself stops; 0 means no limit', () => {
  const spend = (credits: number) => ({ ...noSpend(), credits, billed: credits, requests: 1 });
  assert.equal(checkLimit('day', spend(5), 0), undefined);
  assert.equal(checkLimit('day', spend(0.79), 1)?.warning, false);
  assert.equal(checkLimit('day', spend(0.8), 1)?.warning, true);
  assert.equal(checkLimit('day', spend(0.9999), 1)?.reached, false);
  assert.equal(checkLimit('day', spend(1), 1)?.reached, true, 'at the limit is reached');
  assert.equal(checkLimit('day', spend(1.5), 1)?.remaining, 0);
  const totals = { days: {}, months: {} };
  assert.deepEqual(spendingStatus(totals, { dailyCredits: 0, monthlyCredits: 0 }, Date.now()).checks, []);
});

test('estimates count against a limit (and are named); unknown costs count 0 and are reported', () => {
  const file = ledgerFile();
  const ledger = new CostLedger(file, 'w');
  ledger.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 0.6 });
  ledger.record({ model: 'm', inputTokens: 1, outputTokens: 1, estimatedCost: 0.45 });
  ledger.record({ model: 'm', inputTokens: 1, outputTokens: 1 });
  ledger.record({ model: 'm', inputTokens: 1, outputTokens: 1 });
  const status = spendingStatus(ledger.totals, { dailyCredits: 1, monthlyCredits: 0 }, Date.now());
  const reached = status.reached!;
  assert.ok(reached, 'billed 0.6 + estimated 0.45 reaches 1');
  assert.equal(reached.spend.billed, 0.6);
  assert.equal(reached.spend.estimated, 0.45);
  assert.equal(reached.spend.unknownRequests, 2);
  const error = spendingLimitError(reached);
  assert.equal(error.code, 'spending_limit');
  assert.deepEqual(error.actions, ['sendAnyway', 'openSettings']);
  assert.match(error.message, /^Daily spending limit reached: 1\.05 of 1\.00 credits spent today, all windows, incl\. estimates \(0\.45 of it estimated/);
  assert.match(error.message, /2 requests had no known cost and count as 0\./);
  assert.match(error.message, /fastrouter\.spendingLimit\.dailyCredits/);
});

test('per question (tool loops): the same accounting over the answers\' costs', () => {
  const spend = spendOfCosts([{ kind: 'billed', credits: 0.2 }, { kind: 'estimate', credits: 0.1 }, { kind: 'unknown' }, undefined]);
  assert.equal(spend.requests, 4);
  assert.ok(Math.abs(spend.credits - 0.3) < 1e-12);
  assert.equal(spend.unknownRequests, 2);
  const check = checkLimit('question', spend, 0.25)!;
  assert.equal(check.reached, true);
  assert.match(describeSpend(check), /^0\.30 of 0\.25 credits spent on this question, incl\. estimates \(0\.10 of it estimated/);
  assert.match(spendingLimitError(check).message, /fastrouter\.tools\.maxCreditsPerQuestion/);
  assert.equal(addCost(noSpend(), { kind: 'billed', credits: 1 }).billed, 1);
});

test('the limit settings: numbers ≥ 0, default 0 (none); a negative value falls back with a message', () => {
  const { settings, problems } = parseSettings({ 'spendingLimit.dailyCredits': 2.5, 'spendingLimit.monthlyCredits': -1 });
  assert.equal(settings['spendingLimit.dailyCredits'], 2.5);
  assert.equal(settings['spendingLimit.monthlyCredits'], 0);
  assert.match(problems[0].message, /fastrouter\.spendingLimit\.monthlyCredits/);
  assert.equal(parseSettings({}).settings['spendingLimit.dailyCredits'], 0);
});

test('a stopped answer\'s output is estimated from what streamed (text, thinking, tool JSON), at least what was reported', () => {
  const streamed = new StreamedOutput();
  const events: StreamEvent[] = [
    { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'x'.repeat(70) } },
    { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig'.repeat(100) } },
    { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'y'.repeat(280) } },
    { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 't', name: 'read', input: {} } },
    { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"path":"a' } },
  ];
  for (const event of events) streamed.observe(event);
  assert.equal(streamed.characters, 70 + 280 + 4 + 10);
  assert.equal(streamed.outputTokens(), Math.ceil(364 / 3.5));
  assert.equal(streamed.outputTokens(500), 500, 'never below what the endpoint reported');
  const model = 'anthropic/claude-sonnet-4-20250514';
  const pricing = findModel(model)!.pricing!;
  const cost = estimateStoppedCost(model, { inputTokens: 48_474, outputTokens: 104, cacheReadTokens: 1000 })!;
  assert.ok(Math.abs(cost - (48_474 * pricing.input + 104 * pricing.output + 1000 * pricing.input * 0.1)) < 1e-12);
  assert.equal(estimateStoppedCost('some-unknown-model', { inputTokens: 1, outputTokens: 1 }), undefined, 'no prices: unknown, not a guess');
});
