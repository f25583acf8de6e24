// Edit Selection…: the selected lines (or the enclosing block / current line), an instruction (with a short history),
// and the replacement streamed into the editor as an inline diff to review (editReview.ts). Nothing is saved.
import * as vscode from 'vscode';
import { systemWithRules } from '../../core/context/rules';
import { CONTEXT_LINES, EDIT_SYSTEM_PROMPT, editUserText, rememberInstruction, type EditRequest } from '../../core/edit/editPrompt';
import { ReplyLines } from '../../core/edit/replyLines';
import { StreamDiff, type DiffOp } from '../../core/edit/streamDiff';
import { findModel, type ModelInfo } from '../../core/models/modelCatalog';
import { estimateRequestTokens } from '../../core/request/tokenEstimate';
import { estimateTextTokens } from '../../common/tokenCount';
import { formatCredits, lineRange } from '../../common/credits';
import type { TurnError } from '../../common/chatTypes';
import { formatTokenCount } from '../../common/tokenCount';
import { Disposable } from '../dispose';
import { enclosingRange, documentName } from '../editor/selection';
import { errorActionLabel, performErrorAction } from '../request/errorActions';
import type { RequestRunner, RunOptions } from '../request/requestRunner';
import type { SettingsService } from '../request/settings';
import type { ProjectRules } from '../context/projectRules';
import { EditReviews } from './editReview';
import { EditSession } from './editSession';
import { ReviewSafety } from './reviewSafety';

export const HISTORY_KEY = 'fastrouter.editSelection.history';

export interface EditArgs {
  /** Skips the instruction box (Fix with FastRouter, keybindings with args, tests). */
  instruction?: string;
  /** The lines to edit (widened to whole lines); default: the selection, else the enclosing block or current line. */
  range?: vscode.Range;
  /** The document; default: the active editor's. */
  uri?: vscode.Uri;
  /** Problems reported on the code, sent with it. */
  diagnostics?: readonly string[];
}

export interface EditDeps {
  runner: RequestRunner;
  settings: SettingsService;
  /** Where the instruction history is kept (globalState). */
  state: vscode.Memento;
  log: vscode.LogOutputChannel;
  models?: { readonly models: readonly ModelInfo[] };
  /** The project's rules, when the project has any (they join the system prompt). */
  rules?: Pick<ProjectRules, 'forQuestion'>;
  /** Where open reviews are recorded, so a window closed mid-review is reported by the next one (workspaceState). */
  workspaceState?: vscode.Memento;
}

export class EditSelection extends Disposable {
  readonly reviews = this._register(new EditReviews());
  readonly safety: ReviewSafety | undefined;

  constructor(private readonly deps: EditDeps) {
    super();
    if (deps.workspaceState) this.safety = this._register(new ReviewSafety(deps.workspaceState, (document) => this.reviews.find(document)));
  }

  /** A new review session on `document`, known to the decorations and to the safety records. */
  private open(document: vscode.TextDocument, start: number, diff: StreamDiff): EditSession {
    const session = new EditSession(document, start, diff.original.length, diff, (s) => {
      this.reviews.changed(s);
      this.safety?.changed(s);
    });
    this.reviews.add(session);
    this.safety?.opened(session, document.getText());
    return session;
  }

