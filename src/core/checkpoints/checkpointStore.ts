// Checkpoints: what the workspace's files were before each question's tool writes (edit_file, create_file, and the
// files a run_command created, changed or deleted), so Restore can put them back and Redo can undo that. Contents are
// blobs named by their SHA-256 in the extension's workspace storage (blobStore.ts: one copy of each content, however
// many questions share it); an index lists each question's files as before → after. Never reads, writes or runs
// anything in .git/, and needs no git. A command's changes come from two snapshots (workspaceSnapshot.ts);
// edit_file and create_file pre-images are always kept.
//
// Every window on one workspace shares the folder: each change to the index is a read-modify-write under the
// cross-process file lock (`index.lock`, the conversations' fileLock.ts), so two windows never lose each other's
// entries.
import { chmod, mkdir, open, realpath, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { withFileLock } from '../conversation/fileLock';
import { BlobStore, hashOf, readOrNull } from './blobStore';
import { parseIndex } from './checkpointIndex';
import { lineDelta } from './lineDelta';
import { WorkspaceSnapshot } from './workspaceSnapshot';
import {
  BLOB_GRACE_MS,
  MAX_AGE_MS,
  MAX_QUESTIONS,
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
} from './checkpointTypes';

function inGit(path: string): boolean {
  return path.split(/[\\/]/).includes('.git');
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
  private readonly now: () => number;
  private tmpCounter = 0;
  readonly blobs: BlobStore;
  private readonly workspace: WorkspaceSnapshot;

  constructor(private readonly options: CheckpointOptions) {
    this.now = options.now ?? (() => Date.now());
    this.blobs = new BlobStore(options.dir, options.blobGraceMs ?? BLOB_GRACE_MS);
    this.workspace = new WorkspaceSnapshot(options, this.blobs, (path, text) => this.writeAtomic(path, text));
  }

  private get indexPath(): string {
    return nodePath.join(this.options.dir, 'index.json');
  }

  /** The index, each record checked (checkpointIndex.ts); a damaged index starts again (its blobs are pruned as unreferenced). */
  private async readIndex(): Promise<IndexData> {
    const raw = await readOrNull(this.indexPath);
    return raw ? parseIndex(raw.toString('utf8')) : { version: 1, questions: [] };
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

  /** Keeps a file's current content (null: it does not exist). */
  private async capture(path: string): Promise<Content> {
    const bytes = await readOrNull(path);
    return bytes === null ? null : this.blobs.put(bytes);
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
    const text = unsavedText === undefined ? undefined : await this.blobs.put(unsavedText);
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
    const text = unsavedText === undefined ? undefined : await this.blobs.put(unsavedText);
    await this.update((data) => {
      const change = data.questions.find((q) => q.id === questionId)?.files[path];
      if (!change) return;
      change.after = after;
      if (change.buffer) change.buffer.after = text ?? after ?? change.buffer.after;
    });
  }

  /** The workspace's files now (workspaceSnapshot.ts), for recordCommand. */
  snapshot(): Promise<Snapshot> {
    return this.workspace.take();
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
      const beforeText = before ? (await this.blobs.get(before).catch(() => Buffer.alloc(0))).toString('utf8') : '';
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
    const hash = await this.blobs.put(bytes);
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
    const payload = done.payload ? await this.blobs.get(done.payload).catch(() => undefined) : undefined;
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
    const bytes = await this.blobs.get(content);
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
      for (const hash of await this.workspace.referenced()) used.add(hash);
      return { questions: droppedQuestions, blobs: await this.blobs.prune(used) };
    });
  }
}
