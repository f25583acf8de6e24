// Host-side cost of a streamed delta in the chat: the live answer accumulation plus the frame batcher, per
// delta, against the naive alternative (re-serialising the whole answer for the webview on every delta).
// Numbers only; no pass/fail.
import type { StreamEvent } from '../src/api';
import { LiveAnswer } from '../src/core/conversation/conversationAnswer';
import { DeltaBatcher, type Scheduler } from '../src/core/conversation/deltaBatcher';
import type { BenchRunOptions } from './run';

function events(count: number): StreamEvent[] {
  const out: StreamEvent[] = [{ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }];
  for (let i = 0; i < count; i++) out.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `token${i % 97} ` } });
  out.push({ type: 'content_block_stop', index: 0 });
  return out;
}

/** Timers that fire when the bench says a frame passed (every `perFrame` deltas), so flush work is counted too. */
class FrameScheduler implements Scheduler {
  private due: (() => void) | undefined;
  time = 0;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void): unknown {
    this.due = fn;
    return 1;
  }
  clearTimeout(): void {
    this.due = undefined;
  }
  frame(): void {
    this.time += 16;
    const fn = this.due;
    this.due = undefined;
    fn?.();
  }
}

function ours(stream: StreamEvent[], perFrame: number): { ms: number; posts: number; bytes: number } {
  const scheduler = new FrameScheduler();
  let posts = 0;
  let bytes = 0;
  const batcher = new DeltaBatcher((turnId, chunks) => {
    posts++;
    bytes += JSON.stringify({ type: 'delta', turnId, chunks }).length;
  }, scheduler);
  const live = new LiveAnswer();
  const start = performance.now();
  let n = 0;
  for (const event of stream) {
    const update = live.apply(event);
    if (update?.kind === 'delta') batcher.push('turn', update.chunk);
    if (++n % perFrame === 0) scheduler.frame();
  }
  batcher.flush();
  live.content();
  return { ms: performance.now() - start, posts, bytes };
}

function naive(stream: StreamEvent[]): { ms: number; posts: number; bytes: number } {
  let text = '';
  let posts = 0;
  let bytes = 0;
  const start = performance.now();
  for (const event of stream) {
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
      text += event.delta.text;
      posts++;
      bytes += JSON.stringify({ type: 'answer', blocks: [{ kind: 'text', text }] }).length;
    }
  }
  return { ms: performance.now() - start, posts, bytes };
}

export async function benchChatHost(options: BenchRunOptions = {}): Promise<void> {
  const count = options.deltas ?? 20_000;
  const rounds = options.rounds ?? 5;
  const stream = events(count);
  // Deltas arriving ~10 per 16 ms frame (a fast model).
  const perFrame = 10;
  ours(stream, perFrame);
  naive(stream);
  const a: number[] = [];
  const b: number[] = [];
  let lastOurs = ours(stream, perFrame);
  let lastNaive = naive(stream);
  for (let r = 0; r < rounds; r++) {
    lastOurs = ours(stream, perFrame);
    a.push(lastOurs.ms);
    lastNaive = naive(stream);
    b.push(lastNaive.ms);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  console.log(`chat host: ${count} text deltas, ${perFrame} per 16 ms frame, median of ${rounds} rounds`);
  console.log(`  live answer + frame batcher: ${((median(a) * 1e6) / count).toFixed(0)} ns/delta, ${lastOurs.posts} posts, ${(lastOurs.bytes / 1024).toFixed(0)} KiB posted`);
  console.log(`  naive whole answer per delta: ${((median(b) * 1e6) / count).toFixed(0)} ns/delta, ${lastNaive.posts} posts, ${(lastNaive.bytes / 1024 / 1024).toFixed(0)} MiB posted`);
}
