// search_text: the files of findFiles (files.exclude) minus search.exclude and the top .gitignore, searched line by line;
// open documents are searched as the editor has them. Secret-looking files are skipped; matches and files are capped.
import { readFile, stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { ToolInput } from '../../chat/tools/definitions';
import { looksSecret } from '../../chat/tools/paths';
import { looksBinary, searchLines, searchPattern, type ExcludeMatcher, type LineMatch } from '../../chat/tools/text';
import type { PreparedToolCall } from '../../chat/tools/types';
import type { ToolWorkspace } from './workspace';

export const SEARCH_LIMITS = { maxFiles: 20_000, maxMatches: 200, maxPerFile: 20, maxFileBytes: 1024 * 1024, parallel: 16 } as const;

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

/** Exported for the benchmark (bench/tools.ts runs it over a 5,000-file folder without the model). */
export async function searchWorkspace(ws: ToolWorkspace, pattern: RegExp, include: string, label: string, signal: AbortSignal) {
  const source = new vscode.CancellationTokenSource();
  signal.addEventListener('abort', () => source.cancel(), { once: true });
  try {
    const uris = await vscode.workspace.findFiles(include, undefined, SEARCH_LIMITS.maxFiles, source.token);
    const multi = ws.roots().length > 1;
    const excludes = new Map<string, ExcludeMatcher>();
    const gitignores = new Map<string, Promise<ExcludeMatcher>>();
    const files: { fsPath: string; path: string }[] = [];
    for (const uri of uris) {
      const where = ws.locate(uri.fsPath);
      if (!where) continue;
      let exclude = excludes.get(where.root.fsPath);
      if (!exclude) excludes.set(where.root.fsPath, (exclude = ws.excludes(where.root, 'search')));
      if (exclude.excludes(where.relative) || looksSecret(where.relative) || (await ws.gitignored(where.root, where.relative, gitignores))) continue;
      files.push({ fsPath: uri.fsPath, path: multi ? `${where.root.name}/${where.relative}` : where.relative });
    }
    files.sort((a, b) => a.path.localeCompare(b.path));
    const found: { path: string; matches: LineMatch[] }[] = new Array(files.length);
    let total = 0;
    let next = 0;
    const worker = async () => {
      while (next < files.length && total < SEARCH_LIMITS.maxMatches && !signal.aborted) {
        const i = next++;
        const text = await fileText(ws, files[i].fsPath);
        if (text === undefined) continue;
        const matches = searchLines(text, new RegExp(pattern.source, pattern.flags), SEARCH_LIMITS.maxPerFile);
        if (matches.length > 0) {
          found[i] = { path: files[i].path, matches };
          total += matches.length;
        }
      }
    };
    await Promise.all(Array.from({ length: SEARCH_LIMITS.parallel }, worker));
    if (signal.aborted) return { content: 'The search was stopped.', isError: true, summary: `Search ${label} (stopped)` };
    const out: string[] = [];
    let count = 0;
    for (const file of found) {
      if (!file) continue;
      for (const m of file.matches) {
        if (count >= SEARCH_LIMITS.maxMatches) break;
        count++;
        if (m.before !== undefined) out.push(`${file.path}-${m.line - 1}-  ${m.before}`);
        out.push(`${file.path}:${m.line}:  ${m.text}`);
        if (m.after !== undefined) out.push(`${file.path}-${m.line + 1}-  ${m.after}`);
        out.push('--');
      }
    }
    const capped = total >= SEARCH_LIMITS.maxMatches || uris.length >= SEARCH_LIMITS.maxFiles;
    if (count === 0) return { content: `No matches for ${label} in ${files.length} files.`, summary: `Searched ${label} — no matches` };
    out.pop();
    if (capped) out.push(`[Stopped at ${count} matches${uris.length >= SEARCH_LIMITS.maxFiles ? ` and ${SEARCH_LIMITS.maxFiles} files` : ''}; narrow the query or use include.]`);
    return { content: out.join('\n'), summary: `Searched ${label} — ${count}${capped ? '+' : ''} match${count === 1 ? '' : 'es'}` };
  } finally {
    source.dispose();
  }
}

async function fileText(ws: ToolWorkspace, fsPath: string): Promise<string | undefined> {
  const open = ws.openDocument(fsPath);
  if (open) return open.getText();
  try {
    if ((await stat(fsPath)).size > SEARCH_LIMITS.maxFileBytes) return undefined;
    const bytes = await readFile(fsPath);
    return looksBinary(bytes) ? undefined : bytes.toString('utf8');
  } catch {
    return undefined;
  }
}
