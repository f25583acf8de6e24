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

/**
 * An answer's cost in words, the one phrase everywhere (the chat's meta line, Explain Inline, the status bar, the log,
 * an exported conversation): billed "0.0123 credits", an estimate "≈ 0.0123 credits (estimate)", else "cost unknown".
 */
export function costPhrase(cost: { kind: 'billed' | 'estimate'; credits: number } | { kind: 'unknown' }): string {
  switch (cost.kind) {
    case 'billed':
      return `${formatCredits(cost.credits)} credits`;
    case 'estimate':
      return `≈ ${formatCredits(cost.credits)} credits (estimate)`;
    case 'unknown':
      return 'cost unknown';
  }
}
