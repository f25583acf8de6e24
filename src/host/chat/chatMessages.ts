// Routes each validated message from the chat page to what handles it: the conversation controller, the composer's
// attachments, the editor actions on code blocks, the error actions, the rules.
import * as vscode from 'vscode';
import type { ConversationController } from '../../core/conversation/conversationController';
import { IMAGE_EXTENSIONS } from '../../core/conversation/conversationImages';
import { answerToMarkdown } from '../../core/conversation/conversationMarkdown';
import { type ErrorAction, type ImageAttachment } from '../../common/chatTypes';
import { assertNever } from '../../common/assertNever';
import type { WebviewToHost } from '../../common/protocol';
import { performErrorAction } from '../request/errorActions';
import type { ProjectRules } from '../context/projectRules';
import type { ComposerAttachments } from './composerAttachments';
import type { ActionResult, EditorActions } from './editorActions';

export interface ChatMessageDeps {
  controller: ConversationController;
  attachments: ComposerAttachments;
  actions: EditorActions;
  log: vscode.LogOutputChannel;
  rules?: ProjectRules;
  /** Show Diff on a tool call's card. */
  showToolDiff?: (toolUseId: string) => Promise<void>;
  notice(level: 'info' | 'error', message: string): void;
  /** Re-reads what other windows changed. */
  refreshSoon(): void;
  exportMarkdown(): Promise<unknown>;
  editAndResend(userTurnId: string, text: string, images: readonly ImageAttachment[]): Promise<void>;
  undoDelete(id: string): Promise<boolean>;
  restoreQuestion(userTurnId: string): Promise<void>;
  /** A file of the "Changed N files" line under an answer: its diff, before the question ↔ now. */
  openFileChange(answerId: string, index: number): Promise<void>;
  /** The open conversation is being deleted: Undo opens it again. */
  deletingOpen(id: string): void;
}

export class ChatMessages {
  constructor(private readonly deps: ChatMessageDeps) {}

  async handle(message: WebviewToHost): Promise<void> {
    const { controller, attachments, actions } = this.deps;
    switch (message.type) {
      case 'ready':
        // The view is shown (again): show what other windows added meanwhile, and a retry countdown still running.
        controller.postRetryState();
        // A failed save of this chat, or the version it was restored from, is said on the new page too.
        controller.postStandingNotices();
        this.deps.refreshSoon();
        return;
      case 'send': {
        const images = attachments.acceptImages(message.images);
        const context = attachments.code;
        if (!message.text.trim() && images.length === 0 && context.length === 0) return;
        attachments.clear();
        await controller.ask({ text: message.text, context, images });
        return;
      }
      case 'pickContext':
        await attachments.pickAndAdd();
        return;
      case 'removeContext':
        attachments.remove(message.id);
        return;
      case 'dropUris':
        await attachments.addFiles(message.uris.flatMap((raw) => {
          try {
            const uri = vscode.Uri.parse(raw, true);
            return uri.scheme === 'file' || uri.scheme === 'vscode-remote' || uri.scheme === 'untitled' ? [uri] : [];
          } catch {
            return [];
          }
        }));
        return;
      case 'stop':
        controller.stop();
        return;
      case 'retry':
        await controller.retry(message.turnId);
        return;
      case 'continue':
        await controller.continue(message.turnId);
        return;
      case 'newChat':
        await controller.newChat();
        return;
      case 'switchChat':
        await controller.switchChat(message.conversationId);
        return;
      case 'deleteChat':
        if (message.conversationId === controller.conversation.id) this.deps.deletingOpen(message.conversationId);
        await controller.deleteChat(message.conversationId);
        return;
      case 'exportChat':
        await this.deps.exportMarkdown();
        return;
      case 'pickImages':
        await this.pickImages();
        return;
      case 'errorAction':
        await this.errorAction(message.turnId, message.action);
        return;
      case 'noticeAction':
        // Retry has no meaning for a notice; the other actions are the same as on an error.
        if (message.action !== 'retry') await performErrorAction(message.action, this.deps.log, message.setting);
        return;
      case 'copyCode':
        return this.report(await actions.copy(message.code));
      case 'insertCode':
        return this.report(await actions.insertAtCursor(message.code));
      case 'replaceSelection':
        return this.report(await actions.replaceSelection(message.code));
      case 'newFile':
        return this.report(await actions.newFile(message.code, message.language));
      case 'openLink':
        return this.report(await actions.openLink(message.href));
      case 'selectModel':
        await vscode.commands.executeCommand('fastrouter.selectModel');
        return;
      case 'toolDecision':
        controller.decideTool(message.turnId, message.toolUseId, message.decision);
        return;
      case 'showToolDiff':
        await this.deps.showToolDiff?.(message.toolUseId);
        return;
      case 'setOmitted':
        await controller.setOmitted(message.turnId, message.itemId, message.omitted);
        return;
      case 'copyAnswer': {
        const turn = controller.turns().find((t) => t.role === 'assistant' && t.id === message.turnId);
        // Success shows on the button itself ("Copied"), not as a note that would linger above the composer.
        if (turn?.role === 'assistant') await actions.copy(answerToMarkdown(turn));
        return;
      }
      case 'editResend':
        await this.deps.editAndResend(message.turnId, message.text, message.images);
        return;
      case 'undoDelete':
        await this.deps.undoDelete(message.conversationId);
        return;
      case 'restoreQuestion':
        await this.deps.restoreQuestion(message.turnId);
        return;
      case 'openFileChange':
        await this.deps.openFileChange(message.turnId, message.index);
        return;
      case 'openRule':
        if (!(await this.deps.rules?.open(message.id))) this.deps.notice('error', vscode.l10n.t('This rule file is no longer there.'));
        return;
      case 'toggleRule':
        await this.deps.rules?.setEnabled(message.id, message.enabled);
        return;
      case 'compact':
        await controller.compact();
        return;
      case 'editCompaction':
        await controller.editCompaction(message.id, message.summary);
        return;
      case 'undoCompaction':
        await controller.undoCompaction(message.id);
        return;
      default:
        assertNever(message);
    }
  }

  private async errorAction(turnId: string, action: ErrorAction): Promise<void> {
    const { controller } = this.deps;
    // Retry, Send Anyway and Remove Images are the chat's own; every other action is the same as for an inline explanation.
    if (action === 'removeImages') {
      await controller.removeImages(turnId);
      return;
    }
    const setting = controller.conversation.findAnswer(turnId)?.answer.error?.setting;
    if (await performErrorAction(action, this.deps.log, setting)) return;
    await controller.retry(turnId, { bypassSpendingLimit: action === 'sendAnyway' });
  }

  private async pickImages(): Promise<void> {
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: true,
      openLabel: vscode.l10n.t('Attach'),
      filters: { [vscode.l10n.t('Images')]: IMAGE_EXTENSIONS },
    });
    if (uris?.length) await this.deps.attachments.attachImageFiles(uris);
  }

  private report(result: ActionResult): void {
    if (result.message) this.deps.notice(result.ok ? 'info' : 'error', result.message);
  }
}
