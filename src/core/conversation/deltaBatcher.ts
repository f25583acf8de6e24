// Collects streamed text and thinking deltas and hands them on at most once per frame (~16 ms),
// merged per block and carrying only new text, so the webview gets one small message per frame
// however fast the stream is. Per delta it only pushes a string onto an array.
import type { DeltaChunk } from '../../common/chatTypes';

/** Timer functions, injectable so tests drive time by hand. */
export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface PendingChunk {
  block: number;
  kind: DeltaChunk['kind'];
  parts: string[];
}

export const FRAME_MS = 16;

export class DeltaBatcher {
  private turnId: string | undefined;
  private pending: PendingChunk[] = [];
  private timer: unknown;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deliver: (turnId: string, chunks: DeltaChunk[]) => void,
    private readonly scheduler: Scheduler = realScheduler,
    private readonly intervalMs = FRAME_MS,
  ) {}

  push(turnId: string, chunk: DeltaChunk): void {
    if (this.turnId !== undefined && this.turnId !== turnId) this.flush();
    this.turnId = turnId;
    const last = this.pending[this.pending.length - 1];
    if (last && last.block === chunk.block && last.kind === chunk.kind) {
      if (chunk.text) last.parts.push(chunk.text);
    } else {
      // An empty chunk still announces a new block.
      this.pending.push({ block: chunk.block, kind: chunk.kind, parts: chunk.text ? [chunk.text] : [] });
    }
    if (this.timer === undefined) {
      const wait = Math.max(0, this.intervalMs - (this.scheduler.now() - this.lastFlushAt));
      this.timer = this.scheduler.setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
    }
  }

  /** Delivers whatever is pending now (before a block, an end, or a restart). */
  flush(): void {
    this.cancelTimer();
    const turnId = this.turnId;
    const pending = this.pending;
    this.pending = [];
    if (turnId === undefined || pending.length === 0) return;
    this.lastFlushAt = this.scheduler.now();
    this.deliver(
      turnId,
      pending.map((p) => ({ block: p.block, kind: p.kind, text: p.parts.length === 1 ? p.parts[0] : p.parts.join('') })),
    );
  }

  /** Drops what is pending: a snapshot that already contains it is about to be sent. */
  discard(): void {
    this.cancelTimer();
    this.pending = [];
  }

  dispose(): void {
    this.discard();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) {
      this.scheduler.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
