// Reading the cost ledger's files: the summary's format, the lines of a file from an offset (whole lines only: a line
// still being written waits for the next read), and folding long text in slices that let other work run between them.
import * as fs from 'node:fs';
import { emptyFoldState, type Folder, type FoldState } from './costTotals';

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

export function parseSummary(text: string): Summary | undefined {
  try {
    const value = JSON.parse(text) as Partial<Summary>;
    if (value.version !== SUMMARY_VERSION || typeof value.state !== 'object' || value.state === null || typeof value.covered !== 'object' || value.covered === null) return undefined;
    const state = { ...emptyFoldState(), ...value.state };
    return { version: SUMMARY_VERSION, at: typeof value.at === 'number' ? value.at : 0, covered: value.covered, state };
  } catch {
    return undefined;
  }
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
