// Ask About Selection: the selected code (or the enclosing block) plus a question go to the chat as one user turn.
import * as vscode from 'vscode';
import { DEFAULT_QUESTION, describeLines } from '../../core/request/prompt';
import type { CodeContext, ImageAttachment } from '../../common/protocol';
import { confirmSize, pickCode, type SizePreview } from './selection';
import type { SettingsService } from '../request/settings';

/** What this command needs from the chat (contract E). */
export interface ChatAsk {
  ask(input: { text: string; context?: CodeContext[]; images?: ImageAttachment[] }): Promise<void>;
  /** The cost preview of asking about `context` in the current chat (shown when the selection is large). */
  previewAsk?: SizePreview;
}

export interface AskArgs {
  /** Skips the question box (keybindings with args, tests). */
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
  const question =
    typeof args?.question === 'string'
      ? args.question
      : await vscode.window.showInputBox({
          title: vscode.l10n.t('Ask About Selection'),
          prompt:
            context.length === 1
              ? vscode.l10n.t('Your question about {0}, {1} (empty: "{2}")', context[0].path, describeLines(context[0]), DEFAULT_QUESTION)
              : vscode.l10n.t('Your question about {0} selections in {1} (empty: "{2}")', context.length, context[0].path, DEFAULT_QUESTION),
          placeHolder: DEFAULT_QUESTION,
          ignoreFocusOut: true,
        });
  if (question === undefined) return;
  await chat.ask({ text: question.trim() || DEFAULT_QUESTION, context });
}
