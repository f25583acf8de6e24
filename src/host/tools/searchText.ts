// search_text: the files of findFiles (files.exclude) minus search.exclude and .gitignore files, searched line by line;
// open documents are searched as the editor has them. Secret-looking files are skipped; matches and files are capped.
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ToolInput } from '../../core/tools/definitions';
import { looksSecret } from '../../core/tools/paths';
import { GitignoreFilter, SEARCH_LIMITS, searchFiles, type SearchFile } from '../../core/tools/search';
import { looksBinary, searchPattern, type ExcludeMatcher } from '../../core/tools/text';
import type { PreparedToolCall, ToolRunResult } from '../../core/tools/types';
import type { ToolWorkspace } from './workspace';

export async function prepareSearchText(ws: ToolWorkspace, input: ToolInput<'search_text'>): Promise<PreparedToolCall | { error: string }> {
  if (ws.roots().length === 0) return { error: 'No workspace folder is open: the tools can only see files of an open folder.' };
  const pattern = searchPattern(input.query, input.is_regexp === true);
  if (typeof pattern === 'string') return { error: pattern };
  const include = input.include?.replace(/^\.\//, '') || '**/*';
  const label = `'${input.query}'${input.include ? ` in ${input.include}` : ''}`;
  return {
    summary: `Search ${label}`,
    run: (signal) => searchWorkspace(ws, pattern, include, label, signal),
  };
}

async function searchWorkspace(ws: ToolWorkspace, pattern: RegExp, include: string, label: string, signal: AbortSignal): Promise<ToolRunResult> {
  const source = new vscode.CancellationTokenSource();
  signal.addEventListener('abort', () => source.cancel(), { once: true });
  try {
    const uris = await vscode.workspace.findFiles(include, undefined, SEARCH_LIMITS.maxFiles, source.token);
    const multi = ws.roots().length > 1;
    const excludes = new Map<string, ExcludeMatcher>();
    const gitignore = new GitignoreFilter(readIfThere);
    const files: SearchFile[] = [];
    for (const uri of uris) {
      const where = ws.locate(uri.fsPath);
      if (!where) continue;
      let exclude = excludes.get(where.root.fsPath);
      if (!exclude) excludes.set(where.root.fsPath, (exclude = ws.excludes(where.root, 'search')));
      if (exclude.excludes(where.relative) || looksSecret(where.relative)) continue;
      if (ws.useIgnoreFiles(where.root) && (await gitignore.ignored(where.root.fsPath, where.relative))) continue;
      files.push({ fsPath: uri.fsPath, path: multi ? `${where.root.name}/${where.relative}` : where.relative });
    }
    files.sort((a, b) => a.path.localeCompare(b.path));
    return await searchFiles(files, pattern, (fsPath) => fileText(ws, fsPath), { label, signal, listedAll: uris.length < SEARCH_LIMITS.maxFiles });
  } finally {
    source.dispose();
  }
}

/** An open document's text (unsaved changes count), else the disk's; read synchronously (see searchFiles). */
function fileText(ws: ToolWorkspace, fsPath: string): string | undefined {
  const open = ws.openDocument(fsPath);
  if (open) return open.getText();
  try {
    if (statSync(fsPath).size > SEARCH_LIMITS.maxFileBytes) return undefined;
    const bytes = readFileSync(fsPath);
    return looksBinary(bytes) ? undefined : bytes.toString('utf8');
  } catch {
    return undefined;
  }
}

/** A .gitignore's text, if the folder has one. */
function readIfThere(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
