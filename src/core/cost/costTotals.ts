// What the cost ledger's lines add up to: the line format (parse/serialize, old lines still read), and the pure
// fold of lines into totals — billed credits, estimates kept apart, unknown costs counted, per local day, month,
// model, source and window session. The fold state is plain JSON so a compacted ledger can store it as its summary.
// Pure: no vscode, no I/O.

/**
 * One ledger line. `in` is the uncached input tokens (the API's `input_tokens`); `cr`/`cw` the cache reads/writes.
 * `cost` is the billed credits (FastRouter's usage.cost), absent when the endpoint sent none; `est` an estimate
 * (a stopped answer, priced from tokens), never added to billed credits. `src` who asked: chat, inline, tool,
 * or `lm:<extension>`. Lines written before these fields existed have none of them and still count.
 */
export type LedgerEntry = LedgerRequest | LedgerReset;

export interface LedgerRequest {
  t: 'req';
  at: number;
  /** The window session that made the request. */
  win: string;
  model: string;
  in: number;
  out: number;
  cr?: number;
  cw?: number;
  cost?: number;
  est?: number;
  src?: string;
  ms?: number;
  rid?: string;
}

export interface LedgerReset {
  t: 'reset';
  at: number;
  win: string;
}

/** Where a request came from, as callers name it. */
export type CostSource = 'chat' | 'inline' | 'tool' | 'compaction' | `lm:${string}`;

/** What a caller records for one finished (or stopped) request. */
export interface RecordInput {
  model: string;
  /** Uncached input tokens (the API's `usage.input_tokens`). */
  inputTokens: number;
  outputTokens: number;
  /** `usage.cache_read_input_tokens`. */
  cacheReadTokens?: number;
  /** `usage.cache_creation_input_tokens`. */
  cacheWriteTokens?: number;
  /** Billed credits (`usage.cost`); leave out when the endpoint sent none. */
  cost?: number;
  /** An estimate from tokens and list prices (e.g. a stopped answer); never counted as billed. */
  estimatedCost?: number;
  /** 'chat' | 'inline' | 'tool' | 'compaction' | 'lm:<requesting extension or "VS Code chat">'; absent: not recorded (counted as 'unspecified'). */
  source?: CostSource | string;
  durationMs?: number;
  requestId?: string;
}

