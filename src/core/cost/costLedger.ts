// The cost ledger, shared by every window, kept small for years of use.
//
// Writing: each finished request appends one JSON line to `cost-ledger.jsonl` with a single O_APPEND write, so
// windows spending at the same time never overwrite each other (and older versions of the extension, which do
// the same, keep working). Reset appends a marker line. Appends never take a lock.
//
// Compaction (rotation + summary): when the live file passes `compactAtBytes`, one window, holding the
// cross-process lock `cost-ledger.lock` (fileLock.ts: mkdir + owner pid/time, stale-lock recovery):
//   1. renames the live file to a segment, `cost-ledger.<time>-<id>.segment.jsonl` (atomic; the next append of
//      any window creates a fresh live file, so no append can be lost to the rename);
//   2. folds every segment's not-yet-covered bytes (whole lines only) into the summary
//      `cost-ledger.summary.json` = {fold state, covered: {segment name: bytes folded}}, written atomically
//      (temp file + rename);
//   3. deletes segments that have been fully covered for `segmentGraceMs`, so a writer that opened the live file
//      just before the rename and wrote just after still lands in a segment that is read before it goes.
// Reading: summary + each segment's bytes beyond what the summary covers + the live file. Every step above leaves
// this sum equal to "every line once": before 2 a segment counts in full, after 2 only its uncovered tail; a crash
// at any point leaves files that still add up (a leftover lock is stale once its process is gone). So loading
// reads a small JSON summary and at most ~compactAtBytes of lines, however long the history.
// A torn last line (a short write on a full disk, a power cut) never swallows the next record: every append starts on
// a fresh line, and a line that cannot be parsed gives up only itself (a record glued to a fragment by an older
// version is found and kept). A record that cannot be written stays in memory, counted in this window's totals, and
// is written at the next append or retry; the caller says so ("Cost not recorded: …"). test/unit/cost-ledger-faults.test.ts
// counts it. Pure Node (fs), no vscode, so it is tested with real concurrent processes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileLockOptions } from '../conversation/fileLock';
import { describeWriteError, nodeStorageFs, type StorageFs, type WriteFailure } from '../storage/storageFs';
import { Folder, emptyFoldState, requestEntry, totalsFor, type CostTotals, type LedgerEntry, type RecordInput } from './costTotals';
import { LedgerCompactor, type CompactionHooks, type CompactionResult } from './ledgerCompaction';
import { foldInSlices, isSegment, readFileFrom, readFrom, readSummaryAsync, readSummarySync, safeReaddirSync, segmentNames, stampOf, statAsync, statOf, wholeLines, withLiveFile, type FullRead } from './ledgerFiles';

export interface CostLedgerOptions {
  /** Rotate the live file once it is larger than this (default 256 KiB, about 1,200 requests). */
  compactAtBytes?: number;
  /** Keep a folded segment this long before deleting it (default 10 minutes). */
  segmentGraceMs?: number;
  lock?: FileLockOptions;
  /** The file system appends go through (tests inject a full disk); default Node's. */
  fs?: StorageFs;
}

export class CostLedger {
  readonly summaryPath: string;
  readonly lockPath: string;
  private readonly dir: string;
  private readonly base: string;
  private readonly compactAtBytes: number;
  private readonly segmentGraceMs: number;
  private folder = new Folder();
  /** Bytes of the live file already folded (always just after a newline), and which file that was. */
  private offset = 0;
  private inode: number | undefined;
  private summaryStamp = '';
  /** Whether the files have been read at all: the first read waits until needed (activation must not block on it). */
  private hasRead = false;
  private totalsCache: CostTotals | undefined;
  /** Records whose write failed, oldest first: counted in the totals, written at the next append or retry. */
  private unwritten: LedgerEntry[] = [];
  /** Why the last write failed, in the user's words; undefined once everything is written. */
  private writeError: string | undefined;
  private readonly fs: StorageFs;
  private readonly compactor: LedgerCompactor;

  constructor(
    readonly filePath: string,
    readonly sessionId: string,
    private readonly now: () => number = Date.now,
    private readonly options: CostLedgerOptions = {},
  ) {
    this.dir = path.dirname(filePath);
    this.base = path.basename(filePath).replace(/\.jsonl$/, '');
    this.summaryPath = path.join(this.dir, `${this.base}.summary.json`);
    this.lockPath = path.join(this.dir, `${this.base}.lock`);
    this.compactAtBytes = options.compactAtBytes ?? 256 * 1024;
    this.segmentGraceMs = options.segmentGraceMs ?? 10 * 60_000;
    this.fs = options.fs ?? nodeStorageFs;
    this.compactor = new LedgerCompactor(filePath, this.summaryPath, this.lockPath, now, this.compactAtBytes, this.segmentGraceMs, options.lock);
  }

