// Checkpoints: what the workspace's files were before each question's tool writes (edit_file, create_file, and the
// files a run_command created, changed or deleted), so Restore can put them back and Redo can undo that. Contents are
// blobs named by their SHA-256 in the extension's workspace storage (one copy of each content, however many
// questions share it); an index lists each question's files as before → after. Never reads, writes or runs anything
// in .git/, and needs no git. A command's snapshot skips .git/, node_modules/, what files.exclude hides, symlinks,
// files over MAX_SNAPSHOT_BYTES and binary files; edit_file and create_file pre-images are always kept.
//
// Every window on one workspace shares the folder: each change to the index is a read-modify-write under the
// cross-process file lock (`index.lock`, the conversations' fileLock.ts), so two windows never lose each other's
// entries. Blobs need no lock (a name is its content); pruning deletes only blobs nothing refers to that are older than
// BLOB_GRACE_MS, so a blob another window has just written or reused is never removed before its index entry lands.
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, open, readdir, readFile, realpath, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { withFileLock } from '../conversation/fileLock';
import { looksBinary } from '../tools/textFile';
import { lineDelta } from './lineDelta';
import {
  BLOB_GRACE_MS,
  MAX_AGE_MS,
  MAX_QUESTIONS,
  MAX_SNAPSHOT_BYTES,
  type Buffers,
  type CheckpointOptions,
  type Content,
  type FileChange,
  type IndexData,
  type QuestionCheckpoint,
  type QuestionFileChange,
  type RedoRecord,
  type RestoreItem,
  type RestoreSummary,
  type Snapshot,
  type Stats,
} from './checkpointTypes';

const SKIPPED_FOLDERS = new Set(['.git', 'node_modules']);

export function hashOf(bytes: Uint8Array | string): string {
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

/** Why a file could not be put back, in words (no path: the summary names the file). */
function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'the disk is full';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'no permission to write it';
  return error instanceof Error ? error.message : String(error);
}

const emptySummary = (): RestoreSummary => ({ restored: [], deleted: [], kept: [], texts: [] });

export class CheckpointStore {
  /** The index as last read or written (refreshed by load() and by every change). */
  private data: IndexData = { version: 1, questions: [] };
  private stats: Stats | undefined;
  private readonly now: () => number;
  private tmpCounter = 0;
  /** Blobs this store wrote or touched, and when: within the grace period they need no stat. */
  private readonly fresh = new Map<string, number>();
  private readonly folders = new Set<string>();

  constructor(private readonly options: CheckpointOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  private get grace(): number {
    return this.options.blobGraceMs ?? BLOB_GRACE_MS;
  }

  private get indexPath(): string {
    return nodePath.join(this.options.dir, 'index.json');
  }

  private get statsPath(): string {
    return nodePath.join(this.options.dir, 'stats.json');
  }

  private blobPath(hash: string): string {
    return nodePath.join(this.options.dir, 'blobs', hash.slice(0, 2), hash.slice(2));
  }

  private async readIndex(): Promise<IndexData> {
    const raw = await readOrNull(this.indexPath);
    if (!raw) return { version: 1, questions: [] };
    try {
      const parsed = JSON.parse(raw.toString('utf8')) as IndexData;
      if (parsed.version === 1 && Array.isArray(parsed.questions)) return { version: 1, questions: parsed.questions, ...(parsed.redo ? { redo: parsed.redo } : {}) };
    } catch {
      // A damaged index: start again (the blobs are pruned as unreferenced).
    }
    return { version: 1, questions: [] };
  }

  private async writeAtomic(path: string, text: string): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    const tmp = `${path}.${process.pid}.${++this.tmpCounter}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, path);
  }

  /** Reads the index again (another window may have changed it; after a reload the checkpoints are still there). */
  async load(): Promise<void> {
    this.data = await this.readIndex();
  }

  /**
   * One change to the index: under the cross-window lock, the index as it is on disk now, changed by `change`, written
   * back. Another window's entries written meanwhile are in what `change` sees, so none is lost.
   */
  private async update<T>(change: (data: IndexData) => Promise<T> | T): Promise<T> {
    return withFileLock(nodePath.join(this.options.dir, 'index.lock'), async () => {
      const data = await this.readIndex();
      const result = await change(data);
      await this.writeAtomic(this.indexPath, JSON.stringify(data));
      this.data = data;
      return result;
    }, { staleMs: 15_000, timeoutMs: 20_000, ...this.options.lock });
  }

  /** Keeps a content; one copy however often it is stored. */
  async putBlob(bytes: Uint8Array | string): Promise<string> {
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
  async getBlob(hash: string): Promise<Buffer> {
    const bytes = await readFile(this.blobPath(hash));
    if (hashOf(bytes) !== hash) throw new Error(`the checkpoint's copy is damaged (${hash.slice(0, 12)})`);
    return bytes;
  }

