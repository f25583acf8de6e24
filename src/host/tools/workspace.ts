// What every tool needs from VS Code: the workspace folders, paths resolved safely inside them, open documents
// (unsaved changes count), the user's excludes and the files' text.
import { realpath, readFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { resolveToolPath, type PathResult, type WorkspaceRoot } from '../../core/tools/paths';
import { enabledPatterns, ExcludeMatcher, looksBinary } from '../../core/tools/text';

/** Files bigger than this are not read (read_file says so; search skips them). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export class ToolWorkspace {
  roots(): WorkspaceRoot[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => ({ name: f.name, fsPath: f.uri.fsPath }));
  }

  resolve(input: string): Promise<PathResult> {
    return resolveToolPath(input, this.roots(), (p) => realpath(p).catch(() => undefined));
  }

  /** The open document of a file (its text includes unsaved changes), if it is open. */
  openDocument(fsPath: string): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === fsPath);
  }

  /** A file's text: the editor's buffer when open, else the disk; `undefined` text with a reason for binary or huge files. */
  async readText(fsPath: string, display: string): Promise<{ text: string; dirty: boolean } | { error: string }> {
    const open = this.openDocument(fsPath);
    if (open) return { text: open.getText(), dirty: open.isDirty };
    const stat = await vscode.workspace.fs.stat(vscode.Uri.file(fsPath));
    if (stat.type & vscode.FileType.Directory) return { error: `"${display}" is a folder; use list_directory to see what is in it.` };
    if (stat.size > MAX_FILE_BYTES) return { error: `"${display}" is too big to read (${Math.round(stat.size / 1024 / 1024)} MB; the limit is ${MAX_FILE_BYTES / 1024 / 1024} MB).` };
    const bytes = await readFile(fsPath);
    if (looksBinary(bytes)) return { error: `"${display}" is a binary file; only text files can be read.` };
    return { text: new TextDecoder('utf-8').decode(bytes), dirty: false };
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
