// The cost ledger: an append-only JSON-lines file shared by every window. Each finished request appends one small
// line with a single O_APPEND write, so two windows spending at the same time never overwrite each other; Reset
// appends a marker line instead of rewriting the file for the same reason. Totals are folded from the lines.
// Pure Node (fs), no vscode, so it is tested with real concurrent writers.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One line of the ledger. `cost` is absent when the endpoint sent none: unknown, never counted as billed. */
export type LedgerEntry =
  | {
      t: 'req';
      at: number;
      /** The window session that made the request. */
      win: string;
      model: string;
      in: number;
      out: number;
      cost?: number;
      ms?: number;
      rid?: string;
      /** Who asked, e.g. `lm:VS Code chat` or `lm:<extension id>` (absent: this extension's own chat and inline). */
      src?: string;
    }
  | { t: 'reset'; at: number; win: string };

export interface CostBucket {
  /** Sum of billed credits (usage.cost) only. */
  credits: number;
  requests: number;
  /** Requests for which the endpoint sent no cost. */
  unknownRequests: number;
  inputTokens: number;
  outputTokens: number;
}

export interface LastRequest {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cost: number | undefined;
  at: number;
  durationMs?: number;
}

export interface CostTotals {
  /** Every window, since the last Reset. */
  allTime: CostBucket;
  /** This window's session, since the last Reset. */
  session: CostBucket;
  /** This window's most recent request. */
  last?: LastRequest;
  /** When the totals were last reset, if ever. */
  resetAt?: number;
}

export interface RecordInput {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cost?: number;
  durationMs?: number;
  requestId?: string;
  /** Who asked (language model requests: `lm:VS Code chat`, `lm:<extension id>`). */
  source?: string;
}

const emptyBucket = (): CostBucket => ({ credits: 0, requests: 0, unknownRequests: 0, inputTokens: 0, outputTokens: 0 });

export function emptyTotals(): CostTotals {
  return { allTime: emptyBucket(), session: emptyBucket() };
}

/** Folds one entry into the totals (mutates). Exported for tests and for readers that parse lines themselves. */
export function applyEntry(totals: CostTotals, entry: LedgerEntry, sessionId: string): void {
  if (entry.t === 'reset') {
    totals.allTime = emptyBucket();
    totals.session = emptyBucket();
    totals.resetAt = entry.at;
    return;
  }
  const buckets = entry.win === sessionId ? [totals.allTime, totals.session] : [totals.allTime];
  for (const bucket of buckets) {
    bucket.requests++;
    bucket.inputTokens += entry.in;
    bucket.outputTokens += entry.out;
    if (typeof entry.cost === 'number') bucket.credits += entry.cost;
    else bucket.unknownRequests++;
  }
  if (entry.win === sessionId) {
    totals.last = { model: entry.model, inputTokens: entry.in, outputTokens: entry.out, cost: entry.cost, at: entry.at, durationMs: entry.ms };
  }
}

/** Parses one line; anything that is not a well-formed entry (a torn or foreign line) is skipped. */
export function parseEntry(line: string): LedgerEntry | undefined {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.at !== 'number' || typeof v.win !== 'string') return undefined;
  if (v.t === 'reset') return { t: 'reset', at: v.at, win: v.win };
  if (v.t !== 'req') return undefined;
  const count = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : 0);
  return {
    t: 'req',
    at: v.at,
    win: v.win,
    model: typeof v.model === 'string' ? v.model : '',
    in: count(v.in),
    out: count(v.out),
    cost: typeof v.cost === 'number' && Number.isFinite(v.cost) && v.cost >= 0 ? v.cost : undefined,
    ms: typeof v.ms === 'number' ? v.ms : undefined,
    rid: typeof v.rid === 'string' ? v.rid : undefined,
    ...(typeof v.src === 'string' && v.src !== '' ? { src: v.src.slice(0, 200) } : {}),
  };
}

export class CostLedger {
  private totalsValue = emptyTotals();
  /** Bytes of the file already folded in (always just after a newline). */
  private offset = 0;
  private inode: number | undefined;
  /** Whether the file has been read at all: the first read waits until needed (it may be big; activation must not block on it). */
  private hasRead = false;

  constructor(
    readonly filePath: string,
    readonly sessionId: string,
    private readonly now: () => number = Date.now,
  ) {}

