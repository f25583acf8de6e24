// find_files: the files matching a glob, with the user's excludes (files.exclude, search.exclude, .gitignore) in
// the query itself; a cut list says so and how to narrow it.
import * as vscode from 'vscode';
import type { ToolInput } from '../../core/tools/definitions';
import type { PreparedToolCall } from '../../core/tools/types';
import type { ToolWorkspace } from './workspace';

/** Paths one answer lists (sorted); the query counts up to MAX_COUNTED_FILES. */
export const MAX_FOUND_FILES = 500;
const MAX_COUNTED_FILES = 20_000;

export async function prepareFindFiles(ws: ToolWorkspace, input: ToolInput<'find_files'>): Promise<PreparedToolCall | { error: string }> {
  if (ws.roots().length === 0) return { error: 'No workspace folder is open: the tools can only see files of an open folder.' };
  const glob = input.glob.replace(/^\.\//, '');
  return {
    summary: `Find ${glob}`,
    async run(signal) {
      const source = new vscode.CancellationTokenSource();
      signal.addEventListener('abort', () => source.cancel(), { once: true });
      try {
        const listed = await ws.listFiles(glob, 'search', MAX_COUNTED_FILES, source.token);
        if (signal.aborted) return { content: 'The search was stopped.', isError: true, summary: `Find ${glob} (stopped)` };
        const paths = listed.files.map((f) => f.display);
        const total = `${paths.length}${listed.cut ? '+' : ''}`;
        const shown = paths.slice(0, MAX_FOUND_FILES);
        const cut = listed.cut || paths.length > MAX_FOUND_FILES;
        const note = cut
          ? `\n[Cut: ${listed.cut ? `more than ${paths.length}` : paths.length} files match; the first ${shown.length} (sorted) are shown. Narrow the glob to a folder (e.g. "src/**/${glob.split('/').pop() || '*'}") to see the rest.]`
          : '';
        const content = shown.length > 0 ? `${shown.join('\n')}${note}` : `No files match "${glob}".`;
        return { content, summary: `Found ${total} file${paths.length === 1 ? '' : 's'} for '${glob}'${cut ? ` (${shown.length} shown)` : ''}` };
      } finally {
        source.dispose();
      }
    },
  };
}
