// Add File to Chat and Add Problems to Chat: reads what the user chose into context items for the next question.
// A file open in an editor is read from its buffer (unsaved changes included), others from disk; folders and binary
// files are refused with a reason; a file over fastrouter.maxSelectionChars asks first (all of it — the default when
// it fits the model's context comfortably —, cut at a line end, or cancel), as Ask About Selection does. Problems are the workspace's errors and warnings, one line each.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatProblems, type Problem, type ProblemSeverity } from '../../core/conversation/attachedText';
import { truncateAtLine } from '../../core/request/prompt';
import type { CodeContext } from '../../common/chatTypes';
import { fuzzyFileGlob } from '../../core/tools/excludeGlob';
import { looksBinary } from '../../core/tools/textFile';
import { ToolWorkspace } from '../tools/workspace';
import { askLargeCode, type SizePreview } from './selection';

/** Add File to Chat: a text file bigger than this is not read at all (far over any sensible context). */
export const MAX_ADDED_TEXT_FILE_BYTES = 30 * 1024 * 1024;
/** Files a quick pick lists. */
const MAX_PICK_FILES = 5000;

export type ReadResult = { ok: true; item: CodeContext; cut: boolean } | { ok: false; reason: string } | { ok: false; cancelled: true };

function relativePath(uri: vscode.Uri): string {
  return uri.scheme === 'untitled' ? uri.path : vscode.workspace.asRelativePath(uri);
}

/** The file as a context item, or why not. `maxChars` is fastrouter.maxSelectionChars. */
export async function readFileContext(uri: vscode.Uri, maxChars: number, preview?: SizePreview): Promise<ReadResult> {
  const name = relativePath(uri);
  let document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (!document) {
    let stat: vscode.FileStat;
    try {
      stat = await vscode.workspace.fs.stat(uri);
    } catch (error) {
      return { ok: false, reason: vscode.l10n.t('Could not read {0}: {1}', name, error instanceof Error ? error.message : String(error)) };
    }
    if (stat.type & vscode.FileType.Directory) return { ok: false, reason: vscode.l10n.t('{0} is a folder: add the files in it instead.', name) };
    if (stat.size > MAX_ADDED_TEXT_FILE_BYTES) {
      return { ok: false, reason: vscode.l10n.t('{0} is too big to add to the chat ({1} MB; at most {2} MB).', name, (stat.size / 1048576).toFixed(1), MAX_ADDED_TEXT_FILE_BYTES / 1048576) };
    }
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (looksBinary(bytes)) return { ok: false, reason: vscode.l10n.t('{0} is not a text file, so it cannot be added to the chat.', name) };
    // Opening it (not showing it) gives the language and the user's encoding settings.
    document = await vscode.workspace.openTextDocument(uri);
  }
  let text = document.getText();
  const languageId = document.languageId;
  const fileItem = (content: string): CodeContext => ({ id: 'preview', kind: 'file', languageId, path: name, text: content });
  let endLine: number | undefined;
  let cut = false;
  if (text.length > maxChars) {
    const kept = truncateAtLine(text, maxChars);
    const choice = await askLargeCode({
      message: vscode.l10n.t('{0} has {1} characters, more than fastrouter.maxSelectionChars ({2}).', name, text.length, maxChars),
      allLabel: vscode.l10n.t('Add All'),
      cutLabel: vscode.l10n.t('Add the First {0} Characters', maxChars),
      items: [fileItem(text)],
      cutItems: [fileItem(kept.text)],
      maxChars,
      ...(preview ? { preview } : {}),
    });
    if (choice === undefined) return { ok: false, cancelled: true };
    if (choice === 'cut') {
      text = kept.text;
      endLine = kept.lines;
      cut = true;
    }
  }
  return {
    ok: true,
    cut,
    item: { id: `file-${randomUUID()}`, kind: 'file', languageId: document.languageId, path: name, ...(cut ? { startLine: 1, endLine } : {}), text },
  };
}

const SEVERITIES: Record<number, ProblemSeverity> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'information',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

/** Every error and warning VS Code knows about (the Problems panel), one line each. */
export function workspaceProblems(): Problem[] {
  const problems: Problem[] = [];
  for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
    for (const d of diagnostics) {
      const code = typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? undefined : String(d.code);
      problems.push({
        path: relativePath(uri),
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        severity: SEVERITIES[d.severity] ?? 'error',
        message: d.message,
        source: d.source,
        code,
      });
    }
  }
  return problems;
}

/** The problems as a context item, or undefined when there are none. */
export function problemsContext(problems: readonly Problem[] = workspaceProblems()): { item: CodeContext; count: number } | undefined {
  const out = formatProblems(problems);
  if (out.total === 0) return undefined;
  return {
    count: out.total,
    item: { id: `problems-${randomUUID()}`, kind: 'problems', languageId: 'text', path: vscode.l10n.t('the workspace ({0} errors and warnings)', out.total), text: out.text },
  };
}

export interface PickedContext {
  problems: boolean;
  uris: vscode.Uri[];
}

