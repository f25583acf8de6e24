// How numbers are written everywhere they are shown: credits (the status bar, the cost view, the spending-limit
// messages, Select Model's prices, inline explanations and each answer's meta line), token counts and durations.
// One module, imported by the host and by both webviews, so the same amount never appears in two formats.
// Stands alone: no imports.

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const TWO_DECIMALS = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const THREE_SIGNIFICANT = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3, useGrouping: false });

/**
 * Credits for display: thousands separators, two decimals from 1 up ("1,234.50"), three significant digits below 1
 * ("0.0123", "0.00269", at least two decimals: "0.50"), never exponent notation, and a tiny cost never shown as zero.
 */
export function formatCredits(credits: number): string {
  if (credits === 0 || !Number.isFinite(credits)) return '0';
  if (credits < 0) return `-${formatCredits(-credits)}`;
  if (credits < 0.0000005) return '<0.000001';
  if (credits >= 1) return TWO_DECIMALS.format(credits);
  const text = THREE_SIGNIFICANT.format(credits);
  const decimals = text.length - text.indexOf('.') - 1;
  return text.includes('.') ? (decimals < 2 ? text + '0' : text) : `${text}.00`;
}

/** Token (and other) counts as people read them: "12,400". */
export function formatTokens(n: number): string {
  return GROUPED.format(n);
}

/** A duration as the meta lines show it: "0.8 s", "12.4 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A price per million tokens in credits, as people compare them: "3", "0.80", "0.08", "1,250". */
export function formatPricePerMillion(creditsPerToken: number): string {
  return formatCredits(creditsPerToken * 1_000_000);
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

/** What an answer's meta line is made of (the chat's answers, inline explanations, exports): structurally AnswerMeta. */
export interface MetaLineInput {
  model: string;
  modelName?: string | undefined;
  inputTokens: number;
  cacheReadTokens?: number | undefined;
  outputTokens: number;
  cost: { kind: 'billed' | 'estimate'; credits: number } | { kind: 'unknown' };
  durationMs: number;
}

/** The meta line's parts: "Claude Sonnet 4.5", "3,400 in · 2,900 cached · 120 out", "0.0123 credits", "4.2 s". */
export function metaLineParts(meta: MetaLineInput): { model: string; tokens: string; cost: string; time: string } {
  const cached = meta.cacheReadTokens ? ` · ${formatTokens(meta.cacheReadTokens)} cached` : '';
  return {
    model: meta.modelName || meta.model,
    tokens: `${formatTokens(meta.inputTokens)} in${cached} · ${formatTokens(meta.outputTokens)} out`,
    cost: costPhrase(meta.cost),
    time: formatDuration(meta.durationMs),
  };
}

/** The meta line as one string: "Claude Sonnet 4.5 · 3,400 in · 120 out · 0.0123 credits · 4.2 s". */
export function metaLine(meta: MetaLineInput): string {
  const p = metaLineParts(meta);
  return `${p.model} · ${p.tokens} · ${p.cost} · ${p.time}`;
}

/** A line range as people say it: "line 9", "lines 9–12". */
export function lineRange(start: number, end = start): string {
  return start === end ? `line ${start}` : `lines ${start}–${end}`;
}

/** "340 B", "2.1 KB", "1.4 MB": the size a chip shows (characters, as a file manager shows bytes). */
export function formatSize(chars: number): string {
  if (chars < 1024) return `${chars} B`;
  if (chars < 1024 * 1024) return `${(chars / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${(chars / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}
