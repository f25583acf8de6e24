// The workspace tools for the chat (ChatTools of src/core/tools/types.ts): one file per tool, this registry, the
// settings (fastrouter.tools.*) and Workspace Trust: in an untrusted workspace no tool is offered.
import * as vscode from 'vscode';
import type { ParsedToolCall } from '../../core/tools/definitions';
import type { ChatTools, PreparedToolCall, ToolLimits } from '../../core/tools/types';
import { Disposable } from '../dispose';
import type { SettingsService } from '../request/settings';
import { prepareCreateFile } from './createFile';
import { prepareEditFile } from './editFile';
import { prepareFindFiles } from './findFiles';
import { prepareGetDiagnostics } from './getDiagnostics';
import { prepareListDirectory } from './listDirectory';
import { ProposalStore } from './proposals';
import { prepareReadFile } from './readFile';
import { prepareSearchText } from './searchText';
import { ToolWorkspace } from './workspace';

export class WorkspaceTools extends Disposable implements ChatTools {
  readonly workspace = new ToolWorkspace();
  private readonly proposals = this._register(new ProposalStore());

  constructor(private readonly settings: SettingsService) {
    super();
  }

  enabled(): boolean {
    return this.settings.current['tools.enabled'] && vscode.workspace.isTrusted;
  }

  /** Why tools are off although the setting is on (shown in the chat), or undefined. */
  get blockedReason(): string | undefined {
    if (!this.settings.current['tools.enabled'] || vscode.workspace.isTrusted) return undefined;
    return vscode.l10n.t('This workspace is not trusted: Claude cannot read, search or edit its files. Trust the workspace to turn tools on.');
  }

  limits(): ToolLimits {
    const s = this.settings.current;
    return { autoApproveReadOnly: s['tools.autoApproveReadOnly'], maxRounds: s['tools.maxRounds'], maxCreditsPerQuestion: s['tools.maxCreditsPerQuestion'] };
  }

  prepare(call: ParsedToolCall, context: { toolUseId: string }): Promise<PreparedToolCall | { error: string }> {
    switch (call.name) {
      case 'read_file':
        return prepareReadFile(this.workspace, call.input);
      case 'list_directory':
        return prepareListDirectory(this.workspace, call.input);
      case 'find_files':
        return prepareFindFiles(this.workspace, call.input);
      case 'search_text':
        return prepareSearchText(this.workspace, call.input);
      case 'get_diagnostics':
        return prepareGetDiagnostics(this.workspace, call.input);
      case 'edit_file':
        return prepareEditFile(this.workspace, this.proposals, context.toolUseId, call.input);
      case 'create_file':
        return prepareCreateFile(this.workspace, this.proposals, context.toolUseId, call.input);
    }
  }

  release(toolUseId: string): void {
    this.proposals.forget(toolUseId);
  }

  showDiff(toolUseId: string): Promise<boolean> {
    return this.proposals.showDiff(toolUseId);
  }
}
