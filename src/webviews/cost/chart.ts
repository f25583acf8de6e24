// Spend per day as a bar chart in plain SVG: billed credits, with estimates for stopped answers stacked on top in
// another colour. Colours come from the theme (CSS classes, no inline style). Keyboard: the chart is one tab stop;
// Left/Right/Home/End move between days and a live line reads the day out. The per-day table under it
// (DailyTable) is the chart's accessible form, and what screen reader users get instead of the picture.
import type { CostDay } from '../../common/costViewProtocol';
import { formatCredits } from '../../common/credits';
import { h, svg } from '../common/dom';
import { formatDay } from './format';

/** Drawn in CSS pixels at the element's width (re-drawn on resize), so text is never stretched. */
const DEFAULT_WIDTH = 600;
const HEIGHT = 200;
const PAD = { top: 12, right: 24, bottom: 22, left: 48 };

export function describeDay(day: CostDay): string {
  const parts = [`${formatDay(day.day, true)}: ${day.credits.text} credits`];
  if (day.estimated.value > 0) parts.push(`about ${day.estimated.text} estimated (not billed)`);
  parts.push(`${day.requests} request${day.requests === 1 ? '' : 's'}`);
  return parts.join(', ');
}

export class DailyChart {
  readonly element: HTMLElement;
  private readonly svgEl: SVGSVGElement;
  private readonly readout: HTMLElement;
  private days: CostDay[] = [];
  private bars: SVGGElement[] = [];
  private width = DEFAULT_WIDTH;
  /** The day the keyboard (or a click) is on; the last day (today) by default. */
  private selected = -1;

  constructor() {
    this.svgEl = svg('svg', {
      id: 'day-chart',
      viewBox: `0 0 ${DEFAULT_WIDTH} ${HEIGHT}`,
      tabindex: 0,
      role: 'img',
      'aria-roledescription': 'bar chart',
      'aria-describedby': 'day-readout',
    });
    this.readout = h('p', { id: 'day-readout', class: 'chart-readout', 'aria-live': 'polite' });
    const swatch = (kind: string) => svg('svg', { class: 'swatch', width: 10, height: 10, 'aria-hidden': 'true' }, svg('rect', { class: kind, width: 10, height: 10 }));
    const legend = h('p', { class: 'chart-legend muted' }, swatch('billed'), ' billed ', swatch('estimated'), ' estimated, not billed (stopped answers)');
    this.element = h('figure', { class: 'chart' }, this.svgEl, legend, this.readout);
    this.svgEl.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver(() => {
      const width = Math.round(this.svgEl.clientWidth);
      if (width > 0 && width !== this.width) {
        this.width = width;
        this.render();
        this.bars[this.selected]?.classList.add('selected');
      }
    }).observe(this.svgEl);
    this.svgEl.addEventListener('click', (e) => {
      const bar = (e.target as Element).closest('g.bar');
      const index = bar ? this.bars.indexOf(bar as SVGGElement) : -1;
      if (index >= 0) this.select(index);
    });
  }

  update(days: CostDay[]): void {
    const keep = this.selected >= 0 ? this.days[this.selected]?.day : undefined;
    this.days = days;
    this.render();
    const again = keep ? days.findIndex((d) => d.day === keep) : -1;
    this.select(again >= 0 ? again : days.length - 1, false);
  }

  get selectedDay(): string | undefined {
    return this.days[this.selected]?.day;
  }

  private render(): void {
    const days = this.days;
    const max = Math.max(0, ...days.map((d) => d.credits.value + d.estimated.value));
    const total = days.reduce((sum, d) => sum + d.credits.value, 0);
    const top = niceCeiling(max);
    const width = this.width;
    this.svgEl.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
    const plotW = width - PAD.left - PAD.right;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    const y = (v: number) => PAD.top + plotH - (top > 0 ? (v / top) * plotH : 0);
    const slot = plotW / Math.max(1, days.length);
    const barW = Math.max(2, slot * 0.7);

    const children: SVGElement[] = [];
    for (const v of [0, top / 2, top]) {
      children.push(svg('line', { class: 'grid', x1: PAD.left, x2: width - PAD.right, y1: y(v), y2: y(v) }));
      children.push(svg('text', { class: 'axis', x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, trimNumber(v)));
    }
    this.bars = days.map((d, i) => {
      const x = PAD.left + i * slot + (slot - barW) / 2;
      const billedTop = y(d.credits.value);
      const estTop = y(d.credits.value + d.estimated.value);
      const g = svg('g', { class: 'bar', 'data-day': d.day, 'data-credits': d.credits.value });
      // A full-height hit area, so empty days can be pointed at too.
      g.append(svg('rect', { class: 'hit', x: PAD.left + i * slot, y: PAD.top, width: slot, height: plotH }));
      if (d.credits.value > 0) g.append(svg('rect', { class: 'billed', x, y: billedTop, width: barW, height: Math.max(1, y(0) - billedTop) }));
      if (d.estimated.value > 0) g.append(svg('rect', { class: 'estimated', x, y: estTop, width: barW, height: Math.max(1, billedTop - estTop) }));
      g.append(svg('title', {}, describeDay(d)));
      return g;
    });
    children.push(...this.bars);
    // Day labels: every 7th day back from today, so today is always labelled.
    days.forEach((d, i) => {
      if ((days.length - 1 - i) % 7 !== 0) return;
      children.push(svg('text', { class: 'axis', x: PAD.left + i * slot + slot / 2, y: HEIGHT - 6, 'text-anchor': 'middle' }, formatDay(d.day)));
    });
    this.svgEl.replaceChildren(...children);
    const peak = days.reduce<CostDay | undefined>((best, d) => (!best || d.credits.value > best.credits.value ? d : best), undefined);
    this.svgEl.setAttribute(
      'aria-label',
      days.length === 0
        ? 'Spend per day: no days'
        : `Spend per day, last ${days.length} days: ${formatCredits(total)} credits billed` +
            (peak && peak.credits.value > 0 ? `, most on ${formatDay(peak.day)} (${peak.credits.text})` : '') +
            '. Left and Right arrows read each day; the table "Spend per day" lists them all.',
    );
  }

  private select(index: number, announce = true): void {
    if (index < 0 || index >= this.days.length) {
      this.selected = -1;
      this.readout.textContent = '';
      return;
    }
    this.bars[this.selected]?.classList.remove('selected');
    this.selected = index;
    this.bars[index].classList.add('selected');
    // The line is read out when the user moves; not when new data arrives (that would interrupt whatever they read).
    this.readout.setAttribute('aria-live', announce ? 'polite' : 'off');
    this.readout.textContent = describeDay(this.days[index]);
  }

  private onKey(e: KeyboardEvent): void {
    const last = this.days.length - 1;
    let next: number | undefined;
    if (e.key === 'ArrowLeft') next = Math.max(0, this.selected - 1);
    else if (e.key === 'ArrowRight') next = Math.min(last, this.selected + 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = last;
    if (next === undefined) return;
    e.preventDefault();
    this.select(next);
  }
}

/** A round top for the axis: 1, 2 or 5 × a power of ten at or above `max`. */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 0;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

function trimNumber(v: number): string {
  if (v === 0) return '0';
  return Number(v.toPrecision(3)).toString();
}
