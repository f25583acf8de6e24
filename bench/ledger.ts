// Time to first cost display with a 100,000-request ledger: the real CostLedger load path the status bar uses
// (load(), then the totals and the status bar text), on a compacted ledger (summary + a live file just under the
// compaction threshold) against the same history uncompacted (one 100k-line file, as before compaction existed),
// interleaved rounds, medians. Also the one-time cost of compacting that history. Numbers only; no pass/fail.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatCredits } from '../src/common/credits';
import { CostLedger } from '../src/core/cost/costLedger';
import type { BenchRunOptions } from './run';

function history(count: number, start: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const line: Record<string, unknown> = {
      t: 'req',
      at: start + i * 30_000,
      win: `session-${Math.floor(i / 40)}`,
      model: i % 5 === 0 ? 'anthropic/claude-opus-4-1-20250805' : 'anthropic/claude-sonnet-4-20250514',
      in: 1200 + (i % 900),
      out: 300 + (i % 400),
      cost: 0.004 + (i % 13) * 0.0007,
      src: i % 7 === 0 ? 'inline' : 'chat',
      ms: 2000 + (i % 3000),
      rid: `req_${i.toString(36).padStart(12, '0')}`,
    };
    if (i % 3 === 0) line.cr = 800;
    lines.push(JSON.stringify(line));
  }
  return `${lines.join('\n')}\n`;
}

async function firstDisplay(file: string): Promise<{ ms: number; text: string }> {
  const started = performance.now();
  const ledger = new CostLedger(file, 'bench-window');
  await ledger.load();
  const t = ledger.totals;
  const text = `${formatCredits(t.allTime.credits)} credits (${t.allTime.requests} requests)`;
  return { ms: performance.now() - started, text };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchLedger(options: BenchRunOptions = {}): Promise<void> {
  const count = options.deltas ?? 100_000;
  const rounds = options.rounds ?? 7;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fastrouter-bench-ledger-'));
  try {
    const start = Date.now() - count * 30_000;
    const text = history(count, start);
    const plainFile = path.join(root, 'plain', 'cost-ledger.jsonl');
    const compactFile = path.join(root, 'compact', 'cost-ledger.jsonl');
    fs.mkdirSync(path.dirname(plainFile), { recursive: true });
    fs.mkdirSync(path.dirname(compactFile), { recursive: true });
    fs.writeFileSync(plainFile, text);

    // The compacted ledger: the same history, compacted once, then as many new lines as fit under the threshold.
    const live = 1_000;
    const cut = text.split('\n', count - live).join('\n').length + 1;
    fs.writeFileSync(compactFile, text.slice(0, cut));
    const compactor = new CostLedger(compactFile, 'bench-compactor');
    const compactStarted = performance.now();
    await compactor.compact({ force: true });
    const compactMs = performance.now() - compactStarted;
    fs.appendFileSync(compactFile, text.slice(cut));

    const a = await firstDisplay(compactFile);
    const b = await firstDisplay(plainFile);
    if (a.text !== b.text) throw new Error(`compacted and plain ledgers disagree: ${a.text} vs ${b.text}`);
    const ours: number[] = [];
    const baseline: number[] = [];
    for (let r = 0; r < rounds; r++) {
      ours.push((await firstDisplay(compactFile)).ms);
      baseline.push((await firstDisplay(plainFile)).ms);
    }
    const size = (dir: string) => fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
    console.log(`ledger: time to first cost display with a ${count.toLocaleString('en')}-request history, median of ${rounds} interleaved rounds (${a.text})`);
    console.log(`  compacted (summary ${(fs.statSync(compactor.summaryPath).size / 1024).toFixed(0)} KiB + ${live.toLocaleString('en')} live lines): ${median(ours).toFixed(1)} ms`);
    console.log(`  uncompacted (one ${(size(path.dirname(plainFile)) / 1024 / 1024).toFixed(1)} MiB file, the fold before compaction): ${median(baseline).toFixed(1)} ms`);
    console.log(`  ratio ${(median(baseline) / median(ours)).toFixed(1)}x faster; one-time compaction of ${(count - live).toLocaleString('en')} lines: ${compactMs.toFixed(0)} ms`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
