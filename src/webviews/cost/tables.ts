// The cost view's tables: spend per day (the chart's accessible form), per model, and the recent requests. Real
// <table>s with captions and column headers, so screen readers announce each cell with its column.
import type { CostDay, CostModelRow, CostRequestRow } from '../../common/costViewProtocol';
import { h } from '../common/dom';
import { formatDay, formatTime, formatTokens } from './format';

type Cell = Node | string;

/** A table with a caption and header row; `numeric` columns are right-aligned. */
export class Table {
  readonly element: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;

  constructor(id: string, caption: string, columns: Array<{ label: string; numeric?: boolean }>, private readonly empty: string) {
    this.body = h('tbody');
    const head = h('tr', {}, ...columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : undefined }, c.label)));
    this.element = h('table', { id, class: 'data' }, h('caption', {}, caption), h('thead', {}, head), this.body);
    this.numeric = columns.map((c) => c.numeric === true);
  }

  private readonly numeric: boolean[];

  setRows(rows: Array<{ cells: Cell[]; attrs?: Record<string, string> }>): void {
    if (rows.length === 0) {
      this.body.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: this.numeric.length }, this.empty)));
      return;
    }
    this.body.replaceChildren(
      ...rows.map(({ cells, attrs }) =>
        h('tr', attrs ?? {}, ...cells.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', { class: this.numeric[i] ? 'num' : undefined }, cell)))),
      ),
    );
  }
}

export function dayRows(days: CostDay[]) {
  // Newest first, like the requests.
  return [...days].reverse().map((d) => ({
    attrs: { 'data-day': d.day },
    cells: [formatDay(d.day, true), d.credits.text, d.estimated.value > 0 ? `≈ ${d.estimated.text}` : '—', String(d.requests)],
  }));
}

export function modelRows(models: CostModelRow[]) {
  return models.map((m) => ({
    attrs: { 'data-model': m.id },
    cells: [
      h('span', { title: m.id }, m.name),
      String(m.requests),
      formatTokens(m.inputTokens),
      formatTokens(m.cacheReadTokens),
      formatTokens(m.cacheWriteTokens),
      formatTokens(m.outputTokens),
      m.credits.text + (m.estimated.value > 0 ? ` (+ ≈ ${m.estimated.text})` : ''),
      m.cacheSaved ? `≈ ${m.cacheSaved.text}` : m.cacheReadTokens + m.cacheWriteTokens > 0 ? 'prices unknown' : '—',
    ],
  }));
}

function costCell(row: CostRequestRow): Cell {
  switch (row.cost.kind) {
    case 'billed': return row.cost.credits.text;
    case 'estimate': return h('span', { class: 'estimate', title: 'Estimated from tokens and list prices (a stopped or failed answer); not billed' }, `≈ ${row.cost.credits.text}`);
    case 'unknown': return h('span', { class: 'unknown', title: 'The endpoint sent no cost for this request' }, 'unknown');
  }
}

/** Cache reads; cache writes (billed at 1.25 ×) after them when there were any. */
function cachedCell(r: CostRequestRow): string {
  return r.cacheWriteTokens > 0 ? `${formatTokens(r.cacheReadTokens)} (+${formatTokens(r.cacheWriteTokens)} written)` : formatTokens(r.cacheReadTokens);
}

export function requestRows(rows: CostRequestRow[]) {
  return rows.map((r) => ({
    attrs: { 'data-source': r.source },
    cells: [
      h('time', { datetime: new Date(r.at).toISOString() }, formatTime(r.at)),
      h('span', { title: r.model }, r.modelName),
      formatTokens(r.inputTokens),
      cachedCell(r),
      formatTokens(r.outputTokens),
      costCell(r),
      r.sourceLabel,
    ],
  }));
}
