// Compaction of the cost ledger (rotation + summary, described at the top of costLedger.ts): under the cross-process
// lock, the live file becomes a segment, segments are folded into the summary, and old folded segments are deleted.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withFileLock, type FileLockOptions } from '../conversation/fileLock';
import { Folder, pruneFoldState } from './costTotals';
import { foldInSlices, newSummary, readFileFrom, readSummaryAsync, segmentNames, statOf, wholeLines, type Summary } from './ledgerFiles';

/** Test hooks: called inside compaction, while the lock is held. */
export interface CompactionHooks {
  afterRename?: () => void | Promise<void>;
  afterSummary?: () => void | Promise<void>;
}

export interface CompactionResult {
  /** The live file was rotated into a segment. */
  rotated: boolean;
  /** Segment bytes folded into the summary. */
  foldedBytes: number;
  deletedSegments: number;
}

export class LedgerCompactor {
  private readonly dir: string;
  private readonly base: string;

  constructor(
    private readonly filePath: string,
    private readonly summaryPath: string,
    private readonly lockPath: string,
    private readonly now: () => number,
    private readonly compactAtBytes: number,
    private readonly segmentGraceMs: number,
    private readonly lock: FileLockOptions | undefined,
  ) {
    this.dir = path.dirname(filePath);
    this.base = path.basename(filePath).replace(/\.jsonl$/, '');
  }

  /**
   * Rotates the live file into a segment (when it is over `compactAtBytes`, or `force`), folds segments into the
   * summary and deletes old folded segments, holding the cross-process lock. Safe while other processes append.
   */
  async run(options: { force?: boolean; hooks?: CompactionHooks } = {}): Promise<CompactionResult> {
    const result: CompactionResult = { rotated: false, foldedBytes: 0, deletedSegments: 0 };
    await withFileLock(
      this.lockPath,
      async () => {
        const size = statOf(this.filePath)?.size ?? 0;
        // Checked again under the lock: another window may have just done it.
        if (size > 0 && (options.force || size > this.compactAtBytes)) {
          const segment = `${this.base}.${String(this.now()).padStart(14, '0')}-${randomUUID().slice(0, 8)}.segment.jsonl`;
          await fs.promises.rename(this.filePath, path.join(this.dir, segment));
          result.rotated = true;
          await options.hooks?.afterRename?.();
        }
        const summary = (await readSummaryAsync(this.summaryPath)) ?? newSummary(this.now());
        const folder = new Folder(summary.state);
        const segments = await segmentNames(this.dir, this.base);
        for (const name of segments) {
          const covered = summary.covered[name]?.bytes ?? 0;
          const bytes = await readFileFrom(path.join(this.dir, name), covered);
          const { text, bytes: whole } = wholeLines(bytes);
          if (whole === 0) continue;
          await foldInSlices(folder, text);
          summary.covered[name] = { bytes: covered + whole, at: this.now() };
          result.foldedBytes += whole;
        }
        if (result.foldedBytes > 0 || result.rotated) {
          summary.at = this.now();
          pruneFoldState(summary.state, this.now());
          await this.writeSummary(summary);
          await options.hooks?.afterSummary?.();
        }
        result.deletedSegments = await this.deleteFoldedSegments(summary, segments);
        await this.removeLeftoverTemps();
      },
      this.lock,
    );
    return result;
  }

  private async deleteFoldedSegments(summary: Summary, segments: string[]): Promise<number> {
    let deleted = 0;
    for (const name of segments) {
      const covered = summary.covered[name];
      if (!covered || covered.at > this.now() - this.segmentGraceMs) continue;
      const size = statOf(path.join(this.dir, name))?.size;
      if (size !== covered.bytes) continue; // a late write: it is folded at the next compaction
      await fs.promises.rm(path.join(this.dir, name), { force: true });
      deleted++;
    }
    // Forget deleted segments (their lines stay in the state; names are never reused). Readers read the summary
    // before listing segments, so one that sees this summary can no longer list them.
    const existing = new Set(await segmentNames(this.dir, this.base));
    const gone = Object.keys(summary.covered).filter((name) => !existing.has(name));
    if (gone.length > 0) {
      for (const name of gone) delete summary.covered[name];
      await this.writeSummary(summary);
    }
    return deleted;
  }

  private async writeSummary(summary: Summary): Promise<void> {
    const temp = `${this.summaryPath}.${randomUUID()}.tmp`;
    await fs.promises.writeFile(temp, JSON.stringify(summary));
    await fs.promises.rename(temp, this.summaryPath);
  }

  /** Temp summaries left by a compaction that crashed before its rename. */
  private async removeLeftoverTemps(): Promise<void> {
    const names = await fs.promises.readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.startsWith(`${this.base}.summary.json.`) || !name.endsWith('.tmp')) continue;
      const stat = statOf(path.join(this.dir, name));
      if (stat && stat.mtimeMs < this.now() - 60_000) await fs.promises.rm(path.join(this.dir, name), { force: true });
    }
  }
}
