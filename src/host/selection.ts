// Which code a selection command is about: the selection, or (when it is empty) the enclosing function/class from the
// language's document symbols, else the indentation block, else the user picks. Also the oversize check.
import * as vscode from 'vscode';
import { enclosingBlockByIndentation, truncateAtLine } from '../chat/prompt';
import type { CodeContext } from '../protocol';

const BLOCK_KINDS = new Set([
  vscode.SymbolKind.Function,
  vscode.SymbolKind.Method,
  vscode.SymbolKind.Constructor,
  vscode.SymbolKind.Class,
  vscode.SymbolKind.Interface,
  vscode.SymbolKind.Struct,
  vscode.SymbolKind.Enum,
  vscode.SymbolKind.Module,
  vscode.SymbolKind.Namespace,
  vscode.SymbolKind.Object,
]);

export interface PickedCode {
  code: CodeContext;
  range: vscode.Range;
}

export async function pickCode(editor: vscode.TextEditor): Promise<PickedCode | undefined> {
  const document = editor.document;
  let range: vscode.Range | undefined = editor.selection.isEmpty ? undefined : document.validateRange(trimSelection(editor.selection));
  if (!range) {
    range = (await enclosingSymbol(document, editor.selection.active)) ?? enclosingIndentBlock(document, editor.selection.active.line);
    if (!range) range = await askForRange(document, editor.selection.active.line);
    if (!range) return undefined;
    // Show what will be sent.
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  return { range, code: codeContext(document, range) };
}

export function codeContext(document: vscode.TextDocument, range: vscode.Range): CodeContext {
  return {
    languageId: document.languageId,
    path: document.isUntitled ? document.uri.path : vscode.workspace.asRelativePath(document.uri, false),
    startLine: range.start.line + 1,
    endLine: range.end.line + 1,
    text: document.getText(range),
  };
}

/** A selection ending at column 0 of the next line means "up to the end of the previous line". */
function trimSelection(selection: vscode.Selection): vscode.Range {
  if (selection.end.character === 0 && selection.end.line > selection.start.line) {
    return new vscode.Range(selection.start, selection.end.translate(-1).with({ character: Number.MAX_SAFE_INTEGER }));
  }
  return new vscode.Range(selection.start, selection.end);
}

async function enclosingSymbol(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Range | undefined> {
  let symbols: (vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined;
  try {
    symbols = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[]>('vscode.executeDocumentSymbolProvider', document.uri);
  } catch {
    return undefined;
  }
  let best: vscode.Range | undefined;
  const consider = (kind: vscode.SymbolKind, range: vscode.Range) => {
    if (!BLOCK_KINDS.has(kind) || !range.contains(position) || range.isSingleLine) return;
    if (!best || best.contains(range)) best = range;
  };
  const walk = (list: readonly vscode.DocumentSymbol[]) => {
    for (const symbol of list) {
      consider(symbol.kind, symbol.range);
      walk(symbol.children ?? []);
    }
  };
  for (const symbol of symbols ?? []) {
    if ('children' in symbol) {
      consider(symbol.kind, symbol.range);
      walk(symbol.children);
    } else if ('location' in symbol && symbol.location.uri.toString() === document.uri.toString()) {
      consider(symbol.kind, symbol.location.range);
    }
  }
  return best ? document.validateRange(new vscode.Range(best.start.line, 0, best.end.line, Number.MAX_SAFE_INTEGER)) : undefined;
}

function enclosingIndentBlock(document: vscode.TextDocument, line: number): vscode.Range | undefined {
  const lines: string[] = [];
  for (let i = 0; i < document.lineCount; i++) lines.push(document.lineAt(i).text);
  const block = enclosingBlockByIndentation(lines, line);
  return block ? new vscode.Range(block.start, 0, block.end, document.lineAt(block.end).text.length) : undefined;
}

async function askForRange(document: vscode.TextDocument, line: number): Promise<vscode.Range | undefined> {
  type Item = vscode.QuickPickItem & { range: vscode.Range };
  const last = document.lineCount - 1;
  const items: Item[] = [
    { label: vscode.l10n.t('Whole file'), description: vscode.l10n.t('{0} lines', document.lineCount), range: new vscode.Range(0, 0, last, document.lineAt(last).text.length) },
  ];
  if (!document.lineAt(line).isEmptyOrWhitespace) {
    items.push({ label: vscode.l10n.t('Current line'), description: String(line + 1), range: document.lineAt(line).range });
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Nothing is selected. Which code?'),
    placeHolder: vscode.l10n.t('Select code first, or pick what to send'),
  });
  return picked?.range;
}

/** Over `maxChars`: asks to truncate, send anyway or cancel (undefined). */
export async function confirmSize(picked: PickedCode, maxChars: number): Promise<CodeContext | undefined> {
  const { code } = picked;
  if (code.text.length <= maxChars) return code;
  const truncate = vscode.l10n.t('Send the First {0} Characters', maxChars);
  const anyway = vscode.l10n.t('Send All');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('The code has {0} characters, more than fastrouter.maxSelectionChars ({1}).', code.text.length, maxChars),
    { modal: true, detail: vscode.l10n.t('Long code costs more input tokens (credits). Truncate it at a line end, or send it all?') },
    truncate,
    anyway,
  );
  if (choice === anyway) return code;
  if (choice !== truncate) return undefined;
  const cut = truncateAtLine(code.text, maxChars);
  return { ...code, text: cut.text, endLine: code.startLine + cut.lines - 1 };
}
