// The sidebar webview `fastrouter.chatView`: renders the page (fresh nonce, strict CSP, media/ only),
// validates every message from it, and posts to it only after it said `ready`.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { renderChatHtml } from '../webviews/webviewHtml';
import { WebviewToHostSchema, type ChatSnapshot, type HostToWebview, type WebviewToHost } from '../../common/protocol';
import { Disposable } from '../dispose';

export const CHAT_VIEW_ID = 'fastrouter.chatView';

export interface ChatViewHandlers {
  /** State for the page's first paint and for every `ready`. */
  snapshot(): Promise<ChatSnapshot>;
  /** A validated message from the webview (`ready` included, after the snapshot was posted). */
  onMessage(message: WebviewToHost): Promise<void>;
  log: vscode.LogOutputChannel;
}

export class ChatViewProvider extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private viewDisposables: vscode.Disposable[] = [];
  private readonly readyEmitter = this._register(new vscode.EventEmitter<void>());
  /** Fires each time a (re)loaded page has said `ready` and received its snapshot. */
  readonly onDidBecomeReady = this.readyEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly handlers: ChatViewHandlers,
  ) {
    super();
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** A ready page is on screen (not just loaded in a hidden view). */
  get isVisible(): boolean {
    return this.ready && this.view?.visible === true;
  }

  async resolveWebviewView(view: vscode.WebviewView): Promise<void> {
    this.disposeView();
    this.view = view;
    this.ready = false;
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, enableForms: false, localResourceRoots: [media] };
    this.viewDisposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw, view)),
      // Hidden views lose their page; a new page says `ready` again and gets a fresh snapshot.
      view.onDidChangeVisibility(() => {
        if (!view.visible && this.view === view) this.ready = false;
      }),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.ready = false;
          this.disposeView();
        }
      }),
    );
    const snapshot = await this.handlers.snapshot();
    view.webview.html = renderChatHtml({
      cspSource: view.webview.cspSource,
      nonce: randomBytes(24).toString('base64'),
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'webview.js')).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'chat.css')).toString(),
      snapshot,
    });
  }

  /** Posts when a ready page is there; otherwise drops (the next `ready` gets a full snapshot). */
  post(message: HostToWebview): boolean {
    if (!this.view || !this.ready) return false;
    void this.view.webview.postMessage(message);
    return true;
  }

  /** Shows the view (creating its page if needed). */
  async reveal(preserveFocus = false): Promise<void> {
    if (this.view) {
      this.view.show(preserveFocus);
      return;
    }
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  }

  override dispose(): void {
    this.disposeView();
    super.dispose();
  }

  /** Validates and handles one message from `view`'s page (`view` undefined: not from a page, e.g. a test). */
  async receive(raw: unknown, view?: vscode.WebviewView): Promise<void> {
    const parsed = WebviewToHostSchema.safeParse(raw);
    if (!parsed.success) {
      // The page is untrusted; never echo the payload (it may be large or contain user code).
      const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type).slice(0, 40) : typeof raw;
      this.handlers.log.warn(`Chat view: dropped an invalid message (type ${type}): ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    const message = parsed.data;
    try {
      if (message.type === 'ready') {
        if (!view) return;
        // Taken right before posting: deltas dropped while waiting are part of it.
        const snapshot = await this.handlers.snapshot();
        if (this.view !== view) return;
        this.ready = true;
        this.post({ type: 'snapshot', snapshot });
        this.readyEmitter.fire();
      }
      await this.handlers.onMessage(message);
    } catch (error) {
      this.handlers.log.error(`Chat view: handling ${message.type} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private disposeView(): void {
    for (const d of this.viewDisposables.splice(0)) d.dispose();
  }
}
