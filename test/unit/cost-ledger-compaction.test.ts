// Ledger compaction (rotation into segments + a summary, under the cross-process lock): totals identical before
// and after, real concurrent writers and compactors in other processes losing and double-counting nothing, a
// compaction killed at each step leaving a ledger that still adds up, late writes into a rotated file, old
// segments removed only after their grace period.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { CostLedger } from '../../src/core/cost/costLedger';
import { type CostTotals } from '../../src/core/cost/costTotals';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function tempLedgerPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastrouter-ledger-'));
  dirs.push(dir);
  return path.join(dir, 'cost-ledger.jsonl');
}

const MODULE = path.resolve(__dirname, '../../src/core/cost/costLedger.ts');

function child(code: string): ChildProcess {
  const body = `import(${JSON.stringify(MODULE)}).then(async (m) => { const { CostLedger } = m.CostLedger ? m : m.default; ${code} })`;
  return spawn(process.execPath, ['--import', 'tsx', '-e', body], { stdio: ['ignore', 'pipe', 'inherit'] });
}

function exited(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    proc.on('error', reject);
    proc.on('exit', (status) => resolve(status));
  });
}

function printed(proc: ChildProcess, word: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(word)) resolve();
    });
    proc.on('exit', () => reject(new Error(`exited before printing ${word}`)));
  });
}

/** A varied history: several windows, models, sources, billed, estimated and unknown costs, a reset in the middle. */
function writeHistory(file: string, count: number, start = Date.now() - count * 60_000): void {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + i * 60_000;
    if (i === Math.floor(count / 3)) lines.push(JSON.stringify({ t: 'reset', at, win: 'w1' }));
    const line: Record<string, unknown> = { t: 'req', at, win: `w${i % 3}`, model: i % 4 === 0 ? 'opus' : 'sonnet', in: 100 + i, out: 10 + (i % 7), src: ['chat', 'inline', 'tool'][i % 3] };
    if (i % 10 === 3) line.est = 0.0002;
    else if (i % 10 !== 7) line.cost = 0.00025 * (1 + (i % 5));
    if (i % 6 === 0) line.cr = 50;
    lines.push(JSON.stringify(line));
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

/** Totals with credits rounded (a different order of additions may differ in the last bit). */
function comparable(t: CostTotals): unknown {
  return JSON.parse(JSON.stringify(t, (key, value) => (typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1e9) / 1e9 : value)));
}

test('totals are identical before and after compaction, for every window; the live file is empty afterwards', async () => {
  const file = tempLedgerPath();
  writeHistory(file, 3000);
  const before = ['w0', 'w1', 'w2', 'x'].map((w) => comparable(new CostLedger(file, w).totals));
  const ledger = new CostLedger(file, 'w1', Date.now, { compactAtBytes: 1000 });
  await ledger.load();
  assert.equal(ledger.needsCompaction, true);
  const result = await ledger.compact();
  assert.equal(result.rotated, true);
  assert.ok(result.foldedBytes > 100_000);
  assert.equal(fs.existsSync(file), false, 'the live file was rotated; the next append creates it');
  assert.equal(ledger.liveBytes, 0);
  const after = ['w0', 'w1', 'w2', 'x'].map((w) => comparable(new CostLedger(file, w).totals));
  assert.deepEqual(after, before);
  assert.deepEqual(comparable(ledger.totals), before[1]);
  // Async load reads the same.
  const loaded = new CostLedger(file, 'w2');
  await loaded.load();
  assert.deepEqual(comparable(loaded.totals), before[2]);
  // And appends after compaction add on top.
  ledger.record({ model: 'sonnet', inputTokens: 1, outputTokens: 1, cost: 1, source: 'chat' });
  const fresh = new CostLedger(file, 'w0').totals;
  assert.equal(fresh.allTime.requests, (before[0] as CostTotals).allTime.requests + 1);
});

