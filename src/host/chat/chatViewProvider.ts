// The sidebar webview `fastrouter.chatView`: its page is rendered, validated and held until `ready` by WebviewHost.
import * as vscode from 'vscode';
import { renderChatHtml } from '../webviews/webviewHtml';
import { WebviewHost } from '../webviews/webviewHost';
import { type ChatSnapshot } from '../../common/chatTypes';
import { WebviewToHostSchema, type HostToWebview, type WebviewToHost } from '../../common/protocol';
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
  private readonly host: WebviewHost<WebviewToHost, HostToWebview, ChatSnapshot, vscode.WebviewView>;
  /** Fires each time a (re)loaded page has said `ready` and received its snapshot. */
  readonly onDidBecomeReady: vscode.Event<void>;

  constructor(extensionUri: vscode.Uri, handlers: ChatViewHandlers) {
    super();
    this.host = this._register(new WebviewHost(
      extensionUri,
      { label: 'Chat view', script: 'webview.js', style: 'chat.css', render: (page, snapshot) => renderChatHtml({ ...page, snapshot }) },
      WebviewToHostSchema,
      { state: () => handlers.snapshot(), stateMessage: (snapshot) => ({ type: 'snapshot', snapshot }), onMessage: handlers.onMessage, log: handlers.log },
    ));
    this.onDidBecomeReady = this.host.onDidBecomeReady;
  }

  get isReady(): boolean {
    return this.host.isReady;
  }

  /** A ready page is on screen (not just loaded in a hidden view). */
  get isVisible(): boolean {
    return this.host.isVisible;
  }

  resolveWebviewView(view: vscode.WebviewView): Promise<void> {
    return this.host.attach(view, view.onDidChangeVisibility);
  }

  /** Posts when a ready page is there; otherwise drops (the next `ready` gets a full snapshot). */
  post(message: HostToWebview): boolean {
    return this.host.post(message);
  }

  /** Shows the view (creating its page if needed). */
  async reveal(preserveFocus = false): Promise<void> {
    const view = this.host.current;
    if (view) {
      view.show(preserveFocus);
      return;
    }
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  }

  /** Validates and handles one message as if the page had posted it (a test's; `ready` from no page is ignored). */
  receive(raw: unknown): Promise<void> {
    return this.host.receive(raw);
  }
}
