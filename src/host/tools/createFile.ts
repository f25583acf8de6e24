// create_file: a new file with the given content, as one WorkspaceEdit; refuses to overwrite.
import * as vscode from 'vscode';
import type { ToolInput } from '../../core/tools/definitions';
import { unifiedDiff } from '../../core/edit/unifiedDiff';
import { lineChanges } from '../../core/tools/text';
import type { PreparedToolCall } from '../../core/tools/types';
import type { ProposalStore } from './proposals';
import type { ToolWorkspace } from './workspace';

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

export async function prepareCreateFile(ws: ToolWorkspace, proposals: ProposalStore, toolUseId: string, input: ToolInput<'create_file'>): Promise<PreparedToolCall | { error: string }> {
  const resolved = await ws.resolve(input.path);
  if (!resolved.ok) return { error: resolved.error };
  const { fsPath, display } = resolved.path;
  if (!display || display.endsWith('/')) return { error: `"${input.path}" is not a file path.` };
  const uri = vscode.Uri.file(fsPath);
  const refuse = `The file "${display}" already exists; create_file never overwrites. Use edit_file to change it.`;
  if (await exists(uri)) return { error: refuse };
  proposals.set(toolUseId, { display, proposed: input.content });
  const change = { path: display, ...lineChanges('', input.content), create: true };
  return {
    summary: `Create ${display}`,
    change,
    async run() {
      if (await exists(uri)) return { content: refuse, isError: true, summary: `Create ${display} (exists)` };
      // What the user left in Show Diff's proposed side, when they changed it.
      const final = proposals.final(toolUseId);
      const content = final?.edited ? final.text : input.content;
      const edit = new vscode.WorkspaceEdit();
      edit.createFile(uri, { overwrite: false, ignoreIfExists: false, contents: new TextEncoder().encode(content) });
      if (!(await vscode.workspace.applyEdit(edit))) return { content: `VS Code could not create ${display}.`, isError: true, summary: `Create ${display} (failed)` };
      if (final?.edited) {
        await proposals.settle(toolUseId);
        const lines = lineChanges('', content).added;
        return {
          content: `Created ${display} (${lines} line${lines === 1 ? '' : 's'}) with the user's changes: before applying, the user edited your proposed content. What they changed (unified diff, your proposal → created):\n\`\`\`diff\n${unifiedDiff(final.proposed, content)}\n\`\`\`\nKeep their changes; do not undo them.`,
          summary: `Created ${display} (with your changes)`,
          applied: { added: lines, removed: 0 },
        };
      }
      return { content: `Created ${display} (${change.added} line${change.added === 1 ? '' : 's'}).`, summary: `Created ${display}` };
    },
  };
}
