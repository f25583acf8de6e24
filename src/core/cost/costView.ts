// What the cost view (Show Cost) shows, folded from the ledger's totals: spend per local day for the last 30 days,
// per model, what prompt caching saved (an estimate from list prices), the recent requests, and the same requests
// as CSV. Pure: no vscode, no I/O, no DOM.
import type { CostRequestRow, CostSourceKind, CostViewData, Credits } from '../../common/costViewProtocol';
import { formatCredits } from '../../common/credits';
import { emptyBucket, localDayKey, type CostBucket, type CostTotals, type LedgerRequest } from './costTotals';
import { BUILTIN_MODELS, findModel, modelDisplayName, withCachePrices, type ModelInfo, type ModelPricing } from '../models/modelCatalog';

/** Days in the chart, today included. */
export const CHART_DAYS = 30;

/** The last `count` local days up to and including `now`'s, oldest first (calendar days: DST-safe). */
export function lastDays(now: number, count = CHART_DAYS): string[] {
  const d = new Date(now);
  const days: string[] = [];
  for (let i = count - 1; i >= 0; i--) days.push(localDayKey(new Date(d.getFullYear(), d.getMonth(), d.getDate() - i, 12).getTime()));
  return days;
}

export function credits(value: number): Credits {
  return { value, text: value < 0 ? `−${formatCredits(-value)}` : formatCredits(value) };
}

/**
 * What prompt caching saved compared with sending the same tokens uncached: each cache read costs the cache-read price
 * instead of the input price (0.1 × by default), each cache write costs more (1.25 ×). Negative when writes were never
 * read back. An estimate from list prices; undefined without prices.
 */
export function cacheSavings(tokens: { cacheReadTokens: number; cacheWriteTokens: number }, pricing: ModelPricing | undefined): number | undefined {
  if (!pricing) return undefined;
  const p = withCachePrices(pricing);
  return tokens.cacheReadTokens * (p.input - p.cacheRead) - tokens.cacheWriteTokens * (p.cacheWrite - p.input);
}

/** The ledger's `src` as the view names it. */
export function describeSource(src: string | undefined): { kind: CostSourceKind; label: string } {
  if (src === undefined || src === '' || src === 'unspecified') return { kind: 'unspecified', label: 'not recorded' };
  if (src === 'chat') return { kind: 'chat', label: 'chat' };
  if (src === 'inline') return { kind: 'inline', label: 'inline' };
  if (src === 'tool') return { kind: 'tool', label: 'tool round' };
  if (src === 'compaction') return { kind: 'compaction', label: 'compaction' };
  if (src === 'lm:VS Code chat') return { kind: 'vscode', label: 'VS Code chat' };
  if (src.startsWith('lm:')) return { kind: 'extension', label: src.slice(3) || 'another extension' };
  return { kind: 'unspecified', label: src };
}

function requestRow(entry: LedgerRequest, models: readonly ModelInfo[]): CostRequestRow {
  const source = describeSource(entry.src);
  return {
    at: entry.at,
    model: entry.model,
    modelName: entry.model === '' ? 'unknown model' : modelDisplayName(entry.model, models),
    inputTokens: entry.in,
    cacheReadTokens: entry.cr ?? 0,
    cacheWriteTokens: entry.cw ?? 0,
    outputTokens: entry.out,
    cost:
      entry.cost !== undefined
        ? { kind: 'billed', credits: credits(entry.cost) }
        : entry.est !== undefined
          ? { kind: 'estimate', credits: credits(entry.est) }
          : { kind: 'unknown' },
    source: source.kind,
    sourceLabel: source.label,
  };
}

/** The cost view's data at `now` from the ledger's totals; `models` prices the cache savings (default: built-in list). */
export function costViewData(totals: CostTotals, now: number, models: readonly ModelInfo[] = BUILTIN_MODELS): CostViewData {
  const days = lastDays(now).map((day) => {
    const b: CostBucket = totals.days[day] ?? emptyBucket();
    return { day, credits: credits(b.credits), estimated: credits(b.estimatedCredits), requests: b.requests };
  });
  let saved = 0;
  let unpricedTokens = 0;
  const modelRows = Object.entries(totals.models).map(([id, b]) => {
    const savings = b.cacheReadTokens + b.cacheWriteTokens > 0 ? cacheSavings(b, findModel(id, models)?.pricing) : 0;
    if (savings === undefined) unpricedTokens += b.cacheReadTokens + b.cacheWriteTokens;
    else saved += savings;
    return {
      id,
      name: id === '' ? 'unknown model' : modelDisplayName(id, models),
      requests: b.requests,
      credits: credits(b.credits),
      estimated: credits(b.estimatedCredits),
      inputTokens: b.inputTokens,
      cacheReadTokens: b.cacheReadTokens,
      cacheWriteTokens: b.cacheWriteTokens,
      outputTokens: b.outputTokens,
      ...(savings !== undefined ? { cacheSaved: credits(savings) } : {}),
    };
  });
  modelRows.sort((a, b) => b.credits.value + b.estimated.value - (a.credits.value + a.estimated.value) || b.requests - a.requests || a.id.localeCompare(b.id));
  const all = totals.allTime;
  const data: CostViewData = {
    at: now,
    total: { credits: credits(all.credits), estimated: credits(all.estimatedCredits), requests: all.requests, unknownRequests: all.unknownRequests },
    days,
    daysTotal: credits(days.reduce((sum, d) => sum + d.credits.value, 0)),
    models: modelRows,
    cache: { readTokens: all.cacheReadTokens, writeTokens: all.cacheWriteTokens, saved: credits(saved), unpricedTokens },
    recent: totals.recent.map((entry) => requestRow(entry, models)).reverse(),
  };
  if (totals.resetAt !== undefined) data.resetAt = totals.resetAt;
  return data;
}

export const CSV_HEADER = ['time', 'model', 'source', 'input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'output_tokens', 'billed_credits', 'estimated_credits'];

/**
 * The requests as CSV (RFC 4180: comma, CRLF, quotes doubled), oldest first, times in ISO 8601 UTC, credits unrounded.
 * A field a spreadsheet would run as a formula (= + - @ at its start) gets a leading apostrophe.
 */
export function costCsv(entries: readonly LedgerRequest[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const e of entries) {
    lines.push(
      [
        new Date(e.at).toISOString(),
        e.model,
        e.src ?? '',
        e.in,
        e.cr ?? 0,
        e.cw ?? 0,
        e.out,
        e.cost ?? '',
        e.cost === undefined && e.est !== undefined ? e.est : '',
      ]
        .map(csvField)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