  get totals(): CostTotals {
    if (!this.hasRead) this.refresh();
    if (this.unwritten.length > 0) {
      // Not on disk yet, but spent: the status bar and the spending limits count them.
      const folder = new Folder(structuredClone(this.folder.state));
      for (const entry of this.unwritten) folder.apply(entry);
      return totalsFor(folder.state, this.sessionId);
    }
    this.totalsCache ??= totalsFor(this.folder.state, this.sessionId);
    return structuredClone(this.totalsCache);
  }

  /** Records kept in memory because they could not be written yet. */
  get unwrittenCount(): number {
    return this.unwritten.length;
  }

  /** Why the last write failed ("no space left on the disk"), while records wait to be written. */
  get lastWriteError(): string | undefined {
    return this.writeError;
  }

  /** Bytes in the live file: above `compactAtBytes`, `compact()` has work to do. */
  get liveBytes(): number {
    return this.offset;
  }

  get needsCompaction(): boolean {
    return this.offset > this.compactAtBytes;
  }

  /** The first read, without blocking the thread on file I/O; later calls just refresh. Never throws. */
  async load(): Promise<boolean> {
    if (this.hasRead) return this.refresh();
    for (let attempt = 0; attempt < 5; attempt++) {
      const read = await this.readAllAsync().catch(() => undefined);
      if (this.hasRead) return this.refresh(); // a synchronous read came first and has everything
      if (!read) continue; // the live file was rotated while reading: read again
      // A long uncompacted history (before its first compaction) is folded in slices, yielding between them.
      const folder = new Folder(read.summary?.state ?? emptyFoldState());
      for (const text of [...read.segmentTexts, read.liveText]) await foldInSlices(folder, text);
      if (this.hasRead) return this.refresh();
      this.adopt(read, folder);
      return read.summary !== undefined || read.liveBytes > 0 || read.segmentTexts.some((t) => t !== '');
    }
    return this.refresh();
  }

  /**
   * Appends one request line. Never throws: a ledger that cannot be written must not fail the request. False when it
   * could not be written (`lastWriteError` says why): the record is kept and written at the next append or retry.
   */
  record(input: RecordInput): boolean {
    return this.append(requestEntry(input, this.now(), this.sessionId));
  }

  /** Appends a reset marker: every window's totals restart from here, and no line written after it is lost. */
  reset(): boolean {
    return this.append({ t: 'reset', at: this.now(), win: this.sessionId });
  }

  /** Folds in what other writers appended (or a compaction changed) since the last read. True when the totals changed. */
  refresh(): boolean {
    const first = !this.hasRead;
    this.hasRead = true;
    const live = statOf(this.filePath);
    const summary = statOf(this.summaryPath);
    const rotated = live ? live.ino !== this.inode || live.size < this.offset : this.inode !== undefined;
    if (first || rotated || stampOf(summary) !== this.summaryStamp) {
      const read = this.readAllSync();
      if (!read) return false;
      const before = JSON.stringify(this.folder.state.allTime);
      this.adopt(read);
      return first || before !== JSON.stringify(this.folder.state.allTime) || rotated;
    }
    if (!live || live.size === this.offset) return false;
    return withLiveFile(this.filePath, (fd) => {
      if (fs.fstatSync(fd).ino !== this.inode) return this.refreshAfterRace();
      const { text, bytes } = wholeLines(readFrom(fd, this.offset));
      this.offset += bytes;
      const counted = this.folder.applyText(text);
      if (counted > 0) this.totalsCache = undefined;
      return counted > 0;
    });
  }

  /**
   * Rotates the live file into a segment (when it is over `compactAtBytes`, or `force`), folds segments into the
   * summary and deletes old folded segments, holding the cross-process lock. Safe while other processes append.
   */
  async compact(options: { force?: boolean; hooks?: CompactionHooks } = {}): Promise<CompactionResult> {
    const result = await this.compactor.run(options);
    this.refresh();
    return result;
  }

  /** The live file changed between stat and open: start over. */
  private refreshAfterRace(): boolean {
    const read = this.readAllSync();
    if (!read) return false;
    this.adopt(read);
    return true;
  }

