// The cost counter: records each finished request in the shared ledger file and shows the cumulative billed
// credits in the status bar (`fastrouter.cost`), estimates apart, and the spending limits (warning colour from 80 %).
// Other windows' spending is picked up by watching the folder and on window focus. The ledger compacts itself
// (rotation + summary, see costLedger.ts) off the activation path. Click → Show Cost (the cost view, costView.ts;
// its Reset Cost… asks again, with Cancel as the default).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { costPhrase, formatCredits, formatTokens } from '../../common/credits';
import { CostLedger } from '../../core/cost/costLedger';
import { localDayKey, localMonthKey, type CostBucket, type CostTotals, type RecordInput } from '../../core/cost/costTotals';
import { totalCacheSavings, type CachePrices } from '../../core/request/promptCaching';
import { spendingStatus, type LimitCheck, type SpendingLimits, type SpendingStatus } from '../../core/cost/spendingLimits';
import { Disposable } from '../dispose';
import { watchFolder } from '../folderWatcher';

export const COST_STATUS_ID = 'fastrouter.cost';
export const LEDGER_FILE = 'cost-ledger.jsonl';
/** Compaction waits this long after activation, so it never competes with start-up. */
const COMPACT_DELAY_MS = 10_000;

export interface CostTrackerOptions {
  /** The spending limits in force (settings); none when absent. */
  limits?: () => SpendingLimits;
  /** Fires when the limits may have changed. */
  onLimitsChange?: vscode.Event<unknown>;
  log?: vscode.LogOutputChannel;
  /** A model's list prices (the endpoint's model list), for what prompt caching saved; no savings line without it. */
  prices?: (model: string) => CachePrices | undefined;
  /** Fires when the prices may have changed (the model list was fetched). */
  onPricesChange?: vscode.Event<unknown>;
}

export class CostTracker extends Disposable {
  readonly ledger: CostLedger;
  readonly statusBarItem: vscode.StatusBarItem;
  private readonly changed = this._register(new vscode.EventEmitter<CostTotals>());
  readonly onDidChange: vscode.Event<CostTotals> = this.changed.event;
  private readonly unwritten = this._register(new vscode.EventEmitter<string>());
  /** A record could not be written (once per run of failures): the notice, for the chat to show too. */
  readonly onDidFailToRecord: vscode.Event<string> = this.unwritten.event;
  private watcher: vscode.Disposable | undefined;
  private compactTimer: ReturnType<typeof setTimeout> | undefined;
  private midnightTimer: ReturnType<typeof setTimeout> | undefined;
  private compacting = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The "Cost not recorded" notice was shown for the current run of failed writes. */
  private toldUnwritten = false;

  constructor(
    storageDir: string,
    sessionId: string = vscode.env.sessionId,
    private readonly options: CostTrackerOptions = {},
  ) {
    super();
    this.ledger = new CostLedger(path.join(storageDir, LEDGER_FILE), sessionId);
    this.statusBarItem = this._register(vscode.window.createStatusBarItem(COST_STATUS_ID, vscode.StatusBarAlignment.Right, 100));
    this.statusBarItem.name = vscode.l10n.t('FastRouter Cost');
    this.statusBarItem.command = 'fastrouter.showCost';
    this._register(vscode.window.onDidChangeWindowState((state) => state.focused && this.refresh()));
    if (options.onLimitsChange) this._register(options.onLimitsChange(() => this.render()));
    if (options.onPricesChange) this._register(options.onPricesChange(() => this.render()));
    this.watch(storageDir);
    this._register({ dispose: () => this.stopTimers() });
    // The ledger may be long: read it off the activation path, then show the totals.
    void this.ledger.load().then(() => {
      if (this.isDisposed) return;
      this.render();
      this.statusBarItem.show();
      this.changed.fire(this.ledger.totals);
      this.compactSoon(COMPACT_DELAY_MS);
    });
  }

  get totals(): CostTotals {
    return this.ledger.totals;
  }

  get limits(): SpendingLimits {
    return this.options.limits?.() ?? { dailyCredits: 0, monthlyCredits: 0 };
  }

