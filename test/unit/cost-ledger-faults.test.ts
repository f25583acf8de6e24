// Issue 16 §3, the cost ledger under faults: torn last lines (written by hand and by short writes on a full disk),
// damaged lines among good ones, a disk that is full when a record is written, and SIGKILLs of a recording process at
// random points. Each test counts the records the ledger said it wrote against those a fresh reader counts
// (`# figure:` lines, the table in docs/DEVELOPMENT.md).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { CostLedger } from '../../src/core/cost/costLedger';
import { FaultyFs } from '../support/faultyFs';
import { killAtRandom } from '../support/killAtRandom';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
const KILLS = Number(process.env.FASTROUTER_FAULT_KILLS ?? 8);

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastrouter-ledger-faults-'));
  dirs.push(dir);
  return dir;
}

const request = (i: number) => ({ model: 'm', inputTokens: 10, outputTokens: 5, cost: 0.01, requestId: `r${i}` });
const countIn = (file: string) => new CostLedger(file, 'reader').totals.allTime.requests;

test('a torn last line (cut by hand at random points) never swallows the next record', (t) => {
  let written = 0;
  let counted = 0;
  for (let run = 0; run < 10; run++) {
    const file = path.join(tempDir(), 'cost-ledger.jsonl');
    const ledger = new CostLedger(file, 'w');
    for (let i = 0; i < 5; i++) assert.equal(ledger.record(request(i)), true);
    // A power cut or a short write leaves part of a line, no newline.
    const line = `${JSON.stringify({ t: 'req', at: Date.now(), win: 'w', model: 'm', in: 1, out: 1, cost: 0.5 })}\n`;
    fs.appendFileSync(file, line.slice(0, 1 + Math.floor(Math.random() * (line.length - 2))));
    const after = new CostLedger(file, 'w2');
    assert.equal(after.record(request(99)), true);
    written += 6;
    counted += countIn(file);
    assert.equal(countIn(file), 6);
    assert.ok(Math.abs(new CostLedger(file, 'r').totals.allTime.credits - 0.06) < 1e-9);
  }
  t.diagnostic(`figure: ledger, torn last line | 10 files, ${written} records written after/around a cut line | ${counted} counted (the cut line alone is lost)`);
});

test('reading tolerates a damaged line without losing its neighbours, and finds a record glued to a fragment by an older version', () => {
  const file = path.join(tempDir(), 'cost-ledger.jsonl');
  const good = (i: number) => JSON.stringify({ t: 'req', at: 1_700_000_000_000 + i, win: 'w', model: 'm', in: 1, out: 1, cost: 1 });
  fs.writeFileSync(
    file,
    [good(1), '{"t":"req","at":17000', `${good(2).slice(0, 30)}${good(3)}`, '\u0000\u0000\u0000', good(4), 'not json at all', good(5)].join('\n') + '\n',
  );
  const ledger = new CostLedger(file, 'r');
  assert.equal(ledger.totals.allTime.requests, 4, 'records 1, 3 (glued), 4 and 5');
  assert.equal(ledger.totals.allTime.credits, 4);
});

test('a full disk: a record that cannot be written is said (why) and kept, counted in the totals, and written when there is room', (t) => {
  let said = 0;
  let written = 0;
  let counted = 0;
  for (let run = 0; run < 20; run++) {
    const dir = tempDir();
    const file = path.join(dir, 'cost-ledger.jsonl');
    const disk = new FaultyFs(dir);
    const ledger = new CostLedger(file, 'w', Date.now, { fs: disk });
    for (let i = 0; i < 3; i++) ledger.record(request(i));
    // Room for part of the next line only: a short write, as a full disk does.
    disk.quotaBytes = disk.usedBytes() + 1 + Math.floor(Math.random() * 60);
    assert.equal(ledger.record(request(3)), false);
    assert.equal(ledger.lastWriteError, 'no space left on the disk');
    said++;
    assert.equal(ledger.record(request(4)), false, 'kept in order behind the first');
    assert.equal(ledger.unwrittenCount, 2);
    assert.equal(ledger.totals.allTime.requests, 5, 'this window still counts what it spent');
    disk.quotaBytes = undefined;
    assert.equal(ledger.writeUnwritten(), true);
    assert.equal(ledger.unwrittenCount, 0);
    assert.equal(ledger.lastWriteError, undefined);
    written += 5;
    counted += countIn(file);
    assert.equal(countIn(file), 5, fs.readFileSync(file, 'utf8'));
  }
  t.diagnostic(`figure: ledger, full disk | 20 runs, each a short write mid-record | ${said} said ("Cost not recorded: no space left on the disk"), ${written} records, ${counted} counted once room was made`);
});

test(`SIGKILL of a recording process at random points (${KILLS} kills): every record it was told was written is counted`, { timeout: 300_000 }, async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'cost-ledger.jsonl');
  let committed = 0;
  for (let k = 0; k < KILLS; k++) {
    const result = await killAtRandom('ledger', dir, { minCommits: 50, maxCommits: 2000 });
    committed += result.committed;
    assert.ok(countIn(file) >= committed, `kill ${k}: ${countIn(file)} counted, ${committed} committed`);
  }
  const counted = countIn(file);
  assert.ok(counted >= committed && counted <= committed + KILLS, `${counted} counted, ${committed} committed`);
  t.diagnostic(`figure: ledger, SIGKILL while recording | ${KILLS} kills, ${committed} records committed | ${counted} counted, 0 lost (${counted - committed} written just before the kill, not yet reported)`);
});
