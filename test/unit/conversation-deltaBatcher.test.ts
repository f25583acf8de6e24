import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeltaChunk } from '../../src/common/chatTypes';
import { DeltaBatcher, type Scheduler } from '../../src/core/conversation/deltaBatcher';

/** A hand-driven clock: timers fire only when the test advances time. */
class FakeScheduler implements Scheduler {
  time = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  get pending(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = end;
  }
}

function setup() {
  const scheduler = new FakeScheduler();
  const sent: { turnId: string; chunks: DeltaChunk[] }[] = [];
  const batcher = new DeltaBatcher((turnId, chunks) => sent.push({ turnId, chunks }), scheduler, 16);
  return { scheduler, sent, batcher };
}

test('deltas pushed within one frame go out as one message, merged per block', () => {
  const { scheduler, sent, batcher } = setup();
  // The first delta after a quiet period goes out on the next tick; the frame starts there.
  batcher.push('a1', { block: 0, kind: 'thinking', text: '' });
  scheduler.advance(0);
  assert.equal(sent.length, 1);
  sent.length = 0;
  batcher.push('a1', { block: 0, kind: 'thinking', text: 'Let ' });
  batcher.push('a1', { block: 0, kind: 'thinking', text: 'me think' });
  batcher.push('a1', { block: 1, kind: 'text', text: 'Hel' });
  batcher.push('a1', { block: 1, kind: 'text', text: 'lo' });
  assert.equal(sent.length, 0, 'nothing is sent before the frame ends');
  scheduler.advance(15);
  assert.equal(sent.length, 0);
  scheduler.advance(1);
  assert.deepEqual(sent, [
    {
      turnId: 'a1',
      chunks: [
        { block: 0, kind: 'thinking', text: 'Let me think' },
        { block: 1, kind: 'text', text: 'Hello' },
      ],
    },
  ]);
});

test('each flush carries only the text that is new since the last one', () => {
  const { scheduler, sent, batcher } = setup();
  batcher.push('a1', { block: 0, kind: 'text', text: 'one ' });
  scheduler.advance(16);
  batcher.push('a1', { block: 0, kind: 'text', text: 'two ' });
  batcher.push('a1', { block: 0, kind: 'text', text: 'three' });
  scheduler.advance(16);
  assert.deepEqual(
    sent.map((s) => s.chunks),
    [[{ block: 0, kind: 'text', text: 'one ' }], [{ block: 0, kind: 'text', text: 'two three' }]],
  );
});

test('a thousand deltas in 100 ms give at most one message per 16 ms frame, and no text is lost', () => {
  const { scheduler, sent, batcher } = setup();
  let expected = '';
  for (let i = 0; i < 1000; i++) {
    const text = `w${i} `;
    expected += text;
    batcher.push('a1', { block: 0, kind: 'text', text });
    scheduler.advance(0.1);
  }
  scheduler.advance(16);
  assert.ok(sent.length <= Math.ceil(100 / 16) + 1, `sent ${sent.length} messages`);
  assert.ok(sent.length >= 5, 'flushes happen while the stream goes on, not only at the end');
  assert.equal(sent.flatMap((s) => s.chunks.map((c) => c.text)).join(''), expected);
  const times: number[] = [];
  // Re-run recording flush times to check spacing.
  const s2 = setup();
  const b2 = new DeltaBatcher(() => times.push(s2.scheduler.time), s2.scheduler, 16);
  for (let i = 0; i < 1000; i++) {
    b2.push('a1', { block: 0, kind: 'text', text: 'x' });
    s2.scheduler.advance(0.1);
  }
  for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 16 - 1e-9, `flushes ${times[i - 1]} and ${times[i]} are closer than a frame`);
});

test('after a quiet period the next delta is not held back a whole frame', () => {
  const { scheduler, sent, batcher } = setup();
  batcher.push('a1', { block: 0, kind: 'text', text: 'a' });
  scheduler.advance(16);
  scheduler.advance(100);
  batcher.push('a1', { block: 0, kind: 'text', text: 'b' });
  scheduler.advance(0);
  assert.equal(sent.length, 2);
});

test('flush() sends at once and cancels the timer; discard() drops pending text', () => {
  const { scheduler, sent, batcher } = setup();
  batcher.push('a1', { block: 0, kind: 'text', text: 'kept' });
  batcher.flush();
  assert.equal(sent.length, 1);
  assert.equal(scheduler.pending, 0);
  batcher.push('a1', { block: 0, kind: 'text', text: 'dropped' });
  batcher.discard();
  scheduler.advance(100);
  assert.equal(sent.length, 1);
  batcher.flush();
  assert.equal(sent.length, 1, 'an empty flush sends nothing');
});

test('an empty chunk announces a new block; empty chunks for the same block add nothing', () => {
  const { scheduler, sent, batcher } = setup();
  batcher.push('a1', { block: 0, kind: 'text', text: '' });
  batcher.push('a1', { block: 0, kind: 'text', text: '' });
  batcher.push('a1', { block: 1, kind: 'text', text: '' });
  scheduler.advance(16);
  assert.deepEqual(sent[0].chunks, [
    { block: 0, kind: 'text', text: '' },
    { block: 1, kind: 'text', text: '' },
  ]);
});

test('a delta for another turn flushes the previous turn first', () => {
  const { sent, batcher } = setup();
  batcher.push('a1', { block: 0, kind: 'text', text: 'first' });
  batcher.push('a2', { block: 0, kind: 'text', text: 'second' });
  batcher.flush();
  assert.deepEqual(
    sent.map((s) => [s.turnId, s.chunks[0].text]),
    [
      ['a1', 'first'],
      ['a2', 'second'],
    ],
  );
});
