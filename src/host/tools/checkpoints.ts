// Checkpoints in the workspace (issue 17): the store (src/core/checkpoints) in the extension's workspace storage,
// filled before and after each tool write and around each command; and Restore: a question's files back as they were
// before it (a file the user changed since is listed and asked about, with a diff), the conversation rewound to
// before it (the question back in the composer), a summary, and Redo.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hashOf } from '../../core/checkpoints/blobStore';
import { CheckpointStore } from '../../core/checkpoints/checkpointStore';
import { type RestoreItem, type RestoreSummary } from '../../core/checkpoints/checkpointTypes';
import type { Exchange } from '../../core/conversation/conversation';
import type { Rewound } from '../../core/conversation/rewind';
import type { StoredFileChange, ToolQuestion, ToolRunResult } from '../../core/tools/types';
import { ReadonlyFileSystem } from '../readonlyFileSystem';
import type { ToolWorkspace } from './workspace';

export const CHECKPOINT_SCHEME = 'fastrouter-checkpoint';

/** What Restore needs from the chat. */
export interface RestoreChat {
  /** The conversation shown now (the one whose question is restored). */
  conversationId(): string;
  rewind(userTurnId: string): Promise<Rewound | undefined>;
  unrewind(conversationId: string, removed: readonly Exchange[]): Promise<boolean>;
  /** Puts the question back into the composer. */
  composer(text: string): void;
  notify(message: string): void;
}

/** How conflicts are decided: the files the user chose to overwrite. A test may answer instead of the dialog. */
export type ConflictDecider = (conflicts: readonly RestoreItem[], showDiff: (item: RestoreItem) => Promise<void>) => Promise<ReadonlySet<string>>;

/**
 * The stored side of a diff (before the question) is served as a read-only file system, not a text document content
 * provider: VS Code restores a diff tab after a window reload only when both sides are files of some file system (it
 * has no serializer for content-provider documents), and `onFileSystem:fastrouter-checkpoint` activates the extension
 * for a restored tab. URIs: `fastrouter-checkpoint:/NAME?HASH` (the blob's sha-256; `none`: the file did not exist).
 */
export class WorkspaceCheckpoints extends ReadonlyFileSystem {
  readonly store: CheckpointStore | undefined;
  /** Without a store (no workspace storage), Redo in this session only. */
  private lastRestore: RestorePayload | undefined;
  decideConflicts: ConflictDecider = (conflicts, showDiff) => askAboutConflicts(conflicts, showDiff, this.display);

  constructor(dir: string | undefined, private readonly workspace: ToolWorkspace, private readonly log: (message: string) => void = () => undefined) {
    super();
    this.store = dir
      ? new CheckpointStore({
        dir,
        roots: () => workspace.roots().map((r) => r.fsPath),
        excluded: (root, relative) => {
          const folder = workspace.roots().find((r) => r.fsPath === root);
          return folder ? workspace.excludes(folder, 'files').excludes(relative) : false;
        },
      })
      : undefined;
    // Only a store serves its blobs (a second, store-less instance must not answer for the scheme with nothing).
    if (this.store) this._register(vscode.workspace.registerFileSystemProvider(CHECKPOINT_SCHEME, this, { isCaseSensitive: true, isReadonly: true }));
    // Old checkpoints go in the background, never on the way of activation.
    const timer = setTimeout(() => void this.store?.prune().catch((error) => this.log(`Checkpoints: prune failed: ${String(error)}`)), 10_000);
    this._register({ dispose: () => clearTimeout(timer) });
  }

  private display = (fsPath: string): string => this.workspace.locate(fsPath)?.relative ?? fsPath;

  // The read-only file system of the stored sides (blobs never change: no events).

  override readonly onDidChangeFile: vscode.Event<vscode.FileChangeEvent[]> = () => ({ dispose: () => undefined });

