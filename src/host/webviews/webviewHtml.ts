// The chat webview's page. Pure (no vscode) so the host and the Chromium tests build the very same HTML.
import type { ChatSnapshot } from '../../common/chatTypes';

export interface ChatHtmlInput {
  /** `webview.cspSource`: the origin the webview may load its own scripts, styles, fonts and images from. */
  cspSource: string;
  /** A fresh random nonce per page (base64 or hex; from `crypto`, never Math.random). */
  nonce: string;
  scriptUri: string;
  styleUri: string;
  snapshot: ChatSnapshot;
}

/** Escapes text for a double-quoted HTML attribute or element content. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** What every webview page of the extension is made of; the script builds the whole UI from `state`. */
export interface WebviewPageInput {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  title: string;
  /** Element and id of the root the script renders into. */
  root: { tag: 'div' | 'main'; id: string };
  /** The first paint's data, JSON in the body's `data-state` attribute. */
  state: unknown;
}

/** The page shell: strict CSP with the nonce, one stylesheet, one script, the state in an escaped attribute. */
export function renderWebviewPage(caller: string, input: WebviewPageInput): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(input.nonce)) throw new Error(`${caller}: the nonce must be at least 16 base64/hex characters`);
  const csp = contentSecurityPolicy(input.cspSource, input.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(input.styleUri)}">
<title>${escapeHtml(input.title)}</title>
</head>
<body data-state="${escapeHtml(JSON.stringify(input.state))}">
<${input.root.tag} id="${escapeHtml(input.root.id)}"></${input.root.tag}>
<script nonce="${escapeHtml(input.nonce)}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>
`;
}

export function renderChatHtml(input: ChatHtmlInput): string {
  // The whole UI is built by the script; the page only carries the CSP, the assets and the first snapshot.
  return renderWebviewPage('renderChatHtml', { ...input, title: 'FastRouter Chat', root: { tag: 'div', id: 'app' }, state: input.snapshot });
}
