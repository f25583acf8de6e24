// The cost view's page (Show Cost). Pure (no vscode) so the host and the Chromium tests build the very same HTML:
// the same strict CSP as the chat (scripts only with the nonce, styles only from the extension), no inline script or style.
import type { CostViewData } from '../../common/costViewProtocol';
import { renderWebviewPage } from './webviewHtml';

export interface CostHtmlInput {
  cspSource: string;
  /** A fresh random nonce per page (from `crypto`). */
  nonce: string;
  scriptUri: string;
  styleUri: string;
  data: CostViewData;
}

export function renderCostHtml(input: CostHtmlInput): string {
  return renderWebviewPage('renderCostHtml', { ...input, title: 'FastRouter Cost', root: { tag: 'main', id: 'app' }, state: input.data });
}
