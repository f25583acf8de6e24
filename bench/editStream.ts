// Edit Selection's engine alone (no VS Code): a 500-line replacement of a 500-line function, streamed as ~12-character
// deltas through the reply reader and the line alignment, 7 rounds. What the extension host does per delta and per
// line before the editor is touched; the editor side (updates per second, longest host task) is measured in real
// code-server by test/e2e/suite/editSelection.test.ts ("measures"), printed to test-results/inhost-log.txt.
import { performance } from 'node:perf_hooks';
import { ReplyLines } from '../src/core/edit/replyLines';
import { StreamDiff } from '../src/core/edit/streamDiff';
import type { BenchRunOptions } from './run';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** A 500-line function and a reply that changes every 5th line, drops a few and adds a few (fenced, as models do). */
export function fixture(lines = 500): { original: string; reply: string } {
  const original: string[] = [];
  const reply: string[] = [];
  for (let i = 0; i < lines; i++) {
    const line = `    const value${i} = compute(items[${i}], options.factor * ${i});`;
    original.push(line);
    if (i % 50 === 7) continue; // dropped
    reply.push(i % 5 === 0 ? `    const value${i} = computeSafely(items[${i}], options.factor * ${i}, limits);` : line);
    if (i % 60 === 3) reply.push(`    log.debug('value${i}', value${i});`);
  }
  return { original: original.join('\n') + '\n', reply: '```ts\n' + reply.join('\n') + '\n```\n' };
}

export async function benchEditStream(options: BenchRunOptions = {}): Promise<{ medianMs: number; perDeltaUs: number; longestDeltaUs: number; p999DeltaUs: number; hunks: number }> {
  const rounds = options.rounds ?? 7;
  const { original, reply } = fixture();
  const deltas: string[] = [];
  for (let i = 0; i < reply.length; i += 12) deltas.push(reply.slice(i, i + 12));
  const times: number[] = [];
  let longest = 0;
  const perDelta: number[] = [];
  let hunks = 0;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const reader = new ReplyLines();
    const diff = new StreamDiff(original);
    for (const delta of deltas) {
      const t = performance.now();
      diff.push(reader.push(delta));
      if (round > 0) {
        // Round 0 warms up the JIT.
        const took = performance.now() - t;
        longest = Math.max(longest, took);
        perDelta.push(took);
      }
    }
    diff.push(reader.finish());
    diff.finish();
    times.push(performance.now() - started);
    hunks = diff.hunks().length;
    if (diff.textWith([]) !== original) throw new Error('Reject All must restore the original');
  }
  const medianMs = median(times);
  perDelta.sort((a, b) => a - b);
  const p999 = perDelta[Math.floor(perDelta.length * 0.999)] ?? 0;
  const result = { medianMs, perDeltaUs: (medianMs * 1000) / deltas.length, longestDeltaUs: longest * 1000, p999DeltaUs: p999 * 1000, hunks };
  await Promise.resolve();
  console.log(`editStream: 500-line replacement, ${deltas.length} deltas, ${hunks} hunks: ${medianMs.toFixed(2)} ms median (${rounds} rounds), ${result.perDeltaUs.toFixed(2)} µs/delta, 99.9th percentile delta ${result.p999DeltaUs.toFixed(0)} µs, longest ${result.longestDeltaUs.toFixed(0)} µs (a shared machine: the longest includes time the process was not scheduled)`);
  return result;
}
