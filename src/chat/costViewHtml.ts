// The cost view's page (Show Cost). Pure (no vscode) so the host and the Chromium tests build the very same HTML:
// the same strict CSP as the chat (scripts only with the nonce, styles only from the extension), no inline script or style.
import type { CostViewData } from '../costViewProtocol';
import { contentSecurityPolicy, escapeHtml } from './webviewHtml';

export interface CostHtmlInput {
  cspSource: string;
  /** A fresh random nonce per page (from `crypto`). */
  nonce: string;
  scriptUri: string;
  styleUri: string;
  data: CostViewData;
}

export function renderCostHtml(input: CostHtmlInput): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(input.nonce)) throw new Error('renderCostHtml: the nonce must be at least 16 base64/hex characters');
  const csp = contentSecurityPolicy(input.cspSource, input.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(input.styleUri)}">
<title>FastRouter Cost</title>
</head>
<body data-state="${escapeHtml(JSON.stringify(input.data))}">
<main id="app"></main>
<script nonce="${escapeHtml(input.nonce)}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>
`;
}