test('a folded segment is kept for its grace period (a late writer may still add to it), then removed', async () => {
  const file = tempLedgerPath();
  writeHistory(file, 200);
  let clock = Date.now();
  const ledger = new CostLedger(file, 'w', () => clock, { compactAtBytes: 100, segmentGraceMs: 60_000 });
  const expected = comparable(ledger.totals);
  await ledger.compact();
  const segments = () => fs.readdirSync(path.dirname(file)).filter((n) => n.endsWith('.segment.jsonl'));
  assert.equal(segments().length, 1);
  assert.equal((await ledger.compact()).deletedSegments, 0, 'still in its grace period');
  clock += 61_000;
  assert.equal((await ledger.compact()).deletedSegments, 1);
  assert.deepEqual(segments(), []);
  const summary = JSON.parse(fs.readFileSync(ledger.summaryPath, 'utf8')) as { covered: object };
  assert.deepEqual(summary.covered, {}, 'the summary forgets deleted segments');
  assert.deepEqual(comparable(new CostLedger(file, 'w', () => clock).totals), expected);
});

test('a write that lands in the rotated file after the rename (an fd opened before it) is counted once', async () => {
  const file = tempLedgerPath();
  writeHistory(file, 50);
  const ledger = new CostLedger(file, 'w', Date.now, { compactAtBytes: 10 });
  const before = ledger.totals.allTime.requests;
  const fd = fs.openSync(file, 'a'); // a writer in another window, between its open and its write
  await ledger.compact();
  fs.writeSync(fd, `${JSON.stringify({ t: 'req', at: Date.now(), win: 'late', model: 'm', in: 1, out: 1, cost: 0.5 })}\n`);
  fs.closeSync(fd);
  assert.equal(new CostLedger(file, 'x').totals.allTime.requests, before + 1, 'read from the segment\'s uncovered tail');
  await ledger.compact({ force: true });
  const reader = new CostLedger(file, 'x');
  assert.equal(reader.totals.allTime.requests, before + 1, 'folded into the summary, not counted twice');
  await ledger.compact({ force: true });
  assert.equal(new CostLedger(file, 'x').totals.allTime.requests, before + 1);
});

