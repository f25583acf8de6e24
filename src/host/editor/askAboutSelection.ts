// Ask About Selection: the selected code (or the enclosing block) lands in the chat's composer as a removable chip and the
// focus goes there, for the user to type the question. Given a question (other extensions, keybindings with args), it
// sends the code and the question as one user turn at once.
import * as vscode from 'vscode';
import { DEFAULT_QUESTION } from '../../core/request/prompt';
import type { CodeContext, ImageAttachment } from '../../common/chatTypes';
import { confirmSize, pickCode, type SizePreview } from './selection';
import type { SettingsService } from '../request/settings';

/** What this command needs from the chat (contract E). */
export interface ChatAsk {
  ask(input: { text: string; context?: CodeContext[]; images?: ImageAttachment[] }): Promise<void>;
  /** Puts the selections in the composer (chips) and focuses it. */
  addSelection(context: CodeContext[]): Promise<void>;
  /** The cost preview of asking about `context` in the current chat (shown when the selection is large). */
  previewAsk?: SizePreview;
}

export interface AskArgs {
  /** Sends at once with this question ('' = the default question) instead of waiting in the composer. */
  question?: string;
}

export async function askAboutSelection(chat: ChatAsk, settings: SettingsService, args?: AskArgs): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a file and select the code to ask about.'));
    return;
  }
  const picked = await pickCode(editor);
  if (!picked) return;
  const context = await confirmSize(picked, settings.current.maxSelectionChars, chat.previewAsk?.bind(chat));
  if (!context || context.length === 0) return;
  if (typeof args?.question !== 'string') {
    await chat.addSelection(context);
    return;
  }
  await chat.ask({ text: args.question.trim() || DEFAULT_QUESTION, context });
}
