// Show Cost: an editor-area webview panel (one at a time) with spend per day, per model, cache savings and the recent
// requests, kept current while the ledger changes (any window). The page is hosted by WebviewHost (nonce, CSP, zod,
// `ready`); Reset Cost asks first with Cancel as the default; Export CSV asks where to save.
import * as vscode from 'vscode';
import { costCsv, costViewData } from '../../core/cost/costView';
import { renderCostHtml } from '../webviews/costViewHtml';
import { localDayKey } from '../../core/cost/costTotals';
import { BUILTIN_MODELS, type ModelInfo } from '../../core/models/modelCatalog';
import { CostViewToHostSchema, type CostViewData, type CostViewToHost, type HostToCostView } from '../../common/costViewProtocol';
import { resetCost, type CostTracker } from './cost';
import { Disposable } from '../dispose';
import { WebviewHost } from '../webviews/webviewHost';

export const COST_VIEW_TYPE = 'fastrouter.costView';
/** At most one update per this many ms while requests finish in quick succession (tool loops, several windows). */
const UPDATE_DELAY_MS = 250;

export interface CostViewOptions {
  /** Prices for the cache savings (default: the built-in list). */
  models?: () => readonly ModelInfo[];
  log?: vscode.LogOutputChannel;
  /** Where Export CSV writes without asking (tests). */
  saveUri?: () => Promise<vscode.Uri | undefined>;
}

export class CostView extends Disposable {
  private readonly host: WebviewHost<CostViewToHost, HostToCostView, CostViewData, vscode.WebviewPanel>;
  private updateTimer: ReturnType<typeof setTimeout> | undefined;
  /** Fires when a (re)loaded page has said `ready` and received its data (tests wait for it). */
  readonly onDidBecomeReady: vscode.Event<void>;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly cost: CostTracker,
    private readonly options: CostViewOptions = {},
  ) {
    super();
    this.host = this._register(new WebviewHost(
      extensionUri,
      { label: 'Cost view', script: 'costview.js', style: 'costview.css', render: (page, data) => renderCostHtml({ ...page, data }) },
      CostViewToHostSchema,
      {
        state: () => this.data(),
        stateMessage: (data) => ({ type: 'data', data }),
        onMessage: (message) => this.handle(message),
        onError: (_message, error) => void vscode.window.showErrorMessage(vscode.l10n.t('FastRouter: {0}', error instanceof Error ? error.message : String(error))),
        log: options.log,
      },
    ));
    this.onDidBecomeReady = this.host.onDidBecomeReady;
    this._register(cost.onDidChange(() => this.updateSoon()));
    this._register({ dispose: () => this.closePanel() });
    // After a window reload VS Code brings the tab back and hands its panel here: a fresh page with fresh data (the
    // page keeps no state of its own to restore).
    this._register(vscode.window.registerWebviewPanelSerializer(COST_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => this.adopt(panel),
    }));
  }

  get isOpen(): boolean {
    return this.host.current !== undefined;
  }

  get isReady(): boolean {
    return this.host.isReady;
  }

  /** What the view shows now (fresh from the ledger of all windows). */
  data(): CostViewData {
    this.cost.refresh();
    return costViewData(this.cost.totals, Date.now(), this.options.models?.() ?? BUILTIN_MODELS);
  }

  /** Opens the panel in the active editor group, or brings the open one to the front. */
  show(): void {
    const open = this.host.current;
    if (open) {
      open.reveal(undefined, false);
      return;
    }
    void this.adopt(vscode.window.createWebviewPanel(COST_VIEW_TYPE, vscode.l10n.t('FastRouter Cost'), vscode.ViewColumn.Active, WebviewHost.options(this.extensionUri)));
  }

  /** Makes `panel` (new, or restored after a window reload) the cost view: its page, with data read now. */
  private adopt(panel: vscode.WebviewPanel): Promise<void> {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon-fastrouter.svg');
    return this.host.attach(panel, panel.onDidChangeViewState);
  }

  /** Validates and handles one message as if the page had posted it (a test's; `ready` from no page is ignored). */
  receive(raw: unknown): Promise<void> {
    return this.host.receive(raw);
  }

  /** Writes the recent requests (all windows) as CSV to `uri`. */
  async exportCsv(uri: vscode.Uri): Promise<void> {
    this.cost.refresh();
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(costCsv(this.cost.totals.recent)));
  }

  private async handle(message: CostViewToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        // WebviewHost has posted the data.
        return;
      case 'exportCsv': {
        const uri = this.options.saveUri
          ? await this.options.saveUri()
          : await vscode.window.showSaveDialog({
              title: vscode.l10n.t('Export FastRouter cost as CSV'),
              defaultUri: defaultCsvUri(),
              filters: { CSV: ['csv'] },
              saveLabel: vscode.l10n.t('Export'),
            });
        if (!uri) return;
        await this.exportCsv(uri);
        const open = vscode.l10n.t('Open');
        void vscode.window.showInformationMessage(vscode.l10n.t('FastRouter cost exported to {0}.', uri.fsPath || uri.toString()), open).then((choice) => {
          if (choice === open) void vscode.window.showTextDocument(uri);
        });
        return;
      }
      case 'resetCost':
        // Cancel is the default; picking Reset Cost is the only way to reset. The ledger change updates the view.
        await resetCost(this.cost);
        return;
      case 'openLimits':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'fastrouter.spendingLimit');
        return;
      default: {
        const unexpected: never = message;
        throw new Error(`Unexpected message: ${JSON.stringify(unexpected)}`);
      }
    }
  }

  private updateSoon(): void {
    if (!this.host.isReady || this.updateTimer) return;
    this.updateTimer = setTimeout(() => {
      this.updateTimer = undefined;
      this.host.post({ type: 'data', data: this.data() });
    }, UPDATE_DELAY_MS);
  }

  private closePanel(): void {
    if (this.updateTimer) clearTimeout(this.updateTimer);
    this.updateTimer = undefined;
    this.host.current?.dispose();
  }
}

function defaultCsvUri(): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `fastrouter-cost-${localDayKey(Date.now())}.csv`;
  return folder ? vscode.Uri.joinPath(folder, name) : undefined;
}
