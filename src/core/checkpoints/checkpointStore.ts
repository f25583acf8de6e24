// Checkpoints: what the workspace's files were before each question's tool writes (edit_file, create_file, and the
// files a run_command created, changed or deleted), so Restore can put them back and Redo can undo that. Contents are
// blobs named by their SHA-256 in the extension's workspace storage (one copy of each content, however many
// questions share it); an index lists each question's files as before → after. Never reads, writes or runs anything
// in .git/, and needs no git. A command's snapshot skips .git/, node_modules/, what files.exclude hides, symlinks,
// files over MAX_SNAPSHOT_BYTES and binary files; edit_file and create_file pre-images are always kept.
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { looksBinary } from '../tools/textFile';

export const MAX_SNAPSHOT_BYTES = 1024 * 1024;
export const MAX_QUESTIONS = 50;
export const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
const SKIPPED_FOLDERS = new Set(['.git', 'node_modules']);

/** A file's content hash, or null: the file did not exist. */
export type Content = string | null;

export interface FileChange {
  before: Content;
  after: Content;
}

export interface QuestionCheckpoint {
  /** The question's user turn id. */
  id: string;
  conversationId: string;
  at: number;
  /** Absolute path → what it was before the question's first tool write and after its last. */
  files: Record<string, FileChange>;
}

interface RedoRecord {
  conversationId: string;
  questionId: string;
  /** Path → state before the Restore (`before`) and what Restore wrote (`after`). */
  files: Record<string, FileChange>;
  /** The question checkpoints the Restore took away (they come back with Redo). */
  questions: QuestionCheckpoint[];
}

interface IndexData {
  version: 1;
  questions: QuestionCheckpoint[];
  /** Path → [size, mtimeMs, ctimeMs, ino, hash]: a file whose stat is unchanged is not read again. */
  stats: Record<string, [number, number, number, number, string]>;
  redo?: RedoRecord;
}

export interface CheckpointOptions {
  /** The store's folder (in the extension's workspace storage). */
  dir: string;
  /** The workspace folders a command's snapshot covers. */
  roots: () => readonly string[];
  /** files.exclude of a folder: whether a folder-relative path (forward slashes) is hidden. */
  excluded?: (root: string, relative: string) => boolean;
  now?: () => number;
  maxQuestions?: number;
  maxAgeMs?: number;
}

/** The workspace's files at one moment: path → content hash. */
export type Snapshot = Map<string, string>;

export interface RestoreItem {
  path: string;
  /** What Restore writes (null: delete the file). */
  target: Content;
  /** What tools left there: anything else means the user changed it since. */
  expected: Content;
  current: Content;
  conflict: boolean;
}

export interface RestoreSummary {
  restored: string[];
  deleted: string[];
  /** Conflicting files the user chose to keep. */
  kept: string[];
}

export function hashOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function inGit(path: string): boolean {
  return path.split(/[\\/]/).includes('.git');
}

async function readOrNull(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw error;
  }
}

export class CheckpointStore {
  private data: IndexData = { version: 1, questions: [], stats: {} };
  private loaded: Promise<void> | undefined;
  private readonly now: () => number;
  /** Index writes in order, one at a time. */
  private saving: Promise<void> = Promise.resolve();
  private tmpCounter = 0;
  private blobs: Promise<Set<string>> | undefined;
  private readonly folders = new Set<string>();

