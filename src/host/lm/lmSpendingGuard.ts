// Spending limits for requests through the language model provider (VS Code's chat, other extensions): the same
// accounting as the chat (the shared ledger, all windows). VS Code's chat has no place for our Send Anyway button,
// so a refused request says why in its LanguageModelError and in one notification, whose Send Anyway lets the next
// request through (this once, for a few minutes) and whose Open Settings opens the limit's setting.
import * as vscode from 'vscode';
import { formatCredits } from '../../common/credits';
import { spendingLimitError } from '../../core/cost/spendingLimits';
import type { CostTracker } from '../cost/cost';
import type { LmSendInfo } from './languageModelProvider';

/** How long Send Anyway waits for the request to be asked again. */
export const SEND_ANYWAY_WINDOW_MS = 5 * 60_000;

export function lmSpendingGuard(cost: CostTracker, log: vscode.LogOutputChannel): (info: LmSendInfo) => void {
  let allowedUntil = 0;
  let asking = false;
  return (info) => {
    const reached = cost.spendingStatus().reached;
    if (!reached) return;
    if (Date.now() < allowedUntil) {
      allowedUntil = 0;
      log.info(`language model request (${info.source}) sent past the ${reached.period} spending limit (Send Anyway)`);
      return;
    }
    log.warn(`language model request (${info.source}) not sent: ${reached.period} spending limit reached (${formatCredits(reached.spend.credits)} of ${formatCredits(reached.limit)} credits)`);
    const error = spendingLimitError(reached);
    if (!asking) {
      asking = true;
      const sendAnyway = vscode.l10n.t('Send Anyway');
      const openSettings = vscode.l10n.t('Open Settings');
      void vscode.window
        .showWarningMessage(`FastRouter: ${error.message}`, sendAnyway, openSettings)
        .then(async (choice) => {
          if (choice === sendAnyway) {
            allowedUntil = Date.now() + SEND_ANYWAY_WINDOW_MS;
            void vscode.window.showInformationMessage(vscode.l10n.t('FastRouter: the next language model request will be sent. Send it again.'));
          } else if (choice === openSettings) {
            await vscode.commands.executeCommand('workbench.action.openSettings', error.setting ?? 'fastrouter.spendingLimit');
          }
        })
        .then(() => (asking = false), () => (asking = false));
    }
    throw new Error(error.message);
  };
}

