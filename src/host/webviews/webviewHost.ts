// One webview page at a time, for any of the extension's webviews (the chat view, the cost panel): renders the page
// (fresh nonce from crypto, strict CSP, media/ only), validates every message from it with its zod schema, and posts
// to it only after it said `ready` (the page is sent its state first). A hidden page is gone: it says `ready` again.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { Disposable } from '../dispose';

/** What the host needs of a page's schema (a zod schema of the page → host union). */
export interface MessageSchema<T> {
  safeParse(raw: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { message: string }[] } };
}

/** The page's assets and shell; `render` is the pure page renderer the Chromium tests use too. */
export interface WebviewPage<State> {
  /** For the log: "Chat view", "Cost view". */
  label: string;
  /** File names in media/. */
  script: string;
  style: string;
  render(input: { cspSource: string; nonce: string; scriptUri: string; styleUri: string }, state: State): string;
}

export interface WebviewHostHandlers<ToHost extends { readonly type: string }, ToPage, State> {
  /** State for the page's first paint and for every `ready` (taken right before it is posted). */
  state(): State | Promise<State>;
  /** The message that carries `state` to a page that said `ready`. */
  stateMessage(state: State): ToPage;
  /** A validated message from the page (`ready` included, after the state was posted). */
  onMessage(message: ToHost): Promise<void>;
  /** A handler failed (it was logged already). */
  onError?(message: ToHost, error: unknown): void;
  log?: vscode.LogOutputChannel;
}

/** A view or panel that holds the page. */
export interface WebviewContainer {
  readonly webview: vscode.Webview;
  readonly visible: boolean;
  readonly onDidDispose: vscode.Event<void>;
}

export class WebviewHost<ToHost extends { readonly type: string }, ToPage, State, Container extends WebviewContainer = WebviewContainer> extends Disposable {
  private container: Container | undefined;
  private ready = false;
  private containerDisposables: vscode.Disposable[] = [];
  private readonly readyEmitter = this._register(new vscode.EventEmitter<void>());
  /** Fires each time a (re)loaded page has said `ready` and received its state. */
  readonly onDidBecomeReady = this.readyEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly page: WebviewPage<State>,
    private readonly schema: MessageSchema<ToHost>,
    private readonly handlers: WebviewHostHandlers<ToHost, ToPage, State>,
  ) {
    super();
  }

  /** The options every page gets: scripts, no forms, only media/. */
  static options(extensionUri: vscode.Uri): vscode.WebviewOptions {
    return { enableScripts: true, enableForms: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** The view or panel holding the page, until it is disposed. */
  get current(): Container | undefined {
    return this.container;
  }

  /** A ready page is on screen (not just loaded in a hidden view). */
  get isVisible(): boolean {
    return this.ready && this.container?.visible === true;
  }

  /**
   * Takes `container` (replacing any earlier one) and renders its page. `onDidChangeVisibility` is the container's own
   * event (views and panels name it differently).
   */
  async attach(container: Container, onDidChangeVisibility: vscode.Event<unknown>): Promise<void> {
    this.detach();
    this.container = container;
    this.ready = false;
    const webview = container.webview;
    webview.options = WebviewHost.options(this.extensionUri);
    this.containerDisposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw, container)),
      // Hidden pages are gone; a new page says `ready` again and gets fresh state.
      onDidChangeVisibility(() => {
        if (!container.visible && this.container === container) this.ready = false;
      }),
      container.onDidDispose(() => {
        if (this.container !== container) return;
        this.container = undefined;
        this.ready = false;
        this.detach();
      }),
    );
    const state = await this.handlers.state();
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    webview.html = this.page.render({
      cspSource: webview.cspSource,
      nonce: randomBytes(24).toString('base64'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, this.page.script)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, this.page.style)).toString(),
    }, state);
  }

  /** Posts when a ready page is there; otherwise drops (the next `ready` gets the full state). */
  post(message: ToPage): boolean {
    if (!this.container || !this.ready) return false;
    void this.container.webview.postMessage(message);
    return true;
  }

  /** Validates and handles one message from `container`'s page (`container` undefined: not from a page, e.g. a test). */
  async receive(raw: unknown, container?: Container): Promise<void> {
    const parsed = this.schema.safeParse(raw);
    if (!parsed.success) {
      // The page is untrusted; never echo the payload (it may be large or contain user code).
      const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type).slice(0, 40) : typeof raw;
      this.handlers.log?.warn(`${this.page.label}: dropped an invalid message (type ${type}): ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    const message = parsed.data;
    try {
      if (message.type === 'ready') {
        if (!container) return;
        // Taken right before posting: updates dropped while waiting are part of it.
        const state = await this.handlers.state();
        if (this.container !== container) return;
        this.ready = true;
        this.post(this.handlers.stateMessage(state));
        this.readyEmitter.fire();
      }
      await this.handlers.onMessage(message);
    } catch (error) {
      this.handlers.log?.error(`${this.page.label}: handling ${message.type} failed: ${error instanceof Error ? error.message : String(error)}`);
      this.handlers.onError?.(message, error);
    }
  }

  override dispose(): void {
    this.detach();
    super.dispose();
  }

  private detach(): void {
    for (const d of this.containerDisposables.splice(0)) d.dispose();
  }
}