test('compaction while other processes append and compact: no entry lost, none counted twice', async () => {
  const file = tempLedgerPath();
  const perWriter = 300;
  const writer = (name: string) =>
    child(`
      const ledger = new CostLedger(${JSON.stringify(file)}, ${JSON.stringify(name)}, Date.now, { compactAtBytes: 4000 });
      for (let i = 0; i < ${perWriter}; i++) {
        if (!ledger.record({ model: 'm', inputTokens: 3, outputTokens: 4, cost: 0.001, source: 'chat', requestId: ${JSON.stringify(name)} + '-' + i })) process.exit(2);
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
        // This writer compacts too, as every window does when its live file grows.
        if (${JSON.stringify(name)} === 'writer-1' && ledger.needsCompaction) await ledger.compact();
      }`);
  const compactor = child(`
    const ledger = new CostLedger(${JSON.stringify(file)}, 'compactor', Date.now, { compactAtBytes: 2000 });
    const end = Date.now() + 60000;
    while (Date.now() < end && !require('node:fs').existsSync(${JSON.stringify(`${file}.done`)})) {
      await ledger.compact();
      await new Promise((r) => setTimeout(r, 2));
    }`);
  const writers = [writer('writer-1'), writer('writer-2')];
  const here = new CostLedger(file, 'parent', Date.now, { compactAtBytes: 3000 });
  for (let i = 0; i < perWriter; i++) {
    here.record({ model: 'm', inputTokens: 3, outputTokens: 4, cost: 0.001, requestId: `parent-${i}` });
    if (i % 25 === 0) {
      await here.compact();
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  assert.deepEqual(await Promise.all(writers.map(exited)), [0, 0]);
  fs.writeFileSync(`${file}.done`, '');
  assert.equal(await exited(compactor), 0);
  const total = perWriter * 3;
  const segments = fs.readdirSync(path.dirname(file)).filter((n) => n.endsWith('.segment.jsonl'));
  assert.ok(segments.length >= 2, `compactions happened (${segments.length} segments)`);
  for (const reader of [here, new CostLedger(file, 'late')]) {
    reader.refresh();
    const t = reader.totals;
    assert.equal(t.allTime.requests, total);
    assert.ok(Math.abs(t.allTime.credits - total * 0.001) < 1e-9, `credits ${t.allTime.credits}`);
  }
  assert.equal(here.totals.session.requests, perWriter);
  // One more compaction folds everything; still exact.
  await here.compact({ force: true });
  assert.equal(new CostLedger(file, 'late').totals.allTime.requests, total);
});

for (const step of ['afterRename', 'afterSummary'] as const) {
  test(`a compaction killed ${step === 'afterRename' ? 'right after the rename' : 'right after writing the summary'} leaves a ledger that adds up, and the next compaction takes over its lock`, async () => {
    const file = tempLedgerPath();
    writeHistory(file, 2000);
    const expected = comparable(new CostLedger(file, 'w1').totals);
    const proc = child(`
      const ledger = new CostLedger(${JSON.stringify(file)}, 'w1', Date.now, { compactAtBytes: 10 });
      // First compaction completes; the second is killed halfway.
      await ledger.compact();
      ledger.record({ model: 'sonnet', inputTokens: 1, outputTokens: 1, cost: 0.5, source: 'chat' });
      await ledger.compact({ hooks: { ${step}: () => { console.log('paused'); return new Promise(() => {}); } } });`);
    await printed(proc, 'paused');
    proc.kill('SIGKILL');
    await exited(proc);
    assert.ok(fs.existsSync(`${file.replace(/\.jsonl$/, '')}.lock`), 'the dead process left its lock');
    const afterCrash = new CostLedger(file, 'w1');
    const t = afterCrash.totals;
    const base = expected as CostTotals;
    assert.equal(t.allTime.requests, base.allTime.requests + 1);
    assert.ok(Math.abs(t.allTime.credits - base.allTime.credits - 0.5) < 1e-9);
    const loaded = new CostLedger(file, 'w1');
    await loaded.load();
    assert.deepEqual(comparable(loaded.totals), comparable(t));
    // The next compaction recovers the stale lock and keeps the totals.
    await afterCrash.compact({ force: true });
    assert.deepEqual(comparable(new CostLedger(file, 'w1').totals), comparable(t));
    assert.ok(!fs.existsSync(`${file.replace(/\.jsonl$/, '')}.lock`));
  });
}

test('a torn summary (crash while writing a temp file) is ignored; a corrupt summary is not trusted', async () => {
  const file = tempLedgerPath();
  writeHistory(file, 100);
  const ledger = new CostLedger(file, 'w', Date.now, { compactAtBytes: 10 });
  const expected = comparable(ledger.totals);
  fs.writeFileSync(`${ledger.summaryPath}.0123.tmp`, '{"version":2,"st');
  await ledger.compact();
  assert.deepEqual(comparable(new CostLedger(file, 'w').totals), expected);
});

test('a summary with damaged parts keeps the rest of the history: a bad number counts as 0, a bad entry is dropped', async () => {
  const file = tempLedgerPath();
  writeHistory(file, 100);
  // A grace period of 0: the folded segment is deleted, so the summary is the only copy of that history.
  const ledger = new CostLedger(file, 'w', Date.now, { compactAtBytes: 10, segmentGraceMs: 0 });
  await ledger.compact();
  await ledger.compact();
  assert.deepEqual(fs.readdirSync(path.dirname(file)).filter((n) => n.endsWith('.segment.jsonl')), [], 'the summary alone holds the history');
  const expected = new CostLedger(file, 'w').totals;
  const summary = JSON.parse(fs.readFileSync(ledger.summaryPath, 'utf8')) as { state: { days: Record<string, Record<string, unknown>>; models: Record<string, unknown>; sessions: Record<string, unknown>; recent: unknown[] } };
  const [day] = Object.keys(expected.days);
  summary.state.days[day].credits = 'lots';
  summary.state.models.ghost = null;
  summary.state.sessions.broken = { lastAt: 'yesterday' };
  summary.state.recent.push({ t: 'req', at: 'noon', win: 'w9' }, 'not a request');
  fs.writeFileSync(ledger.summaryPath, JSON.stringify(summary));

  const totals = new CostLedger(file, 'w').totals;
  assert.deepEqual(totals.allTime, expected.allTime, 'the history is still there');
  assert.equal(totals.days[day].credits, 0, 'a number that is not one counts as 0');
  assert.equal(totals.days[day].requests, expected.days[day].requests, 'the rest of that day stays');
  assert.deepEqual(Object.keys(totals.models).sort(), Object.keys(expected.models).sort(), 'a model bucket that is not one is dropped');
  assert.deepEqual(totals.recent, expected.recent, 'requests that are not ones are dropped');
  assert.ok(!JSON.stringify(totals).includes('lots') && !JSON.stringify(totals).includes('noon'));
});
