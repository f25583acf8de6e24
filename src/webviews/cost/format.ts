// How the cost view writes token counts, days and times.

/** Token counts as "12,400": the one format of common/credits.ts. */
export { formatTokens } from '../../common/credits';

/** A local day key `YYYY-MM-DD` as "Dec 6" (parsed as a local date, never as UTC). */
export function formatDay(day: string, withWeekday = false): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d).toLocaleDateString('en-US', withWeekday ? { weekday: 'short', month: 'short', day: 'numeric' } : { month: 'short', day: 'numeric' });
}

export function formatTime(at: number): string {
  return new Date(at).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}
