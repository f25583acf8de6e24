// What the buttons on an error do (chat turns and inline explanations share them).
import * as vscode from 'vscode';
import { BILLING_URL } from '../../core/request/errors';
import { ERROR_ACTION_LABELS } from '../../common/errorActionLabels';
import type { ErrorAction } from '../../common/chatTypes';

/**
 * Performs an action that is not the caller's own; returns false for 'retry' and 'sendAnyway' (run the request
 * again; Send Anyway past the spending limit, this once), which only the caller can do. `setting`: the one to open.
 */
export async function performErrorAction(action: ErrorAction, log: vscode.LogOutputChannel, setting?: string): Promise<boolean> {
  switch (action) {
    case 'setApiKey':
      await vscode.commands.executeCommand('fastrouter.setApiKey');
      return true;
    case 'openSettings':
      await vscode.commands.executeCommand('workbench.action.openSettings', setting ?? 'fastrouter');
      return true;
    case 'openBilling':
      await vscode.env.openExternal(vscode.Uri.parse(BILLING_URL));
      return true;
    case 'showLog':
      log.show(true);
      return true;
    case 'retry':
    case 'removeImages':
    case 'sendAnyway':
      // The chat's own: only it knows the conversation.
      return false;
  }
}

/** The button's words (one table with the chat webview), through VS Code's translation. */
export function errorActionLabel(action: ErrorAction): string {
  return vscode.l10n.t(ERROR_ACTION_LABELS[action]);
}
