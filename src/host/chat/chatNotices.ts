// Notices where the user is looking: above the chat's input when the chat is open, else as a notification; and the
// standing ones a new page is told (settings that stop requests, tools off in an untrusted workspace).
import * as vscode from 'vscode';
import type { ErrorAction } from '../../common/chatTypes';
import type { HostToWebview } from '../../common/protocol';
import type { SettingProblem } from '../../core/request/settings';

export interface ChatNoticesDeps {
  /** Posts to a ready page; false when none took it. */
  post(message: HostToWebview): boolean;
  /** A ready page is on screen. */
  visible(): boolean;
  /** Settings that currently hold a bad value. */
  settingProblems(): readonly SettingProblem[];
  /** Why the tools are off although the setting is on (an untrusted workspace). */
  toolsBlockedReason?: () => string | undefined;
}

export class ChatNotices {
  /** Bad settings (key=value) the current page was told about. */
  private readonly shownProblems = new Set<string>();

  constructor(private readonly deps: ChatNoticesDeps) {}

  /**
   * Shows a message where the user is looking: above the chat's input when the chat is open, else as a notification
   * (unless `toast: false`: the caller shows one itself). Returns whether the chat showed it.
   */
  notify(level: 'info' | 'error', message: string, options: { actions?: ErrorAction[]; setting?: string; toast?: boolean } = {}): boolean {
    const shown = this.deps.visible() && this.deps.post({ type: 'notice', level, message, actions: options.actions, setting: options.setting });
    if (!shown && options.toast !== false) {
      if (level === 'error') void vscode.window.showErrorMessage(message);
      else void vscode.window.showInformationMessage(message);
    }
    return shown;
  }

  /** A new page is ready: it is told the standing notices afresh. */
  pageReady(): void {
    this.shownProblems.clear();
    this.showSettingProblems();
    this.showToolsBlocked();
  }

  /** Each bad setting that stops requests, once per page, with Open Settings; and that requests go again once fixed. */
  showSettingProblems(): void {
    const blocking = this.deps.settingProblems().filter((problem) => problem.blocksRequests);
    const hadSome = this.shownProblems.size > 0;
    for (const problem of blocking) {
      const id = `${problem.key}=${problem.value}`;
      if (this.shownProblems.has(id)) continue;
      // SettingsService already shows a notification; this is the same where the user is looking.
      if (this.notify('error', problem.message, { actions: ['openSettings'], setting: `fastrouter.${problem.key}`, toast: false })) this.shownProblems.add(id);
    }
    if (blocking.length === 0 && hadSome) {
      this.shownProblems.clear();
      this.notify('info', vscode.l10n.t('The FastRouter settings are valid again: questions are sent.'), { toast: false });
    }
  }

  private showToolsBlocked(): void {
    const reason = this.deps.toolsBlockedReason?.();
    if (reason) this.notify('info', reason, { toast: false });
  }
}
