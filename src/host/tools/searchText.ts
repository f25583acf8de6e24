// search_text: the files of findFiles with files.exclude, search.exclude and .gitignore files in the query, searched line by line;
// open documents are searched as the editor has them. Secret-looking files are skipped; matches and files are capped.
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import type { ToolInput } from '../../core/tools/definitions';
import { GitignoreFilter, SEARCH_LIMITS, searchFiles, type SearchFile } from '../../core/tools/search';
import { searchPattern } from '../../core/tools/text';
import { decodeText, looksBinary } from '../../core/tools/textFile';
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
    // Excludes and .gitignore files are in the query: ignored folders do not use up the file budget.
    const listed = await ws.listFiles(include, 'search', SEARCH_LIMITS.maxFiles, source.token);
    const gitignore = new GitignoreFilter(readIfThere);
    const files: SearchFile[] = [];
    const encodings = new Map(ws.roots().map((root) => [root.fsPath, ws.encoding(vscode.Uri.file(root.fsPath))]));
    const encodingOf = new Map<string, string | undefined>();
    for (const file of listed.files) {
      // Secret by the name it has and by the real name behind a link.
      if (file.secret) continue;
      const relative = nodePath.relative(file.root.fsPath, file.fsPath).split(nodePath.sep).join('/');
      // Negations and odd patterns the query's glob leaves out are still judged here.
      if (ws.useIgnoreFiles(file.root) && (await gitignore.ignored(file.root.fsPath, relative))) continue;
      files.push({ fsPath: file.fsPath, path: file.display });
      encodingOf.set(file.fsPath, encodings.get(file.root.fsPath));
    }
    return await searchFiles(files, pattern, (fsPath) => fileText(ws, fsPath, encodingOf.get(fsPath)), { label, signal, listedAll: !listed.cut });
  } finally {
    source.dispose();
  }
}

/** An open document's text (unsaved changes count), else the disk's; read synchronously (see searchFiles). */
function fileText(ws: ToolWorkspace, fsPath: string, encoding: string | undefined): string | undefined {
  const open = ws.openDocument(fsPath);
  if (open) return open.getText();
  try {
    if (statSync(fsPath).size > SEARCH_LIMITS.maxFileBytes) return undefined;
    const bytes = readFileSync(fsPath);
    // The same rule as read_file: UTF-16 with a BOM is text; the folder's files.encoding decodes the rest.
    return looksBinary(bytes) ? undefined : decodeText(bytes, encoding).text;
  } catch {
    return undefined;
  }
}

/** A .gitignore's text, if the folder has one. */
function readIfThere(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
