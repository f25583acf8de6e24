// Ask About Image (explorer context menu): attaches the chosen image files to the chat's next message.
// The chat reads and checks them (by their bytes, not their names), as for its own file picker.
import * as vscode from 'vscode';
import { IMAGE_EXTENSIONS } from '../../core/conversation/conversationImages';
import type { ImageAttachment } from '../../common/chatTypes';

/** The most files one request takes from the explorer selection (the chat composer's own limit). */
const MAX_FILES = 20;

export interface ChatAttach {
  attachImageFiles(uris: readonly vscode.Uri[]): Promise<ImageAttachment[]>;
}

/** Explorer passes the clicked file and all selected files; the palette passes nothing (then a file picker opens). */
export async function askAboutImage(chat: ChatAttach, clicked?: vscode.Uri, selected?: vscode.Uri[]): Promise<ImageAttachment[]> {
  let uris = selected && selected.length > 0 ? selected : clicked ? [clicked] : undefined;
  uris ??= await vscode.window.showOpenDialog({
    canSelectMany: true,
    openLabel: vscode.l10n.t('Ask About Image'),
    filters: { [vscode.l10n.t('Images')]: IMAGE_EXTENSIONS },
  });
  if (!uris || uris.length === 0) return [];
  return chat.attachImageFiles(uris.slice(0, MAX_FILES));
}
