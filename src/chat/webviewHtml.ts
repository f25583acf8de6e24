// The chat webview's page. Pure (no vscode) so the host and the Chromium tests build the very same HTML.
import type { ChatSnapshot } from '../protocol';

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

export function renderChatHtml(input: ChatHtmlInput): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(input.nonce)) throw new Error('renderChatHtml: the nonce must be at least 16 base64/hex characters');
  const csp = contentSecurityPolicy(input.cspSource, input.nonce);
  // The whole UI is built by the script; the page only carries the CSP, the assets and the first snapshot.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(input.styleUri)}">
<title>FastRouter Chat</title>
</head>
<body data-state="${escapeHtml(JSON.stringify(input.snapshot))}">
<div id="app"></div>
<script nonce="${escapeHtml(input.nonce)}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>
`;
}
