import { REPORT_STATUSES, type ReportStatus } from '../types.ts';
import { html, type Safe } from './markup.ts';
import { badge, tone } from './status.ts';

/** One bar: its status, its count and its length in percent of the longest bar. */
export type Bar = { readonly status: ReportStatus; readonly count: number; readonly percent: number };

/** Bars for every status in the report's order, the largest count at 100% (one decimal); all zero when nothing counted. */
export function statusBars(counts: Readonly<Partial<Record<ReportStatus, number>>>): Bar[] {
  const value = (s: ReportStatus) => { const n = counts[s] ?? 0; return Number.isFinite(n) ? Math.max(0, n) : 0; };
  const max = Math.max(0, ...REPORT_STATUSES.map(value));
  return REPORT_STATUSES.map((status) => ({
    status, count: value(status), percent: max === 0 ? 0 : Math.round((value(status) / max) * 1000) / 10,
  }));
}

/**
 * A bar as inline SVG in a 100 x 10 box stretched to its cell: the length carries the proportion, the row's own text
 * the number and status, so the picture is decoration for sighted readers (hidden from assistive technology).
 */
export const bar = (status: string, percent: number, marks: readonly number[] = []): Safe => html`<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
<rect class="track" x="0" y="0" width="100" height="10"></rect><rect class="fill-${tone(status)}" x="0" y="1" width="${percent}" height="8"></rect>${marks.map((m) => html`<rect class="mark" x="${Math.max(0, m - 0.3)}" y="0" width="0.6" height="10"></rect>`)}</svg>`;

/** A bar chart of counts per status, as a table: status, count, bar. */
export function statusChart(caption: string, counts: Readonly<Partial<Record<ReportStatus, number>>>): Safe {
  const rows = statusBars(counts).map((b) => html`<tr><th scope="row">${badge(b.status)}</th><td class="num">${b.count}</td><td class="bar-cell">${bar(b.status, b.percent)}</td></tr>`);
  return html`<table class="chart"><caption>${caption}</caption>
<thead><tr><th scope="col">Status</th><th scope="col">Count</th><th scope="col">Share of the largest</th></tr></thead><tbody>${rows}</tbody></table>`;
}
