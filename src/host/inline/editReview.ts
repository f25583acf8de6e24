// Edit Selection's review in the editor, over the sessions of all documents: added and removed lines in the theme's
// diff colours, the CodeLens (Accept / Reject per hunk, Accept All / Reject All, Stop) and the context keys the keys
// read. One session's document side (its lines, edits and decisions) is editSession.ts.
import * as vscode from 'vscode';
import type { AnswerMeta } from '../../common/chatTypes';
import { metaLineParts } from '../../common/credits';
import { Disposable } from '../dispose';
import type { EditSession } from './editSession';

/** What the header lens says after the stream. */
export function describeEditMeta(meta: AnswerMeta): string {
  const p = metaLineParts(meta);
  return `${p.model} · ${p.tokens} · ${p.cost}`;
}

/** The live sessions of all documents, their decorations and lenses. */
export class EditReviews extends Disposable implements vscode.CodeLensProvider {
  private readonly sessions = new Set<EditSession>();
  private readonly lensesChanged = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  private readonly added = this._register(
    vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor('diffEditor.insertedLineBackground'),
      overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.addedForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    }),
  );
  private readonly removed = this._register(
    vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor('diffEditor.removedLineBackground'),
      overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.deletedForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    }),
  );
  private readonly pending = this._register(vscode.window.createTextEditorDecorationType({ isWholeLine: true, opacity: '0.55' }));
  private renderTimer: ReturnType<typeof setTimeout> | undefined;
  private contextKeys = { review: false, streaming: false };

  constructor() {
    super();
    this._register(vscode.workspace.onDidChangeTextDocument((event) => {
      for (const session of this.sessions) if (session.document === event.document) session.onDocumentChange(event);
    }));
    this._register(vscode.workspace.onDidCloseTextDocument((document) => {
      for (const session of [...this.sessions]) if (session.document === document) {
        session.abort.abort();
        session.state = 'ended';
        this.sessions.delete(session);
      }
    }));
    this._register(vscode.window.onDidChangeVisibleTextEditors(() => this.render()));
    this._register(vscode.window.onDidChangeActiveTextEditor(() => this.updateContext()));
    this._register(vscode.languages.registerCodeLensProvider({ scheme: '*' }, this));
    this._register({ dispose: () => { for (const s of this.sessions) s.abort.abort(); if (this.renderTimer) clearTimeout(this.renderTimer); } });
  }

  all(): readonly EditSession[] {
    return [...this.sessions];
  }

  find(document: vscode.TextDocument): EditSession | undefined {
    return [...this.sessions].find((s) => s.document === document && s.state !== 'ended');
  }

  add(session: EditSession): void {
    this.sessions.add(session);
    this.changed(session);
  }

  /** Called by a session whenever it changed: redraw soon (at most once per frame's worth of time). */
  changed(session: EditSession): void {
    if (session.state === 'ended') this.sessions.delete(session);
    this.renderTimer ??= setTimeout(() => {
      this.renderTimer = undefined;
      this.render();
    }, 16);
  }

  private render(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const session = this.find(editor.document);
      editor.setDecorations(this.added, session ? session.ranges('added') : []);
      editor.setDecorations(this.removed, session ? session.ranges('removed') : []);
      editor.setDecorations(this.pending, session && session.state === 'streaming' ? session.ranges('pending') : []);
    }
    this.lensesChanged.fire();
    this.updateContext();
  }

  private updateContext(): void {
    const active = vscode.window.activeTextEditor;
    const session = active ? this.find(active.document) : undefined;
    const review = session?.state === 'review';
    const streaming = [...this.sessions].some((s) => s.state === 'streaming');
    if (review !== this.contextKeys.review) void vscode.commands.executeCommand('setContext', 'fastrouter.editReview', review);
    if (streaming !== this.contextKeys.streaming) void vscode.commands.executeCommand('setContext', 'fastrouter.editStreaming', streaming);
    this.contextKeys = { review, streaming };
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const session = this.find(document);
    if (!session) return [];
    const top = new vscode.Range(session.start, 0, session.start, 0);
    const uri = document.uri.toString();
    if (session.state === 'streaming') {
      return [
        new vscode.CodeLens(top, { title: `$(sync~spin) ${vscode.l10n.t('Editing…')}`, command: '' }),
        new vscode.CodeLens(top, { title: vscode.l10n.t('Stop'), command: 'fastrouter.editSelection.stop', arguments: [uri] }),
      ];
    }
    const lenses = [
      new vscode.CodeLens(top, { title: vscode.l10n.t('Accept All'), command: 'fastrouter.editSelection.acceptAll', arguments: [uri] }),
      new vscode.CodeLens(top, { title: vscode.l10n.t('Reject All'), command: 'fastrouter.editSelection.rejectAll', arguments: [uri] }),
    ];
    if (session.meta) lenses.push(new vscode.CodeLens(top, { title: describeEditMeta(session.meta), command: 'fastrouter.showLog' }));
    for (const hunk of session.hunks()) {
      const at = new vscode.Range(hunk.line, 0, hunk.line, 0);
      lenses.push(
        new vscode.CodeLens(at, { title: vscode.l10n.t('Accept'), command: 'fastrouter.editSelection.accept', arguments: [uri, hunk.hunk] }),
        new vscode.CodeLens(at, { title: vscode.l10n.t('Reject'), command: 'fastrouter.editSelection.reject', arguments: [uri, hunk.hunk] }),
      );
    }
    return lenses;
  }
}
