// get_diagnostics: the errors and warnings VS Code knows (vscode.languages.getDiagnostics), for a file or the workspace.
import * as vscode from 'vscode';
import type { ToolInput } from '../../core/tools/definitions';
import type { PreparedToolCall } from '../../core/tools/types';
import type { ToolWorkspace } from './workspace';

const MAX_PROBLEMS = 200;

export async function prepareGetDiagnostics(ws: ToolWorkspace, input: ToolInput<'get_diagnostics'>): Promise<PreparedToolCall | { error: string }> {
  let only: { fsPath: string; display: string } | undefined;
  if (input.path !== undefined) {
    const resolved = await ws.resolve(input.path);
    if (!resolved.ok) return { error: resolved.error };
    only = resolved.path;
  } else if (ws.roots().length === 0) {
    return { error: 'No workspace folder is open: the tools can only see files of an open folder.' };
  }
  const where = only ? ` of ${only.display}` : '';
  return {
    summary: `Get problems${where}`,
    async run() {
      const entries: [vscode.Uri, readonly vscode.Diagnostic[]][] = only
        ? [[vscode.Uri.file(only.fsPath), vscode.languages.getDiagnostics(vscode.Uri.file(only.fsPath))]]
        : vscode.languages.getDiagnostics();
      const lines: string[] = [];
      let errors = 0;
      let warnings = 0;
      for (const [uri, diagnostics] of entries) {
        if (uri.scheme !== 'file') continue;
        const located = ws.locate(uri.fsPath);
        if (!located) continue;
        const path = ws.roots().length > 1 ? `${located.root.name}/${located.relative}` : located.relative;
        for (const d of diagnostics) {
          if (d.severity !== vscode.DiagnosticSeverity.Error && d.severity !== vscode.DiagnosticSeverity.Warning) continue;
          const error = d.severity === vscode.DiagnosticSeverity.Error;
          if (error) errors++;
          else warnings++;
          const code = typeof d.code === 'object' ? d.code.value : d.code;
          const source = d.source ? ` [${d.source}${code !== undefined ? ` ${code}` : ''}]` : '';
          lines.push(`${path}:${d.range.start.line + 1}:${d.range.start.character + 1} ${error ? 'error' : 'warning'}: ${d.message}${source}`);
        }
      }
      const total = errors + warnings;
      if (total === 0) return { content: `No errors or warnings${where}.`, summary: `No problems${where}` };
      const shown = lines.slice(0, MAX_PROBLEMS);
      const note = lines.length > MAX_PROBLEMS ? `\n[${lines.length - MAX_PROBLEMS} more not shown]` : '';
      return { content: `${shown.join('\n')}${note}`, summary: `Got ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${where}` };
    },
  };
}
