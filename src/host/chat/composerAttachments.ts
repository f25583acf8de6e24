// What waits in the chat's composer for the next message: files, selections and problems (chips) and images,
// kept here while no page is ready to show them, and the focus the composer should get.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkAttachment, imageFromBytes, sourceSizeProblem } from '../../core/conversation/conversationImages';
import type { CodeContext, ImageAttachment, PendingContext } from '../../common/chatTypes';
import type { HostToWebview } from '../../common/protocol';
import { pickContext, problemsContext, readFileContext } from '../editor/addContext';

/** Files and problems one message carries at most. */
export const MAX_PENDING_CONTEXT = 20;

export interface ComposerAttachmentsDeps {
  /** Posts to a ready page; false when none took it. */
  post(message: HostToWebview): boolean;
  /** Shows the chat view. */
  reveal(preserveFocus?: boolean): Promise<void>;
  notice(level: 'info' | 'error', message: string): void;
  /** fastrouter.maxSelectionChars: a file over it asks before it is added. */
  maxChars(): number;
  /** The cost preview of asking about `context` (the file size question shows it). */
  previewAsk(context: CodeContext[]): { tokens: number; credits?: number; contextLength?: number } | undefined;
  /** The chips changed: the cost preview and the rules line follow. */
  changed(): void;
}

export class ComposerAttachments {
  /** Attachments that arrived while no page was ready to take them. */
  private pendingImages: ImageAttachment[] = [];
  /** Files and problems added to the next message (the composer shows them as chips). */
  private items: { item: CodeContext; cut: boolean; count?: number }[] = [];
  private focusPending = false;

  constructor(private readonly deps: ComposerAttachmentsDeps) {}

  /** What the composer's chips show. */
  get chips(): PendingContext[] {
    return this.items.map(({ item, cut, count }) => ({
      id: item.id,
      kind: item.kind,
      label: item.kind === 'problems' ? vscode.l10n.t('Problems') : item.path,
      chars: item.text.length,
      ...(count !== undefined ? { count } : {}),
      ...(cut ? { cut } : {}),
      ...(item.kind === 'selection' && item.startLine !== undefined ? { startLine: item.startLine, endLine: item.endLine ?? item.startLine } : {}),
    }));
  }

  /** Files and problems that go with the next message, as sent (the cost preview counts them). */
  get code(): CodeContext[] {
    return this.items.map((p) => p.item);
  }

  /** Empties the chips (the message they go with is being sent). */
  clear(): void {
    this.items = [];
    this.posted();
  }

  /** The composer's × on a chip. */
  remove(id: string): void {
    this.items = this.items.filter((p) => p.item.id !== id);
    this.posted();
  }

  /** Focuses the composer now, or as soon as a page is ready. */
  focus(): void {
    if (!this.deps.post({ type: 'focusInput' })) this.focusPending = true;
  }

  /** Reveals the view and adds images to the composer's pending attachments (the chat resizes any that are too big). */
  async attachImages(images: ImageAttachment[]): Promise<void> {
    const accepted = this.acceptImages(images, { fit: false });
    await this.deps.reveal();
    if (accepted.length === 0) return;
    if (!this.deps.post({ type: 'attachImages', images: accepted })) this.pendingImages.push(...accepted);
  }

  /** Reads image files (file picker, Ask About Image), checks them by their bytes, and attaches them; resolves to those attached. */
  async attachImageFiles(uris: readonly vscode.Uri[]): Promise<ImageAttachment[]> {
    const images: ImageAttachment[] = [];
    for (const uri of uris) {
      const name = path.basename(uri.path);
      try {
        // Refuse files too big even to resize before reading them.
        const tooLarge = sourceSizeProblem(name, (await vscode.workspace.fs.stat(uri)).size);
        const check = tooLarge ? { ok: false as const, reason: tooLarge } : imageFromBytes(randomUUID(), name, await vscode.workspace.fs.readFile(uri));
        if (check.ok) images.push(check.attachment);
        else this.deps.notice('error', check.reason);
      } catch (error) {
        this.deps.notice('error', vscode.l10n.t('Could not read {0}: {1}', name, error instanceof Error ? error.message : String(error)));
      }
    }
    if (images.length > 0) await this.attachImages(images);
    return images;
  }

