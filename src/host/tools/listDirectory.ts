// list_directory: a folder's entries (folders end in "/"), without what files.exclude hides.
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import type { ToolInput } from '../../core/tools/definitions';
import type { PreparedToolCall } from '../../core/tools/types';
import type { ToolWorkspace } from './workspace';

const MAX_ENTRIES = 1000;

export async function prepareListDirectory(ws: ToolWorkspace, input: ToolInput<'list_directory'>): Promise<PreparedToolCall | { error: string }> {
  const resolved = await ws.resolve(input.path || '.');
  if (!resolved.ok) return { error: resolved.error };
  const { fsPath, display, secret, root, real } = resolved.path;
  const shown = display ? `${display}/` : './';
  return {
    summary: `List ${shown}`,
    secret,
    grantKey: `list_directory\u0000${fsPath}\u0000${real ?? ''}`,
    async run() {
      let entries: [string, vscode.FileType][];
      try {
        entries = await vscode.workspace.fs.readDirectory(vscode.Uri.file(fsPath));
      } catch {
        return { content: `"${shown}" is not a folder of the workspace.`, isError: true, summary: `List ${shown} (not found)` };
      }
      const excludes = ws.excludes(root, 'files');
      const base = nodePath.relative(root.fsPath, fsPath).split(nodePath.sep).join('/');
      const visible = entries
        .filter(([name]) => !excludes.excludes(base ? `${base}/${name}` : name))
        .map(([name, type]) => ((type & vscode.FileType.Directory) !== 0 ? `${name}/` : name))
        .sort((a, b) => Number(!a.endsWith('/')) - Number(!b.endsWith('/')) || a.localeCompare(b));
      const hidden = entries.length - visible.length;
      const listed = visible.slice(0, MAX_ENTRIES);
      const notes = [
        ...(visible.length > MAX_ENTRIES ? [`[${visible.length - MAX_ENTRIES} more entries not shown]`] : []),
        ...(hidden > 0 ? [`[${hidden} entr${hidden === 1 ? 'y' : 'ies'} hidden by files.exclude]`] : []),
      ];
      const body = listed.length > 0 ? listed.join('\n') : '(empty folder)';
      return { content: [`${shown}:`, body, ...notes].join('\n'), summary: `Listed ${shown} — ${visible.length} entr${visible.length === 1 ? 'y' : 'ies'}` };
    },
  };
}
