// The cost counter: records each finished request in the shared ledger file and shows the cumulative billed
// credits in the status bar (`fastrouter.cost`). Other windows' spending is picked up by watching the file and
// on window focus. Click → Show Cost (breakdown, Reset Cost).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CostLedger, formatCredits, type CostBucket, type CostTotals, type RecordInput } from '../chat/costLedger';
import { Disposable } from './dispose';

export const COST_STATUS_ID = 'fastrouter.cost';
export const LEDGER_FILE = 'cost-ledger.jsonl';

export class CostTracker extends Disposable {
  readonly ledger: CostLedger;
  readonly statusBarItem: vscode.StatusBarItem;
  private readonly changed = this._register(new vscode.EventEmitter<CostTotals>());
  readonly onDidChange: vscode.Event<CostTotals> = this.changed.event;
  private watcher: fs.FSWatcher | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(storageDir: string, sessionId: string = vscode.env.sessionId) {
    super();
    this.ledger = new CostLedger(path.join(storageDir, LEDGER_FILE), sessionId);
    this.statusBarItem = this._register(vscode.window.createStatusBarItem(COST_STATUS_ID, vscode.StatusBarAlignment.Right, 100));
    this.statusBarItem.name = vscode.l10n.t('FastRouter Cost');
    this.statusBarItem.command = 'fastrouter.showCost';
    this._register(vscode.window.onDidChangeWindowState((state) => state.focused && this.refresh()));
    this.watch(storageDir);
    this._register({ dispose: () => this.stopWatching() });
    // The ledger only grows: read it off the activation path, then show the totals.
    void this.ledger.load().then(() => {
      if (this.isDisposed) return;
      this.render();
      this.statusBarItem.show();
      this.changed.fire(this.ledger.totals);
    });
  }

  get totals(): CostTotals {
    return this.ledger.totals;
  }

  record(input: RecordInput): void {
    this.ledger.record(input);
    this.render();
    this.changed.fire(this.ledger.totals);
  }

  reset(): void {
    this.ledger.reset();
    this.render();
    this.changed.fire(this.ledger.totals);
  }

  /** Picks up lines other windows appended. */
  refresh(): void {
    if (this.ledger.refresh()) {
      this.render();
      this.changed.fire(this.ledger.totals);
    }
  }

  /** The Show Cost breakdown, one line per fact. */
  describe(): string {
    const t = this.ledger.totals;
    const lines = [
      vscode.l10n.t('All windows: {0}', describeBucket(t.allTime)),
      vscode.l10n.t('This window: {0}', describeBucket(t.session)),
    ];
    if (t.last) lines.push(vscode.l10n.t('Last request: {0}', describeLast(t)));
    if (t.resetAt) lines.push(vscode.l10n.t('Counting since {0}', new Date(t.resetAt).toLocaleString()));
    return lines.join('\n');
  }

  private render(): void {
    const t = this.ledger.totals;
    const unknown = t.allTime.unknownRequests > 0 ? '+?' : '';
    this.statusBarItem.text = `$(credit-card) ${formatCredits(t.allTime.credits)}${unknown} ${vscode.l10n.t('credits')}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${vscode.l10n.t('FastRouter cost (billed credits)')}**\n\n`);
    tooltip.appendText(this.describe().split('\n').join('\n\n'));
    if (t.allTime.unknownRequests > 0) {
      tooltip.appendMarkdown('\n\n');
      tooltip.appendText(vscode.l10n.t('+? = {0} request(s) for which the endpoint sent no cost; not included.', t.allTime.unknownRequests));
    }
    tooltip.appendMarkdown('\n\n');
    tooltip.appendText(vscode.l10n.t('Click for details and Reset Cost.'));
    this.statusBarItem.tooltip = tooltip;
    this.statusBarItem.accessibilityInformation = {
      label: vscode.l10n.t('FastRouter cost: {0} credits', formatCredits(t.allTime.credits)),
    };
  }

  private watch(dir: string): void {
    try {
      fs.mkdirSync(dir, { recursive: true });
      // Watch the folder (the file may not exist yet); coalesce bursts of appends into one re-read.
      this.watcher = fs.watch(dir, (_event, file) => {
        if (file && file !== LEDGER_FILE) return;
        if (this.refreshTimer) return;
        this.refreshTimer = setTimeout(() => {
          this.refreshTimer = undefined;
          this.refresh();
        }, 100);
      });
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      // No watcher (some file systems): focus changes and our own records still refresh.
    }
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }
}

function describeBucket(b: CostBucket): string {
  const unknown = b.unknownRequests > 0 ? vscode.l10n.t(' ({0} without a cost from the endpoint)', b.unknownRequests) : '';
  return vscode.l10n.t('{0} credits, {1} request(s){2}, {3} input / {4} output tokens', formatCredits(b.credits), b.requests, unknown, b.inputTokens, b.outputTokens);
}

function describeLast(t: CostTotals): string {
  const last = t.last!;
  const cost = last.cost === undefined ? vscode.l10n.t('cost unknown') : vscode.l10n.t('{0} credits', formatCredits(last.cost));
  return vscode.l10n.t('{0}, {1} input / {2} output tokens, {3}', last.model, last.inputTokens, last.outputTokens, cost);
}

/** Show Cost: the breakdown in a modal, with Reset Cost. */
export async function showCost(cost: CostTracker): Promise<void> {
  cost.refresh();
  const reset = vscode.l10n.t('Reset Cost');
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t('FastRouter cost'), { modal: true, detail: cost.describe() }, reset);
  if (choice === reset) await resetCost(cost);
}

/** Reset Cost, after a confirmation (it clears the totals of every window). */
export async function resetCost(cost: CostTracker): Promise<void> {
  const reset = vscode.l10n.t('Reset');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Reset the FastRouter cost counter?'),
    { modal: true, detail: vscode.l10n.t('The totals of all windows restart from zero. Your FastRouter account is not affected.') },
    reset,
  );
  if (choice === reset) cost.reset();
}
