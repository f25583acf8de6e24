// read_file: numbered lines of a text file (the editor's buffer when open), cut with a note on large files.
import type { ToolInput } from '../../core/tools/definitions';
import { numberedLines } from '../../core/tools/text';
import type { PreparedToolCall } from '../../core/tools/types';
import type { ToolWorkspace } from './workspace';

export async function prepareReadFile(ws: ToolWorkspace, input: ToolInput<'read_file'>): Promise<PreparedToolCall | { error: string }> {
  const resolved = await ws.resolve(input.path);
  if (!resolved.ok) return { error: resolved.error };
  const { fsPath, display, secret, real } = resolved.path;
  return {
    summary: `Read ${display}`,
    secret,
    // "Allow for this chat" covers this file under this name and while the name leads to the same real file.
    grantKey: `read_file\u0000${fsPath}\u0000${real ?? ''}`,
    async run() {
      let read: Awaited<ReturnType<ToolWorkspace['readText']>>;
      try {
        read = await ws.readText(fsPath, display);
      } catch {
        return { content: `The file "${display}" does not exist.`, isError: true, summary: `Read ${display} (not found)` };
      }
      if ('error' in read) return { content: read.error, isError: true, summary: `Read ${display} (refused)` };
      const lines = numberedLines(read.text, input.start_line, input.end_line);
      const head = `${display} (${lines.total} lines${read.dirty ? ', with unsaved changes from the editor' : ''}):`;
      return { content: `${head}\n${lines.text}`, summary: lines.total === 0 ? `Read ${display} (empty)` : `Read ${display}:${lines.first === lines.last ? lines.first : `${lines.first}–${lines.last}`}` };
    },
  };
}