  /** Keeps a file's current content (null: it does not exist). */
  private async capture(path: string): Promise<Content> {
    const bytes = await readOrNull(path);
    return bytes === null ? null : this.putBlob(bytes);
  }

  private static question(data: IndexData, id: string, conversationId: string, at: number): QuestionCheckpoint {
    let record = data.questions.find((q) => q.id === id);
    if (!record) {
      record = { id, conversationId, at, files: {} };
      data.questions.push(record);
      // A new question: what a Restore took away cannot come back any more.
      delete data.redo;
    }
    return record;
  }

  /** The questions as last read (load() reads them again). */
  get questions(): readonly QuestionCheckpoint[] {
    return this.data.questions;
  }

  /**
   * Before a tool writes `path` in a question: keeps what it was, the first time in that question. `unsavedText`: the
   * file is open with unsaved changes (the edit goes into the editor): the editor's text, kept too.
   */
  async beforeWrite(questionId: string, conversationId: string, path: string, unsavedText?: string): Promise<void> {
    if (inGit(path)) throw new Error('Checkpoints never touch .git/.');
    const before = await this.capture(path);
    const text = unsavedText === undefined ? undefined : await this.putBlob(unsavedText);
    const at = this.now();
    await this.update((data) => {
      const record = CheckpointStore.question(data, questionId, conversationId, at);
      const change = record.files[path];
      if (!change) record.files[path] = { before, after: before, ...(text ? { buffer: { before: text, after: text } } : {}) };
      // The file was saved when the question began and has unsaved changes now: the editor showed the file then.
      else if (text && !change.buffer) change.buffer = { before: change.before ?? text, after: text };
    });
  }

  /** After a tool wrote `path`: what it left (a later Restore checks the file still is that). */
  async afterWrite(questionId: string, path: string, unsavedText?: string): Promise<void> {
    const after = await this.capture(path);
    const text = unsavedText === undefined ? undefined : await this.putBlob(unsavedText);
    await this.update((data) => {
      const change = data.questions.find((q) => q.id === questionId)?.files[path];
      if (!change) return;
      change.after = after;
      if (change.buffer) change.buffer.after = text ?? after ?? change.buffer.after;
    });
  }

  /**
   * The workspace's files now (see the file comment for what is skipped). Files whose size and times are unchanged
   * since the last snapshot are not read again; every content is kept as a blob, so a command's changes can be undone.
   */
  async snapshot(): Promise<Snapshot> {
    this.stats ??= await readOrNull(this.statsPath).then((raw) => (raw ? (JSON.parse(raw.toString('utf8')) as Stats) : {})).catch(() => ({}));
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
    await this.writeAtomic(this.statsPath, JSON.stringify(stats));
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
    const hash = await this.putBlob(bytes);
    snapshot.set(path, hash);
    stats[path] = [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino, hash];
  }

  /** A command ran in a question: every file it created, changed or deleted is recorded (before → after). */
  async recordCommand(questionId: string, conversationId: string, before: Snapshot, after: Snapshot): Promise<string[]> {
    const changed: [string, Content, Content][] = [];
    for (const path of new Set([...before.keys(), ...after.keys()])) {
      const was = before.get(path) ?? null;
      const now = after.get(path) ?? null;
      if (was !== now && !inGit(path)) changed.push([path, was, now]);
    }
    if (changed.length === 0) return [];
    const at = this.now();
    await this.update((data) => {
      const record = CheckpointStore.question(data, questionId, conversationId, at);
      for (const [path, was, now] of changed) {
        const change = record.files[path];
        if (change) {
          change.after = now;
          // The command wrote the file itself: what the editor holds is no longer the tool's text.
          if (change.buffer) change.buffer.after = now ?? change.buffer.after;
        } else {
          record.files[path] = { before: was, after: now };
        }
      }
    });
    return changed.map(([path]) => path);
  }

  /** The questions a Restore of `questionId` undoes: it and every later one of its conversation. */
  private static affected(data: IndexData, questionId: string): QuestionCheckpoint[] | undefined {
    const record = data.questions.find((q) => q.id === questionId);
    if (!record) return undefined;
    return data.questions.filter((q) => q.conversationId === record.conversationId && q.at >= record.at).sort((a, b) => a.at - b.at);
  }

  /** Whether a question has anything to restore (as of the last read). */
  has(questionId: string): boolean {
    return (CheckpointStore.affected(this.data, questionId) ?? []).some((q) => Object.keys(q.files).length > 0);
  }