  record(input: RecordInput): void {
    if (!this.ledger.record(input)) this.unwrittenSaid();
    else this.toldUnwritten = false;
    this.render();
    this.changed.fire(this.ledger.totals);
    this.compactSoon(1000);
  }

  reset(): void {
    if (!this.ledger.reset()) this.unwrittenSaid();
    this.render();
    this.changed.fire(this.ledger.totals);
  }

  /** Today's and this month's spend of all windows against `limits` (default: the settings), read fresh. */
  spendingStatus(limits: SpendingLimits = this.limits): SpendingStatus {
    this.refresh();
    return spendingStatus(this.ledger.totals, limits, Date.now());
  }

  /**
   * A record that could not be written (a full disk) is said, once per run of failures, never dropped: the ledger keeps
   * it (counted in the totals and limits) and it is written at the next request or within a minute.
   */
  private unwrittenSaid(): void {
    const reason = this.ledger.lastWriteError ?? 'unknown error';
    this.options.log?.warn(`Cost not recorded: ${reason}; ${this.ledger.unwrittenCount} record(s) kept in this window until they can be written.`);
    if (!this.toldUnwritten) {
      this.toldUnwritten = true;
      const notice = vscode.l10n.t('Cost not recorded: {0}. It is counted in this window and written to the cost ledger when the disk has room.', reason);
      void vscode.window.showWarningMessage(notice);
      this.unwritten.fire(notice);
    }
    this.retrySoon();
  }

