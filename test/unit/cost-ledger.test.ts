// The shared cost ledger: totals folded from an append-only file, reset markers, unknown costs kept apart,
// and real concurrent writers (two other processes plus this one) losing nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { formatCredits, formatDuration, formatPricePerMillion, formatTokens, lineRange, metaLine } from '../../src/common/credits';
import { CostLedger } from '../../src/core/cost/costLedger';
import { localDayKey, localMonthKey, parseEntry } from '../../src/core/cost/costTotals';

const dirs: string[] = [];
// Every run used to leave its fastrouter-ledger-* folders in the OS temp folder.
after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function tempLedgerPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastrouter-ledger-'));
  dirs.push(dir);
  return path.join(dir, 'nested', 'cost-ledger.jsonl');
}

test('records billed costs and sums them for this window and all windows', () => {
  const file = tempLedgerPath();
  const a = new CostLedger(file, 'window-a');
  const b = new CostLedger(file, 'window-b');
  a.record({ model: 'm', inputTokens: 10, outputTokens: 5, cost: 0.25 });
  b.record({ model: 'm', inputTokens: 20, outputTokens: 7, cost: 0.5 });
  a.refresh();
  const totals = a.totals;
  assert.equal(totals.allTime.requests, 2);
  assert.equal(totals.allTime.credits, 0.75);
  assert.equal(totals.allTime.inputTokens, 30);
  assert.equal(totals.session.requests, 1);
  assert.equal(totals.session.credits, 0.25);
  assert.deepEqual(totals.last && { cost: totals.last.cost, in: totals.last.inputTokens, out: totals.last.outputTokens }, { cost: 0.25, in: 10, out: 5 });
});

test('a request without a cost is counted as unknown, never as billed credits', () => {
  const ledger = new CostLedger(tempLedgerPath(), 'w');
  ledger.record({ model: 'm', inputTokens: 100, outputTokens: 50 });
  ledger.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 0.125 });
  const { allTime, last } = ledger.totals;
  assert.equal(allTime.credits, 0.125);
  assert.equal(allTime.unknownRequests, 1);
  assert.equal(allTime.requests, 2);
  assert.equal(last?.cost, 0.125);
  ledger.record({ model: 'm', inputTokens: 1, outputTokens: 1 });
  assert.equal(ledger.totals.last?.cost, undefined);
});

test('totals survive a reload: a new ledger over the same file sees everything', () => {
  const file = tempLedgerPath();
  const first = new CostLedger(file, 'session-1');
  first.record({ model: 'm', inputTokens: 1, outputTokens: 2, cost: 0.003 });
  first.record({ model: 'm', inputTokens: 1, outputTokens: 2, cost: 0.004 });
  const reloaded = new CostLedger(file, 'session-2');
  assert.equal(reloaded.totals.allTime.requests, 2);
  assert.ok(Math.abs(reloaded.totals.allTime.credits - 0.007) < 1e-12);
  // A new window session starts its own session bucket.
  assert.equal(reloaded.totals.session.requests, 0);
});

test('opening a ledger reads nothing (activation must not wait on a big file): totals read it when first needed, load() reads it asynchronously', async () => {
  const file = tempLedgerPath();
  new CostLedger(file, 'earlier').record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 1 });
  const lazy = new CostLedger(file, 'w');
  const loading = new CostLedger(file, 'w');
  // Written after both were opened: a ledger that had read the file at construction would not count it.
  new CostLedger(file, 'other').record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 2 });
  assert.equal(lazy.totals.allTime.credits, 3);
  assert.equal(await loading.load(), true);
  assert.equal(loading.totals.allTime.credits, 3);
  assert.equal(loading.totals.allTime.requests, 2);
  // After the first read, load() only picks up what is new.
  assert.equal(await loading.load(), false);
  loading.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 0.5 });
  assert.equal(loading.totals.allTime.credits, 3.5);
  assert.equal(await new CostLedger(`${file}.missing`, 'w').load(), false, 'no file yet: nothing to read');
});

