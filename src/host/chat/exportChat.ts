// Export Chat: asks where to save the conversation as a Markdown file (a name from the chat's title, in the workspace
// folder), writes it, and says where it went; Cancel writes nothing, a failed write is said. The save dialog is a
// field so the in-host tests can answer it; the UI test drives the real one.
import * as os from 'node:os';
import * as vscode from 'vscode';

export type ExportResult = { saved: vscode.Uri } | { error: string } | undefined;

/** A file name from the chat's title: letters, digits and dashes, at most 60 characters, never empty. */
export function exportFileName(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${slug || 'chat'}.md`;
}

export class ChatExporter {
  /** VS Code's save dialog; tests put an answer here. */
  showSaveDialog: (options: vscode.SaveDialogOptions) => Thenable<vscode.Uri | undefined> = (options) => vscode.window.showSaveDialog(options);

  /** Asks where, then writes `markdown` there. Undefined when the user cancelled. */
  async export(title: string, markdown: string): Promise<ExportResult> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const target = await this.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(folder, exportFileName(title)),
      filters: { [vscode.l10n.t('Markdown')]: ['md'] },
      saveLabel: vscode.l10n.t('Export'),
      title: vscode.l10n.t('Export Chat as Markdown'),
    });
    if (!target) return undefined;
    try {
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(markdown));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = vscode.l10n.t('The chat could not be exported to {0}: {1}', target.fsPath, reason);
      void vscode.window.showErrorMessage(message);
      return { error: message };
    }
    const open = vscode.l10n.t('Open');
    void vscode.window.showInformationMessage(vscode.l10n.t('Chat exported to {0}.', vscode.workspace.asRelativePath(target)), open)
      .then((choice) => { if (choice === open) void vscode.window.showTextDocument(target, { preview: false }); });
    return { saved: target };
  }
}
