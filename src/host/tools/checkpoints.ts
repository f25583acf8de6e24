// Checkpoints in the workspace (issue 17): the store (src/core/checkpoints) in the extension's workspace storage,
// filled before and after each tool write and around each command; and Restore: a question's files back as they were
// before it (a file the user changed since is listed and asked about, with a diff), the conversation rewound to
// before it (the question back in the composer), a summary, and Redo.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CheckpointStore, type RestoreItem, type RestoreSummary } from '../../core/checkpoints/checkpointStore';
import type { Exchange } from '../../core/conversation/conversation';
import type { Rewound } from '../../core/conversation/rewind';
import type { ToolQuestion, ToolRunResult } from '../../core/tools/types';
import { Disposable } from '../dispose';
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

export class WorkspaceCheckpoints extends Disposable implements vscode.TextDocumentContentProvider {
  readonly store: CheckpointStore | undefined;
  private lastRestore: { conversationId: string; removed: Exchange[] } | undefined;
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
    this._register(vscode.workspace.registerTextDocumentContentProvider(CHECKPOINT_SCHEME, this));
    // Old checkpoints go in the background, never on the way of activation.
    const timer = setTimeout(() => void this.store?.prune().catch((error) => this.log(`Checkpoints: prune failed: ${String(error)}`)), 10_000);
    this._register({ dispose: () => clearTimeout(timer) });
  }

  private display = (fsPath: string): string => this.workspace.locate(fsPath)?.relative ?? fsPath;

  /** The content of a checkpoint blob, for the diff editor. */
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const hash = uri.query;
    if (!this.store || !/^[0-9a-f]{64}$/.test(hash)) return '';
    return (await this.store.getBlob(hash).catch(() => Buffer.from(''))).toString('utf8');
  }

  /** A tool writes one file: its pre-image is kept first, and what it left after. */
  async aroundWrite(question: ToolQuestion | undefined, fsPath: string, run: () => Promise<ToolRunResult>): Promise<ToolRunResult> {
    const store = this.store;
    if (!store || !question) return run();
    try {
      await store.beforeWrite(question.id, question.conversationId, fsPath);
    } catch (error) {
      this.log(`Checkpoints: could not keep ${this.display(fsPath)}: ${String(error)}`);
      return run();
    }
    try {
      return await run();
    } finally {
      await store.afterWrite(question.id, fsPath).catch((error) => this.log(`Checkpoints: ${String(error)}`));
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

  /** Restore of a question (see the file comment). */
  async restore(userTurnId: string, chat: RestoreChat): Promise<RestoreSummary | undefined> {
    const store = this.store;
    const dirty = new Set(vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file').map((d) => d.uri.fsPath));
    let summary: RestoreSummary = { restored: [], deleted: [], kept: [] };
    if (store) {
      await store.load();
      const items = await store.plan(userTurnId, dirty);
      const conflicts = items.filter((i) => i.conflict);
      const overwrite = conflicts.length > 0 ? await this.decideConflicts(conflicts, (item) => this.showDiff(item)) : new Set<string>();
      // Open editors must not save their buffers over what Restore writes: those are reverted after the write.
      summary = await store.restore(userTurnId, items, overwrite);
      await this.revertOpen([...summary.restored, ...summary.deleted]);
    }
    const conversationId = chat.conversationId();
    const rewound = await chat.rewind(userTurnId);
    if (rewound) {
      this.lastRestore = { conversationId, removed: rewound.removed };
      chat.composer(rewound.question.text);
    }
    const text = summaryText(summary, this.display);
    chat.notify(text);
    void vscode.window.showInformationMessage(text, vscode.l10n.t('Redo')).then((choice) => {
      if (choice) void this.redo(chat);
    });
    return summary;
  }

  /** Undoes the last Restore: files and the conversation's exchanges come back. */
  async redo(chat: RestoreChat): Promise<RestoreSummary | undefined> {
    const last = this.lastRestore;
    const summary = (await this.store?.redo()) ?? { restored: [], deleted: [], kept: [] };
    await this.revertOpen([...summary.restored, ...summary.deleted]);
    if (last) {
      this.lastRestore = undefined;
      await chat.unrewind(last.conversationId, last.removed);
      chat.composer('');
    }
    chat.notify(vscode.l10n.t('Redo: {0}', summaryText(summary, this.display)));
    return summary;
  }

  private async revertOpen(paths: readonly string[]): Promise<void> {
    const set = new Set(paths);
    for (const document of vscode.workspace.textDocuments) {
      if (document.uri.scheme !== 'file' || !set.has(document.uri.fsPath) || !document.isDirty) continue;
      await vscode.window.showTextDocument(document, { preview: true, preserveFocus: true });
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }

  /** The diff of a conflicting file: what Restore would write ↔ the file as it is now. */
  async showDiff(item: RestoreItem): Promise<void> {
    const name = path.basename(item.path);
    const left = item.target ? vscode.Uri.from({ scheme: CHECKPOINT_SCHEME, path: `/${name}`, query: item.target }) : vscode.Uri.from({ scheme: CHECKPOINT_SCHEME, path: `/${name}`, query: 'none' });
    await vscode.commands.executeCommand('vscode.diff', left, vscode.Uri.file(item.path), vscode.l10n.t('{0} (before the question ↔ now)', this.display(item.path)), { preview: true });
  }
}

/** "3 files restored, 1 deleted, 1 kept: you changed it". */
export function summaryText(summary: RestoreSummary, display: (fsPath: string) => string = (p) => p): string {
  const parts: string[] = [];
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  if (summary.restored.length > 0) parts.push(`${n(summary.restored.length, 'file', 'files')} restored`);
  if (summary.deleted.length > 0) parts.push(`${summary.deleted.length} deleted`);
  if (summary.kept.length > 0) parts.push(`${summary.kept.length} kept: you changed ${summary.kept.length === 1 ? 'it' : 'them'} (${summary.kept.map(display).join(', ')})`);
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