test('reset appends a marker: earlier lines stop counting, later lines from any window count', () => {
  const file = tempLedgerPath();
  const a = new CostLedger(file, 'a');
  const b = new CostLedger(file, 'b');
  a.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 1 });
  b.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 2 });
  a.reset();
  b.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 0.5 });
  a.refresh();
  assert.equal(a.totals.allTime.credits, 0.5);
  assert.equal(a.totals.allTime.requests, 1);
  assert.equal(a.totals.session.requests, 0);
  assert.ok(a.totals.resetAt);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 4, 'reset appends; it never rewrites the file');
});

test('a line still being written is ignored until it is complete; garbage lines are skipped', () => {
  const file = tempLedgerPath();
  const ledger = new CostLedger(file, 'w');
  ledger.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 0.1 });
  const line = JSON.stringify({ t: 'req', at: 1, win: 'other', model: 'm', in: 1, out: 1, cost: 0.2 });
  fs.appendFileSync(file, 'not json\n{"t":"req"}\n');
  fs.appendFileSync(file, line.slice(0, 20));
  assert.equal(ledger.refresh(), false);
  assert.equal(ledger.totals.allTime.requests, 1);
  fs.appendFileSync(file, `${line.slice(20)}\n`);
  assert.equal(ledger.refresh(), true);
  assert.equal(ledger.totals.allTime.requests, 2);
  assert.ok(Math.abs(ledger.totals.allTime.credits - 0.3) < 1e-12);
});

test('a replaced ledger file (same path, new inode) is read from the start', () => {
  const file = tempLedgerPath();
  const ledger = new CostLedger(file, 'w');
  ledger.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 5 });
  const replacement = `${file}.tmp`;
  fs.writeFileSync(replacement, `${JSON.stringify({ t: 'req', at: 1, win: 'x', model: 'm', in: 1, out: 1, cost: 0.5 })}\n`);
  fs.renameSync(replacement, file);
  ledger.refresh();
  assert.equal(ledger.totals.allTime.credits, 0.5);
});

test('parseEntry rejects negative or non-numeric costs as unknown', () => {
  const entry = parseEntry(JSON.stringify({ t: 'req', at: 1, win: 'w', model: 'm', in: 1, out: 1, cost: -3 }));
  assert.equal(entry?.t, 'req');
  assert.equal(entry && entry.t === 'req' ? entry.cost : 'x', undefined);
  assert.equal(parseEntry('{"t":"reset"}'), undefined);
});

test('a line records source, cache tokens and an estimate apart from billed credits (exact format)', () => {
  const file = tempLedgerPath();
  const at = new Date(2025, 0, 31, 23, 59).getTime();
  const ledger = new CostLedger(file, 'w', () => at);
  ledger.record({ model: 'm', inputTokens: 100, outputTokens: 20, cacheReadTokens: 900, cacheWriteTokens: 50, cost: 0.01, source: 'inline', durationMs: 1234.4, requestId: 'req_1' });
  ledger.record({ model: 'm', inputTokens: 10, outputTokens: 30, estimatedCost: 0.004, durationMs: 10 });
  ledger.record({ model: 'other', inputTokens: 1, outputTokens: 1, source: 'lm:VS Code chat' });
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  assert.deepEqual(JSON.parse(lines[0]), { t: 'req', at, win: 'w', model: 'm', in: 100, out: 20, cr: 900, cw: 50, cost: 0.01, src: 'inline', ms: 1234, rid: 'req_1' });
  assert.deepEqual(JSON.parse(lines[1]), { t: 'req', at, win: 'w', model: 'm', in: 10, out: 30, est: 0.004, ms: 10 });
  const t = ledger.totals;
  assert.equal(t.allTime.credits, 0.01, 'the estimate is never billed');
  assert.equal(t.allTime.estimatedCredits, 0.004);
  assert.equal(t.allTime.estimatedRequests, 1);
  assert.equal(t.allTime.unknownRequests, 1);
  assert.equal(t.allTime.cacheReadTokens, 900);
  assert.equal(t.allTime.cacheWriteTokens, 50);
  assert.deepEqual(Object.keys(t.sources).sort(), ['inline', 'lm:VS Code chat', 'unspecified']);
  assert.equal(t.sources.inline.credits, 0.01);
  assert.equal(t.models.m.requests, 2);
  assert.equal(t.models.other.unknownRequests, 1);
  assert.equal(localDayKey(at), '2025-01-31');
  assert.equal(t.days['2025-01-31'].requests, 3);
  assert.equal(t.months['2025-01'].estimatedCredits, 0.004);
  assert.equal(t.last?.source, 'lm:VS Code chat');
  assert.equal(t.recent.length, 3);
});