  /** Add File to Chat: reads the files and adds them to the next message; says why any was not added. Resolves to those added. */
  async addFiles(uris: readonly vscode.Uri[]): Promise<CodeContext[]> {
    await this.deps.reveal(true);
    const added: CodeContext[] = [];
    for (const uri of uris) {
      if (this.items.length >= MAX_PENDING_CONTEXT) {
        this.deps.notice('error', vscode.l10n.t('At most {0} files can go with one message.', MAX_PENDING_CONTEXT));
        break;
      }
      let result: Awaited<ReturnType<typeof readFileContext>>;
      try {
        result = await readFileContext(uri, this.deps.maxChars(), (items) => this.deps.previewAsk(items));
      } catch (error) {
        result = { ok: false, reason: vscode.l10n.t('Could not read {0}: {1}', vscode.workspace.asRelativePath(uri), error instanceof Error ? error.message : String(error)) };
      }
      if (!result.ok) {
        if ('reason' in result) this.deps.notice('error', result.reason);
        continue;
      }
      // The same file added again replaces the older copy (it may have changed since).
      this.items = this.items.filter((p) => !(p.item.kind === 'file' && p.item.path === result.item.path));
      this.items.push({ item: result.item, cut: result.cut });
      added.push(result.item);
    }
    this.posted();
    return added;
  }

  /**
   * Ask About Selection: the selections wait in the composer as chips (a selection of the same lines replaces the older
   * copy) and the focus goes to the composer, for the user to type the question.
   */
  async addSelection(context: CodeContext[]): Promise<void> {
    await this.deps.reveal();
    const same = (a: CodeContext, b: CodeContext) => a.path === b.path && a.startLine === b.startLine && a.endLine === b.endLine;
    for (const item of context) {
      this.items = this.items.filter((p) => !(p.item.kind === 'selection' && same(p.item, item)));
      if (this.items.length >= MAX_PENDING_CONTEXT) {
        this.deps.notice('error', vscode.l10n.t('At most {0} files can go with one message.', MAX_PENDING_CONTEXT));
        break;
      }
      this.items.push({ item, cut: false });
    }
    this.posted();
    this.focus();
  }

  /** Add Problems to Chat: the workspace's errors and warnings go with the next message (replacing older ones). */
  async addProblems(): Promise<CodeContext | undefined> {
    await this.deps.reveal(true);
    const problems = problemsContext();
    if (!problems) {
      this.deps.notice('info', vscode.l10n.t('There are no errors or warnings in the workspace.'));
      return undefined;
    }
    this.items = this.items.filter((p) => p.item.kind !== 'problems');
    this.items.push({ item: problems.item, cut: false, count: problems.count });
    this.posted();
    return problems.item;
  }

  /** The composer's Add File… button. */
  async pickAndAdd(): Promise<void> {
    const picked = await pickContext();
    if (!picked) return;
    if (picked.problems) await this.addProblems();
    if (picked.uris.length > 0) await this.addFiles(picked.uris);
    this.focus();
  }

  /**
   * Images that really are what they claim (magic bytes) and within the API's limits (`fit: false`: small enough to be
   * resized by the chat); the rest is refused with a notice.
   */
  acceptImages(images: readonly ImageAttachment[], options: { fit?: boolean } = {}): ImageAttachment[] {
    const accepted: ImageAttachment[] = [];
    for (const image of images) {
      const check = checkAttachment(image, options);
      if (check.ok) accepted.push(check.attachment);
      else this.deps.notice('error', check.reason);
    }
    return accepted;
  }

  /** A new page is ready: what waited for it goes to it. */
  flush(): void {
    if (this.items.length > 0) this.posted();
    if (this.pendingImages.length > 0) {
      const images = this.pendingImages;
      this.pendingImages = [];
      this.deps.post({ type: 'attachImages', images });
    }
    if (this.focusPending) {
      this.focusPending = false;
      this.deps.post({ type: 'focusInput' });
    }
  }

  private posted(): void {
    this.deps.post({ type: 'pendingContext', items: this.chips });
    this.deps.changed();
  }
}
