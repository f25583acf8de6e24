// The FastRouter API key, kept only in SecretStorage (the OS keychain). Never in settings, state, logs or the webview.
// Follows `secrets.onDidChange`, so a key set or cleared in another window applies here too.
import * as vscode from 'vscode';
import { Disposable } from '../dispose';

export const API_KEY_SECRET = 'fastrouter.apiKey';
export const KEY_URL = 'https://fastrouter.ai';

export class ApiKeyStore extends Disposable {
  /** undefined = not read yet; null = read, none stored. */
  private cached: string | null | undefined;
  /** Bumped by every set, clear and outside change, so a read that started before one never caches a stale key. */
  private generation = 0;
  private pendingPrompt: Promise<string | undefined> | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange: vscode.Event<void> = this.changed.event;

  constructor(private readonly secrets: vscode.SecretStorage) {
    super();
    this._register(
      secrets.onDidChange((event) => {
        if (event.key !== API_KEY_SECRET) return;
        this.generation++;
        this.cached = undefined;
        this.changed.fire();
      }),
    );
  }

  async get(): Promise<string | undefined> {
    if (this.cached !== undefined) return this.cached ?? undefined;
    const generation = this.generation;
    const stored = (await this.secrets.get(API_KEY_SECRET)) ?? null;
    if (generation !== this.generation) return this.get(); // set or cleared meanwhile: read again
    this.cached = stored;
    return stored ?? undefined;
  }

  async has(): Promise<boolean> {
    return (await this.get()) !== undefined;
  }

  async set(key: string): Promise<void> {
    const trimmed = key.trim();
    const problem = validateKey(trimmed);
    if (problem) throw new Error(problem);
    this.generation++;
    this.cached = undefined;
    await this.secrets.store(API_KEY_SECRET, trimmed);
    this.generation++;
    this.cached = trimmed;
  }

  async clear(): Promise<void> {
    // No request may use the key from the moment Clear is asked for, even before the store answers.
    this.generation++;
    this.cached = null;
    await this.secrets.delete(API_KEY_SECRET);
    this.generation++;
    this.cached = null;
  }

  /** The key, asking for it once when none is stored (concurrent callers share one prompt). */
  async ensure(): Promise<string | undefined> {
    const key = await this.get();
    if (key) return key;
    return this.promptAndStore(vscode.l10n.t('FastRouter needs an API key to continue. Get one at {0}', KEY_URL));
  }

  /** Asks for a key in a password box and stores it. Resolves undefined when the user cancels. */
  promptAndStore(prompt?: string): Promise<string | undefined> {
    this.pendingPrompt ??= this.prompt(prompt).finally(() => {
      this.pendingPrompt = undefined;
    });
    return this.pendingPrompt;
  }

  private async prompt(prompt?: string): Promise<string | undefined> {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('FastRouter: Set API Key'),
      prompt: prompt ?? vscode.l10n.t('Paste your FastRouter API key. Get one at {0}. It is stored in the OS keychain, never in settings.', KEY_URL),
      placeHolder: vscode.l10n.t('FastRouter API key'),
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => validateKey(text.trim()),
    });
    if (value === undefined || value.trim() === '') return undefined;
    await this.set(value);
    return value.trim();
  }
}

/** A message when `key` cannot be an API key (empty, spaces, control characters), else undefined. */
export function validateKey(key: string): string | undefined {
  if (key === '') return vscode.l10n.t('Enter a key.');
  if (/\s/.test(key)) return vscode.l10n.t('A key has no spaces.');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key) || key.length > 500) return vscode.l10n.t('That does not look like an API key.');
  return undefined;
}