test('old lines without source, cache or estimate still count; days and months use local time', () => {
  const file = tempLedgerPath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lateEvening = new Date(2024, 11, 31, 23, 30).getTime();
  const nextMorning = new Date(2025, 0, 1, 0, 30).getTime();
  fs.writeFileSync(file, [
    JSON.stringify({ t: 'req', at: lateEvening, win: 'old', model: 'm', in: 5, out: 6, cost: 0.5, ms: 9, rid: 'r' }),
    JSON.stringify({ t: 'req', at: nextMorning, win: 'old', model: 'm', in: 5, out: 6 }),
    '',
  ].join('\n'));
  const t = new CostLedger(file, 'w').totals;
  assert.equal(t.allTime.requests, 2);
  assert.equal(t.allTime.credits, 0.5);
  assert.equal(t.sources.unspecified.requests, 2, 'lines from before sources were recorded');
  assert.equal(t.days['2024-12-31'].credits, 0.5);
  assert.equal(t.days['2025-01-01'].unknownRequests, 1);
  assert.equal(localMonthKey(lateEvening), '2024-12');
  assert.equal(t.months['2024-12'].requests, 1);
  assert.equal(t.months['2025-01'].requests, 1);
});

test('Reset restarts the counter, per model and per source, but not what was spent per day and month', () => {
  const ledger = new CostLedger(tempLedgerPath(), 'w');
  ledger.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 2, source: 'chat' });
  ledger.reset();
  ledger.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 0.5, source: 'chat' });
  const t = ledger.totals;
  assert.equal(t.allTime.credits, 0.5);
  assert.equal(t.models.m.credits, 0.5);
  assert.equal(t.sources.chat.credits, 0.5);
  assert.equal(t.days[localDayKey(Date.now())].credits, 2.5, 'spending limits count real spend');
});

test('a request records who asked (src) when a source is given, and lines without one still parse', () => {
  const file = tempLedgerPath();
  const ledger = new CostLedger(file, 'w');
  ledger.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 0.1, source: 'lm:VS Code chat' });
  ledger.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 0.1 });
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { src?: string });
  assert.deepEqual(lines.map((line) => line.src), ['lm:VS Code chat', undefined]);
  const parsed = parseEntry(fs.readFileSync(file, 'utf8').split('\n')[0]!);
  assert.equal(parsed?.t === 'req' && parsed.src, 'lm:VS Code chat');
  assert.equal(ledger.totals.allTime.requests, 2);
});

test('formatCredits: three significant digits below 1, two decimals from 1, thousands separators, never exponent notation', () => {
  assert.equal(formatCredits(0), '0');
  assert.equal(formatCredits(0.000042), '0.000042');
  assert.equal(formatCredits(0.0123), '0.0123');
  assert.equal(formatCredits(0.002694), '0.00269', 'significant digits, not six decimals');
  assert.equal(formatCredits(0.00123456), '0.00123');
  assert.equal(formatCredits(0.25), '0.25');
  assert.equal(formatCredits(0.5), '0.50', 'at least two decimals, so amounts line up');
  assert.equal(formatCredits(0.001), '0.001');
  assert.equal(formatCredits(0.999), '0.999');
  assert.equal(formatCredits(0.0000001), '<0.000001', 'a tiny cost is not shown as zero');
  assert.equal(formatCredits(1.5), '1.50');
  assert.equal(formatCredits(1.2346), '1.23');
  assert.equal(formatCredits(1234.5), '1,234.50', 'thousands separators');
  assert.equal(formatCredits(1234567.891), '1,234,567.89');
  assert.equal(formatCredits(-0.5), '-0.50');
  assert.ok(!formatCredits(1e-7).includes('e'));
  assert.ok(!formatCredits(3e-6).includes('e'));
});