  private adopt(read: FullRead, folded?: Folder): void {
    let folder = folded;
    if (!folder) {
      folder = new Folder(read.summary?.state ?? emptyFoldState());
      for (const text of read.segmentTexts) folder.applyText(text);
      folder.applyText(read.liveText);
    }
    this.folder = folder;
    this.offset = read.liveBytes;
    this.inode = read.liveInode;
    this.summaryStamp = read.summaryStamp;
    this.hasRead = true;
    this.totalsCache = undefined;
  }

  /** Summary, segments' uncovered tails, live file; read again if the live file was rotated meanwhile. */
  private readAllSync(): FullRead | undefined {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const before = statOf(this.filePath)?.ino;
        const summaryStamp = stampOf(statOf(this.summaryPath));
        const summary = readSummarySync(this.summaryPath);
        const segmentTexts: string[] = [];
        const names = safeReaddirSync(this.dir).filter((n) => isSegment(this.base, n)).sort();
        for (const name of names) {
          const covered = summary?.covered[name]?.bytes ?? 0;
          let fd: number;
          try {
            fd = fs.openSync(path.join(this.dir, name), 'r');
          } catch {
            continue; // deleted meanwhile: it was covered
          }
          try {
            segmentTexts.push(wholeLines(readFrom(fd, covered)).text);
          } finally {
            fs.closeSync(fd);
          }
        }
        let fd: number;
        try {
          fd = fs.openSync(this.filePath, 'r');
        } catch {
          if (before !== undefined) continue;
          return { summary, summaryStamp, segmentTexts, liveText: '', liveBytes: 0, liveInode: undefined };
        }
        try {
          const inode = fs.fstatSync(fd).ino;
          if (inode !== before) continue;
          const { text, bytes } = wholeLines(readFrom(fd, 0));
          return { summary, summaryStamp, segmentTexts, liveText: text, liveBytes: bytes, liveInode: inode };
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  private async readAllAsync(): Promise<FullRead | undefined> {
    const before = (await statAsync(this.filePath))?.ino;
    const summaryStamp = stampOf(await statAsync(this.summaryPath));
    const summary = await readSummaryAsync(this.summaryPath);
    const segmentTexts: string[] = [];
    for (const name of await segmentNames(this.dir, this.base)) {
      const bytes = await readFileFrom(path.join(this.dir, name), summary?.covered[name]?.bytes ?? 0).catch(() => Buffer.alloc(0));
      segmentTexts.push(wholeLines(bytes).text);
    }
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.filePath, 'r');
    } catch {
      return before === undefined ? { summary, summaryStamp, segmentTexts, liveText: '', liveBytes: 0, liveInode: undefined } : undefined;
    }
    try {
      const inode = (await handle.stat()).ino;
      if (inode !== before) return undefined;
      const { text, bytes } = wholeLines(await handle.readFile());
      return { summary, summaryStamp, segmentTexts, liveText: text, liveBytes: bytes, liveInode: inode };
    } finally {
      await handle.close();
    }
  }

  private append(entry: LedgerEntry): boolean {
    this.unwritten.push(entry);
    this.totalsCache = undefined;
    return this.writeUnwritten();
  }

  /** Writes the records a failed write left in memory, in order; true when none is left. */
  writeUnwritten(): boolean {
    let wrote = false;
    while (this.unwritten.length > 0) {
      const line = Buffer.from(`${JSON.stringify(this.unwritten[0])}\n`, 'utf8');
      // A torn last line (a short write, a power cut) must not swallow this record: start on a fresh line.
      const data = this.endsMidLine() ? Buffer.concat([Buffer.from('\n'), line]) : line;
      try {
        // O_APPEND: the kernel puts each write at the end, so concurrent writers interleave whole lines.
        this.fs.appendSync(this.filePath, data);
      } catch (error) {
        // All but the newline reached the file: the record is whole (the next append starts a fresh line).
        if (((error as WriteFailure).bytesWritten ?? 0) < data.length - 1) {
          this.writeError = describeWriteError(error);
          if (wrote) this.refresh();
          return false;
        }
      }
      this.unwritten.shift();
      this.totalsCache = undefined;
      wrote = true;
    }
    this.writeError = undefined;
    this.refresh();
    return true;
  }

  /** The live file's last byte is not a newline (what the last write left was cut). */
  private endsMidLine(): boolean {
    return withLiveFile(this.filePath, (fd) => {
      const size = fs.fstatSync(fd).size;
      if (size === 0) return false;
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      return last[0] !== 0x0a;
    });
  }
}