export interface CostBucket {
  /** Sum of billed credits (usage.cost) only. */
  credits: number;
  /** Sum of estimated credits (requests with no billed cost but an estimate); never part of `credits`. */
  estimatedCredits: number;
  requests: number;
  /** Requests with an estimate and no billed cost. */
  estimatedRequests: number;
  /** Requests with neither a billed cost nor an estimate: counted as 0. */
  unknownRequests: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface LastRequest {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cost: number | undefined;
  estimatedCost: number | undefined;
  source: string;
  at: number;
  durationMs?: number;
}

export interface CostTotals {
  /** Every window, since the last Reset. */
  allTime: CostBucket;
  /** This window's session, since the last Reset. */
  session: CostBucket;
  /** This window's most recent request. */
  last?: LastRequest;
  /** When the totals were last reset, if ever. */
  resetAt?: number;
  /**
   * Spend per local day (`YYYY-MM-DD`, last 400 days) and per local month (`YYYY-MM`), all windows. Reset does not
   * clear these: they are what was spent, which spending limits count.
   */
  days: Record<string, CostBucket>;
  months: Record<string, CostBucket>;
  /** Per model id and per source, since the last Reset. */
  models: Record<string, CostBucket>;
  sources: Record<string, CostBucket>;
  /** The most recent requests of all windows, oldest first (at most RECENT_KEPT), for a cost view. */
  recent: LedgerRequest[];
}

/** The fold of ledger lines: plain JSON (a compacted ledger stores it). */
export interface FoldState {
  resetAt?: number;
  allTime: CostBucket;
  days: Record<string, CostBucket>;
  months: Record<string, CostBucket>;
  models: Record<string, CostBucket>;
  sources: Record<string, CostBucket>;
  sessions: Record<string, SessionState>;
  recent: LedgerRequest[];
}

export interface SessionState {
  bucket: CostBucket;
  last?: LastRequest;
  /** Last request or reset seen from this session (sessions idle for long are dropped at compaction). */
  lastAt: number;
}

export const RECENT_KEPT = 200;
export const DAYS_KEPT = 400;
export const SESSIONS_KEPT = 100;
/** Lines without `src`: written before sources were recorded, or recorded without one (this extension's chat or inline). */
export const UNKNOWN_SOURCE = 'unspecified';

export const emptyBucket = (): CostBucket => ({
  credits: 0,
  estimatedCredits: 0,
  requests: 0,
  estimatedRequests: 0,
  unknownRequests: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
});

export function emptyFoldState(): FoldState {
  return { allTime: emptyBucket(), days: {}, months: {}, models: {}, sources: {}, sessions: {}, recent: [] };
}

export function emptyTotals(): CostTotals {
  return { allTime: emptyBucket(), session: emptyBucket(), days: {}, months: {}, models: {}, sources: {}, recent: [] };
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** The local calendar day of `at`, `YYYY-MM-DD`. */
export function localDayKey(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The local calendar month of `at`, `YYYY-MM`. */
export function localMonthKey(at: number): string {
  return localDayKey(at).slice(0, 7);
}

/** Folds lines into a state; keeps the last day key so a long run of lines makes one Date per day, not per line. */
export class Folder {
  private dayStart = 0;
  private dayEnd = -1;
  private dayKey = '';

  constructor(readonly state: FoldState = emptyFoldState()) {}

  apply(entry: LedgerEntry): void {
    const s = this.state;
    const session = (s.sessions[entry.win] ??= { bucket: emptyBucket(), lastAt: entry.at });
    session.lastAt = Math.max(session.lastAt, entry.at);
    if (entry.t === 'reset') {
      s.allTime = emptyBucket();
      s.models = {};
      s.sources = {};
      for (const other of Object.values(s.sessions)) {
        other.bucket = emptyBucket();
        delete other.last;
      }
      s.resetAt = entry.at;
      return;
    }
    const day = this.day(entry.at);
    const source = entry.src ?? UNKNOWN_SOURCE;
    addTo(s.allTime, entry);
    addTo((s.days[day] ??= emptyBucket()), entry);
    addTo((s.months[day.slice(0, 7)] ??= emptyBucket()), entry);
    addTo((s.models[entry.model] ??= emptyBucket()), entry);
    addTo((s.sources[source] ??= emptyBucket()), entry);
    addTo(session.bucket, entry);
    session.last = {
      model: entry.model,
      inputTokens: entry.in,
      outputTokens: entry.out,
      cacheReadTokens: entry.cr ?? 0,
      cacheWriteTokens: entry.cw ?? 0,
      cost: entry.cost,
      estimatedCost: entry.est,
      source,
      at: entry.at,
      ...(entry.ms !== undefined ? { durationMs: entry.ms } : {}),
    };
    s.recent.push(entry);
    if (s.recent.length > RECENT_KEPT * 2) s.recent.splice(0, s.recent.length - RECENT_KEPT);
  }

  /** Folds the whole lines of `text`; returns how many entries counted. */
  applyText(text: string): number {
    let count = 0;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const entry = parseEntry(text.slice(start, end));
      if (entry) {
        this.apply(entry);
        count++;
      }
      start = end + 1;
    }
    return count;
  }

  private day(at: number): string {
    if (at >= this.dayStart && at < this.dayEnd) return this.dayKey;
    const d = new Date(at);
    this.dayKey = localDayKey(at);
    this.dayStart = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
    this.dayEnd = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
    return this.dayKey;
  }
}

function addTo(bucket: CostBucket, entry: LedgerRequest): void {
  bucket.requests++;
  bucket.inputTokens += entry.in;
  bucket.outputTokens += entry.out;
  bucket.cacheReadTokens += entry.cr ?? 0;
  bucket.cacheWriteTokens += entry.cw ?? 0;
  if (entry.cost !== undefined) {
    bucket.credits += entry.cost;
  } else if (entry.est !== undefined) {
    bucket.estimatedCredits += entry.est;
    bucket.estimatedRequests++;
  } else {
    bucket.unknownRequests++;
  }
}

/**
 * Drops what a summary need not keep for years: days beyond DAYS_KEPT, and window sessions idle for `sessionIdleMs`
 * or beyond the SESSIONS_KEPT most recent (a window idle that long shows its session count from then on).
 */
export function pruneFoldState(state: FoldState, now: number, sessionIdleMs = 7 * 24 * 3600_000): void {
  const oldestDay = localDayKey(now - DAYS_KEPT * 24 * 3600_000);
  for (const day of Object.keys(state.days)) if (day < oldestDay) delete state.days[day];
  const sessions = Object.entries(state.sessions).sort((a, b) => b[1].lastAt - a[1].lastAt);
  sessions.forEach(([id, session], i) => {
    if (i >= SESSIONS_KEPT || session.lastAt < now - sessionIdleMs) delete state.sessions[id];
  });
  if (state.recent.length > RECENT_KEPT) state.recent.splice(0, state.recent.length - RECENT_KEPT);
}

/** The totals one window shows: everything, plus its own session. */
export function totalsFor(state: FoldState, sessionId: string): CostTotals {
  const session = state.sessions[sessionId];
  const totals: CostTotals = {
    allTime: state.allTime,
    session: session?.bucket ?? emptyBucket(),
    days: state.days,
    months: state.months,
    models: state.models,
    sources: state.sources,
    recent: state.recent.length > RECENT_KEPT ? state.recent.slice(-RECENT_KEPT) : state.recent,
  };
  if (session?.last) totals.last = session.last;
  if (state.resetAt !== undefined) totals.resetAt = state.resetAt;
  return structuredClone(totals);
}

const count = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : 0);
const credits = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : undefined);

