// edit_file: old_text must occur exactly once; the change is one undoable WorkspaceEdit, saved only when the document
// had no unsaved changes of the user's (else it goes into the buffer and stays unsaved).
import * as vscode from 'vscode';
import type { ToolInput } from '../../core/tools/definitions';
import { unifiedDiff } from '../../core/edit/unifiedDiff';
import { lineChanges, withLineEnds } from '../../core/tools/text';
import { findLineTolerant, lostInDecode } from '../../core/tools/textFile';
import type { PreparedToolCall, ToolRunResult } from '../../core/tools/types';
import type { ProposalStore } from './proposals';
import { undecodable, type ToolWorkspace } from './workspace';

export async function prepareEditFile(ws: ToolWorkspace, proposals: ProposalStore, toolUseId: string, input: ToolInput<'edit_file'>): Promise<PreparedToolCall | { error: string }> {
  const resolved = await ws.resolve(input.path);
  if (!resolved.ok) return { error: resolved.error };
  const { fsPath, display } = resolved.path;
  const uri = vscode.Uri.file(fsPath);
  const read = await ws.readText(fsPath, display).catch(() => undefined);
  if (!read) return { error: `The file "${display}" does not exist. Use create_file for a new file.` };
  if ('error' in read) return { error: read.error };
  // The model writes \n; each of its line ends matches whatever ending that line of the file has.
  const found = findLineTolerant(read.text, input.old_text);
  if (found.count !== 1) return { error: occurrenceError(found.count, display) };
  const matched = read.text.slice(found.index, found.index + found.length);
  const eol = /\r\n/.test(matched) ? '\r\n' : /\n/.test(matched) ? '\n' : dominantEol(read.text);
  const proposedText = withLineEnds(input.new_text, eol);
  proposals.set(toolUseId, { current: uri, display, proposed: read.text.slice(0, found.index) + proposedText + read.text.slice(found.index + found.length) });
  const change = { path: display, ...lineChanges(matched, proposedText) };
  // VS Code's editor keeps one line ending per file: saving through it normalises a file that mixes them.
  const normalised = read.mixedEnds ? ` The file mixes line endings; VS Code saves it with one (${dominantEol(read.text) === '\r\n' ? 'CRLF' : 'LF'}) throughout.` : '';
  return {
    summary: `Edit ${display}${read.mixedEnds ? ' (line endings normalised)' : ''}`,
    change,
    async run() {
      const document = await vscode.workspace.openTextDocument(uri);
      const hadUnsaved = document.isDirty;
      // Never save through a decode that lost characters (VS Code would write U+FFFD in their place).
      if (!hadUnsaved && lostInDecode(document.getText(), await vscode.workspace.fs.readFile(uri))) {
        return { content: undecodable(display, ws.encoding(uri)), isError: true, summary: `Edit ${display} (encoding)` };
      }
      const final = proposals.final(toolUseId);
      if (final?.edited) return applyUsersVersion(document, read.text, final, display, proposals, toolUseId);
      // The file may have changed while the card waited: the text must still be there, once.
      const text = document.getText();
      const now = findLineTolerant(text, input.old_text);
      if (now.count !== 1) return { content: `The file changed while the edit waited: ${occurrenceError(now.count, display)}`, isError: true, summary: `Edit ${display} (file changed)` };
      const newText = withLineEnds(input.new_text, document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n');
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri, new vscode.Range(document.positionAt(now.index), document.positionAt(now.index + now.length)), newText);
      if (!(await vscode.workspace.applyEdit(edit))) return { content: `VS Code could not apply the edit to ${display}.`, isError: true, summary: `Edit ${display} (failed)` };
      const saved = !hadUnsaved && (await document.save());
      const note = saved ? 'and saved' : hadUnsaved ? '(not saved: the file had unsaved changes of the user\'s, which are kept)' : '(not saved)';
      return {
        content: `Edited ${display}: replaced ${change.removed} line${change.removed === 1 ? '' : 's'} with ${change.added} ${note}.${saved ? normalised : ''}`,
        summary: `Edited ${display}${saved && normalised ? ' — line endings normalised' : ''}`,
      };
    },
  };
}

/** The line ending VS Code gives a document of this text (more CR-ended lines than half: CRLF). */
function dominantEol(text: string): '\n' | '\r\n' {
  const all = (text.match(/\r\n|\r|\n/g) ?? []).length;
  const cr = (text.match(/\r/g) ?? []).length;
  return all > 0 && cr > all / 2 ? '\r\n' : '\n';
}

/**
 * The user changed the proposed side in Show Diff: Apply writes exactly their text (the smallest replacement that gets
 * there, one undo step), and the result tells the model what they changed so it does not undo it.
 */
async function applyUsersVersion(
  document: vscode.TextDocument,
  base: string,
  final: { text: string; proposed: string },
  display: string,
  proposals: ProposalStore,
  toolUseId: string,
): Promise<ToolRunResult> {
  const current = document.getText();
  if (current !== base) return { content: `The file changed while the edit waited; nothing was written. Read ${display} again.`, isError: true, summary: `Edit ${display} (file changed)` };
  let start = 0;
  while (start < current.length && start < final.text.length && current[start] === final.text[start]) start++;
  let end = 0;
  while (end < current.length - start && end < final.text.length - start && current[current.length - 1 - end] === final.text[final.text.length - 1 - end]) end++;
  const hadUnsaved = document.isDirty;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(start), document.positionAt(current.length - end)), final.text.slice(start, final.text.length - end));
  if (!(await vscode.workspace.applyEdit(edit))) return { content: `VS Code could not apply the edit to ${display}.`, isError: true, summary: `Edit ${display} (failed)` };
  await proposals.settle(toolUseId);
  const saved = !hadUnsaved && (await document.save());
  const changes = lineChanges(base, final.text);
  const diff = unifiedDiff(final.proposed, final.text);
  return {
    content:
      `Edited ${display} ${saved ? 'and saved' : '(not saved)'}, with the user's changes: before applying, the user edited your proposed version. ` +
      `The file now has their version. What they changed in your proposal (unified diff, your proposal → applied):\n\`\`\`diff\n${diff}\n\`\`\`\n` +
      'Keep their changes; do not undo them.',
    summary: `Edited ${display} (with your changes)`,
    applied: { added: changes.added, removed: changes.removed },
  };
}

function occurrenceError(count: number, display: string): string {
  return count === 0
    ? `old_text was not found in ${display}. Read the file again and copy the text exactly, whitespace and indentation included.`
    : `old_text occurs ${count > 1000 ? 'more than 1000' : count} times in ${display}; it must occur exactly once. Include more surrounding lines to make it unique.`;
}
