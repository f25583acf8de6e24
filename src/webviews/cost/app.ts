// The cost view's wiring: summary, the daily chart with its table, per-model and recent-request tables, and the
// actions (Export CSV, Reset Cost…, Spending Limits…), each a message to the host.
import type { CostViewData, CostViewToHost, HostToCostView } from '../../common/costViewProtocol';
import { DailyChart } from './chart';
import { h } from '../common/dom';
import { formatDay, formatTokens } from './format';
import { dayRows, modelRows, requestRows, Table } from './tables';

export interface CostChannel {
  post(message: CostViewToHost): void;
}

export class CostApp {
  private readonly chart = new DailyChart();
  private readonly summary = h('dl', { id: 'summary', class: 'summary' });
  private readonly since = h('p', { class: 'muted', id: 'since' });
  private readonly days = new Table('day-table', 'Spend per day', [{ label: 'Day' }, { label: 'Credits', numeric: true }, { label: 'Estimated (not billed)', numeric: true }, { label: 'Requests', numeric: true }], 'No days.');
  private readonly models = new Table(
    'model-table',
    'Per model (since the last reset)',
    [{ label: 'Model' }, { label: 'Requests', numeric: true }, { label: 'Input', numeric: true }, { label: 'Cache read', numeric: true }, { label: 'Cache write', numeric: true }, { label: 'Output', numeric: true }, { label: 'Credits', numeric: true }, { label: 'Cache saved (estimate)', numeric: true }],
    'No requests yet.',
  );
  private readonly requests = new Table(
    'request-table',
    'Recent requests (all windows, newest first)',
    [{ label: 'Time' }, { label: 'Model' }, { label: 'In', numeric: true }, { label: 'Cached', numeric: true }, { label: 'Out', numeric: true }, { label: 'Credits', numeric: true }, { label: 'Source' }],
    'No requests yet.',
  );
  private readonly cacheNote = h('p', { id: 'cache-note', class: 'muted' });

  constructor(root: HTMLElement, private readonly host: CostChannel) {
    const action = (label: string, message: CostViewToHost, attrs: Record<string, string> = {}) => {
      const b = h('button', { type: 'button', ...attrs }, label);
      b.addEventListener('click', () => this.host.post(message));
      return b;
    };
    const toolbar = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Cost actions' },
      action('Export CSV', { type: 'exportCsv' }, { id: 'export-csv', class: 'primary' }),
      action('Spending Limits…', { type: 'openLimits' }, { id: 'open-limits' }),
      action('Reset Cost…', { type: 'resetCost' }, { id: 'reset-cost', title: 'Restart the totals of all windows from zero (asks first)' }),
    );
    const dayDetails = h('details', { id: 'day-details' }, h('summary', {}, 'Show the days as a table'), this.days.element);
    root.replaceChildren(
      h('header', { class: 'top' }, h('h1', {}, 'FastRouter cost'), toolbar),
      this.since,
      this.summary,
      h('section', { 'aria-labelledby': 'chart-heading' }, h('h2', { id: 'chart-heading' }, 'Spend per day, last 30 days'), this.chart.element, dayDetails),
      h('section', { 'aria-labelledby': 'cache-heading' }, h('h2', { id: 'cache-heading' }, 'Prompt caching'), this.cacheNote),
      h('section', { 'aria-labelledby': 'models-heading' }, h('h2', { id: 'models-heading' }, 'Per model'), h('div', { class: 'scroll' }, this.models.element)),
      h('section', { 'aria-labelledby': 'requests-heading' }, h('h2', { id: 'requests-heading' }, 'Recent requests'), h('div', { class: 'scroll' }, this.requests.element)),
    );
  }

  start(data: CostViewData | undefined): void {
    if (data) this.render(data);
    this.host.post({ type: 'ready' });
  }

  handle(message: HostToCostView): void {
    switch (message.type) {
      case 'data':
        this.render(message.data);
        return;
      default: {
        const unexpected: never = message.type;
        throw new Error(`Unexpected message: ${String(unexpected)}`);
      }
    }
  }

  private render(data: CostViewData): void {
    const today = data.days.at(-1);
    // <div> groups inside <dl> are allowed and keep each figure with its label in the grid.
    const item = (id: string, label: string, value: string, note?: string) =>
      h('div', { class: 'figure' }, h('dt', {}, label), h('dd', { id }, value, note ? h('span', { class: 'muted' }, ` ${note}`) : null));
    const estimated = data.total.estimated.value > 0 ? `+ ≈ ${data.total.estimated.text} estimated, not billed` : undefined;
    this.summary.replaceChildren(
      item('total-credits', 'Billed credits', data.total.credits.text, estimated),
      item('total-requests', 'Requests', String(data.total.requests), data.total.unknownRequests > 0 ? `(${data.total.unknownRequests} without a cost from the endpoint)` : undefined),
      item('today-credits', 'Today', today ? today.credits.text : '0'),
      item('last30-credits', 'Last 30 days', this.daysTotalText(data)),
      item('cache-saved', 'Saved by caching', `≈ ${data.cache.saved.text}`, '(estimate)'),
    );
    this.since.textContent = data.resetAt !== undefined
      ? `Totals of all windows since the last reset (${new Date(data.resetAt).toLocaleString('en-US')}); the days show everything spent.`
      : 'Totals of all windows. Credits are what FastRouter billed (usage.cost).';
    this.chart.update(data.days);
    this.days.setRows(dayRows(data.days));
    this.models.setRows(modelRows(data.models));
    this.requests.setRows(requestRows(data.recent));
    const c = data.cache;
    this.cacheNote.textContent =
      c.readTokens + c.writeTokens === 0
        ? 'No prompt-cache reads or writes yet.'
        : `${formatTokens(c.readTokens)} tokens read from the cache, ${formatTokens(c.writeTokens)} written to it: about ${c.saved.text} credits ` +
          `${c.saved.value < 0 ? 'more' : 'saved'} compared with sending them uncached. An estimate from list prices (cache reads at 0.1 ×, writes at 1.25 × the input price)` +
          (c.unpricedTokens > 0 ? `; ${formatTokens(c.unpricedTokens)} cache tokens of models without known prices are not included.` : '.');
    if (data.daysTotal.value === 0 && data.recent.length === 0) this.chart.element.dataset.empty = 'true';
    else delete this.chart.element.dataset.empty;
    document.body.dataset.updated = String(data.at);
  }

  private daysTotalText(data: CostViewData): string {
    const first = data.days[0];
    return `${data.daysTotal.text}${first ? ` since ${formatDay(first.day)}` : ''}`;
  }
}