  /**
   * What the files of one question are now against before it (the line under its answer), unchanged files left out.
   * `unsaved`: the text of open documents with unsaved changes (what the user sees is compared).
   */
  async changes(questionId: string, unsaved: ReadonlyMap<string, string> = new Map()): Promise<QuestionFileChange[]> {
    await this.load();
    const record = this.data.questions.find((q) => q.id === questionId);
    const result: QuestionFileChange[] = [];
    for (const [path, change] of Object.entries(record?.files ?? {})) {
      const before = change.buffer?.before ?? change.before;
      const open = unsaved.get(path);
      const bytes = open === undefined ? await readOrNull(path) : null;
      const now = open !== undefined ? hashOf(open) : bytes ? hashOf(bytes) : null;
      if (now === before) continue;
      const beforeText = before ? (await this.getBlob(before).catch(() => Buffer.alloc(0))).toString('utf8') : '';
      const nowText = open ?? (bytes ? bytes.toString('utf8') : '');
      result.push({ path, before, now, ...lineDelta(beforeText, nowText) });
    }
    return result.sort((a, b) => a.path.localeCompare(b.path));
  }

  /**
   * What Restore would do: each file changed by tools in the question or after it, back to what it was before. A file
   * that is no longer what the tools left (the user changed it since, or has unsaved changes in an editor) is a
   * conflict. `buffers`: the open documents with unsaved changes.
   */
  async plan(questionId: string, buffers: Buffers = new Map()): Promise<RestoreItem[]> {
    await this.load();
    const affected = CheckpointStore.affected(this.data, questionId) ?? [];
    const merged = new Map<string, { first: FileChange; last: FileChange }>();
    for (const q of affected) {
      for (const [path, change] of Object.entries(q.files)) {
        const seen = merged.get(path);
        merged.set(path, { first: seen?.first ?? change, last: change });
      }
    }
    const items: RestoreItem[] = [];
    for (const [path, { first, last }] of merged) {
      if (inGit(path)) continue;
      const bytes = await readOrNull(path);
      const current = bytes === null ? null : hashOf(bytes);
      const dirty = buffers.get(path);
      const buffered = first.buffer !== undefined || last.buffer !== undefined;
      if (!buffered) {
        if (current === first.before) continue;
        items.push({ path, target: first.before, expected: last.after, current, conflict: current !== last.after || dirty !== undefined, ...(dirty ? { currentText: dirty } : {}) });
        continue;
      }
      // An edit into unsaved changes: what the user sees (the editor's text, else the file) is compared, and both the
      // file and the editor's text go back.
      const text = first.buffer?.before ?? first.before;
      const seen = dirty ?? current;
      if (seen === text && current === first.before) continue;
      const expectedText = last.buffer?.after ?? last.after;
      const conflict = seen !== expectedText || (dirty !== undefined && current !== last.after);
      items.push({ path, target: first.before, expected: last.after, current, conflict, ...(text !== null && text !== first.before ? { text } : {}), ...(dirty ? { currentText: dirty } : {}) });
    }
    return items.sort((a, b) => a.path.localeCompare(b.path));
  }

  /**
   * Puts the files back (conflicts only when `overwrite` has them) and takes the question's checkpoints away; Redo
   * brings both back. Editor texts to put back are in the summary's `texts` (the host sets them).
   */
  async restore(questionId: string, items: readonly RestoreItem[], overwrite: ReadonlySet<string> = new Set()): Promise<RestoreSummary> {
    const summary = emptySummary();
    await this.update(async (data) => {
      const affected = CheckpointStore.affected(data, questionId) ?? [];
      const redo: RedoRecord = { conversationId: affected[0]?.conversationId ?? '', questionId, files: {}, questions: affected };
      for (const item of items) {
        if (item.conflict && !overwrite.has(item.path)) {
          summary.kept.push(item.path);
          continue;
        }
        let now: Content;
        try {
          now = await this.capture(item.path);
          if (now !== item.target) await this.write(item.path, item.target);
        } catch (error) {
          // The file is as it was (writes go to a temporary file first); the others are still restored.
          (summary.failed ??= []).push({ path: item.path, reason: reasonOf(error) });
          continue;
        }
        const seen = item.currentText ?? now;
        redo.files[item.path] = { before: now, after: item.target, ...(item.text || item.currentText ? { buffer: { before: seen ?? '', after: item.text ?? item.target ?? '' } } : {}) };
        if (item.text) summary.texts.push({ path: item.path, text: item.text });
        (item.target === null ? summary.deleted : summary.restored).push(item.path);
      }
      data.questions = data.questions.filter((q) => !affected.some((a) => a.id === q.id));
      data.redo = redo;
    });
    return summary;
  }

