import { REPORT_STATUSES, type ReportHeader, type ReportResult, type ReportStatus } from '../types.ts';
import { Smallest, zeroCounts } from './bounded.ts';
import { anchors, domainName, EMPTY, html, identifier, type Safe } from './markup.ts';
import { badge, severity, tone } from './status.ts';

/**
 * A result whose verdict is new in this run: changed since the baseline (`was` its status there), or a check or
 * domain the baseline lacked (`was` null).
 */
export type Change = {
  readonly domain: string; readonly checkId: string; readonly was: ReportStatus | null; readonly status: ReportStatus; readonly summary: string;
};

/**
 * A report with a baseline carries, per result, `since`: when its verdict began (src/compliance/history.ts). A
 * verdict that began with this scan is what changed since the previous run; an unchanged one carries an older time.
 */
export const isChange = (r: ReportResult, header: ReportHeader): boolean => header.baseline !== undefined && r.since === header.startedAt;

export type ChangeOverview = {
  readonly baseline: { readonly runId: string; readonly startedAt: string };
  readonly rows: readonly Change[];
  readonly total: number;
  readonly byStatus: Readonly<Record<ReportStatus, number>>;
};

/** Collects the changed results as domains stream past, keeping the `limit` worst (failures first, then report order). */
export class ChangeLog {
  private readonly worst: Smallest<Change>;
  private readonly byStatus = zeroCounts(REPORT_STATUSES);
  private readonly header: ReportHeader;

  constructor(header: ReportHeader, limit: number) {
    this.header = header;
    this.worst = new Smallest<Change>(limit, (a, b) => severity(b.status) - severity(a.status));
  }

  add(results: readonly ReportResult[]): void {
    for (const r of results) {
      if (!isChange(r, this.header)) continue;
      this.byStatus[tone(r.status)]++;
      this.worst.add({ domain: r.domain, checkId: r.checkId, was: r.previousStatus === undefined ? null : tone(r.previousStatus), status: tone(r.status), summary: r.summary });
    }
  }

  /** Null without a baseline: then nothing is known to have changed. */
  finish(): ChangeOverview | null {
    const baseline = this.header.baseline;
    if (!baseline) return null;
    return { baseline, rows: this.worst.items(), total: this.worst.total, byStatus: this.byStatus };
  }
}

/** "What changed since the previous run": the new verdicts, worst first, each linked to its result. */
export function changesSection(overview: ChangeOverview | null): Safe {
  if (!overview) return EMPTY;
  const { baseline, rows, total } = overview;
  const counts = REPORT_STATUSES.filter((s) => overview.byStatus[s] > 0).map((s) => `${overview.byStatus[s]} now ${s}`).join(', ');
  const more = total - rows.length;
  const body = rows.map((c) => html`<tr><td><a href="#${anchors.result(c.domain, c.checkId)}">${domainName(c.domain)}</a></td>
<td><code>${identifier(c.checkId)}</code></td><td>${c.was === null ? html`<span class="muted">new</span>` : badge(c.was)}</td><td>${badge(c.status)}</td><td class="evidence">${c.summary}</td></tr>`);
  return html`<section id="changes" aria-labelledby="changes-h"><h3 id="changes-h">Changed since the previous run</h3>
<p>Compared with run <code>${baseline.runId}</code> of ${baseline.startedAt}: ${total === 0 ? 'no verdict changed.' : `${total} result(s) with a new verdict (${counts}), including checks and domains new in this run.`}</p>
${total === 0 ? EMPTY : html`<div class="wide" role="region" aria-label="Changed results" tabindex="0"><table class="changes"><thead><tr><th scope="col">Domain</th><th scope="col">Check</th><th scope="col">Was</th><th scope="col">Now</th><th scope="col">Summary</th></tr></thead>
<tbody>${body}</tbody></table></div>`}
${more > 0 ? html`<p>${more} more changed result(s), less severe, are not listed here: in their domains' results, their "Since" is this run's start.</p>` : EMPTY}</section>`;
}