/**
 * The workspace files the Add File… picker offers for what the user typed, as Ctrl+P finds them: a query per folder
 * (the typed letters in order, any case) with files.exclude, search.exclude and .gitignore files in the query itself, so
 * ignored folders never fill the list. Best first: the name starting with the text, then containing it, then shorter paths.
 */
export function pickFileQuery(): (typed: string, token?: vscode.CancellationToken) => Promise<vscode.Uri[]> {
  const ws = new ToolWorkspace();
  const excludes = new Map<string, Promise<string | undefined>>();
  return async (typed, token) => {
    const glob = fuzzyFileGlob(typed) ?? '**/*';
    const found: vscode.Uri[] = [];
    for (const root of ws.roots()) {
      let exclude = excludes.get(root.fsPath);
      if (!exclude) excludes.set(root.fsPath, (exclude = ws.excludeGlob(root, 'search')));
      found.push(...(await vscode.workspace.findFiles(new vscode.RelativePattern(vscode.Uri.file(root.fsPath), glob), await exclude, MAX_PICK_FILES, token)));
    }
    const text = typed.trim().toLowerCase().split(/[\\/]/).pop() ?? '';
    const rank = (uri: vscode.Uri): number => {
      const name = path.basename(uri.fsPath).toLowerCase();
      return !text ? 0 : name.startsWith(text) ? 0 : name.includes(text) ? 1 : 2;
    };
    return found.sort((a, b) => rank(a) - rank(b) || a.path.length - b.path.length || a.path.localeCompare(b.path));
  };
}

/** The composer's Add File… quick pick: the problems (when there are some), open editors, then the workspace's files. */
export async function pickContext(): Promise<PickedContext | undefined> {
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri; problems?: true };
  const problemCount = formatProblems(workspaceProblems()).total;
  const open = vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .map((tab) => (tab.input instanceof vscode.TabInputText ? tab.input.uri : undefined))
    .filter((uri): uri is vscode.Uri => uri !== undefined && uri.scheme === 'file');
  const seen = new Set<string>();
  const items: Item[] = [];
  if (problemCount > 0) items.push({ label: `$(warning) ${vscode.l10n.t('Problems')}`, description: vscode.l10n.t('{0} errors and warnings in the workspace', problemCount), problems: true });
  const fileItem = (uri: vscode.Uri, alwaysShow = false): Item =>
    ({ label: path.basename(uri.path), description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)), uri, iconPath: vscode.ThemeIcon.File, resourceUri: uri, alwaysShow } as Item);
  if (open.length > 0) items.push({ label: vscode.l10n.t('Open editors'), kind: vscode.QuickPickItemKind.Separator });
  for (const uri of open) {
    if (seen.has(uri.toString())) continue;
    seen.add(uri.toString());
    items.push(fileItem(uri));
  }
  const quickPick = vscode.window.createQuickPick<Item>();
  quickPick.title = vscode.l10n.t('Add to Chat');
  quickPick.placeholder = vscode.l10n.t('Files to send with the next question (type to search the workspace)');
  quickPick.canSelectMany = true;
  quickPick.matchOnDescription = true;
  quickPick.items = items;
  // The workspace's files are queried for what is typed (as Ctrl+P does); each answer replaces the last one's files,
  // which stay shown whatever the picker's own filter thinks (the query already matched them).
  const query = pickFileQuery();
  const chosenFiles = new Map<string, Item>();
  let pending: vscode.CancellationTokenSource | undefined;
  const search = (typed: string): void => {
    pending?.cancel();
    const source = (pending = new vscode.CancellationTokenSource());
    quickPick.busy = true;
    query(typed, source.token).then((uris) => {
      if (source.token.isCancellationRequested) return;
      for (const item of quickPick.selectedItems) if (item.uri) chosenFiles.set(item.uri.toString(), item);
      const rest = uris.filter((uri) => !seen.has(uri.toString())).map((uri) => chosenFiles.get(uri.toString()) ?? fileItem(uri, true));
      const kept = [...chosenFiles.values()].filter((item) => !rest.includes(item));
      const selected = quickPick.selectedItems;
      quickPick.items = [...items, ...kept, ...(rest.length > 0 ? [{ label: vscode.l10n.t('Workspace'), kind: vscode.QuickPickItemKind.Separator } as Item] : []), ...rest];
      quickPick.selectedItems = selected;
      quickPick.busy = false;
    }, () => {
      if (!source.token.isCancellationRequested) quickPick.busy = false;
    });
  };
  quickPick.onDidChangeValue(search);
  search('');
  const chosen = await new Promise<readonly Item[] | undefined>((resolve) => {
    quickPick.onDidAccept(() => resolve(quickPick.selectedItems.length > 0 ? quickPick.selectedItems : quickPick.activeItems));
    quickPick.onDidHide(() => resolve(undefined));
    quickPick.show();
  });
  pending?.cancel();
  quickPick.dispose();
  if (!chosen || chosen.length === 0) return undefined;
  return { problems: chosen.some((item) => item.problems), uris: chosen.flatMap((item) => (item.uri ? [item.uri] : [])) };
}
