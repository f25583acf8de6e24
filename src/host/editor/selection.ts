// Which code a selection command is about: every selection (one item per cursor), or (when nothing is selected) the
// enclosing function/class from the language's document symbols, else the indentation block, else the user picks.
// What is sent is what the user sees: whole first lines when only indentation precedes the selection, no extra line when
// the selection ends at column 0. Also the oversize check.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { formatCredits } from '../../common/credits';
import { enclosingBlockByIndentation, truncateItems } from '../../core/request/prompt';
import type { CodeContext } from '../../common/chatTypes';
import { estimateTextTokens, formatTokenCount } from '../../common/tokenCount';
import { attachmentFit } from '../../core/request/largeAttachment';

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

/** The most selections one question carries (multi-cursor); more would be a mistake rather than a wish. */
export const MAX_SELECTIONS = 50;

export interface PickedCode {
  /** One per selection, in document order; ranges are what was sent. */
  items: { code: CodeContext; range: vscode.Range }[];
}

/**
 * The code the user means. `single`: only the primary selection (an inline explanation sits at one place).
 * Resolves undefined when the user cancelled the "which code?" question.
 */
export async function pickCode(editor: vscode.TextEditor, options: { single?: boolean } = {}): Promise<PickedCode | undefined> {
  const document = editor.document;
  const selections = options.single ? [editor.selection] : editor.selections;
  const ranges = mergeRanges(
    selections.filter((s) => !s.isEmpty).map((s) => document.validateRange(visibleRange(document, s))).filter((r) => !r.isEmpty),
  ).slice(0, MAX_SELECTIONS);
  if (ranges.length > 0) return { items: ranges.map((range) => ({ range, code: codeContext(document, range) })) };

  const active = editor.selection.active;
  let range = (await enclosingSymbol(document, active)) ?? enclosingIndentBlock(document, active.line);
  if (!range) range = await askForRange(document, active.line);
  if (!range) return undefined;
  // Show what will be sent.
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return { items: [{ range, code: codeContext(document, range) }] };
}

export function codeContext(document: vscode.TextDocument, range: vscode.Range): CodeContext {
  return {
    id: randomUUID(),
    kind: 'selection',
    languageId: document.languageId,
    path: documentName(document),
    startLine: range.start.line + 1,
    endLine: range.end.line + 1,
    text: document.getText(range),
  };
}

/**
 * A name the model (and the user, in the chat) can read: the workspace-relative path; "Untitled-1" for an untitled
 * file; "analysis.ipynb, cell 3" for a notebook cell (its lines are the cell's own).
 */
export function documentName(document: vscode.TextDocument): string {
  if (document.uri.scheme === 'vscode-notebook-cell') {
    for (const notebook of vscode.workspace.notebookDocuments) {
      const cell = notebook.getCells().find((c) => c.document === document || c.document.uri.toString() === document.uri.toString());
      if (cell) return vscode.l10n.t('{0}, cell {1}', vscode.workspace.asRelativePath(notebook.uri, false), cell.index + 1);
    }
    return vscode.l10n.t('{0}, a notebook cell', vscode.workspace.asRelativePath(document.uri.with({ scheme: 'file', fragment: '' }), false));
  }
  if (document.isUntitled) {
    const name = document.uri.path.split('/').pop();
    return name || vscode.l10n.t('Untitled');
  }
  if (document.uri.scheme !== 'file' && document.uri.scheme !== 'vscode-remote') {
    // e.g. a git: or output: document; its path is still the best name.
    return vscode.workspace.asRelativePath(document.uri.with({ query: '', fragment: '' }), false);
  }
  return vscode.workspace.asRelativePath(document.uri, false);
}

/**
 * The range as the user sees it: a selection that starts after only indentation starts at column 0 (otherwise its
 * first line looks shifted left against the following ones), and one that ends at column 0 of a later line ends at
 * the end of the line before (that line is not part of what they selected).
 */
export function visibleRange(document: vscode.TextDocument, selection: vscode.Range): vscode.Range {
  let start = selection.start;
  let end = selection.end;
  if (end.character === 0 && end.line > start.line) {
    end = new vscode.Position(end.line - 1, document.lineAt(end.line - 1).text.length);
  }
  if (start.character > 0 && document.lineAt(start.line).text.slice(0, start.character).trim() === '') {
    start = new vscode.Position(start.line, 0);
  }
  return new vscode.Range(start, end);
}

