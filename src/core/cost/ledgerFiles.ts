// Reading the cost ledger's files: the summary's format, the lines of a file from an offset (whole lines only: a line
// still being written waits for the next read), and folding long text in slices that let other work run between them.
import * as fs from 'node:fs';
import { isFiniteNumber, isObject } from '../storage/readBack';
import { emptyBucket, emptyFoldState, entryFrom, type CostBucket, type Folder, type FoldState, type LastRequest, type LedgerRequest, type SessionState } from './costTotals';

export interface Summary {
  version: 2;
  at: number;
  covered: Record<string, { bytes: number; at: number }>;
  state: FoldState;
}

const SUMMARY_VERSION = 2;

export interface FullRead {
  summary: Summary | undefined;
  summaryStamp: string;
  segmentTexts: string[];
  liveText: string;
  liveBytes: number;
  liveInode: number | undefined;
}

export function newSummary(now: number): Summary {
  return { version: SUMMARY_VERSION, at: now, covered: {}, state: emptyFoldState() };
}

/**
 * The summary in `text`, or undefined when it is not one (torn, another version, its segment offsets unreadable: the
 * ledger is then folded again from the files it still has). Its numbers reach the status bar, the limits and the cost
 * view, so each part is checked: a number that is not one counts as 0, and a malformed request, session or bucket of
 * a day, month, model or source is dropped, keeping the rest of the history (the segments it folded may be gone).
 */
export function parseSummary(text: string): Summary | undefined {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (!isObject(value) || value.version !== SUMMARY_VERSION || !isObject(value.covered) || !Object.values(value.covered).every(isCovered) || !isObject(value.state)) return undefined;
    return { version: SUMMARY_VERSION, at: isFiniteNumber(value.at) ? value.at : 0, covered: value.covered as Summary['covered'], state: foldStateFrom(value.state) };
  } catch {
    return undefined;
  }
}

const isCovered = (x: unknown): boolean => isObject(x) && isFiniteNumber(x.bytes) && x.bytes >= 0 && isFiniteNumber(x.at);

function recordOf<T>(x: unknown, item: (v: unknown) => T | undefined): Record<string, T> {
  const out: Record<string, T> = {};
  if (isObject(x)) for (const [key, v] of Object.entries(x)) {
    const kept = item(v);
    if (kept !== undefined) out[key] = kept;
  }
  return out;
}

function bucketFrom(x: unknown): CostBucket | undefined {
  if (!isObject(x)) return undefined;
  const bucket = emptyBucket();
  for (const key of Object.keys(bucket) as Array<keyof CostBucket>) if (isFiniteNumber(x[key])) bucket[key] = x[key];
  return bucket;
}

function lastFrom(x: unknown): LastRequest | undefined {
  if (!isObject(x) || typeof x.model !== 'string' || typeof x.source !== 'string' || !isFiniteNumber(x.at)) return undefined;
  const n = (v: unknown) => (isFiniteNumber(v) ? v : 0);
  const last: LastRequest = { model: x.model, source: x.source, at: x.at, inputTokens: n(x.inputTokens), outputTokens: n(x.outputTokens), cacheReadTokens: n(x.cacheReadTokens), cacheWriteTokens: n(x.cacheWriteTokens), cost: isFiniteNumber(x.cost) ? x.cost : undefined, estimatedCost: isFiniteNumber(x.estimatedCost) ? x.estimatedCost : undefined };
  if (isFiniteNumber(x.durationMs)) last.durationMs = x.durationMs;
  return last;
}

function sessionFrom(x: unknown): SessionState | undefined {
  const bucket = isObject(x) ? bucketFrom(x.bucket) : undefined;
  if (!isObject(x) || !bucket || !isFiniteNumber(x.lastAt)) return undefined;
  const last = lastFrom(x.last);
  return last ? { bucket, lastAt: x.lastAt, last } : { bucket, lastAt: x.lastAt };
}

function foldStateFrom(x: Record<string, unknown>): FoldState {
  const state: FoldState = {
    allTime: bucketFrom(x.allTime) ?? emptyBucket(),
    days: recordOf(x.days, bucketFrom),
    months: recordOf(x.months, bucketFrom),
    models: recordOf(x.models, bucketFrom),
    sources: recordOf(x.sources, bucketFrom),
    sessions: recordOf(x.sessions, sessionFrom),
    recent: (Array.isArray(x.recent) ? x.recent : []).map(entryFrom).filter((entry): entry is LedgerRequest => entry?.t === 'req'),
  };
  if (isFiniteNumber(x.resetAt)) state.resetAt = x.resetAt;
  return state;
}

export function readSummarySync(file: string): Summary | undefined {
  try {
    return parseSummary(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export async function readSummaryAsync(file: string): Promise<Summary | undefined> {
  try {
    return parseSummary(await fs.promises.readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

export async function statAsync(file: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.stat(file);
  } catch {
    return undefined;
  }
}

export function stampOf(stat: fs.Stats | undefined): string {
  return stat ? `${stat.ino}:${stat.size}:${stat.mtimeMs}` : '';
}

export function safeReaddirSync(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Everything from `offset` to the end of the open file. */
export function readFrom(fd: number, offset: number): Buffer {
  const size = fs.fstatSync(fd).size;
  if (size <= offset) return Buffer.alloc(0);
  const buffer = Buffer.alloc(size - offset);
  let read = 0;
  while (read < buffer.length) {
    const n = fs.readSync(fd, buffer, read, buffer.length - read, offset + read);
    if (n === 0) break;
    read += n;
  }
  return buffer.subarray(0, read);
}

export async function readFileFrom(file: string, offset: number): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size - offset);
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await handle.read(buffer, read, buffer.length - read, offset + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buffer.subarray(0, read);
  } finally {
    await handle.close();
  }
}

const SLICE_CHARS = 1_000_000;

/** Folds `text` about 5,000 lines at a time, letting other work run between slices (the extension host is shared). */
export async function foldInSlices(folder: Folder, text: string): Promise<void> {
  let start = 0;
  while (text.length - start > SLICE_CHARS) {
    const end = text.indexOf('\n', start + SLICE_CHARS);
    if (end < 0) break;
    folder.applyText(text.slice(start, end + 1));
    start = end + 1;
    await new Promise((resolve) => setImmediate(resolve));
  }
  folder.applyText(start === 0 ? text : text.slice(start));
}

/** The whole lines of `buffer` (a line still being written waits for the next read) and their byte length. */
export function wholeLines(buffer: Buffer): { text: string; bytes: number } {
  const lastNewline = buffer.lastIndexOf(0x0a);
  if (lastNewline < 0) return { text: '', bytes: 0 };
  return { text: buffer.subarray(0, lastNewline + 1).toString('utf8'), bytes: lastNewline + 1 };
}

/** Runs `read` on the file opened for reading; false when it cannot be opened or `read` throws (the file is closed after). */
export function withLiveFile(filePath: string, read: (fd: number) => boolean): boolean {
  let fd: number;
  try {
    fd = fs.openSync(filePath, 'r');
  } catch {
    return false;
  }
  try {
    return read(fd);
  } catch {
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/** The ledger's segment files in `dir` (named after the live file's `base`), oldest first. */
export async function segmentNames(dir: string, base: string): Promise<string[]> {
  const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => isSegment(base, n)).sort();
}

export function isSegment(base: string, name: string): boolean {
  return name.startsWith(`${base}.`) && name.endsWith('.segment.jsonl');
}