  /** A checkpoint blob's bytes: empty for a file that did not exist; FileNotFound for a blob pruned since. */
  override async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const hash = uri.query;
    if (!this.store || !/^[0-9a-f]{64}$/.test(hash)) return new Uint8Array();
    try {
      return await this.store.blobs.get(hash);
    } catch {
      throw vscode.FileSystemError.FileNotFound(uri);
    }
  }

  override async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const size = (await this.readFile(uri)).byteLength;
    return { type: vscode.FileType.File, ctime: 0, mtime: 0, size, permissions: vscode.FilePermission.Readonly };
  }

  /**
   * A tool writes one file: its pre-image is kept first, and what it left after. A file open with unsaved changes
   * keeps both: the file as saved and the editor's text (the user's unsaved work), so Restore gives back both.
   */
  async aroundWrite(question: ToolQuestion | undefined, fsPath: string, run: () => Promise<ToolRunResult>): Promise<ToolRunResult> {
    const store = this.store;
    if (!store || !question) return run();
    try {
      await store.beforeWrite(question.id, question.conversationId, fsPath, unsavedText(fsPath));
    } catch (error) {
      this.log(`Checkpoints: could not keep ${this.display(fsPath)}: ${String(error)}`);
      return run();
    }
    try {
      return await run();
    } finally {
      await store.afterWrite(question.id, fsPath, unsavedText(fsPath)).catch((error) => this.log(`Checkpoints: ${String(error)}`));
    }
  }

  /** A command runs: the workspace's files are snapshot before and after, and what changed is recorded. */
  async aroundCommand<T>(question: ToolQuestion | undefined, run: () => Promise<T>): Promise<T> {
    const store = this.store;
    if (!store || !question) return run();
    const before = await store.snapshot().catch((error) => {
      this.log(`Checkpoints: snapshot failed: ${String(error)}`);
      return undefined;
    });
    try {
      return await run();
    } finally {
      if (before) {
        const after = await store.snapshot();
        const changed = await store.recordCommand(question.id, question.conversationId, before, after);
        if (changed.length > 0) this.log(`Checkpoints: the command changed ${changed.length} file(s).`);
      }
    }
  }

  /** The files a question's tools and commands changed, against before it (unsaved editor text counts as now). */
  async changes(question: ToolQuestion): Promise<StoredFileChange[]> {
    if (!this.store) return [];
    const changes = await this.store.changes(question.id, unsavedTexts());
    return changes.map((c) => ({
      path: this.display(c.path), fsPath: c.path, added: c.added, removed: c.removed, before: c.before,
      ...(c.before === null ? { created: true } : {}), ...(c.now === null ? { deleted: true } : {}),
    }));
  }

  /** A changed file's diff: before the question ↔ now. */
  async showChange(change: StoredFileChange): Promise<void> {
    const name = path.basename(change.fsPath);
    const left = vscode.Uri.from({ scheme: CHECKPOINT_SCHEME, path: `/${name}`, query: change.before ?? 'none' });
    const exists = await vscode.workspace.fs.stat(vscode.Uri.file(change.fsPath)).then(() => true, () => false);
    const right = exists ? vscode.Uri.file(change.fsPath) : vscode.Uri.from({ scheme: CHECKPOINT_SCHEME, path: `/${name}`, query: 'none' });
    await vscode.commands.executeCommand('vscode.diff', left, right, vscode.l10n.t('{0} (before the question ↔ now)', this.display(change.fsPath)), { preview: true });
  }

  /** Restore of a question (see the file comment). */
  async restore(userTurnId: string, chat: RestoreChat): Promise<RestoreSummary | undefined> {
    const store = this.store;
    let summary: RestoreSummary = { restored: [], deleted: [], kept: [], texts: [] };
    if (store) {
      const items = await store.plan(userTurnId, unsavedHashes());
      const conflicts = items.filter((i) => i.conflict);
      const overwrite = conflicts.length > 0 ? await this.decideConflicts(conflicts, (item) => this.showDiff(item)) : new Set<string>();
      try {
        summary = await store.restore(userTurnId, items, overwrite);
      } catch (error) {
        // The checkpoint index could not be read or written (a full disk, the lock held by a stuck window): the turn
        // stays, so nothing in the chat says files went back when some may not have.
        const text = vscode.l10n.t('Restore could not finish: {0}. The conversation is unchanged: Restore again once that is fixed (files already put back stay so).', error instanceof Error ? error.message : String(error));
        this.log(`Checkpoints: Restore of ${userTurnId} failed: ${String(error)}`);
        chat.notify(text);
        void vscode.window.showErrorMessage(text);
        return undefined;
      }
      await this.afterWrites(summary);
    }
    const conversationId = chat.conversationId();
    const rewound = await chat.rewind(userTurnId);
    if (rewound) {
      const payload: RestorePayload = { conversationId, removed: rewound.removed };
      this.lastRestore = payload;
      // Kept with the Restore: a Redo after a reload brings the turns back too.
      await store?.keepWithRestore(userTurnId, JSON.stringify(payload)).catch((error) => this.log(`Checkpoints: ${String(error)}`));
      chat.composer(rewound.question.text);
    }
    const text = summaryText(summary, this.display);
    chat.notify(text);
    const show = summary.failed?.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(text, vscode.l10n.t('Redo')).then((choice) => {
      if (choice) void this.redo(chat);
    });
    return summary;
  }

  /** Undoes the last Restore (also after a reload): files and the conversation's exchanges come back. */
  async redo(chat: RestoreChat): Promise<RestoreSummary | undefined> {
    const done = this.store ? await this.store.redo(unsavedHashes()) : undefined;
    if (!done?.questionId && !this.lastRestore) {
      chat.notify(vscode.l10n.t('Nothing to redo: no Restore since the last question that changed files.'));
      return undefined;
    }
    const summary: RestoreSummary = done ?? { restored: [], deleted: [], kept: [], texts: [] };
    await this.afterWrites(summary);
    const payload = done?.payload ? parsePayload(done.payload) : this.store ? undefined : this.lastRestore;
    this.lastRestore = undefined;
    if (payload) {
      await chat.unrewind(payload.conversationId, payload.removed);
      chat.composer('');
    }
    chat.notify(vscode.l10n.t('Redo: {0}', summaryText(summary, this.display)));
    return summary;
  }

  /**
   * After Restore or Redo wrote files: open editors show what was written (their buffers are reverted, so they never
   * save over it), then editors whose unsaved text comes back get it, unsaved.
   */
  private async afterWrites(summary: RestoreSummary): Promise<void> {
    const texts = new Map(summary.texts.map((t) => [t.path, t.text]));
    const written = new Set([...summary.restored, ...summary.deleted]);
    for (const document of vscode.workspace.textDocuments) {
      if (document.uri.scheme !== 'file' || !written.has(document.uri.fsPath) || !(document.isDirty || texts.has(document.uri.fsPath))) continue;
      await vscode.window.showTextDocument(document, { preview: true, preserveFocus: true });
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    for (const [fsPath, hash] of texts) {
      const text = (await this.store?.blobs.get(hash).catch(() => undefined))?.toString('utf8');
      if (text === undefined) continue;
      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(fsPath));
      if (document.getText() === text) continue;
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
      if (!(await vscode.workspace.applyEdit(edit))) this.log(`Checkpoints: could not put the unsaved text of ${this.display(fsPath)} back.`);
    }
  }

  /** The diff of a conflicting file: what Restore would write ↔ the file as it is now (the editor's text, if unsaved). */
  async showDiff(item: RestoreItem): Promise<void> {
    const name = path.basename(item.path);
    const target = item.text ?? item.target;
    const left = vscode.Uri.from({ scheme: CHECKPOINT_SCHEME, path: `/${name}`, query: target ?? 'none' });
    await vscode.commands.executeCommand('vscode.diff', left, vscode.Uri.file(item.path), vscode.l10n.t('{0} (before the question ↔ now)', this.display(item.path)), { preview: true });
  }
}