  get totals(): CostTotals {
    if (!this.hasRead) this.refresh();
    return structuredClone(this.totalsValue);
  }

  /** The first read, without blocking the thread on file I/O; later calls just refresh. Never throws. */
  async load(): Promise<boolean> {
    if (this.hasRead) return this.refresh();
    let bytes: Buffer;
    let inode: number;
    try {
      const handle = await fs.promises.open(this.filePath, 'r');
      try {
        inode = (await handle.stat()).ino;
        bytes = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch {
      return this.refresh(); // no ledger yet
    }
    // A synchronous read (a record, a totals read) came first and already has everything.
    if (this.hasRead) return this.refresh();
    this.hasRead = true;
    this.inode = inode;
    this.offset = 0;
    this.totalsValue = emptyTotals();
    const changed = this.fold(bytes, bytes.length);
    return this.refresh() || changed;
  }

  /** Appends one request line. Never throws: a ledger that cannot be written must not fail the request. */
  record(input: RecordInput): boolean {
    const entry: LedgerEntry = {
      t: 'req',
      at: this.now(),
      win: this.sessionId,
      model: input.model,
      in: Math.max(0, Math.round(input.inputTokens)),
      out: Math.max(0, Math.round(input.outputTokens)),
      ...(typeof input.cost === 'number' && Number.isFinite(input.cost) ? { cost: input.cost } : {}),
      ...(input.durationMs !== undefined ? { ms: Math.round(input.durationMs) } : {}),
      ...(input.requestId ? { rid: input.requestId.slice(0, 200) } : {}),
      ...(input.source ? { src: input.source.slice(0, 200) } : {}),
    };
    return this.append(entry);
  }

  /** Appends a reset marker: every window's totals restart from here, and no line written after it is lost. */
  reset(): boolean {
    return this.append({ t: 'reset', at: this.now(), win: this.sessionId });
  }

  /** Folds in the lines other writers appended since the last read. Returns true when the totals changed. */
  refresh(): boolean {
    this.hasRead = true;
    let fd: number;
    try {
      fd = fs.openSync(this.filePath, 'r');
    } catch {
      return false; // no ledger yet
    }
    try {
      const stat = fs.fstatSync(fd);
      if (stat.ino !== this.inode || stat.size < this.offset) {
        // A new or replaced file: start over.
        this.inode = stat.ino;
        this.offset = 0;
        this.totalsValue = emptyTotals();
      }
      if (stat.size === this.offset) return false;
      const buffer = Buffer.alloc(stat.size - this.offset);
      let read = 0;
      while (read < buffer.length) {
        const n = fs.readSync(fd, buffer, read, buffer.length - read, this.offset + read);
        if (n === 0) break;
        read += n;
      }
      return this.fold(buffer, read);
    } catch {
      return false;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Folds the whole lines of the first `length` bytes read at `offset`; a line still being written waits for the next read. */
  private fold(buffer: Buffer, length: number): boolean {
    if (length === 0) return false;
    const lastNewline = buffer.lastIndexOf(0x0a, length - 1);
    if (lastNewline < 0) return false;
    const text = buffer.subarray(0, lastNewline + 1).toString('utf8');
    this.offset += lastNewline + 1;
    let changed = false;
    for (const line of text.split('\n')) {
      const entry = parseEntry(line);
      if (entry) {
        applyEntry(this.totalsValue, entry, this.sessionId);
        changed = true;
      }
    }
    return changed;
  }

  private append(entry: LedgerEntry): boolean {
    try {
      fs.mkdirSync(path.dirname(this.filePath), { recursive: true });
      // 'a' = O_APPEND: the kernel puts each write at the end, so concurrent writers interleave whole lines.
      fs.appendFileSync(this.filePath, `${JSON.stringify(entry)}\n`, { encoding: 'utf8', flag: 'a' });
    } catch {
      return false;
    }
    this.refresh();
    return true;
  }
}

/** Credits for the status bar: enough digits to see a single cheap request, never scientific notation. */
export function formatCredits(credits: number): string {
  if (credits === 0) return '0';
  if (Math.abs(credits) < 0.0000005) return '<0.000001';
  const digits = credits >= 100 ? 2 : credits >= 1 ? 3 : credits >= 0.01 ? 4 : 6;
  // Trailing zeros carry no information; keep two decimals so amounts line up.
  return credits.toFixed(digits).replace(/(\.\d\d\d*?)0+$/, '$1');
}
