// Spending limits: what counts, and when a limit warns or stops a request. One accounting for the daily and monthly
// limits (`fastrouter.spendingLimit.*`, counted from the shared ledger, so every window's spending) and the per-question
// limit of tool loops (`fastrouter.tools.maxCreditsPerQuestion`): billed credits plus estimates (a stopped answer's
// cost is an estimate, and it was spent), and requests whose cost is unknown counted as 0 and reported as such.
// Days and months are local calendar ones. Pure: no vscode, no I/O.
import type { AnswerCost, TurnError } from '../../common/chatTypes';
import { formatCredits } from '../../common/credits';
import { localDayKey, localMonthKey, type CostBucket, type CostTotals } from './costTotals';

/** 0 = no limit. */
export interface SpendingLimits {
  dailyCredits: number;
  monthlyCredits: number;
}

export interface Spend {
  /** What counts against a limit: billed + estimated. */
  credits: number;
  billed: number;
  estimated: number;
  requests: number;
  estimatedRequests: number;
  /** Requests with no known cost, counted as 0. */
  unknownRequests: number;
}

export type LimitPeriod = 'day' | 'month' | 'question';

export interface LimitCheck {
  period: LimitPeriod;
  limit: number;
  spend: Spend;
  /** spend.credits / limit. */
  fraction: number;
  /** Credits left before the limit (0 when reached). */
  remaining: number;
  /** At or over the limit: a new request is not sent without Send Anyway. */
  reached: boolean;
  /** At or over WARNING_FRACTION of it. */
  warning: boolean;
}

export interface SpendingStatus {
  /** One check per limit that is set (day first). */
  checks: LimitCheck[];
  /** The first limit reached, if any. */
  reached?: LimitCheck;
  /** The check closest to its limit among those at or over WARNING_FRACTION. */
  warning?: LimitCheck;
}

export const WARNING_FRACTION = 0.8;

export const noSpend = (): Spend => ({ credits: 0, billed: 0, estimated: 0, requests: 0, estimatedRequests: 0, unknownRequests: 0 });

export function spendOfBucket(bucket: CostBucket | undefined): Spend {
  if (!bucket) return noSpend();
  return {
    credits: bucket.credits + bucket.estimatedCredits,
    billed: bucket.credits,
    estimated: bucket.estimatedCredits,
    requests: bucket.requests,
    estimatedRequests: bucket.estimatedRequests,
    unknownRequests: bucket.unknownRequests,
  };
}

/** Adds one answer's cost (AnswerMeta.cost; undefined = no answer meta) to `spend`. */
export function addCost(spend: Spend, cost: AnswerCost | undefined): Spend {
  const next = { ...spend, requests: spend.requests + 1 };
  if (cost?.kind === 'billed') {
    next.billed += cost.credits;
    next.credits += cost.credits;
  } else if (cost?.kind === 'estimate') {
    next.estimated += cost.credits;
    next.credits += cost.credits;
    next.estimatedRequests++;
  } else {
    next.unknownRequests++;
  }
  return next;
}

/** The spend of several requests, e.g. the rounds of one tool loop. */
export function spendOfCosts(costs: readonly (AnswerCost | undefined)[]): Spend {
  return costs.reduce<Spend>((spend, cost) => addCost(spend, cost), noSpend());
}

/** A check of `spend` against `limit`; undefined when the limit is 0 (none) or not a positive number. */
export function checkLimit(period: LimitPeriod, spend: Spend, limit: number): LimitCheck | undefined {
  if (!(limit > 0) || !Number.isFinite(limit)) return undefined;
  const fraction = spend.credits / limit;
  return {
    period,
    limit,
    spend,
    fraction,
    remaining: Math.max(0, limit - spend.credits),
    reached: spend.credits >= limit,
    warning: fraction >= WARNING_FRACTION,
  };
}

/** Today's and this month's spend (local time, all windows) against the limits. */
export function spendingStatus(totals: Pick<CostTotals, 'days' | 'months'>, limits: SpendingLimits, now: number): SpendingStatus {
  const checks = [
    checkLimit('day', spendOfBucket(totals.days[localDayKey(now)]), limits.dailyCredits),
    checkLimit('month', spendOfBucket(totals.months[localMonthKey(now)]), limits.monthlyCredits),
  ].filter((c): c is LimitCheck => c !== undefined);
  const status: SpendingStatus = { checks };
  const reached = checks.find((c) => c.reached);
  if (reached) status.reached = reached;
  const warning = checks.filter((c) => c.warning).sort((a, b) => b.fraction - a.fraction)[0];
  if (warning) status.warning = warning;
  return status;
}

/** The setting behind a period's limit. */
export function limitSetting(period: LimitPeriod): string {
  return period === 'day' ? 'fastrouter.spendingLimit.dailyCredits' : period === 'month' ? 'fastrouter.spendingLimit.monthlyCredits' : 'fastrouter.tools.maxCreditsPerQuestion';
}

const PERIOD_NAMES: Record<LimitPeriod, { limit: string; spent: string }> = {
  day: { limit: 'Daily spending limit', spent: 'today' },
  month: { limit: 'Monthly spending limit', spent: 'this month' },
  question: { limit: 'Spending limit per question', spent: 'on this question' },
};

/**
 * What was spent and what of it is not billed: "0.90 of 1.00 credits billed today, all windows." or, when estimates
 * count too, "1.20 of 1.00 credits spent today, all windows, incl. estimates (0.05 of it estimated for stopped or failed
 * answers)." The status bar and the cost view's total are billed only; this names the difference.
 */
export function describeSpend(check: LimitCheck): string {
  const { spend } = check;
  const names = PERIOD_NAMES[check.period];
  const scope = check.period === 'question' ? '' : ', all windows';
  const verb = spend.estimated > 0 ? 'spent' : 'billed';
  const estimated = spend.estimated > 0 ? `, incl. estimates (${formatCredits(spend.estimated)} of it estimated for stopped or failed answers)` : '';
  const unknown = spend.unknownRequests > 0
    ? ` ${spend.unknownRequests} ${spend.unknownRequests === 1 ? 'request' : 'requests'} had no known cost and ${spend.unknownRequests === 1 ? 'counts' : 'count'} as 0.`
    : '';
  return `${formatCredits(spend.credits)} of ${formatCredits(check.limit)} credits ${verb} ${names.spent}${scope}${estimated}.${unknown}`;
}

/** The error shown instead of sending when a limit is reached, with Send Anyway (this once) and Open Settings. */
export function spendingLimitError(check: LimitCheck): TurnError {
  return {
    code: 'spending_limit',
    message: `${PERIOD_NAMES[check.period].limit} reached: ${describeSpend(check)} This request was not sent. Send it anyway, or change "${limitSetting(check.period)}".`,
    actions: ['sendAnyway', 'openSettings'],
    setting: limitSetting(check.period),
  };
}
