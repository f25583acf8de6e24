// What every tool needs from VS Code: the workspace folders, paths resolved safely inside them, open documents
// (unsaved changes count), the user's excludes and the files' text.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { realpath, readFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { excludeGlob, scopedGitignoreGlobs } from '../../core/tools/excludeGlob';
import { resolveToolPath, type PathResult, type RealPath, type ResolvedPath, type WorkspaceRoot } from '../../core/tools/paths';
import { enabledPatterns, ExcludeMatcher } from '../../core/tools/text';
import { hasMixedLineEnds, looksBinary, lostInDecode } from '../../core/tools/textFile';

/** A file a query found, checked by its real path like any path a tool reads. */
export type ListedFile = ResolvedPath;

export interface FileList {
  files: ListedFile[];
  /** The query stopped at its limit: there are more files than listed. */
  cut: boolean;
}

/** Most nested .gitignore files a query takes into account. */
const MAX_GITIGNORE_FILES = 1000;

/** The workspace tools: a file bigger than this is not read (read_file and edit_file say so; search skips it). */
export const MAX_TOOL_FILE_BYTES = 10 * 1024 * 1024;

export class ToolWorkspace {
  roots(): WorkspaceRoot[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => ({ name: f.name, fsPath: f.uri.fsPath }));
  }

  resolve(input: string, real: RealPath = (p) => realpath(p).catch(() => undefined)): Promise<PathResult> {
    return resolveToolPath(input, this.roots(), real);
  }

  /**
   * The files matching `include` in every folder, with the user's excludes (files.exclude; for 'search' also
   * search.exclude and .gitignore files) in the query itself, so ignored folders never use up `max`. Each file then
   * goes through the resolver read_file uses: a link leading outside the folders is left out, secrets are judged by
   * the real name too.
   */
  async listFiles(include: string, kind: 'files' | 'search', max: number, token: vscode.CancellationToken): Promise<FileList> {
    const roots = this.roots();
    const files: ListedFile[] = [];
    let cut = false;
    // Real paths of the folders on the way are looked up once per query (synchronously: thousands of files).
    const cache = new Map<string, string | undefined>();
    const real: RealPath = (p) => {
      if (!cache.has(p)) {
        let value: string | undefined;
        try {
          value = realpathSync.native(p);
        } catch {
          value = undefined;
        }
        cache.set(p, value);
      }
      return Promise.resolve(cache.get(p));
    };
    for (const root of roots) {
      let pattern = include;
      if (roots.length > 1) {
        const named = roots.find((r) => include.startsWith(`${r.name}/`));
        if (named && named !== root) continue;
        if (named) pattern = include.slice(named.name.length + 1);
      }
      const rootUri = vscode.Uri.file(root.fsPath);
      const exclude = await this.excludeGlob(root, kind, token);
      const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(rootUri, pattern), exclude, max + 1, token);
      if (uris.length > max) cut = true;
      for (const uri of uris.slice(0, max)) {
        const resolved = await this.resolve(uri.fsPath, real);
        if (resolved.ok) files.push(resolved.path);
      }
    }
    files.sort((a, b) => a.display.localeCompare(b.display));
    if (files.length > max) {
      files.length = max;
      cut = true;
    }
    return { files, cut };
  }

  /** The exclude glob of a query in a folder: files.exclude (+ search.exclude and its .gitignore files for 'search'). */
  async excludeGlob(root: WorkspaceRoot, kind: 'files' | 'search', token?: vscode.CancellationToken): Promise<string | undefined> {
    const uri = vscode.Uri.file(root.fsPath);
    const patterns = enabledPatterns(vscode.workspace.getConfiguration('files', uri).get('exclude'));
    if (kind === 'files') return excludeGlob(patterns);
    patterns.push(...enabledPatterns(vscode.workspace.getConfiguration('search', uri).get('exclude')));
    if (!this.useIgnoreFiles(root)) return excludeGlob(patterns);
    const top = nodePath.join(root.fsPath, '.gitignore');
    if (existsSync(top)) patterns.push(...scopedGitignoreGlobs('', readFileSync(top, 'utf8')));
    // Nested .gitignore files, looked for outside what is already excluded.
    const nested = await vscode.workspace.findFiles(new vscode.RelativePattern(uri, '**/.gitignore'), excludeGlob(patterns), MAX_GITIGNORE_FILES, token);
    for (const file of nested) {
      const folder = nodePath.relative(root.fsPath, nodePath.dirname(file.fsPath)).split(nodePath.sep).join('/');
      if (!folder || folder.startsWith('..')) continue;
      try {
        patterns.push(...scopedGitignoreGlobs(folder, readFileSync(file.fsPath, 'utf8')));
      } catch {
        // Gone since it was found.
      }
    }
    return excludeGlob(patterns);
  }

  /** The open document of a file (its text includes unsaved changes), if it is open. */
  openDocument(fsPath: string): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === fsPath);
  }

  /**
   * A file's text: the editor's buffer when open, else the disk's bytes decoded as VS Code decodes them (BOM,
   * files.encoding, its guess); a reason instead for folders, huge or binary files and a decode that would lose
   * characters (never edited through). `mixedEnds`: the disk's text mixes line endings.
   */
  async readText(fsPath: string, display: string): Promise<{ text: string; dirty: boolean; mixedEnds: boolean } | { error: string }> {
    const open = this.openDocument(fsPath);
    if (open) return { text: open.getText(), dirty: open.isDirty, mixedEnds: false };
    const uri = vscode.Uri.file(fsPath);
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.type & vscode.FileType.Directory) return { error: `"${display}" is a folder; use list_directory to see what is in it.` };
    if (stat.size > MAX_TOOL_FILE_BYTES) return { error: `"${display}" is too big to read (${Math.round(stat.size / 1024 / 1024)} MB; the limit is ${MAX_TOOL_FILE_BYTES / 1024 / 1024} MB).` };
    const bytes = await readFile(fsPath);
    if (looksBinary(bytes)) return { error: `"${display}" is a binary file; only text files can be read.` };
    let text: string;
    try {
      text = await vscode.workspace.decode(bytes, { uri });
    } catch {
      return { error: `"${display}" is a binary file; only text files can be read.` };
    }
    if (lostInDecode(text, bytes)) return { error: undecodable(display, this.encoding(uri)) };
    return { text, dirty: false, mixedEnds: hasMixedLineEnds(text) };
  }

  /** files.encoding for a file (VS Code's id, e.g. "utf8", "iso88591"). */
  encoding(uri: vscode.Uri): string {
    return vscode.workspace.getConfiguration('files', uri).get<string>('encoding') ?? 'utf8';
  }

  /** files.exclude (and, for searches, search.exclude) of a folder as a matcher of folder-relative paths. */
  excludes(root: WorkspaceRoot, kind: 'files' | 'search'): ExcludeMatcher {
    const uri = vscode.Uri.file(root.fsPath);
    const globs = enabledPatterns(vscode.workspace.getConfiguration('files', uri).get('exclude'));
    if (kind === 'search') globs.push(...enabledPatterns(vscode.workspace.getConfiguration('search', uri).get('exclude')));
    return new ExcludeMatcher(globs);
  }

  /** search.useIgnoreFiles of the folder (default on). */
  useIgnoreFiles(root: WorkspaceRoot): boolean {
    return vscode.workspace.getConfiguration('search', vscode.Uri.file(root.fsPath)).get('useIgnoreFiles') !== false;
  }

  /** The root an absolute path is in, and the path relative to it (forward slashes). */
  locate(fsPath: string): { root: WorkspaceRoot; relative: string } | undefined {
    for (const root of this.roots()) {
      const relative = nodePath.relative(root.fsPath, fsPath);
      if (!relative.startsWith('..') && !nodePath.isAbsolute(relative)) return { root, relative: relative.split(nodePath.sep).join('/') };
    }
    return undefined;
  }
}

/** Why a file is not read or edited: its bytes are not text in the encoding VS Code uses for it. */
export function undecodable(display: string, encoding: string): string {
  return `"${display}" cannot be read in its encoding (${encoding}, from files.encoding) without losing characters, so it is not read or edited. If it uses another encoding (e.g. iso88591 or windows1252), set files.encoding for it.`;
}
