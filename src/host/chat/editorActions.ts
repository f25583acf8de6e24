// What the chat's code blocks and links do in the editor: copy, insert at the cursor, replace the
// selection (one undoable edit each), open as a new file, open a link after the user clicked it.
import * as vscode from 'vscode';
import { checkLink } from '../../common/links';
import { Disposable } from '../dispose';

/** Fence names that are not VS Code language ids. */
const LANGUAGE_ALIASES: Record<string, string> = {
  js: 'javascript', jsx: 'javascriptreact', ts: 'typescript', tsx: 'typescriptreact', py: 'python', rb: 'ruby',
  sh: 'shellscript', bash: 'shellscript', zsh: 'shellscript', shell: 'shellscript', yml: 'yaml', md: 'markdown',
  cs: 'csharp', 'c#': 'csharp', 'c++': 'cpp', rs: 'rust', kt: 'kotlin', ps1: 'powershell', text: 'plaintext', txt: 'plaintext',
};

export type ActionResult = { ok: true; message?: string } | { ok: false; message: string };

export class EditorActions extends Disposable {
  /** The text editor the user was last in: clicking into the chat view may clear `activeTextEditor`. */
  private lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();
    this._register(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor) this.lastEditor = editor;
      }),
    );
  }

  async copy(code: string): Promise<ActionResult> {
    await vscode.env.clipboard.writeText(code);
    return { ok: true, message: vscode.l10n.t('Copied to the clipboard.') };
  }

  async insertAtCursor(code: string): Promise<ActionResult> {
    const editor = this.targetEditor();
    if (!editor) return { ok: false, message: vscode.l10n.t('Open a file to insert the code into.') };
    const applied = await editor.edit((edit) => {
      for (const selection of editor.selections) edit.insert(selection.active, code);
    });
    if (!applied) return { ok: false, message: vscode.l10n.t('The editor did not accept the edit.') };
    await vscode.window.showTextDocument(editor.document, editor.viewColumn);
    return { ok: true };
  }

  async replaceSelection(code: string): Promise<ActionResult> {
    const editor = this.targetEditor();
    if (!editor) return { ok: false, message: vscode.l10n.t('Open a file and select the code to replace.') };
    if (editor.selections.every((s) => s.isEmpty)) return { ok: false, message: vscode.l10n.t('Select the code to replace first.') };
    const applied = await editor.edit((edit) => {
      for (const selection of editor.selections) if (!selection.isEmpty) edit.replace(selection, code);
    });
    if (!applied) return { ok: false, message: vscode.l10n.t('The editor did not accept the edit.') };
    await vscode.window.showTextDocument(editor.document, editor.viewColumn);
    return { ok: true, message: vscode.l10n.t('Replaced the selection (undo with Ctrl+Z).') };
  }

  async newFile(code: string, language: string): Promise<ActionResult> {
    const wanted = language.trim().toLowerCase();
    const id = LANGUAGE_ALIASES[wanted] ?? wanted;
    const known = await vscode.languages.getLanguages();
    const document = await vscode.workspace.openTextDocument({ content: code, language: known.includes(id) ? id : 'plaintext' });
    await vscode.window.showTextDocument(document, { preview: false });
    return { ok: true };
  }

  /** Opens a link the user clicked, only for http, https and mailto; anything else is ignored and logged. */
  async openLink(href: string): Promise<ActionResult> {
    const link = checkLink(href);
    if (!link.ok) {
      // The reason names the scheme only: the link itself may carry data the model was steered to leak.
      this.log.warn(`Chat: ignored a link (${link.reason}).`);
      return { ok: false, message: vscode.l10n.t('Only http, https and mailto links are opened.') };
    }
    await vscode.env.openExternal(vscode.Uri.parse(link.url, true));
    return { ok: true };
  }

  private targetEditor(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (active) return active;
    const last = this.lastEditor;
    // Only an editor that is still shown: a closed one cannot take edits.
    if (last && vscode.window.visibleTextEditors.includes(last) && !last.document.isClosed) return last;
    return vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme !== 'output');
  }
}
