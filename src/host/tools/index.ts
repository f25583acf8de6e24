// The workspace tools for the chat (ChatTools of src/core/tools/types.ts): one file per tool, this registry, the
// settings (fastrouter.tools.*) and Workspace Trust: in an untrusted workspace no tool is offered.
import * as vscode from 'vscode';
import type { ParsedToolCall, ToolName } from '../../core/tools/definitions';
import type { ChatTools, PreparedToolCall, StoredFileChange, ToolLimits, ToolQuestion } from '../../core/tools/types';
import { WorkspaceCheckpoints } from './checkpoints';
import { Disposable } from '../dispose';
import type { SettingsService } from '../request/settings';
import { prepareCreateFile } from './createFile';
import { prepareEditFile } from './editFile';
import { prepareFindFiles } from './findFiles';
import { prepareGetDiagnostics } from './getDiagnostics';
import { prepareListDirectory } from './listDirectory';
import { ProposalStore } from './proposals';
import { prepareReadFile } from './readFile';
import { CommandRunner, commandsSupported } from './runCommand';
import { prepareSearchText } from './searchText';
import { ToolWorkspace } from './workspace';

export class WorkspaceTools extends Disposable implements ChatTools {
  readonly workspace = new ToolWorkspace();
  private readonly proposals = this._register(new ProposalStore());

  readonly commands: CommandRunner;
  readonly checkpoints: WorkspaceCheckpoints;

  /** `checkpointDir`: where checkpoints are kept (the extension's workspace storage); none: no checkpoints. */
  constructor(
    private readonly settings: SettingsService,
    apiKey: () => Promise<string | undefined> = async () => undefined,
    checkpointDir?: string,
    log?: (message: string) => void,
  ) {
    super();
    this.commands = this._register(new CommandRunner(settings, apiKey));
    this.checkpoints = this._register(new WorkspaceCheckpoints(checkpointDir, this.workspace, log));
  }

  omitted(): ToolName[] {
    return commandsSupported() ? [] : ['run_command'];
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

  async prepare(call: ParsedToolCall, context: { toolUseId: string; question?: ToolQuestion }): Promise<PreparedToolCall | { error: string; summary?: string }> {
    const prepared = await this.prepareCall(call, context);
    if ('error' in prepared) return prepared;
    // Writes keep a checkpoint of the question first (Restore puts the files back).
    const question = context.question;
    if (call.name === 'edit_file' || call.name === 'create_file') {
      const resolved = await this.workspace.resolve(call.input.path);
      if (resolved.ok) {
        const run = prepared.run;
        return { ...prepared, run: (signal, progress) => this.checkpoints.aroundWrite(question, resolved.path.fsPath, () => run(signal, progress)) };
      }
    }
    if (call.name === 'run_command') {
      const run = prepared.run;
      return { ...prepared, run: (signal, progress) => this.checkpoints.aroundCommand(question, () => run(signal, progress)) };
    }
    return prepared;
  }

  private prepareCall(call: ParsedToolCall, context: { toolUseId: string }): Promise<PreparedToolCall | { error: string; summary?: string }> {
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
      case 'run_command':
        return this.commands.prepare(this.workspace, call.input);
    }
  }

  changes(question: ToolQuestion): Promise<StoredFileChange[]> {
    return this.checkpoints.changes(question);
  }

  release(toolUseId: string): void {
    this.proposals.forget(toolUseId);
  }

  showDiff(toolUseId: string): Promise<boolean> {
    return this.proposals.showDiff(toolUseId);
  }
}