  /** Runs Edit Selection; resolves with the session once the reply has ended (undefined when cancelled). */
  async run(args: EditArgs = {}): Promise<EditSession | undefined> {
    const editor = args.uri
      ? vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === args.uri!.toString()) ?? (await vscode.window.showTextDocument(args.uri))
      : vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Open a file and select the code to edit.'));
      return undefined;
    }
    const document = editor.document;
    if (this.reviews.find(document)) {
      void vscode.window.showInformationMessage(vscode.l10n.t('This file has an edit waiting for review: accept or reject it first.'));
      return undefined;
    }
    const lines = await this.linesToEdit(editor, args.range);
    if (!lines) return undefined;
    const range = wholeLines(document, lines.start, lines.end);
    editor.selection = new vscode.Selection(range.start, range.start);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);

    const instruction = args.instruction ?? (await this.askInstruction(documentName(document), lines));
    if (instruction === undefined || instruction.trim() === '') return undefined;
    await this.deps.state.update(HISTORY_KEY, rememberInstruction(this.history(), instruction));

    const original = document.getText(range);
    const request: EditRequest = {
      instruction,
      path: documentName(document),
      languageId: document.languageId,
      startLine: lines.start + 1,
      endLine: lines.end + 1,
      code: original,
      before: document.getText(new vscode.Range(Math.max(0, lines.start - CONTEXT_LINES), 0, lines.start, 0)),
      after: lines.end + 1 < document.lineCount ? document.getText(new vscode.Range(lines.end + 1, 0, Math.min(document.lineCount - 1, lines.end + CONTEXT_LINES), Number.MAX_SAFE_INTEGER)) : '',
      diagnostics: args.diagnostics,
    };
    const system = systemWithRules(EDIT_SYSTEM_PROMPT, (await this.deps.rules?.forQuestion([request.path]))?.text ?? '');
    const userText = editUserText(request);
    if (original.length > this.deps.settings.current.maxSelectionChars && !(await this.confirmLarge(original, system, userText))) return undefined;

    if (this.reviews.find(document)) return undefined; // another one started while we asked
    const diff = new StreamDiff(original, { eol: document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n' });
    const session = this.open(document, lines.start, diff);
    await this.stream(session, system, userText, {});
    return session;
  }

  private async stream(session: EditSession, system: string, userText: string, options: RunOptions): Promise<void> {
    const reader = new ReplyLines();
    const { diff } = session;
    const name = documentName(session.document);
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('FastRouter: editing {0}', name) },
      () =>
        this.deps.runner.run(
          { messages: [{ role: 'user', content: userText }], system, source: 'edit' },
          session.abort.signal,
          (event) => {
            let text: string | undefined;
            if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text = event.delta.text;
            else if (event.type === 'content_block_start' && event.content_block.type === 'text') text = event.content_block.text;
            if (text && session.state === 'streaming') session.enqueue(diff.push(reader.push(text)));
          },
          options,
        ),
    );
    session.meta = outcome.meta;
    let ops: DiffOp[] = [];
    if (session.state === 'streaming') {
      if (outcome.status === 'done') ops = [...diff.push(reader.finish()), ...diff.finish()];
      else ops = diff.finish({ stopped: true });
    }
    await session.streamEnded(ops);
    if (outcome.error) {
      const retry = diff.replacement.length === 0;
      this.offerErrorActions(outcome.error, retry ? (again) => this.restart(session, system, userText, again) : undefined).catch((error: unknown) => {
        this.deps.log.error(`Edit Selection: the error action failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  }

  /** Runs the request again in a fresh session on the same lines (nothing had arrived). */
  private async restart(previous: EditSession, system: string, userText: string, options: RunOptions = {}): Promise<void> {
    if (this.reviews.find(previous.document)) return;
    const diff = new StreamDiff(previous.diff.original.map((p) => p.text + p.eol).join(''), { eol: previous.diff.eol === '\r\n' ? '\r\n' : '\n' });
    const session = this.open(previous.document, previous.start, diff);
    await this.stream(session, system, userText, options);
  }

  private async offerErrorActions(error: TurnError, retry: ((options: RunOptions) => Promise<void>) | undefined): Promise<void> {
    const actions = error.actions.filter((a) => a !== 'removeImages' && (retry || (a !== 'retry' && a !== 'sendAnyway')));
    const labels = actions.map((action) => ({ action, label: errorActionLabel(action) }));
    const choice = await vscode.window.showErrorMessage(error.message, ...labels.map((l) => l.label));
    const action = labels.find((l) => l.label === choice)?.action;
    if (!action) return;
    // Retry, or Send Anyway past a spending limit (this once).
    if (!(await performErrorAction(action, this.deps.log, error.setting)) && retry) await retry({ bypassSpendingLimit: action === 'sendAnyway' });
  }

  /** The lines to edit (0-based, inclusive); undefined when the user cancelled. */
  private async linesToEdit(editor: vscode.TextEditor, given?: vscode.Range): Promise<{ start: number; end: number } | undefined> {
    const document = editor.document;
    let range = given ?? (editor.selection.isEmpty ? undefined : editor.selection);
    if (range && range.end.character === 0 && range.end.line > range.start.line) range = new vscode.Range(range.start, range.end.translate(-1));
    if (!range) range = (await enclosingRange(document, editor.selection.active)) ?? document.lineAt(editor.selection.active.line).range;
    return { start: range.start.line, end: Math.min(range.end.line, document.lineCount - 1) };
  }

  private history(): string[] {
    const value = this.deps.state.get<unknown>(HISTORY_KEY);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  /**
   * The instruction: a box to type in, with earlier instructions below it to pick (the typed text is always the
   * first item, so Enter sends what was typed).
   */
  private askInstruction(name: string, lines: { start: number; end: number }): Promise<string | undefined> {
    const history = this.history();
    const pick = vscode.window.createQuickPick();
    pick.title = vscode.l10n.t('Edit Selection: {0}, {1}', name, lineRange(lines.start + 1, lines.end + 1));
    pick.placeholder = vscode.l10n.t('What should change? (e.g. "add error handling")');
    pick.ignoreFocusOut = true;
    pick.matchOnDescription = false;
    const earlier = vscode.l10n.t('earlier instruction');
    const items = (value: string): vscode.QuickPickItem[] => [
      ...(value.trim() ? [{ label: value, alwaysShow: true }] : []),
      ...history.filter((h) => h !== value).map((h) => ({ label: h, description: earlier })),
    ];
    pick.items = items('');
    return new Promise((resolve) => {
      let done = false;
      const finish = (value: string | undefined) => {
        if (done) return;
        done = true;
        resolve(value);
        pick.dispose();
      };
      pick.onDidChangeValue((value) => (pick.items = items(value)));
      pick.onDidAccept(() => finish(pick.selectedItems[0]?.label ?? pick.value));
      pick.onDidHide(() => finish(undefined));
      pick.show();
    });
  }

  /** A large selection: its cost (estimated locally) before anything is sent. */
  private async confirmLarge(original: string, system: string, userText: string): Promise<boolean> {
    const input = estimateRequestTokens({ system, messages: [{ role: 'user', content: userText }] }).total;
    const output = estimateTextTokens(original);
    const pricing = findModel(this.deps.settings.current.model, this.deps.models?.models)?.pricing;
    const credits = pricing ? input * pricing.input + output * pricing.output : undefined;
    const estimate =
      credits !== undefined
        ? vscode.l10n.t('≈ {0} tokens in, ≈ {1} out · ≈ {2} credits (estimated locally)', formatTokenCount(input), formatTokenCount(output), formatCredits(credits))
        : vscode.l10n.t('≈ {0} tokens in, ≈ {1} out (estimated locally)', formatTokenCount(input), formatTokenCount(output));
    const editAll = vscode.l10n.t('Edit All');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('The code has {0} characters, more than fastrouter.maxSelectionChars ({1}).', original.length, this.deps.settings.current.maxSelectionChars),
      { modal: true, detail: vscode.l10n.t('The model reads it and writes all of it again.') + ' ' + estimate },
      editAll,
    );
    return choice === editAll;
  }

  /** The session of `uri` (a lens passes it as a string), else the active editor's. */
  sessionOf(uri?: unknown): EditSession | undefined {
    const key = typeof uri === 'string' ? uri : uri instanceof vscode.Uri ? uri.toString() : vscode.window.activeTextEditor?.document.uri.toString();
    return this.reviews.all().find((s) => s.document.uri.toString() === key && s.state !== 'ended');
  }

  /** Accept or Reject one hunk: the one given, else the one at (or after) the cursor. */
  decide(accept: boolean, uri?: unknown, hunk?: unknown): Promise<unknown> {
    const session = this.sessionOf(uri);
    if (!session) return Promise.resolve();
    const hunks = session.hunks();
    let chosen = typeof hunk === 'number' ? hunk : undefined;
    if (chosen === undefined) {
      const editor = vscode.window.activeTextEditor;
      const line = editor?.document === session.document ? editor.selection.active.line : -1;
      chosen = [...hunks].reverse().find((h) => h.line <= line && line < h.line + h.removed + h.added)?.hunk ?? hunks.find((h) => h.line >= line)?.hunk ?? hunks[0]?.hunk;
    }
    return chosen === undefined ? Promise.resolve() : session.decide(chosen, accept);
  }
}

/** Lines start..end as a range that takes the last line's line break when there is one (a whole-lines selection). */
export function wholeLines(document: vscode.TextDocument, start: number, end: number): vscode.Range {
  return end + 1 < document.lineCount ? new vscode.Range(start, 0, end + 1, 0) : new vscode.Range(start, 0, end, document.lineAt(end).text.length);
}

export function registerEditSelection(edit: EditSelection): vscode.Disposable[] {
  const command = (id: string, run: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, run);
  return [
    command('fastrouter.editSelection', (args?: EditArgs) => edit.run(args && typeof args === 'object' && !(args instanceof vscode.Uri) ? args : {})),
    command('fastrouter.editSelection.accept', (uri?: unknown, hunk?: unknown) => edit.decide(true, uri, hunk)),
    command('fastrouter.editSelection.reject', (uri?: unknown, hunk?: unknown) => edit.decide(false, uri, hunk)),
    command('fastrouter.editSelection.acceptAll', (uri?: unknown) => edit.sessionOf(uri)?.acceptAll()),
    command('fastrouter.editSelection.rejectAll', (uri?: unknown) => edit.sessionOf(uri)?.rejectAll()),
    command('fastrouter.editSelection.stop', (uri?: unknown) => edit.sessionOf(uri)?.abort.abort()),
  ];
}
