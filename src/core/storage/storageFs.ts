// The few file operations the conversation store and the cost ledger write through, as one small interface, so the
// fault tests can hand them a file system that fills up, writes short or fails a rename (test/support/faultyFs.ts),
// the way SQLite tests itself with an injected VFS. `nodeStorageFs` is the real one.
import * as fs from 'node:fs';
import { dirname } from 'node:path';

export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** A write that failed after some bytes reached the file (a short write on a full disk). */
export interface WriteFailure extends Error {
  code?: string;
  /** Bytes that reached the file before it failed. */
  bytesWritten?: number;
}

export interface StorageFs {
  readFile(path: string): Promise<string>;
  /** Creates or truncates `path` and writes `text`; with `durable`, fsyncs it before closing. May fail part-way. */
  writeFile(path: string, text: string, options?: { durable?: boolean }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** A second name for an existing file (a hard link); fails where the file system has none. */
  link(existing: string, newPath: string): Promise<void>;
  /** Removes a file; no error when it is not there. */
  rm(path: string): Promise<void>;
  readdir(dir: string): Promise<string[]>;
  stat(path: string): Promise<FileStamp | undefined>;
  mkdir(dir: string): Promise<void>;
  /** fsyncs a folder, so the renames in it survive a power cut; a no-op where the platform cannot (Windows). */
  syncDir(dir: string): Promise<void>;
  /** One O_APPEND write of all of `data` (synchronous: a ledger line goes out before the caller moves on). */
  appendSync(path: string, data: Uint8Array): void;
  /**
   * Appends `text` (creating the file), off the calling thread; with `durable`, fsyncs it before closing. A failure
   * part-way carries `bytesWritten`.
   */
  append(path: string, text: string, options?: { durable?: boolean }): Promise<void>;
}

export const nodeStorageFs: StorageFs = {
  readFile: (path) => fs.promises.readFile(path, 'utf8'),
  async writeFile(path, text, options = {}) {
    const handle = await fs.promises.open(path, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      if (options.durable) await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => fs.promises.rename(from, to),
  link: (existing, newPath) => fs.promises.link(existing, newPath),
  rm: (path) => fs.promises.rm(path, { force: true }),
  readdir: (dir) => fs.promises.readdir(dir),
  async stat(path) {
    try {
      const s = await fs.promises.stat(path);
      return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
    } catch {
      return undefined;
    }
  },
  mkdir: async (dir) => {
    await fs.promises.mkdir(dir, { recursive: true });
  },
  async syncDir(dir) {
    if (process.platform === 'win32') return;
    let handle: fs.promises.FileHandle | undefined;
    try {
      handle = await fs.promises.open(dir, 'r');
      await handle.sync();
    } catch {
      // Some file systems refuse to fsync a folder (EINVAL); the rename still happened.
    } finally {
      await handle?.close();
    }
  },
  appendSync(path, data) {
    fs.mkdirSync(dirname(path), { recursive: true });
    const fd = fs.openSync(path, 'a');
    let written = 0;
    try {
      while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written);
    } catch (error) {
      (error as WriteFailure).bytesWritten = written;
      throw error;
    } finally {
      fs.closeSync(fd);
    }
  },
  async append(path, text, options = {}) {
    const data = Buffer.from(text, 'utf8');
    const handle = await fs.promises.open(path, 'a');
    let written = 0;
    try {
      while (written < data.length) written += (await handle.write(data, written, data.length - written)).bytesWritten;
      if (options.durable) await handle.sync();
    } catch (error) {
      (error as WriteFailure).bytesWritten = written;
      throw error;
    } finally {
      await handle.close();
    }
  },
};

/** The reason of a failed write in the user's words ("no space left on the disk"), for notices. */
export function describeWriteError(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  switch (code) {
    case 'ENOSPC':
      return 'no space left on the disk';
    case 'EDQUOT':
      return 'the disk quota is used up';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the disk is read-only';
    case 'EIO':
      return 'the disk reported an input/output error';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
