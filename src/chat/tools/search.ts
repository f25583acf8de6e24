// The host work of a search_text round apart from listing the files (VS Code's findFiles): which files count
// (.gitignore of each folder on the way), reading them a few at a time, matching, and the capped result text.
// Node file reads only, no vscode: bench/tools.ts runs it over a 5,000-file folder.
import * as nodePath from 'node:path';
import { ExcludeMatcher, gitignoreGlobs, searchLines, type LineMatch } from './text';
import type { ToolRunResult } from './types';

export const SEARCH_LIMITS = { maxFiles: 20_000, maxMatches: 200, maxPerFile: 20, maxFileBytes: 1024 * 1024, parallel: 16 } as const;

/** .gitignore files of a folder and the folders above it, each read once (negations are skipped: cheap, not complete). */
export class GitignoreFilter {
  private readonly cache = new Map<string, Promise<ExcludeMatcher>>();

  constructor(private readonly read: (file: string) => Promise<string>) {}

  async ignored(rootFsPath: string, relative: string): Promise<boolean> {
    const parts = relative.split('/');
    for (let depth = 0; depth < parts.length; depth++) {
      const folder = nodePath.join(rootFsPath, ...parts.slice(0, depth));
      let matcher = this.cache.get(folder);
      if (!matcher) {
        matcher = this.read(nodePath.join(folder, '.gitignore')).then((text) => new ExcludeMatcher(gitignoreGlobs(text)), () => new ExcludeMatcher([]));
        this.cache.set(folder, matcher);
      }
      const m = await matcher;
      if (!m.empty && m.excludes(parts.slice(depth).join('/'))) return true;
    }
    return false;
  }
}

export interface SearchFile {
  fsPath: string;
  /** As the model sees it (workspace-relative). */
  path: string;
}

/** Searches `files` (in order) for `pattern`; `readText` gives a file's text or undefined (binary, too big, gone). */
export async function searchFiles(
  files: readonly SearchFile[],
  pattern: RegExp,
  readText: (fsPath: string) => Promise<string | undefined>,
  options: { label: string; signal: AbortSignal; listedAll: boolean },
): Promise<ToolRunResult> {
  const { label, signal } = options;
  const found: ({ path: string; matches: LineMatch[] } | undefined)[] = new Array(files.length);
  let total = 0;
  let next = 0;
  const worker = async () => {
    while (next < files.length && total < SEARCH_LIMITS.maxMatches && !signal.aborted) {
      const i = next++;
      const text = await readText(files[i].fsPath);
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
  if (count === 0) return { content: `No matches for ${label} in ${files.length} files.`, summary: `Searched ${label} — no matches` };
  out.pop();
  const capped = total >= SEARCH_LIMITS.maxMatches || !options.listedAll;
  if (capped) out.push(`[Stopped at ${count} matches${options.listedAll ? '' : ` and ${SEARCH_LIMITS.maxFiles} files`}; narrow the query or use include.]`);
  return { content: out.join('\n'), summary: `Searched ${label} — ${count}${capped ? '+' : ''} match${count === 1 ? '' : 'es'}` };
}
