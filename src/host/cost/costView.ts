// Show Cost: an editor-area webview panel (one at a time) with spend per day, per model, cache savings and the recent
// requests, kept current while the ledger changes (any window). Page: fresh nonce, strict CSP, media/ only. Every
// message from it is validated; Reset Cost asks first with Cancel as the default; Export CSV asks where to save.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { costCsv, costViewData } from '../../core/cost/costView';
import { renderCostHtml } from '../webviews/costViewHtml';
import { localDayKey } from '../../core/cost/costTotals';
import { BUILTIN_MODELS, type ModelInfo } from '../../core/models/modelCatalog';
import { CostViewToHostSchema, type CostViewData, type CostViewToHost, type HostToCostView } from '../../common/costViewProtocol';
import { resetCost, type CostTracker } from './cost';
import { Disposable } from '../dispose';

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
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private panelDisposables: vscode.Disposable[] = [];
  private updateTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly readyEmitter = this._register(new vscode.EventEmitter<void>());
  /** Fires when a (re)loaded page has said `ready` and received its data (tests wait for it). */
  readonly onDidBecomeReady = this.readyEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly cost: CostTracker,
    private readonly options: CostViewOptions = {},
  ) {
    super();
    this._register(cost.onDidChange(() => this.updateSoon()));
    this._register({ dispose: () => this.closePanel() });
    // After a window reload VS Code brings the tab back and hands its panel here: a fresh page with fresh data (the
    // page keeps no state of its own to restore).
    this._register(vscode.window.registerWebviewPanelSerializer(COST_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => this.adopt(panel),
    }));
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** What the view shows now (fresh from the ledger of all windows). */
  data(): CostViewData {
    this.cost.refresh();
    return costViewData(this.cost.totals, Date.now(), this.options.models?.() ?? BUILTIN_MODELS);
  }

  /** Opens the panel in the active editor group, or brings the open one to the front. */
  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      return;
    }
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    this.adopt(vscode.window.createWebviewPanel(COST_VIEW_TYPE, vscode.l10n.t('FastRouter Cost'), vscode.ViewColumn.Active, {
      enableScripts: true,
      enableForms: false,
      localResourceRoots: [media],
    }));
  }

  /** Makes `panel` (new, or restored after a reload) the cost view: its page, with data read now. */
  private adopt(panel: vscode.WebviewPanel): void {
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    if (this.panel && this.panel !== panel) this.panel.dispose();
    // A restored panel comes with the options it was saved with: set ours again (scripts, no forms, media/ only).
    panel.webview.options = { enableScripts: true, enableForms: false, localResourceRoots: [media] };
    panel.iconPath = vscode.Uri.joinPath(media, 'icon-fastrouter.svg');
    this.panel = panel;
    this.ready = false;
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw, panel)),
      // A hidden panel loses its page; the page says `ready` again when shown and gets fresh data.
      panel.onDidChangeViewState(() => {
        if (!panel.visible && this.panel === panel) this.ready = false;
      }),
      panel.onDidDispose(() => {
        if (this.panel !== panel) return;
        this.panel = undefined;
        this.ready = false;
        for (const d of this.panelDisposables.splice(0)) d.dispose();
      }),
    );
    panel.webview.html = renderCostHtml({
      cspSource: panel.webview.cspSource,
      nonce: randomBytes(24).toString('base64'),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'costview.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'costview.css')).toString(),
      data: this.data(),
    });
  }

  /** Validates and handles one message from the page (`panel` undefined: not from a page, e.g. a test). */
  async receive(raw: unknown, panel?: vscode.WebviewPanel): Promise<void> {
    const parsed = CostViewToHostSchema.safeParse(raw);
    if (!parsed.success) {
      const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type).slice(0, 40) : typeof raw;
      this.options.log?.warn(`Cost view: dropped an invalid message (type ${type})`);
      return;
    }
    try {
      await this.handle(parsed.data, panel);
    } catch (error) {
      this.options.log?.error(`Cost view: ${parsed.data.type} failed: ${error instanceof Error ? error.message : String(error)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('FastRouter: {0}', error instanceof Error ? error.message : String(error)));
    }
  }

  /** Writes the recent requests (all windows) as CSV to `uri`. */
  async exportCsv(uri: vscode.Uri): Promise<void> {
    this.cost.refresh();
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(costCsv(this.cost.totals.recent)));
  }

  private async handle(message: CostViewToHost, panel: vscode.WebviewPanel | undefined): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (!panel || this.panel !== panel) return;
        this.ready = true;
        this.post({ type: 'data', data: this.data() });
        this.readyEmitter.fire();
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

  private post(message: HostToCostView): boolean {
    if (!this.panel || !this.ready) return false;
    void this.panel.webview.postMessage(message);
    return true;
  }

  private updateSoon(): void {
    if (!this.panel || !this.ready || this.updateTimer) return;
    this.updateTimer = setTimeout(() => {
      this.updateTimer = undefined;
      this.post({ type: 'data', data: this.data() });
    }, UPDATE_DELAY_MS);
  }

  private closePanel(): void {
    if (this.updateTimer) clearTimeout(this.updateTimer);
    this.updateTimer = undefined;
    this.panel?.dispose();
    this.panel = undefined;
  }
}

function defaultCsvUri(): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `fastrouter-cost-${localDayKey(Date.now())}.csv`;
  return folder ? vscode.Uri.joinPath(folder, name) : undefined;
}
