// Proposed changes waiting for Apply / Reject, served to VS Code's diff editor (Show Diff: current ↔ proposed). The
// proposed side is an editable file of this provider's own file system: what the user types there (saved or not) is
// what Apply writes, and the model is told what they changed.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { ReadonlyFileSystem } from '../readonlyFileSystem';

export const PROPOSED_SCHEME = 'fastrouter-proposed';

/** What a Show Diff tab shows for a proposal that is gone (a tab restored after a window reload, or already decided). */
export const PROPOSAL_GONE = 'This proposed change is no longer available: it was decided, or the window reloaded while it waited (a reload ends the answer it belonged to, so it can no longer be applied).\nAsk in the chat again for a new proposal; the file itself is unchanged unless you applied it.\n';

interface Proposal {
  /** The file as it is (absent for a file to be created). */
  current?: vscode.Uri;
  display: string;
  /** What the model proposed (the whole file). */
  proposed: string;
  /** The proposed side as last saved in the diff editor (starts as `proposed`). */
  saved?: string;
  mtime?: number;
}

/** What Apply should write: the proposed side as the user left it, and whether they changed it. */
export interface FinalProposal {
  text: string;
  proposed: string;
  edited: boolean;
}

export class ProposalStore extends ReadonlyFileSystem {
  private readonly proposals = new Map<string, Proposal>();
  private readonly fileChanges = this._register(new vscode.EventEmitter<vscode.FileChangeEvent[]>());
  override readonly onDidChangeFile = this.fileChanges.event;
  /** The scheme this store serves (another store in the same host, e.g. a test's, gets its own). */
  readonly scheme: string;

  constructor() {
    super();
    let scheme = PROPOSED_SCHEME;
    let registration: vscode.Disposable;
    try {
      registration = vscode.workspace.registerFileSystemProvider(scheme, this, { isCaseSensitive: true });
    } catch {
      scheme = `${PROPOSED_SCHEME}-${randomUUID().slice(0, 8)}`;
      registration = vscode.workspace.registerFileSystemProvider(scheme, this, { isCaseSensitive: true });
    }
    this.scheme = scheme;
    this._register(registration);
  }

  set(toolUseId: string, proposal: Proposal): void {
    this.proposals.set(toolUseId, { ...proposal, saved: proposal.proposed, mtime: Date.now() });
  }

  forget(toolUseId: string): void {
    this.proposals.delete(toolUseId);
  }

  /** The proposed side's URI: the path keeps the file's name and extension, so the editor picks the right language. */
  proposedUri(toolUseId: string, side: 'proposed' | 'empty' = 'proposed'): vscode.Uri | undefined {
    const proposal = this.proposals.get(toolUseId);
    if (!proposal) return undefined;
    return vscode.Uri.from({ scheme: this.scheme, path: `/${side}/${encodeURIComponent(toolUseId)}/${proposal.display}` });
  }

  /** The text to apply: the open proposed document (unsaved typing included), else the last saved, else the model's. */
  final(toolUseId: string): FinalProposal | undefined {
    const proposal = this.proposals.get(toolUseId);
    if (!proposal) return undefined;
    const uri = this.proposedUri(toolUseId)!.toString();
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    const text = open ? open.getText() : (proposal.saved ?? proposal.proposed);
    return { text, proposed: proposal.proposed, edited: text !== proposal.proposed };
  }

  /** After Apply: the proposed side, if open with unsaved typing, is saved to this store so closing it asks nothing. */
  async settle(toolUseId: string): Promise<void> {
    const uri = this.proposedUri(toolUseId)?.toString();
    const open = uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri) : undefined;
    if (open?.isDirty) await open.save();
  }

  /** Opens the diff editor for a waiting proposal; false when there is none (already decided). */
  async showDiff(toolUseId: string): Promise<boolean> {
    const proposal = this.proposals.get(toolUseId);
    if (!proposal) return false;
    const left = proposal.current ?? this.proposedUri(toolUseId, 'empty')!;
    const right = this.proposedUri(toolUseId)!;
    await vscode.commands.executeCommand('vscode.diff', left, right, vscode.l10n.t('{0} (current ↔ proposed, editable)', proposal.display), { preview: true });
    return true;
  }

  // The file system of the proposed sides.

  /** The proposal behind a URI; undefined when it is gone (decided, or the window reloaded and a tab came back). */
  private lookup(uri: vscode.Uri): { proposal: Proposal; side: string; id: string } | undefined {
    const [, side, id] = uri.path.split('/');
    const proposal = this.proposals.get(decodeURIComponent(id ?? ''));
    return proposal ? { proposal, side, id: decodeURIComponent(id) } : undefined;
  }

  // A Show Diff tab restored after a window reload asks for a proposal this window never had (the loop it belonged to
  // was cut by the reload, so it can no longer be applied): both sides read a short, read-only note saying so.
  override stat(uri: vscode.Uri): vscode.FileStat {
    const found = this.lookup(uri);
    if (!found) return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: Buffer.byteLength(PROPOSAL_GONE), permissions: vscode.FilePermission.Readonly };
    const { proposal, side } = found;
    const text = side === 'empty' ? '' : (proposal.saved ?? proposal.proposed);
    return { type: vscode.FileType.File, ctime: 0, mtime: proposal.mtime ?? 0, size: Buffer.byteLength(text), ...(side === 'empty' ? { permissions: vscode.FilePermission.Readonly } : {}) };
  }

  override readFile(uri: vscode.Uri): Uint8Array {
    const found = this.lookup(uri);
    if (!found) return new TextEncoder().encode(PROPOSAL_GONE);
    return new TextEncoder().encode(found.side === 'empty' ? '' : (found.proposal.saved ?? found.proposal.proposed));
  }

  /** The proposed side takes the user's edits (what Apply writes); the others stay read-only. */
  override writeFile(uri: vscode.Uri, content: Uint8Array): void {
    const found = this.lookup(uri);
    if (!found || found.side !== 'proposed') throw vscode.FileSystemError.NoPermissions(uri);
    found.proposal.saved = new TextDecoder().decode(content);
    found.proposal.mtime = Date.now();
    this.fileChanges.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }
}
