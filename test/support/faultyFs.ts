// A file system for the fault suite (SQLite's injected VFS, in small): the real one underneath, plus a disk that
// fills up (writes beyond `quotaBytes` are cut short and fail with ENOSPC, as a full disk does), one-shot failures of
// a named operation, and a log of the calls (to check fsync comes before rename). Pure Node; used by unit tests only.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { nodeStorageFs, type StorageFs, type WriteFailure } from '../../src/core/storage/storageFs';

type Op = 'writeFile' | 'rename' | 'link' | 'rm' | 'syncDir' | 'appendSync' | 'append' | 'fsync';

export class FaultyFs implements StorageFs {
  /** Bytes the folder tree under `root` may hold (undefined: no limit). */
  quotaBytes: number | undefined;
  /** Calls made, in order: [op, path]. fsync of a written file shows as 'fsync'. */
  readonly calls: [Op | 'readFile' | 'stat' | 'readdir' | 'mkdir', string][] = [];
  private readonly failures: { op: Op; code: string; match?: (path: string) => boolean }[] = [];

  constructor(readonly root: string, options: { quotaBytes?: number } = {}) {
    this.quotaBytes = options.quotaBytes;
  }

  /** The next call of `op` (whose path passes `match`) fails with `code`. */
  failNext(op: Op, code: string, match?: (path: string) => boolean): void {
    this.failures.push({ op, code, match });
  }

  /** Bytes held under `root` (hard links counted once). */
  usedBytes(): number {
    const seen = new Set<number>();
    let used = 0;
    const walk = (dir: string): void => {
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        return;
      }
      for (const name of names) {
        const path = join(dir, name);
        let s: fs.Stats;
        try {
          s = fs.lstatSync(path);
        } catch {
          continue;
        }
        if (s.isDirectory()) walk(path);
        else if (!seen.has(s.ino)) {
          seen.add(s.ino);
          used += s.size;
        }
      }
    };
    walk(this.root);
    return used;
  }

  /** Bytes of temp files under `root`. */
  tempBytes(): number {
    let bytes = 0;
    const walk = (dir: string): void => {
      for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        const path = join(dir, name);
        const s = fs.lstatSync(path);
        if (s.isDirectory()) walk(path);
        else if (name.endsWith('.tmp')) bytes += s.size;
      }
    };
    walk(this.root);
    return bytes;
  }

  private injected(op: Op, path: string): void {
    const i = this.failures.findIndex((f) => f.op === op && (!f.match || f.match(path)));
    if (i < 0) return;
    const [failure] = this.failures.splice(i, 1);
    throw Object.assign(new Error(`${failure!.code}: injected failure, ${op} '${path}'`), { code: failure!.code });
  }

  /** How many of `wanted` bytes fit on the disk when `replacing` bytes are freed first. */
  private room(wanted: number, replacing = 0): number {
    if (this.quotaBytes === undefined) return wanted;
    return Math.max(0, Math.min(wanted, this.quotaBytes - this.usedBytes() + replacing));
  }

  readFile(path: string): Promise<string> {
    this.calls.push(['readFile', path]);
    return nodeStorageFs.readFile(path);
  }

  async writeFile(path: string, text: string, options: { durable?: boolean } = {}): Promise<void> {
    this.calls.push(['writeFile', path]);
    this.injected('writeFile', path);
    const data = Buffer.from(text, 'utf8');
    const existing = fs.existsSync(path) ? fs.statSync(path) : undefined;
    const fits = this.room(data.length, existing && existing.nlink === 1 ? existing.size : 0);
    fs.writeFileSync(path, data.subarray(0, fits));
    if (fits < data.length) throw enospc(fits, `writeFile '${path}'`);
    if (options.durable) {
      this.calls.push(['fsync', path]);
      this.injected('fsync', path);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    this.calls.push(['rename', to]);
    this.injected('rename', to);
    await nodeStorageFs.rename(from, to);
  }

  async link(existing: string, newPath: string): Promise<void> {
    this.calls.push(['link', newPath]);
    this.injected('link', newPath);
    await nodeStorageFs.link(existing, newPath);
  }

  async rm(path: string): Promise<void> {
    this.calls.push(['rm', path]);
    this.injected('rm', path);
    await nodeStorageFs.rm(path);
  }

  readdir(dir: string): Promise<string[]> {
    this.calls.push(['readdir', dir]);
    return nodeStorageFs.readdir(dir);
  }

  stat(path: string): ReturnType<StorageFs['stat']> {
    return nodeStorageFs.stat(path);
  }

  mkdir(dir: string): Promise<void> {
    return nodeStorageFs.mkdir(dir);
  }

  async syncDir(dir: string): Promise<void> {
    this.calls.push(['syncDir', dir]);
    this.injected('syncDir', dir);
    await nodeStorageFs.syncDir(dir);
  }

  appendSync(path: string, data: Uint8Array): void {
    this.calls.push(['appendSync', path]);
    this.injected('appendSync', path);
    const fits = this.room(data.length);
    fs.appendFileSync(path, data.subarray(0, fits));
    if (fits < data.length) throw enospc(fits, `write '${path}'`);
  }

  async append(path: string, text: string, options: { durable?: boolean } = {}): Promise<void> {
    this.calls.push(['append', path]);
    this.injected('append', path);
    const data = Buffer.from(text, 'utf8');
    const fits = this.room(data.length);
    fs.appendFileSync(path, data.subarray(0, fits));
    if (fits < data.length) throw enospc(fits, `write '${path}'`);
    if (options.durable) {
      this.calls.push(['fsync', path]);
      this.injected('fsync', path);
    }
  }
}

function enospc(bytesWritten: number, what: string): WriteFailure {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${what}`), { code: 'ENOSPC', bytesWritten });
}