/** What the chat keeps with a Restore for its Redo: the exchanges it took out of which conversation. */
interface RestorePayload {
  conversationId: string;
  removed: Exchange[];
}

function parsePayload(bytes: Buffer): RestorePayload | undefined {
  try {
    const value = JSON.parse(bytes.toString('utf8')) as Partial<RestorePayload>;
    return typeof value.conversationId === 'string' && Array.isArray(value.removed) ? { conversationId: value.conversationId, removed: value.removed } : undefined;
  } catch {
    return undefined;
  }
}

/** The open documents with unsaved changes: path → their text. */
function unsavedTexts(): Map<string, string> {
  return new Map(vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file').map((d) => [d.uri.fsPath, d.getText()]));
}

function unsavedHashes(): Map<string, string> {
  return new Map([...unsavedTexts()].map(([p, text]) => [p, hashOf(text)]));
}

function unsavedText(fsPath: string): string | undefined {
  return vscode.workspace.textDocuments.find((d) => d.isDirty && d.uri.scheme === 'file' && d.uri.fsPath === fsPath)?.getText();
}

/** "3 files restored, 1 deleted, 1 kept: you changed it". */
export function summaryText(summary: RestoreSummary, display: (fsPath: string) => string = (p) => p): string {
  const parts: string[] = [];
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  if (summary.restored.length > 0) parts.push(`${n(summary.restored.length, 'file', 'files')} restored`);
  if (summary.deleted.length > 0) parts.push(`${summary.deleted.length} deleted`);
  if (summary.kept.length > 0) parts.push(`${summary.kept.length} kept: you changed ${summary.kept.length === 1 ? 'it' : 'them'} (${summary.kept.map(display).join(', ')})`);
  const failed = summary.failed ?? [];
  if (failed.length > 0) parts.push(`${n(failed.length, 'file', 'files')} could not be written and ${failed.length === 1 ? 'is' : 'are'} as before (${failed.map((f) => `${display(f.path)}: ${f.reason}`).join('; ')})`);
  return parts.length > 0 ? parts.join(', ') : 'No files to restore';
}

/** The dialog: the files the user changed since, Show Diff, and overwrite or keep (keeping is the default). */
async function askAboutConflicts(conflicts: readonly RestoreItem[], showDiff: (item: RestoreItem) => Promise<void>, display: (p: string) => string): Promise<ReadonlySet<string>> {
  const names = conflicts.map((c) => display(c.path)).join(', ');
  for (;;) {
    const showDiffs = vscode.l10n.t('Show Diff');
    const overwrite = vscode.l10n.t('Restore Them Too');
    const keep = vscode.l10n.t('Keep My Changes');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('You changed {0} since Claude did. Restore would lose your changes.', names),
      { modal: true, detail: vscode.l10n.t('Keep My Changes leaves these files as they are and restores the others.') },
      keep, overwrite, showDiffs,
    );
    if (choice === showDiffs) {
      for (const item of conflicts) await showDiff(item);
      continue;
    }
    return choice === overwrite ? new Set(conflicts.map((c) => c.path)) : new Set();
  }
}
