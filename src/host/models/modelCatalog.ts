// The model catalog the extension uses: the endpoint's list (GET …/models) kept in globalState with its time, or the
// built-in list when there is none yet, or it cannot be had (said in the log; never an error for a command).
// Construction reads globalState only (no network, nothing awaited in activate); the list is fetched again when it is
// older than a day and someone needs it (the chat opens, the language model provider is asked), and whenever Select
// Model opens.
import * as vscode from 'vscode';
import { fetchModelList, modelsUrl, type ListedModel } from '../../api/models';
import type { AuthHeaderStyle } from '../../api';
import { modelDisplayName, type ModelInfo } from '../../core/models/modelCatalog';
import { MODEL_LIST_STATE_KEY, cachedModelList, catalogFrom, isModelListStale, readCachedModelList, type CachedModelList } from '../../core/models/modelList';
import { Disposable } from '../dispose';

/** After a failed fetch, a stale list is not fetched again for this long (pages and the provider ask often). */
const RETRY_AFTER_FAILURE_MS = 10 * 60_000;

export interface ModelCatalogDeps {
  /** globalState (shared by the windows of this machine). */
  state: vscode.Memento;
  settings: { readonly current: { baseUrl: string; authHeader: AuthHeaderStyle }; onDidChange: vscode.Event<unknown> };
  /** The key, when one is stored (never prompts). FastRouter's list is public; other endpoints may want it. */
  apiKey?: () => Promise<string | undefined>;
  log: vscode.LogOutputChannel;
  fetch?: typeof fetch;
  now?: () => number;
}

export class ModelCatalog extends Disposable {
  private cached: CachedModelList | undefined;
  private current: { models: readonly ModelInfo[]; fromList: boolean };
  private pending: Promise<void> | undefined;
  /** When a fetch last failed: stale-list refreshes wait RETRY_AFTER_FAILURE_MS after it (Select Model does not). */
  private failedAt: number | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange: vscode.Event<void> = this.changed.event;
  private readonly pickShown = this._register(new vscode.EventEmitter<void>());
  /** Fires when Select Model has shown its pick (tests wait for it instead of for time). */
  readonly onDidShowPick: vscode.Event<void> = this.pickShown.event;
  notePickShown(): void {
    this.pickShown.fire();
  }
  private readonly now: () => number;

  constructor(private readonly deps: ModelCatalogDeps) {
    super();
    this.now = deps.now ?? Date.now;
    this.cached = readCachedModelList(deps.state.get(MODEL_LIST_STATE_KEY));
    this.current = catalogFrom(this.cached, this.url());
    let baseUrl = deps.settings.current.baseUrl;
    this._register(
      deps.settings.onDidChange(() => {
        if (deps.settings.current.baseUrl === baseUrl) return;
        baseUrl = deps.settings.current.baseUrl;
        // Another endpoint: its own list (if cached) or the built-in one until it is fetched.
        this.cached = readCachedModelList(deps.state.get(MODEL_LIST_STATE_KEY));
        this.update();
      }),
    );
  }

  /** The Claude models: the endpoint's list when fetched, else the built-in list. */
  get models(): readonly ModelInfo[] {
    return this.current.models;
  }

  /** Whether `models` came from the endpoint's list (false: the built-in list). */
  get fromList(): boolean {
    return this.current.fromList;
  }

  /** When the list in use was fetched (undefined: the built-in list). */
  get fetchedAt(): number | undefined {
    return this.current.fromList ? this.cached?.fetchedAt : undefined;
  }

  /** For the language model provider (ModelSource): the models now, and a refresh in the background when stale. */
  list(): readonly ModelInfo[] {
    this.refreshIfStale();
    return this.models;
  }

  /** The model's name for people ("Claude Sonnet 4"), never "anthropic/…". */
  displayName(id: string): string {
    return modelDisplayName(id, this.models);
  }

  /** Starts a fetch in the background when the list is missing or older than a day. */
  refreshIfStale(): void {
    const url = this.url();
    if (!url || !isModelListStale(this.cached, url, this.now())) return;
    if (this.failedAt !== undefined && this.now() - this.failedAt < RETRY_AFTER_FAILURE_MS) return;
    void this.refresh();
  }

  /** Fetches the list now (one fetch at a time); resolves when done. Never rejects: failures are logged. */
  refresh(): Promise<void> {
    this.pending ??= this.fetchNow().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private url(): string | undefined {
    try {
      return modelsUrl(this.deps.settings.current.baseUrl);
    } catch {
      return undefined;
    }
  }

  private async fetchNow(): Promise<void> {
    const { log, settings } = this.deps;
    const url = this.url();
    if (!url) return;
    let key: string | undefined;
    try {
      key = await this.deps.apiKey?.();
    } catch {
      key = undefined;
    }
    let models: ListedModel[];
    let skipped: number;
    try {
      ({ models, skipped } = await fetchModelList({ baseUrl: settings.current.baseUrl, apiKey: key, authHeader: settings.current.authHeader, fetch: this.deps.fetch }));
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      const using = this.current.fromList
        ? `keeping the list fetched ${new Date(this.cached!.fetchedAt).toISOString()}`
        : 'using the built-in model list';
      this.failedAt = this.now();
      log.warn(`Model list: ${key ? detail.split(key).join('[key]') : detail} ${using}.`);
      return;
    }
    this.failedAt = undefined;
    if (this.isDisposed || this.url() !== url) return;
    const cached = cachedModelList(url, this.now(), models);
    this.cached = cached;
    await this.deps.state.update(MODEL_LIST_STATE_KEY, cached);
    this.update();
    log.info(
      `Model list: ${models.length} models from ${url}${skipped > 0 ? ` (${skipped} entries not understood, left out)` : ''}, ` +
        (this.current.fromList ? `${this.current.models.length} Claude models offered.` : 'none of them Claude: using the built-in model list.'),
    );
  }

  private update(): void {
    const before = this.current;
    this.current = catalogFrom(this.cached, this.url());
    if (before.models !== this.current.models) this.changed.fire();
  }
}