/** Sorted, with overlapping or touching ranges joined (multi-cursor selections can overlap after the adjustments). */
function mergeRanges(ranges: vscode.Range[]): vscode.Range[] {
  const sorted = [...ranges].sort((a, b) => a.start.compareTo(b.start));
  const out: vscode.Range[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last && !range.start.isAfter(last.end)) out[out.length - 1] = last.union(range);
    else out.push(range);
  }
  return out;
}

/** The enclosing function/class (document symbols), else the indentation block, around `position`. */
export async function enclosingRange(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Range | undefined> {
  return (await enclosingSymbol(document, position)) ?? enclosingIndentBlock(document, position.line);
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

/**
 * The cost preview of sending `items` (with the conversation they join): tokens, and when known the credits and the
 * model's context window.
 */
export type SizePreview = (items: CodeContext[]) => { tokens: number; credits?: number; contextLength?: number } | undefined;

type Preview = { tokens: number; credits?: number };

/** The cost preview of both choices of a large-selection or large-file question, as a sentence to append ('' without). */
export function previewChoices(all: Preview | undefined, first: Preview | undefined, maxChars: number): string {
  if (!all || !first) return '';
  const describe = (p: Preview) =>
    p.credits !== undefined
      ? vscode.l10n.t('≈ {0} tokens · ≈ {1} credits', formatTokenCount(p.tokens), formatCredits(p.credits))
      : vscode.l10n.t('≈ {0} tokens', formatTokenCount(p.tokens));
  return ' ' + vscode.l10n.t('Next request, with this chat\'s conversation: all of it {0}; the first {1} characters {2} (estimated locally; the answer is extra).', describe(all), maxChars, describe(first));
}

export interface LargeCodeQuestion {
  /** The dialog's first line ("The code has N characters, more than …"). */
  message: string;
  allLabel: string;
  cutLabel: string;
  items: CodeContext[];
  cutItems: CodeContext[];
  maxChars: number;
  preview?: SizePreview;
}

/**
 * Code over fastrouter.maxSelectionChars: whole (the default, first button, when the next request with all of it fits
 * the model's context comfortably) or cut at a line end (the explicit choice; offered first when it would not fit
 * comfortably). The dialog says the tokens and credits of each and the share of the window. Undefined: cancelled.
 */
export async function askLargeCode(question: LargeCodeQuestion): Promise<'all' | 'cut' | undefined> {
  const { items, cutItems, maxChars, preview } = question;
  const all = preview?.(items);
  const cut = all ? preview?.(cutItems) : undefined;
  // Without a chat to join (Explain Inline, Edit Selection), the code's own tokens.
  const tokens = all?.tokens ?? items.reduce((sum, item) => sum + estimateTextTokens(item.text), 0);
  const fit = attachmentFit(tokens, all?.contextLength);
  const percent = Math.max(1, Math.round(fit.share * 100));
  const window = formatTokenCount(fit.contextLength);
  const advice = fit.comfortable
    ? vscode.l10n.t('All of it fills ≈ {0}% of the model\'s {1}-token context window: it fits comfortably. Every later question in this chat sends it again, which costs input tokens (credits).', percent, window)
    : vscode.l10n.t('All of it would fill ≈ {0}% of the model\'s {1}-token context window: cutting it at a line end is advised.', percent, window);
  const buttons = fit.comfortable ? [question.allLabel, question.cutLabel] : [question.cutLabel, question.allLabel];
  const choice = await vscode.window.showWarningMessage(question.message, { modal: true, detail: advice + previewChoices(all, cut, maxChars) }, ...buttons);
  return choice === question.allLabel ? 'all' : choice === question.cutLabel ? 'cut' : undefined;
}

/**
 * Over `maxChars` in all: asks to send all of it (the default when it fits the model's context comfortably), cut it,
 * or cancel (undefined). Truncation keeps whole lines, in order. With `preview`, the question says what each choice
 * would cost (estimated locally).
 */
export async function confirmSize(picked: PickedCode, maxChars: number, preview?: SizePreview): Promise<CodeContext[] | undefined> {
  const items = picked.items.map((i) => i.code);
  const total = items.reduce((sum, code) => sum + code.text.length, 0);
  if (total <= maxChars) return items;
  const cutItems = truncateItems(items, maxChars);
  const choice = await askLargeCode({
    message: vscode.l10n.t('The code has {0} characters, more than fastrouter.maxSelectionChars ({1}).', total, maxChars),
    allLabel: vscode.l10n.t('Send All'),
    cutLabel: vscode.l10n.t('Send the First {0} Characters', maxChars),
    items,
    cutItems,
    maxChars,
    ...(preview ? { preview } : {}),
  });
  return choice === 'all' ? items : choice === 'cut' ? cutItems : undefined;
}