test('one format for every number a person reads: tokens, durations, prices, line ranges and the meta line', () => {
  assert.equal(formatTokens(1234567), '1,234,567');
  assert.equal(formatTokens(840), '840');
  assert.equal(formatDuration(4210), '4.2 s');
  assert.equal(formatDuration(125_000), '2 min 5 s');
  assert.equal(formatPricePerMillion(3e-6), '3.00');
  assert.equal(formatPricePerMillion(0.08e-6), '0.08');
  assert.equal(lineRange(9, 9), 'line 9');
  assert.equal(lineRange(9), 'line 9');
  assert.equal(lineRange(9, 12), 'lines 9–12');
  assert.equal(
    metaLine({ model: 'anthropic/claude-sonnet-4-5', modelName: 'Claude Sonnet 4.5', inputTokens: 123456, cacheReadTokens: 120000, outputTokens: 4321, cost: { kind: 'billed', credits: 0.002694 }, durationMs: 83_400 }),
    'Claude Sonnet 4.5 · 123,456 in · 120,000 cached · 4,321 out · 0.00269 credits · 1 min 23 s',
  );
  assert.equal(
    metaLine({ model: 'claude-x', inputTokens: 10, outputTokens: 2, cost: { kind: 'estimate', credits: 1234.5 }, durationMs: 900 }),
    'claude-x · 10 in · 2 out · ≈ 1,234.50 credits (estimate) · 0.9 s',
  );
});

/** A writer in another process: appends `count` requests, refreshing between appends like a live window. */
function writerProcess(file: string, name: string, count: number): Promise<void> {
  const modulePath = path.resolve(__dirname, '../../src/core/cost/costLedger.ts');
  const code = `
    import(${JSON.stringify(modulePath)}).then((m) => {
      const { CostLedger } = m.CostLedger ? m : m.default;
      const ledger = new CostLedger(${JSON.stringify(file)}, ${JSON.stringify(name)});
      for (let i = 0; i < ${count}; i++) {
        if (!ledger.record({ model: 'm', inputTokens: 3, outputTokens: 4, cost: 0.001, requestId: ${JSON.stringify(name)} + '-' + i })) process.exit(2);
      }
    });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (status) => (status === 0 ? resolve() : reject(new Error(`${name} exited with ${status}`))));
  });
}

test('two other processes and this one appending at the same time lose no entry', async () => {
  const file = tempLedgerPath();
  const here = new CostLedger(file, 'parent');
  const perWriter = 400;
  const writers = [writerProcess(file, 'child-1', perWriter), writerProcess(file, 'child-2', perWriter)];
  // Interleave our own appends while the children run.
  let mine = 0;
  const own = (async () => {
    for (; mine < perWriter; mine++) {
      here.record({ model: 'm', inputTokens: 3, outputTokens: 4, cost: 0.001, requestId: `parent-${mine}` });
      if (mine % 20 === 0) await new Promise((r) => setImmediate(r));
    }
  })();
  await Promise.all([...writers, own]);
  here.refresh();
  const total = perWriter * 3;
  assert.equal(here.totals.allTime.requests, total);
  assert.ok(Math.abs(here.totals.allTime.credits - total * 0.001) < 1e-9, `credits ${here.totals.allTime.credits}`);
  assert.equal(here.totals.session.requests, perWriter);
  const ids = new Set(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const entry = parseEntry(line);
        assert.ok(entry, `every line parses: ${line.slice(0, 80)}`);
        return entry.t === 'req' ? entry.rid : undefined;
      }),
  );
  for (const name of ['parent', 'child-1', 'child-2']) {
    for (let i = 0; i < perWriter; i++) assert.ok(ids.has(`${name}-${i}`), `${name}-${i} is in the ledger`);
  }
  // A fresh reader (another window, or after a reload) agrees.
  assert.equal(new CostLedger(file, 'late').totals.allTime.requests, total);
});
