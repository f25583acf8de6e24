// The host work of a search_text round apart from listing the files (VS Code's findFiles): which files count
// (.gitignore of each folder on the way), reading them a few at a time, matching, and the capped result text.
// Node file reads only, no vscode: bench/tools.ts runs it over a 5,000-file folder.
import * as nodePath from 'node:path';
import { ExcludeMatcher, gitignoreGlobs, searchLines, type LineMatch } from './text';
import type { ToolRunResult } from './types';

export const SEARCH_LIMITS = { maxFiles: 20_000, maxMatches: 200, maxPerFile: 20, maxFileBytes: 1024 * 1024 } as const;
/** Longest stretch of synchronous reading before the search lets other work run. */
const YIELD_EVERY_MS = 8;

/**
 * .gitignore files of a folder and the folders above it, each read once (negations are skipped: cheap, not complete).
 * Once a folder's .gitignore files are loaded, its files are checked synchronously (answers per folder are cached).
 */
export class GitignoreFilter {
  /** `root\0folder` → that folder's .gitignore patterns (empty when it has none). */
  private readonly matchers = new Map<string, ExcludeMatcher>();
  /** Folders whose .gitignore files (theirs and above) are all loaded. */
  private readonly loaded = new Set<string>();
  /** `root\0folder` → ignored (itself or a folder above it). */
  private readonly folders = new Map<string, boolean>();

  /** `read` gives a file's text, undefined or a throw when there is none; a synchronous read is much cheaper for the many folders without one. */
  constructor(private readonly read: (file: string) => string | undefined | Promise<string | undefined>) {}

  ignored(rootFsPath: string, relative: string): boolean | Promise<boolean> {
    const slash = relative.lastIndexOf('/');
    const folder = slash === -1 ? '' : relative.slice(0, slash);
    if (this.loaded.has(`${rootFsPath}\0${folder}`)) return this.check(rootFsPath, relative, folder);
    return this.load(rootFsPath, folder).then(() => this.check(rootFsPath, relative, folder));
  }

  private async load(rootFsPath: string, folder: string): Promise<void> {
    let prefix = '';
    const parts = folder ? folder.split('/') : [];
    for (let depth = 0; depth <= parts.length; depth++) {
      if (depth > 0) prefix = prefix ? `${prefix}/${parts[depth - 1]}` : parts[depth - 1];
      const key = `${rootFsPath}\0${prefix}`;
      if (this.matchers.has(key)) continue;
      let text: string | undefined;
      try {
        const value = this.read(nodePath.join(rootFsPath, prefix, '.gitignore'));
        text = value instanceof Promise ? await value : value;
      } catch {
        text = undefined;
      }
      this.matchers.set(key, new ExcludeMatcher(text ? gitignoreGlobs(text) : []));
    }
    this.loaded.add(`${rootFsPath}\0${folder}`);
  }

  private check(rootFsPath: string, relative: string, folder: string): boolean {
    return (folder !== '' && this.folderIgnored(rootFsPath, folder)) || this.matchedAbove(rootFsPath, relative);
  }

  private folderIgnored(rootFsPath: string, folder: string): boolean {
    const key = `${rootFsPath}\0${folder}`;
    let known = this.folders.get(key);
    if (known === undefined) {
      const slash = folder.lastIndexOf('/');
      known = (slash !== -1 && this.folderIgnored(rootFsPath, folder.slice(0, slash))) || this.matchedAbove(rootFsPath, folder);
      this.folders.set(key, known);
    }
    return known;
  }

  /** Whether a loaded .gitignore of a folder above `relative` (or the root's) names it. */
  private matchedAbove(rootFsPath: string, relative: string): boolean {
    let prefix = '';
    let rest = relative;
    for (;;) {
      const m = this.matchers.get(`${rootFsPath}\0${prefix}`);
      if (m && !m.empty && m.matches(rest)) return true;
      const slash = rest.indexOf('/');
      if (slash === -1) return false;
      prefix = prefix ? `${prefix}/${rest.slice(0, slash)}` : rest.slice(0, slash);
      rest = rest.slice(slash + 1);
    }
  }
}

export interface SearchFile {
  fsPath: string;
  /** As the model sees it (workspace-relative). */
  path: string;
}

/**
 * Searches `files` (in order) for `pattern`; `readText` gives a file's text or undefined (binary, too big, gone). Reads
 * may be synchronous (faster than async for many small files): the loop yields to the event loop every few ms, so the
 * extension host stays responsive.
 */
export async function searchFiles(
  files: readonly SearchFile[],
  pattern: RegExp,
  readText: (fsPath: string) => string | undefined | Promise<string | undefined>,
  options: { label: string; signal: AbortSignal; listedAll: boolean },
): Promise<ToolRunResult> {
  const { label, signal } = options;
  const found: { path: string; matches: LineMatch[] }[] = [];
  const regexp = new RegExp(pattern.source, pattern.flags);
  let total = 0;
  let slice = performance.now();
  for (let i = 0; i < files.length && total < SEARCH_LIMITS.maxMatches && !signal.aborted; i++) {
    if (performance.now() - slice > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
    const value = readText(files[i].fsPath);
    const text = value instanceof Promise ? await value : value;
    if (text === undefined) continue;
    const matches = searchLines(text, regexp, SEARCH_LIMITS.maxPerFile);
    if (matches.length > 0) {
      found.push({ path: files[i].path, matches });
      total += matches.length;
    }
  }
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
  const filesCut = options.listedAll ? '' : ` The workspace has more than ${SEARCH_LIMITS.maxFiles} files that could match, and only the first ${files.length} were searched.`;
  if (count === 0) {
    if (!options.listedAll) return { content: `No matches for ${label} in the ${files.length} files searched.${filesCut} Use include to search a folder (e.g. "src/**").`, summary: `Searched ${label} — no matches (cut)` };
    return { content: `No matches for ${label} in ${files.length} files.`, summary: `Searched ${label} — no matches` };
  }
  out.pop();
  const capped = total >= SEARCH_LIMITS.maxMatches || !options.listedAll;
  if (capped) out.push(`[Cut: stopped at ${count} matches.${filesCut} Narrow the query, or use include to search a folder (e.g. "src/**").]`);
  return { content: out.join('\n'), summary: `Searched ${label} — ${count}${capped ? '+' : ''} match${count === 1 ? '' : 'es'}` };
}
