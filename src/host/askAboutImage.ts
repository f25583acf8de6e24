// Ask About Image (explorer context menu): attaches the chosen image files to the chat's next message.
import * as vscode from 'vscode';
import type { ImageAttachment, ImageMediaType } from '../protocol';

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

const MEDIA_TYPES: Record<string, ImageMediaType> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

export interface ChatAttach {
  attachImages(images: ImageAttachment[]): Promise<void>;
}

/** Explorer passes the clicked file and all selected files; the palette passes nothing (then a file picker opens). */
export async function askAboutImage(chat: ChatAttach, clicked?: vscode.Uri, selected?: vscode.Uri[]): Promise<ImageAttachment[]> {
  let uris = selected && selected.length > 0 ? selected : clicked ? [clicked] : undefined;
  uris ??= await vscode.window.showOpenDialog({
    canSelectMany: true,
    openLabel: vscode.l10n.t('Ask About Image'),
    filters: { [vscode.l10n.t('Images')]: ['png', 'jpg', 'jpeg', 'gif', 'webp'] },
  });
  if (!uris || uris.length === 0) return [];
  const images: ImageAttachment[] = [];
  const problems: string[] = [];
  for (const uri of uris.slice(0, 20)) {
    const name = uri.path.split('/').pop() ?? uri.path;
    const ext = name.includes('.') ? name.slice(name.lastIndexOf('.')).toLowerCase() : '';
    const mediaType = MEDIA_TYPES[ext];
    if (!mediaType) {
      problems.push(vscode.l10n.t('{0}: only PNG, JPEG, GIF and WebP images can be sent', name));
      continue;
    }
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_IMAGE_BYTES) {
        problems.push(vscode.l10n.t('{0}: {1} MB is over the 5 MB limit', name, (stat.size / 1024 / 1024).toFixed(1)));
        continue;
      }
      const bytes = await vscode.workspace.fs.readFile(uri);
      images.push({ id: `${Date.now().toString(36)}-${images.length}`, name, mediaType, data: Buffer.from(bytes).toString('base64') });
    } catch (error) {
      problems.push(vscode.l10n.t('{0}: could not be read ({1})', name, error instanceof Error ? error.message : String(error)));
    }
  }
  if (problems.length > 0) void vscode.window.showErrorMessage(problems.join('; '));
  if (images.length > 0) await chat.attachImages(images);
  return images;
}
