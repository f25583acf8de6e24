// How credits are written everywhere they are shown: the status bar, the cost views, inline explanations and each
// answer's meta line in the chat. One function, imported by the host (through chat/costTotals) and by the webview,
// so the same amount never appears with two precisions. Stands alone: no imports.

/** Credits for display: enough digits to see a single cheap request, never scientific notation. */
export function formatCredits(credits: number): string {
  if (credits === 0) return '0';
  if (Math.abs(credits) < 0.0000005) return '<0.000001';
  const digits = credits >= 100 ? 2 : credits >= 1 ? 3 : credits >= 0.01 ? 4 : 6;
  // Trailing zeros carry no information; keep two decimals so amounts line up.
  return credits.toFixed(digits).replace(/(\.\d\d\d*?)0+$/, '$1');
}