  private retrySoon(): void {
    if (this.retryTimer || this.isDisposed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.ledger.unwrittenCount === 0) return;
      if (this.ledger.writeUnwritten()) {
        this.toldUnwritten = false;
        this.options.log?.info('Cost records kept in memory were written to the ledger.');
        this.render();
        this.changed.fire(this.ledger.totals);
      } else {
        this.retrySoon();
      }
    }, 60_000);
  }

  /** Picks up lines other windows appended. */
  refresh(): void {
    if (this.ledger.refresh()) {
      this.render();
      this.changed.fire(this.ledger.totals);
    }
  }

  /** The status bar tooltip's breakdown, one line per fact. */
  describe(): string[] {
    const t = this.ledger.totals;
    const now = Date.now();
    const lines = [
      vscode.l10n.t('All windows: {0}', describeBucket(t.allTime)),
      vscode.l10n.t('This window: {0}', describeBucket(t.session)),
      vscode.l10n.t('Today: {0}', describeSpent(t.days[localDayKey(now)])),
      vscode.l10n.t('This month: {0}', describeSpent(t.months[localMonthKey(now)])),
    ];
    for (const check of spendingStatus(t, this.limits, now).checks) lines.push(describeLimit(check));
    if (t.last) lines.push(vscode.l10n.t('Last request: {0}', describeLast(t)));
    if (t.resetAt) lines.push(vscode.l10n.t('Counting since {0}', new Date(t.resetAt).toLocaleString()));
    return lines;
  }

  private render(): void {
    const t = this.ledger.totals;
    const status = spendingStatus(t, this.limits, Date.now());
    const unknown = t.allTime.unknownRequests > 0 ? '+?' : '';
    this.statusBarItem.text = `$(credit-card) ${formatCredits(t.allTime.credits)}${unknown} ${vscode.l10n.t('credits')}`;
    // From 80 % of a limit the item warns; at the limit new requests wait for Send Anyway.
    this.statusBarItem.backgroundColor = status.reached
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : status.warning
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${vscode.l10n.t('FastRouter cost (billed credits)')}**\n\n`);
    tooltip.appendText(this.describe().join('\n\n'));
    if (t.allTime.estimatedRequests > 0) {
      tooltip.appendMarkdown('\n\n');
      tooltip.appendText(
        vscode.l10n.t(
          'Estimated, not billed: ≈ {0} credits for {1} stopped or failed answer(s) the endpoint did not price (from tokens and list prices; not in the billed total).',
          formatCredits(t.allTime.estimatedCredits),
          t.allTime.estimatedRequests,
        ),
      );
    }
    const savings = this.cacheSavingsText(t);
    if (savings) {
      tooltip.appendMarkdown('\n\n');
      tooltip.appendText(savings);
    }
    if (t.allTime.unknownRequests > 0) {
      tooltip.appendMarkdown('\n\n');
      tooltip.appendText(vscode.l10n.t('+? = {0} request(s) for which the endpoint sent no cost; not included.', t.allTime.unknownRequests));
    }
    tooltip.appendMarkdown('\n\n');
    tooltip.appendText(vscode.l10n.t('Click for details and Reset Cost.'));
    this.statusBarItem.tooltip = tooltip;
    const limitNote = status.reached ? ` ${describeLimit(status.reached)}` : status.warning ? ` ${describeLimit(status.warning)}` : '';
    this.statusBarItem.accessibilityInformation = {
      label: vscode.l10n.t('FastRouter cost: {0} credits billed', formatCredits(t.allTime.credits)) + limitNote,
    };
    this.scheduleMidnight();
  }

  /** What prompt caching saved since the last Reset, all windows: an estimate from list prices (never billed). */
  cacheSavingsText(t: CostTotals = this.ledger.totals): string | undefined {
    if (!this.options.prices) return undefined;
    const s = totalCacheSavings(t.models, this.options.prices);
    if (s.readTokens === 0 && s.writeTokens === 0) return undefined;
    const tokens = vscode.l10n.t(
      '{0} tokens read from the cache at 0.1×, {1} written at 1.25× the input price',
      formatTokens(s.readTokens),
      formatTokens(s.writeTokens),
    );
    const unpriced = s.unpricedModels > 0 ? vscode.l10n.t('; {0} model(s) without a list price left out', s.unpricedModels) : '';
    return s.credits >= 0
      ? vscode.l10n.t('Prompt caching saved ≈ {0} credits (estimate from list prices: {1}{2}).', formatCredits(s.credits), tokens, unpriced)
      : vscode.l10n.t('Prompt caching cost ≈ {0} credits more than it saved so far (estimate from list prices: {1}{2}).', formatCredits(-s.credits), tokens, unpriced);
  }

  /** "Today" ends at local midnight: the day's limit and the tooltip start over then. */
  private scheduleMidnight(): void {
    if (this.midnightTimer || this.isDisposed) return;
    const now = new Date();
    const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime();
    this.midnightTimer = setTimeout(() => {
      this.midnightTimer = undefined;
      this.render();
    }, midnight - now.getTime() + 1000);
  }

  /** Compacts the ledger in the background when its live file has grown (any window may; a lock keeps it to one). */
  private compactSoon(delayMs: number): void {
    if (this.compactTimer || this.compacting || this.isDisposed || !this.ledger.needsCompaction) return;
    this.compactTimer = setTimeout(() => {
      this.compactTimer = undefined;
      this.compacting = true;
      this.ledger
        .compact()
        .then((result) => this.options.log?.info(`Cost ledger compacted: ${result.foldedBytes} bytes folded, ${result.deletedSegments} old segment(s) removed`))
        .catch((error: unknown) => this.options.log?.warn(`Cost ledger compaction skipped: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => (this.compacting = false));
    }, delayMs);
  }

  private watch(dir: string): void {
    // The folder, since compaction replaces the file; no watcher on some file systems: focus changes and our own records still refresh.
    this.watcher = watchFolder(dir, { accept: (file) => file.startsWith('cost-ledger.'), delayMs: 100, onChange: () => this.refresh() });
  }

  private stopWatching(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
  }

  private stopTimers(): void {
    this.stopWatching();
    if (this.compactTimer) clearTimeout(this.compactTimer);
    if (this.midnightTimer) clearTimeout(this.midnightTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    // The window closes: one last try for records a full disk held back.
    if (this.ledger.unwrittenCount > 0) this.ledger.writeUnwritten();
    this.compactTimer = undefined;
    this.midnightTimer = undefined;
  }
}