  constructor(private readonly options: CheckpointOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  private get indexPath(): string {
    return nodePath.join(this.options.dir, 'index.json');
  }

  private blobPath(hash: string): string {
    return nodePath.join(this.options.dir, 'blobs', hash.slice(0, 2), hash.slice(2));
  }

  /** Reads the index (after a reload the checkpoints are still there). */
  load(): Promise<void> {
    this.loaded ??= (async () => {
      const raw = await readOrNull(this.indexPath);
      if (!raw) return;
      try {
        const parsed = JSON.parse(raw.toString('utf8')) as IndexData;
        if (parsed.version === 1 && Array.isArray(parsed.questions)) this.data = { ...parsed, stats: parsed.stats ?? {} };
      } catch {
        // A damaged index: start again (the blobs are pruned as unreferenced).
      }
    })();
    return this.loaded;
  }

  private save(): Promise<void> {
    const text = JSON.stringify(this.data);
    this.saving = this.saving.then(async () => {
      await mkdir(this.options.dir, { recursive: true });
      const tmp = `${this.indexPath}.${process.pid}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, this.indexPath);
    });
    return this.saving;
  }

  /** Keeps a content; one copy however often it is stored. */
  async putBlob(bytes: Uint8Array): Promise<string> {
    const hash = hashOf(bytes);
    const path = this.blobPath(hash);
    const known = await this.knownBlobs();
    if (known.has(hash)) return hash;
    const folder = nodePath.dirname(path);
    if (!this.folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.folders.add(folder);
    }
    // Two files with one content may be stored at once: each writes its own temporary file.
    const tmp = `${path}.${process.pid}.${++this.tmpCounter}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
    known.add(hash);
    return hash;
  }

  /** The blobs stored, read once (one readdir per prefix folder) instead of a stat per file. */
  private knownBlobs(): Promise<Set<string>> {
    this.blobs ??= (async () => {
      const known = new Set<string>();
      const root = nodePath.join(this.options.dir, 'blobs');
      for (const prefix of await readdir(root).catch(() => [] as string[])) {
        this.folders.add(nodePath.join(root, prefix));
        for (const name of await readdir(nodePath.join(root, prefix)).catch(() => [] as string[])) if (!name.endsWith('.tmp')) known.add(prefix + name);
      }
      return known;
    })();
    return this.blobs;
  }

  async getBlob(hash: string): Promise<Buffer> {
    return readFile(this.blobPath(hash));
  }

  /** Keeps a file's current content (null: it does not exist). */
  private async capture(path: string): Promise<Content> {
    const bytes = await readOrNull(path);
    return bytes === null ? null : this.putBlob(bytes);
  }

  private question(id: string, conversationId: string): QuestionCheckpoint {
    let record = this.data.questions.find((q) => q.id === id);
    if (!record) {
      record = { id, conversationId, at: this.now(), files: {} };
      this.data.questions.push(record);
      // A new question: what a Restore took away cannot come back any more.
      delete this.data.redo;
    }
    return record;
  }

  get questions(): readonly QuestionCheckpoint[] {
    return this.data.questions;
  }

  /** Before a tool writes `path` in a question: keeps what it was, the first time in that question. */
  async beforeWrite(questionId: string, conversationId: string, path: string): Promise<void> {
    await this.load();
    if (inGit(path)) throw new Error('Checkpoints never touch .git/.');
    const record = this.question(questionId, conversationId);
    if (!(path in record.files)) {
      const before = await this.capture(path);
      record.files[path] = { before, after: before };
    }
    await this.save();
  }

  /** After a tool wrote `path`: what it left (a later Restore checks the file still is that). */
  async afterWrite(questionId: string, path: string): Promise<void> {
    const record = this.data.questions.find((q) => q.id === questionId);
    const change = record?.files[path];
    if (!change) return;
    change.after = await this.capture(path);
    await this.save();
  }

  /**
   * The workspace's files now (see the file comment for what is skipped). Files whose size and times are unchanged
   * since the last snapshot are not read again; every content is kept as a blob, so a command's changes can be undone.
   */
  async snapshot(): Promise<Snapshot> {
    await this.load();
    const snapshot: Snapshot = new Map();
    const stats: IndexData['stats'] = {};
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
    this.data.stats = stats;
    await this.save();
    return snapshot;
  }

  private async snapshotFile(path: string, snapshot: Snapshot, stats: IndexData['stats']): Promise<void> {
    let stat;
    try {
      stat = await lstat(path);
    } catch {
      return;
    }
    if (!stat.isFile() || stat.size > MAX_SNAPSHOT_BYTES) return;
    const known = this.data.stats[path];
    if (known && known[0] === stat.size && known[1] === stat.mtimeMs && known[2] === stat.ctimeMs && known[3] === stat.ino) {
      snapshot.set(path, known[4]);
      stats[path] = known;
      return;
    }
    const bytes = await readOrNull(path);
    if (bytes === null || looksBinary(bytes)) return;
    const hash = await this.putBlob(bytes);
    snapshot.set(path, hash);
    stats[path] = [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino, hash];
  }

  /** A command ran in a question: every file it created, changed or deleted is recorded (before → after). */
  async recordCommand(questionId: string, conversationId: string, before: Snapshot, after: Snapshot): Promise<string[]> {
    const changed: string[] = [];
    for (const path of new Set([...before.keys(), ...after.keys()])) {
      const was = before.get(path) ?? null;
      const now = after.get(path) ?? null;
      if (was === now || inGit(path)) continue;
      const record = this.question(questionId, conversationId);
      const change = record.files[path];
      if (change) change.after = now;
      else record.files[path] = { before: was, after: now };
      changed.push(path);
    }
    if (changed.length > 0) await this.save();
    return changed;
  }

  /** The questions a Restore of `questionId` undoes: it and every later one of its conversation. */
  private affected(questionId: string): QuestionCheckpoint[] | undefined {
    const record = this.data.questions.find((q) => q.id === questionId);
    if (!record) return undefined;
    return this.data.questions.filter((q) => q.conversationId === record.conversationId && q.at >= record.at).sort((a, b) => a.at - b.at);
  }

  /** Whether a question has anything to restore. */
  has(questionId: string): boolean {
    return (this.affected(questionId) ?? []).some((q) => Object.keys(q.files).length > 0);
  }

  /**
   * What Restore would do: each file changed by tools in the question or after it, back to what it was before. A file
   * that is no longer what the tools left (the user changed it since; or it is `dirty` in an editor) is a conflict.
   */
  async plan(questionId: string, dirty: ReadonlySet<string> = new Set()): Promise<RestoreItem[]> {
    await this.load();
    const affected = this.affected(questionId) ?? [];
    const merged = new Map<string, FileChange>();
    for (const q of affected) {
      for (const [path, change] of Object.entries(q.files)) {
        const seen = merged.get(path);
        merged.set(path, seen ? { before: seen.before, after: change.after } : { ...change });
      }
    }
    const items: RestoreItem[] = [];
    for (const [path, { before, after }] of merged) {
      if (inGit(path)) continue;
      const bytes = await readOrNull(path);
      const current = bytes === null ? null : hashOf(bytes);
      if (current === before) continue;
      items.push({ path, target: before, expected: after, current, conflict: current !== after || dirty.has(path) });
    }
    return items.sort((a, b) => a.path.localeCompare(b.path));
  }

  /**
   * Puts the files back (conflicts only when `overwrite` has them) and takes the question's checkpoints away; Redo
   * brings both back.
   */
  async restore(questionId: string, items: readonly RestoreItem[], overwrite: ReadonlySet<string> = new Set()): Promise<RestoreSummary> {
    await this.load();
    const affected = this.affected(questionId) ?? [];
    const summary: RestoreSummary = { restored: [], deleted: [], kept: [] };
    const redo: RedoRecord = { conversationId: affected[0]?.conversationId ?? '', questionId, files: {}, questions: affected };
    for (const item of items) {
      if (item.conflict && !overwrite.has(item.path)) {
        summary.kept.push(item.path);
        continue;
      }
      const now = await this.capture(item.path);
      await this.write(item.path, item.target);
      redo.files[item.path] = { before: now, after: item.target };
      (item.target === null ? summary.deleted : summary.restored).push(item.path);
    }
    this.data.questions = this.data.questions.filter((q) => !affected.includes(q));
    this.data.redo = redo;
    await this.save();
    return summary;
  }

  /** The Restore Redo would undo, if any (the last one, while no new question has written since). */
  get redoable(): { conversationId: string; questionId: string } | undefined {
    const redo = this.data.redo;
    return redo ? { conversationId: redo.conversationId, questionId: redo.questionId } : undefined;
  }

  /** Undoes the last Restore: files back as they were before it (a file changed since is kept and listed). */
  async redo(): Promise<RestoreSummary & { questionId?: string }> {
    await this.load();
    const redo = this.data.redo;
    const summary: RestoreSummary = { restored: [], deleted: [], kept: [] };
    if (!redo) return summary;
    for (const [path, { before, after }] of Object.entries(redo.files)) {
      const bytes = await readOrNull(path);
      const current = bytes === null ? null : hashOf(bytes);
      if (current !== after) {
        summary.kept.push(path);
        continue;
      }
      await this.write(path, before);
      (before === null ? summary.deleted : summary.restored).push(path);
    }
    this.data.questions.push(...redo.questions);
    delete this.data.redo;
    await this.save();
    return { ...summary, questionId: redo.questionId };
  }

  private async write(path: string, content: Content): Promise<void> {
    if (inGit(path)) return;
    if (content === null) {
      await unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      return;
    }
    await mkdir(nodePath.dirname(path), { recursive: true });
    await writeFile(path, await this.getBlob(content));
  }

  /** Drops checkpoints past the limits (the oldest first) and every blob nothing refers to any more. */
  async prune(): Promise<{ questions: number; blobs: number }> {
    await this.load();
    const cutoff = this.now() - (this.options.maxAgeMs ?? MAX_AGE_MS);
    const max = this.options.maxQuestions ?? MAX_QUESTIONS;
    const kept = this.data.questions.filter((q) => q.at >= cutoff).sort((a, b) => a.at - b.at).slice(-max);
    const droppedQuestions = this.data.questions.length - kept.length;
    this.data.questions = kept;
    const used = new Set<string>();
    const changes = [...kept, ...(this.data.redo?.questions ?? [])].flatMap((q) => Object.values(q.files)).concat(Object.values(this.data.redo?.files ?? {}));
    for (const change of changes) for (const content of [change.before, change.after]) if (content) used.add(content);
    for (const stat of Object.values(this.data.stats)) used.add(stat[4]);
    let droppedBlobs = 0;
    const blobs = nodePath.join(this.options.dir, 'blobs');
    for (const prefix of await readdir(blobs).catch(() => [] as string[])) {
      for (const name of await readdir(nodePath.join(blobs, prefix)).catch(() => [] as string[])) {
        if (used.has(prefix + name)) continue;
        await rm(nodePath.join(blobs, prefix, name), { force: true });
        (await this.knownBlobs()).delete(prefix + name);
        droppedBlobs++;
      }
    }
    await this.save();
    return { questions: droppedQuestions, blobs: droppedBlobs };
  }

  /** Bytes the blobs take (for the bench). */
  async storedBytes(): Promise<number> {
    let total = 0;
    const blobs = nodePath.join(this.options.dir, 'blobs');
    for (const prefix of await readdir(blobs).catch(() => [] as string[])) {
      for (const name of await readdir(nodePath.join(blobs, prefix)).catch(() => [] as string[])) total += (await lstat(nodePath.join(blobs, prefix, name))).size;
    }
    return total;
  }
}
