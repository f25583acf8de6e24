// The workspace's files at one moment (path → content hash), for what a command changed. Skips .git/, node_modules/,
// what files.exclude hides, symlinks, files over MAX_SNAPSHOT_BYTES and binary files. Files whose size and times are
// unchanged since the last snapshot are not read again (a stat cache in `stats.json`); every content read is kept as a
// blob, so a command's changes can be undone.
import { lstat, readdir } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { looksBinary } from '../tools/textFile';
import { readOrNull, type BlobStore } from './blobStore';
import { MAX_SNAPSHOT_BYTES, type CheckpointOptions, type Snapshot, type Stats } from './checkpointTypes';

const SKIPPED_FOLDERS = new Set(['.git', 'node_modules']);

export class WorkspaceSnapshot {
  private stats: Stats | undefined;

  /** `save`: writes a file of the store's folder atomically (the stat cache). */
  constructor(
    private readonly options: Pick<CheckpointOptions, 'dir' | 'roots' | 'excluded'>,
    private readonly blobs: BlobStore,
    private readonly save: (path: string, text: string) => Promise<void>,
  ) {}

  private get statsPath(): string {
    return nodePath.join(this.options.dir, 'stats.json');
  }

  private readStats(): Promise<Stats> {
    return readOrNull(this.statsPath).then((raw) => (raw ? (JSON.parse(raw.toString('utf8')) as Stats) : {})).catch(() => ({}));
  }

  async take(): Promise<Snapshot> {
    this.stats ??= await this.readStats();
    const snapshot: Snapshot = new Map();
    const stats: Stats = {};
    const pending: Promise<void>[] = [];
    const visit = async (root: string, folder: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const path = nodePath.join(folder, entry.name);
        const relative = nodePath.relative(root, path).split(nodePath.sep).join('/');
        if (entry.isDirectory()) {
          if (SKIPPED_FOLDERS.has(entry.name) || this.options.excluded?.(root, relative)) continue;
          await visit(root, path);
        } else if (entry.isFile()) {
          if (this.options.excluded?.(root, relative)) continue;
          pending.push(this.snapshotFile(path, snapshot, stats));
          if (pending.length >= 64) await Promise.all(pending.splice(0));
        }
      }
    };
    for (const root of this.options.roots()) await visit(root, root);
    await Promise.all(pending);
    this.stats = stats;
    // A cache, not a record: the last window's wins, and a stale entry only costs a read.
    await this.save(this.statsPath, JSON.stringify(stats));
    return snapshot;
  }

  private async snapshotFile(path: string, snapshot: Snapshot, stats: Stats): Promise<void> {
    let stat;
    try {
      stat = await lstat(path);
    } catch {
      return;
    }
    if (!stat.isFile() || stat.size > MAX_SNAPSHOT_BYTES) return;
    const known = this.stats?.[path];
    if (known && known[0] === stat.size && known[1] === stat.mtimeMs && known[2] === stat.ctimeMs && known[3] === stat.ino) {
      snapshot.set(path, known[4]);
      stats[path] = known;
      return;
    }
    const bytes = await readOrNull(path);
    if (bytes === null || looksBinary(bytes)) return;
    const hash = await this.blobs.put(bytes);
    snapshot.set(path, hash);
    stats[path] = [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino, hash];
  }

  /** The blobs the stat cache refers to (on disk, another window's, and this one's): prune keeps them. */
  async referenced(): Promise<string[]> {
    const stats = await this.readStats();
    return [...Object.values(stats), ...Object.values(this.stats ?? {})].map((entry) => entry[4]);
  }
}