function describeBucket(b: CostBucket): string {
  const estimated = b.estimatedRequests > 0 ? vscode.l10n.t(' (+ ≈ {0} estimated, not billed)', formatCredits(b.estimatedCredits)) : '';
  const unknown = b.unknownRequests > 0 ? vscode.l10n.t(' ({0} without a cost from the endpoint)', b.unknownRequests) : '';
  const cached = b.cacheReadTokens > 0 || b.cacheWriteTokens > 0 ? vscode.l10n.t(' ({0} cache read, {1} cache write)', formatTokens(b.cacheReadTokens), formatTokens(b.cacheWriteTokens)) : '';
  return vscode.l10n.t(
    '{0} credits billed{1}, {2} request(s){3}, {4} input{5} / {6} output tokens',
    formatCredits(b.credits),
    estimated,
    formatTokens(b.requests),
    unknown,
    formatTokens(b.inputTokens),
    cached,
    formatTokens(b.outputTokens),
  );
}

function describeSpent(b: CostBucket | undefined): string {
  if (!b) return vscode.l10n.t('nothing yet');
  const estimated = b.estimatedRequests > 0 ? vscode.l10n.t(' + ≈ {0} estimated', formatCredits(b.estimatedCredits)) : '';
  return vscode.l10n.t('{0} credits billed{1}, {2} request(s)', formatCredits(b.credits), estimated, formatTokens(b.requests));
}

function describeLimit(check: LimitCheck): string {
  const spent = formatCredits(check.spend.credits);
  const limit = formatCredits(check.limit);
  const unknown = check.spend.unknownRequests > 0 ? vscode.l10n.t(' ({0} request(s) with unknown cost count as 0)', check.spend.unknownRequests) : '';
  // The limits count estimates for stopped answers too; the status bar's figure is billed only: say which one this is.
  const estimated = check.spend.estimated > 0 ? vscode.l10n.t(', incl. estimates') : vscode.l10n.t(' (billed)');
  if (check.period === 'day') {
    return check.reached
      ? vscode.l10n.t('Daily limit reached: {0} of {1} credits spent today{2}{3}.', spent, limit, estimated, unknown)
      : vscode.l10n.t('Daily limit: {0} of {1} credits spent today{2}, {3} left{4}.', spent, limit, estimated, formatCredits(check.remaining), unknown);
  }
  return check.reached
    ? vscode.l10n.t('Monthly limit reached: {0} of {1} credits spent this month{2}{3}.', spent, limit, estimated, unknown)
    : vscode.l10n.t('Monthly limit: {0} of {1} credits spent this month{2}, {3} left{4}.', spent, limit, estimated, formatCredits(check.remaining), unknown);
}

function describeLast(t: CostTotals): string {
  const last = t.last!;
  const cost = costPhrase(
    last.cost !== undefined ? { kind: 'billed', credits: last.cost } : last.estimatedCost !== undefined ? { kind: 'estimate', credits: last.estimatedCost } : { kind: 'unknown' },
  );
  return vscode.l10n.t('{0}, {1} input / {2} output tokens, {3}', last.model, formatTokens(last.inputTokens + last.cacheReadTokens + last.cacheWriteTokens), formatTokens(last.outputTokens), cost);
}

/** Reset Cost, after a confirmation whose default is Cancel (it clears the totals of every window). */
export async function resetCost(cost: CostTracker): Promise<boolean> {
  const cancel: vscode.QuickPickItem = { label: vscode.l10n.t('Cancel'), detail: vscode.l10n.t('Keep the totals') };
  const reset: vscode.QuickPickItem = {
    label: `$(trash) ${vscode.l10n.t('Reset Cost')}`,
    detail: vscode.l10n.t('The totals of all windows restart from zero. Your FastRouter account is not affected.'),
  };
  const choice = await vscode.window.showQuickPick([cancel, reset], {
    title: vscode.l10n.t('Reset the FastRouter cost counter?'),
    placeHolder: vscode.l10n.t('Choose Reset Cost to confirm'),
  });
  if (choice !== reset) return false;
  cost.reset();
  return true;
}