  /** Keeps `bytes` with the last Restore (what the chat needs for its Redo after a reload). */
  async keepWithRestore(questionId: string, bytes: Uint8Array | string): Promise<void> {
    const hash = await this.putBlob(bytes);
    await this.update((data) => {
      if (data.redo?.questionId === questionId) data.redo.payload = hash;
    });
  }

  /** The Restore Redo would undo, if any (the last one, while no new question has written since), as last read. */
  get redoable(): { conversationId: string; questionId: string } | undefined {
    const redo = this.data.redo;
    return redo ? { conversationId: redo.conversationId, questionId: redo.questionId } : undefined;
  }

  /**
   * Undoes the last Restore: files back as they were before it (a file changed since is kept and listed), and what
   * the chat kept with it (`payload`).
   */
  async redo(buffers: Buffers = new Map()): Promise<RestoreSummary & { questionId?: string; conversationId?: string; payload?: Buffer }> {
    const summary = emptySummary();
    const done = await this.update(async (data) => {
      const redo = data.redo;
      if (!redo) return undefined;
      for (const [path, { before, after, buffer }] of Object.entries(redo.files)) {
        const bytes = await readOrNull(path);
        const current = bytes === null ? null : hashOf(bytes);
        const seen = buffers.get(path) ?? current;
        if (buffer ? (seen ?? '') !== buffer.after : current !== after || buffers.has(path)) {
          summary.kept.push(path);
          continue;
        }
        if (current !== before) {
          try {
            await this.write(path, before);
          } catch (error) {
            (summary.failed ??= []).push({ path, reason: reasonOf(error) });
            continue;
          }
        }
        if (buffer && buffer.before !== before && buffer.before !== '') summary.texts.push({ path, text: buffer.before });
        (before === null ? summary.deleted : summary.restored).push(path);
      }
      data.questions.push(...redo.questions);
      delete data.redo;
      return redo;
    });
    if (!done) return summary;
    const payload = done.payload ? await this.getBlob(done.payload).catch(() => undefined) : undefined;
    return { ...summary, questionId: done.questionId, conversationId: done.conversationId, ...(payload ? { payload } : {}) };
  }

  /**
   * Puts a file back. Never in place: the content goes to a temporary file beside it (flushed to disk) that then
   * replaces the file in one rename, so a full disk, a crash or a kill mid-write leaves the file whole, as it was or as
   * restored, never cut short. The file's mode is kept; through a symlink, its target is written.
   */
  private async write(path: string, content: Content): Promise<void> {
    if (inGit(path)) return;
    if (content === null) {
      await unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      return;
    }
    const bytes = await this.getBlob(content);
    const target = await realpath(path).catch(() => path);
    await mkdir(nodePath.dirname(target), { recursive: true });
    const mode = (await stat(target).catch(() => undefined))?.mode;
    const tmp = nodePath.join(nodePath.dirname(target), `.${nodePath.basename(target)}.${process.pid}.${++this.tmpCounter}.restore-tmp`);
    try {
      const handle = await open(tmp, 'wx', mode === undefined ? 0o666 : mode & 0o7777);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (mode !== undefined) await chmod(tmp, mode & 0o7777);
      await rename(tmp, target);
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Drops checkpoints past the limits (the oldest first) and every blob nothing refers to any more (unless it is young:
   * another window may be about to refer to it).
   */
  async prune(): Promise<{ questions: number; blobs: number }> {
    const cutoff = this.now() - (this.options.maxAgeMs ?? MAX_AGE_MS);
    const max = this.options.maxQuestions ?? MAX_QUESTIONS;
    return this.update(async (data) => {
      const kept = data.questions.filter((q) => q.at >= cutoff).sort((a, b) => a.at - b.at).slice(-max);
      const droppedQuestions = data.questions.length - kept.length;
      data.questions = kept;
      const used = new Set<string>();
      const changes = [...kept, ...(data.redo?.questions ?? [])].flatMap((q) => Object.values(q.files)).concat(Object.values(data.redo?.files ?? {}));
      for (const change of changes) for (const content of [change.before, change.after, change.buffer?.before, change.buffer?.after]) if (content) used.add(content);
      if (data.redo?.payload) used.add(data.redo.payload);
      const stats = (await readOrNull(this.statsPath).then((raw) => (raw ? (JSON.parse(raw.toString('utf8')) as Stats) : {})).catch(() => ({}))) as Stats;
      for (const entry of [...Object.values(stats), ...Object.values(this.stats ?? {})]) used.add(entry[4]);
      let droppedBlobs = 0;
      const blobs = nodePath.join(this.options.dir, 'blobs');
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
      return { questions: droppedQuestions, blobs: droppedBlobs };
    });
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
