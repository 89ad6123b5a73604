import type { ReportHeader, ReportResult, ReportStatus } from '../types.ts';
import { anchors, domainName, EMPTY, html, type Safe } from './markup.ts';
import { badge, isFinding, severity } from './status.ts';

/** A promise the checks can evidence: one column of the matrix. */
export type PromiseColumn = { readonly id: string; readonly title: string };

/** The worst result of one domain for one promise: the cell's status, and the result it links to. */
export type MatrixCell = { readonly status: ReportStatus; readonly checkId: string };
export type MatrixRow = { readonly domain: string; readonly cells: readonly (MatrixCell | null)[] };

/**
 * The matrix's columns: the automated promises in catalogue order, then any other promise a check names (a manual
 * one that checks can disprove, or a plugin's that the catalogue lacks), so no result falls outside the matrix.
 */
export function promiseColumns(header: ReportHeader): PromiseColumn[] {
  const catalogue = new Map((header.promises ?? []).map((p) => [p.id, p]));
  const columns = new Map<string, PromiseColumn>();
  for (const p of catalogue.values()) if (p.kind === 'automated') columns.set(p.id, { id: p.id, title: p.title });
  for (const check of header.checks) {
    for (const id of check.promises) if (!columns.has(id)) columns.set(id, { id, title: catalogue.get(id)?.title ?? id });
  }
  return [...columns.values()];
}

/** One domain's row: per column, its worst result for that promise (null: no check of that promise ran there). */
export function matrixRow(domain: string, results: readonly ReportResult[], columns: readonly PromiseColumn[]): MatrixRow {
  const index = new Map(columns.map((c, i) => [c.id, i]));
  const cells: (MatrixCell | null)[] = columns.map(() => null);
  for (const r of results) {
    for (const promise of r.promises) {
      const i = index.get(promise);
      if (i === undefined) continue;
      const cell = cells[i];
      if (!cell || severity(r.status) > severity(cell.status)) cells[i] = { status: r.status, checkId: r.checkId };
    }
  }
  return { domain, cells };
}

/** What the matrix shows: every domain of a small estate, else the first `limit` with findings. */
export type MatrixRows = {
  readonly rows: readonly MatrixRow[];
  /** Domains with a fail, error or warn that did not fit. */
  readonly findingsLeftOut: number;
  /** Domains without findings left out (all of them once the estate is larger than the limit). */
  readonly cleanLeftOut: number;
};

/**
 * Chooses the matrix's rows as the domains stream past, holding at most 2 x `limit` rows: an estate of up to `limit`
 * domains is shown whole; a larger one shows its first `limit` domains with a fail, error or warn, in report order,
 * and says how many it left out. Every domain keeps its full section below the overview.
 */
export class MatrixSelection {
  private readonly first: MatrixRow[] = [];
  private readonly withFindings: MatrixRow[] = [];
  private domains = 0;
  private findings = 0;
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  add(row: MatrixRow, results: readonly ReportResult[]): void {
    this.domains++;
    if (this.first.length < this.limit) this.first.push(row);
    if (!results.some((r) => isFinding(r.status))) return;
    if (this.findings++ < this.limit) this.withFindings.push(row);
  }

  finish(): MatrixRows {
    if (this.domains <= this.limit) return { rows: this.first, findingsLeftOut: 0, cleanLeftOut: 0 };
    return { rows: this.withFindings, findingsLeftOut: this.findings - this.withFindings.length, cleanLeftOut: this.domains - this.findings };
  }
}

/** Promise columns per table: more would squeeze the cells' labels on an A4 page. */
const COLUMNS_PER_TABLE = 6;

function cell(row: MatrixRow, c: MatrixCell | null): Safe {
  if (!c) return html`<td class="none">n/a</td>`;
  return html`<td><a href="#${anchors.result(row.domain, c.checkId)}">${badge(c.status)}</a></td>`;
}

function table(rows: readonly MatrixRow[], columns: readonly PromiseColumn[], from: number): Safe {
  const shown = columns.slice(from, from + COLUMNS_PER_TABLE);
  const heads = shown.map((c, i) => html`<th scope="col"><a href="#${anchors.promise(c.id)}">P${from + i + 1}</a></th>`);
  const body = rows.map((row) => html`<tr><th scope="row"><a href="#${anchors.domain(row.domain)}">${domainName(row.domain)}</a></th>
${row.cells.slice(from, from + COLUMNS_PER_TABLE).map((c) => cell(row, c))}</tr>`);
  return html`<div class="wide" role="region" aria-label="Domains by promise, P${from + 1} to P${from + shown.length}" tabindex="0">
<table class="matrix"><thead><tr><th scope="col">Domain</th>${heads}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function leftOutText(m: MatrixRows): string {
  const parts = [
    m.findingsLeftOut > 0 ? `${m.findingsLeftOut} more domain(s) with findings` : '',
    m.cleanLeftOut > 0 ? `${m.cleanLeftOut} domain(s) without a fail, error or warning` : '',
  ].filter(Boolean);
  return parts.length === 0 ? '' : `Not shown here: ${parts.join(', and ')}; every domain has its section under Results by domain.`;
}

/** The domains x promises matrix: each cell the worst result's status, linked to that result in the domain's section. */
export function matrixSection(m: MatrixRows, columns: readonly PromiseColumn[]): Safe {
  const legend = columns.map((c, i) => html`<li><strong>P${i + 1}</strong> <a href="#${anchors.promise(c.id)}">${c.title}</a> <code>${c.id}</code></li>`);
  const tables: Safe[] = [];
  for (let from = 0; from < columns.length; from += COLUMNS_PER_TABLE) tables.push(table(m.rows, columns, from));
  const note = leftOutText(m);
  return html`<section id="matrix" aria-labelledby="matrix-h"><h3 id="matrix-h">Domains by promise</h3>
<p class="muted">Each cell shows the worst result of the domain's checks for that promise and links to it.</p>
${columns.length === 0 ? html`<p>No check in this scan evidences a promise.</p>`
    : m.rows.length > 0 ? tables : html`<p>${m.cleanLeftOut > 0 ? 'No domain has a fail, error or warning.' : 'No domain was scanned.'}</p>`}
${note ? html`<p>${note}</p>` : EMPTY}
<ul class="legend">${legend}</ul></section>`;
}
