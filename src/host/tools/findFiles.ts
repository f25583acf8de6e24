// find_files: vscode.workspace.findFiles with the user's excludes (files.exclude by VS Code, search.exclude here); capped.
import * as vscode from 'vscode';
import type { ToolInput } from '../../core/tools/definitions';
import type { PreparedToolCall } from '../../core/tools/types';
import type { ToolWorkspace } from './workspace';

export const MAX_FOUND_FILES = 500;

export async function prepareFindFiles(ws: ToolWorkspace, input: ToolInput<'find_files'>): Promise<PreparedToolCall | { error: string }> {
  if (ws.roots().length === 0) return { error: 'No workspace folder is open: the tools can only see files of an open folder.' };
  const glob = input.glob.replace(/^\.\//, '');
  return {
    summary: `Find ${glob}`,
    async run(signal) {
      const source = new vscode.CancellationTokenSource();
      signal.addEventListener('abort', () => source.cancel(), { once: true });
      try {
        const uris = await vscode.workspace.findFiles(glob, undefined, MAX_FOUND_FILES * 4, source.token);
        const paths: string[] = [];
        for (const uri of uris) {
          const where = ws.locate(uri.fsPath);
          if (!where || ws.excludes(where.root, 'search').excludes(where.relative)) continue;
          paths.push(ws.roots().length > 1 ? `${where.root.name}/${where.relative}` : where.relative);
        }
        paths.sort();
        const capped = paths.length > MAX_FOUND_FILES;
        const shown = paths.slice(0, MAX_FOUND_FILES);
        const note = capped ? `\n[Only the first ${MAX_FOUND_FILES} files are shown; use a narrower glob.]` : '';
        const content = shown.length > 0 ? `${shown.join('\n')}${note}` : `No files match "${glob}".`;
        return { content, summary: `Found ${capped ? `${MAX_FOUND_FILES}+` : shown.length} file${shown.length === 1 ? '' : 's'} for '${glob}'` };
      } finally {
        source.dispose();
      }
    },
  };
}
