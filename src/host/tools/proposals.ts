// Proposed changes waiting for Apply / Reject, served to VS Code's diff editor (Show Diff: current ↔ proposed).
import * as vscode from 'vscode';
import { Disposable } from '../dispose';

export const PROPOSED_SCHEME = 'fastrouter-proposed';

interface Proposal {
  /** The file as it is (absent for a file to be created). */
  current?: vscode.Uri;
  display: string;
  proposed: string;
}

export class ProposalStore extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly proposals = new Map<string, Proposal>();
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, this));
  }

  set(toolUseId: string, proposal: Proposal): void {
    this.proposals.set(toolUseId, proposal);
  }

  delete(toolUseId: string): void {
    this.proposals.delete(toolUseId);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [id, side] = uri.query.split('&');
    const proposal = this.proposals.get(decodeURIComponent(id));
    if (!proposal) return '';
    return side === 'empty' ? '' : proposal.proposed;
  }

  /** Opens the diff editor for a waiting proposal; false when there is none (already decided). */
  async showDiff(toolUseId: string): Promise<boolean> {
    const proposal = this.proposals.get(toolUseId);
    if (!proposal) return false;
    // The path keeps the file's name and extension, so the diff editor picks the right language.
    const base = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: `/${proposal.display}`, query: encodeURIComponent(toolUseId) });
    const left = proposal.current ?? base.with({ query: `${encodeURIComponent(toolUseId)}&empty` });
    const right = base.with({ query: `${encodeURIComponent(toolUseId)}&proposed` });
    this.changed.fire(right);
    await vscode.commands.executeCommand('vscode.diff', left, right, vscode.l10n.t('{0} (current ↔ proposed)', proposal.display), { preview: true });
    return true;
  }
}
