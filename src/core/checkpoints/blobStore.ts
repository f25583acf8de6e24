// Checkpoint blobs: each content kept once, in a file named by its SHA-256 (`blobs/ab/cdef…` in the store's folder),
// checked against that name when read back. Blobs need no lock (a name is its content); prune deletes only blobs
// nothing refers to that are older than the grace period, so a blob another window has just written or reused is
// never removed before its index entry lands.
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';

export function hashOf(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A file's bytes, or null: it does not exist. */
export async function readOrNull(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw error;
  }
}

export class BlobStore {
  private tmpCounter = 0;
  /** Blobs this store wrote or touched, and when: within the grace period they need no stat. */
  private readonly fresh = new Map<string, number>();
  private readonly folders = new Set<string>();

  /** `dir`: the store's folder (the blobs go in `blobs/` under it); `grace`: how long an unreferenced blob is kept. */
  constructor(private readonly dir: string, private readonly grace: number) {}

  private blobPath(hash: string): string {
    return nodePath.join(this.dir, 'blobs', hash.slice(0, 2), hash.slice(2));
  }

  /** Keeps a content; one copy however often it is stored. */
  async put(bytes: Uint8Array | string): Promise<string> {
    const hash = hashOf(bytes);
    const path = this.blobPath(hash);
    const seen = this.fresh.get(hash);
    // Blob ages are file times: the real clock, not the checkpoints' `now`.
    if (seen !== undefined && Date.now() - seen < this.grace / 2) return hash;
    // Kept already (by this window or another): touched, so a prune elsewhere sees it as young and leaves it.
    const time = new Date();
    if (await utimes(path, time, time).then(() => true, () => false)) {
      this.fresh.set(hash, Date.now());
      return hash;
    }
    const folder = nodePath.dirname(path);
    if (!this.folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.folders.add(folder);
    }
    // Two files with one content may be stored at once: each writes its own temporary file.
    const tmp = `${path}.${process.pid}.${++this.tmpCounter}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
    this.fresh.set(hash, Date.now());
    return hash;
  }

  /** A kept content, checked against its hash: a blob damaged on disk (a crash before it reached the disk) is never written back. */
  async get(hash: string): Promise<Buffer> {
    const bytes = await readFile(this.blobPath(hash));
    if (hashOf(bytes) !== hash) throw new Error(`the checkpoint's copy is damaged (${hash.slice(0, 12)})`);
    return bytes;
  }

  /** Deletes every blob not in `used` (unless it is young: another window may be about to refer to it); how many. */
  async prune(used: ReadonlySet<string>): Promise<number> {
    let droppedBlobs = 0;
    const blobs = nodePath.join(this.dir, 'blobs');
    const young = Date.now() - this.grace;
    for (const prefix of await readdir(blobs).catch(() => [] as string[])) {
      for (const name of await readdir(nodePath.join(blobs, prefix)).catch(() => [] as string[])) {
        if (used.has(prefix + name)) continue;
        const path = nodePath.join(blobs, prefix, name);
        const mtime = await stat(path).then((s) => s.mtimeMs, () => 0);
        if (mtime > young) continue;
        await rm(path, { force: true });
        this.fresh.delete(prefix + name);
        droppedBlobs++;
      }
    }
    return droppedBlobs;
  }

  /** Bytes the blobs take (for the bench). */
  async storedBytes(): Promise<number> {
    let total = 0;
    const blobs = nodePath.join(this.dir, 'blobs');
    for (const prefix of await readdir(blobs).catch(() => [] as string[])) {
      for (const name of await readdir(nodePath.join(blobs, prefix)).catch(() => [] as string[])) total += (await lstat(nodePath.join(blobs, prefix, name))).size;
    }
    return total;
  }
}