/** Parses one line; anything that is not a well-formed entry (a torn or foreign line) is skipped. */
export function parseEntry(line: string): LedgerEntry | undefined {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // A fragment left by a torn write with a whole record glued after it (older versions did not start a fresh
    // line): the record is the part from its last `{"t":` on.
    const start = line.lastIndexOf('{"t":');
    return start > 0 ? parseEntry(line.slice(start)) : undefined;
  }
  return entryFrom(value);
}

/** The entry `value` (a parsed line, or an item of the summary's `recent`) holds, or undefined when it is none. */
export function entryFrom(value: unknown): LedgerEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.at !== 'number' || !Number.isFinite(v.at) || typeof v.win !== 'string') return undefined;
  if (v.t === 'reset') return { t: 'reset', at: v.at, win: v.win };
  if (v.t !== 'req') return undefined;
  const entry: LedgerRequest = { t: 'req', at: v.at, win: v.win, model: typeof v.model === 'string' ? v.model : '', in: count(v.in), out: count(v.out) };
  if (count(v.cr) > 0) entry.cr = count(v.cr);
  if (count(v.cw) > 0) entry.cw = count(v.cw);
  const cost = credits(v.cost);
  if (cost !== undefined) entry.cost = cost;
  const est = credits(v.est);
  if (est !== undefined) entry.est = est;
  if (typeof v.src === 'string' && v.src !== '') entry.src = v.src.slice(0, 200);
  if (typeof v.ms === 'number') entry.ms = v.ms;
  if (typeof v.rid === 'string') entry.rid = v.rid;
  return entry;
}

/** The line for a request (without the newline). */
export function requestEntry(input: RecordInput, at: number, win: string): LedgerRequest {
  const tokens = (n: number | undefined) => Math.max(0, Math.round(Number.isFinite(n) ? (n as number) : 0));
  const entry: LedgerRequest = { t: 'req', at, win, model: input.model, in: tokens(input.inputTokens), out: tokens(input.outputTokens) };
  if (tokens(input.cacheReadTokens) > 0) entry.cr = tokens(input.cacheReadTokens);
  if (tokens(input.cacheWriteTokens) > 0) entry.cw = tokens(input.cacheWriteTokens);
  const cost = credits(input.cost);
  if (cost !== undefined) entry.cost = cost;
  const est = credits(input.estimatedCost);
  if (est !== undefined) entry.est = est;
  if (input.source) entry.src = input.source.slice(0, 200);
  if (input.durationMs !== undefined && Number.isFinite(input.durationMs)) entry.ms = Math.round(input.durationMs);
  if (input.requestId) entry.rid = input.requestId.slice(0, 200);
  return entry;
}

