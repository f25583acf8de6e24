// Fix with FastRouter / Explain with FastRouter: quick fixes on every error and warning. Offering them sends nothing
// and costs nothing (no request until the user picks one): the actions only carry a command.
import * as vscode from 'vscode';
import { enclosingRange } from '../editor/selection';
import type { EditArgs } from './editSelection';

export const FIX_TITLE = 'Fix with FastRouter';
export const EXPLAIN_TITLE = 'Explain with FastRouter';

/** A diagnostic as one line for the model: "error TS2322 (line 4): Type 'string' is not assignable…". */
export function describeDiagnostic(diagnostic: vscode.Diagnostic): string {
  const severity = diagnostic.severity === vscode.DiagnosticSeverity.Error ? 'error' : 'warning';
  const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
  const source = [diagnostic.source, code].filter((x) => x !== undefined && x !== '').join(' ');
  return `${severity}${source ? ` ${source}` : ''} (line ${diagnostic.range.start.line + 1}): ${diagnostic.message.replace(/\s+/g, ' ').trim()}`;
}

export class FixWithFastRouter implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const diagnostic = context.diagnostics.find((d) => d.severity === vscode.DiagnosticSeverity.Error || d.severity === vscode.DiagnosticSeverity.Warning);
    if (!diagnostic) return [];
    const fix = new vscode.CodeAction(vscode.l10n.t('Fix with FastRouter'), vscode.CodeActionKind.QuickFix);
    fix.diagnostics = [diagnostic];
    fix.command = { title: fix.title, command: 'fastrouter.fixWithFastRouter', arguments: [document.uri, diagnostic.range, diagnostic.message] };
    const explain = new vscode.CodeAction(vscode.l10n.t('Explain with FastRouter'), vscode.CodeActionKind.QuickFix);
    explain.diagnostics = [diagnostic];
    explain.command = { title: explain.title, command: 'fastrouter.explainWithFastRouter', arguments: [document.uri, diagnostic.range, diagnostic.message] };
    return [fix, explain];
  }
}

/** The diagnostic's lines widened to the enclosing block, and every error/warning in them. */
export async function fixTarget(uri: vscode.Uri, given: vscode.Range): Promise<{ range: vscode.Range; diagnostics: string[] }> {
  // Arguments that went through the workbench may arrive as plain objects.
  const range = new vscode.Range(given.start.line, given.start.character, given.end.line, given.end.character);
  const document = await vscode.workspace.openTextDocument(uri);
  const block = (await enclosingRange(document, range.start)) ?? new vscode.Range(range.start.line, 0, range.end.line, Number.MAX_SAFE_INTEGER);
  const widened = document.validateRange(block.union(range));
  const diagnostics = vscode.languages
    .getDiagnostics(uri)
    .filter((d) => (d.severity === vscode.DiagnosticSeverity.Error || d.severity === vscode.DiagnosticSeverity.Warning) && widened.intersection(d.range) !== undefined)
    .sort((a, b) => a.range.start.compareTo(b.range.start))
    .map(describeDiagnostic);
  return { range: widened, diagnostics };
}

export function registerFixWithFastRouter(run: {
  edit(args: EditArgs): Promise<unknown>;
  explain(editor: vscode.TextEditor, question: string): Promise<unknown>;
}): vscode.Disposable[] {
  return [
    vscode.languages.registerCodeActionsProvider({ scheme: '*' }, new FixWithFastRouter(), { providedCodeActionKinds: FixWithFastRouter.kinds }),
    vscode.commands.registerCommand('fastrouter.fixWithFastRouter', async (given: vscode.Uri, range: vscode.Range, message: string) => {
      const uri = vscode.Uri.from(given);
      const target = await fixTarget(uri, range);
      if (target.diagnostics.length === 0) target.diagnostics.push(message);
      return run.edit({ uri, range: target.range, instruction: `Fix: ${message}`, diagnostics: target.diagnostics });
    }),
    vscode.commands.registerCommand('fastrouter.explainWithFastRouter', async (given: vscode.Uri, range: vscode.Range, message: string) => {
      const uri = vscode.Uri.from(given);
      const target = await fixTarget(uri, range);
      const editor = await vscode.window.showTextDocument(uri);
      editor.selection = new vscode.Selection(target.range.start, target.range.end);
      const problems = target.diagnostics.length > 0 ? target.diagnostics : [message];
      return run.explain(editor, `Explain this problem and how to fix it:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    }),
  ];
}
