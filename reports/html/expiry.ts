import { certificateExpiries, type CertificateExpiry } from '../certificates.ts';
import { REPORT_STATUSES, type ReportResult, type ReportStatus } from '../types.ts';
import { Smallest, zeroCounts } from './bounded.ts';
import { bar } from './chart.ts';
import { anchors, domainName, EMPTY, html, identifier, shortTime, type Safe } from './markup.ts';
import { badge } from './status.ts';

/** A certificate judged against the thresholds its check used: `fail` below failDays (or expired), `warn` below warnDays. */
export type ExpiryRow = CertificateExpiry & { readonly status: ReportStatus; readonly label: string };

export function expiryRow(c: CertificateExpiry): ExpiryRow {
  if (c.daysLeft < 0) return { ...c, status: 'fail', label: 'EXPIRED' };
  if (c.failDays !== null && c.daysLeft < c.failDays) return { ...c, status: 'fail', label: 'FAIL' };
  if (c.warnDays !== null && c.daysLeft < c.warnDays) return { ...c, status: 'warn', label: 'WARN' };
  // Without thresholds in the evidence there is nothing to judge by: shown, never passed.
  if (c.warnDays === null && c.failDays === null) return { ...c, status: 'skip', label: 'NO THRESHOLD' };
  return { ...c, status: 'pass', label: 'PASS' };
}

/** The mail checks read MX certificates over STARTTLS; every other expiry is a web certificate. */
export const serviceOf = (checkId: string): string => (checkId.startsWith('mail.') ? 'SMTP (MX)' : 'HTTPS');

/** Days beyond which the timeline stops growing: a certificate valid for years would flatten all the others. */
const AXIS_CAP_DAYS = 400;

/** The timeline's length in days: the furthest shown expiry (capped), and never shorter than a warning threshold. */
export function axisDays(rows: readonly ExpiryRow[]): number {
  const furthest = Math.min(AXIS_CAP_DAYS, Math.max(0, ...rows.map((r) => r.daysLeft)));
  return Math.max(1, furthest, ...rows.map((r) => r.warnDays ?? 0));
}

/** Where `days` falls on an axis of `axis` days, in percent (one decimal), clamped to the axis. */
export const axisPercent = (days: number, axis: number): number => Math.round((Math.min(Math.max(days, 0), axis) / axis) * 1000) / 10;

/** The soonest expiries kept for the timeline, and the count per status of all of them. */
export type ExpiryOverview = { readonly rows: readonly ExpiryRow[]; readonly total: number; readonly byStatus: Readonly<Record<ReportStatus, number>> };

/** Collects every web and MX certificate's expiry as domains stream past, keeping the `limit` soonest. */
export class ExpiryTimeline {
  private readonly soonest: Smallest<ExpiryRow>;
  private readonly byStatus = zeroCounts(REPORT_STATUSES);

  constructor(limit: number) {
    this.soonest = new Smallest<ExpiryRow>(limit, (a, b) => a.daysLeft - b.daysLeft);
  }

  add(results: readonly ReportResult[]): void {
    for (const c of certificateExpiries(results)) {
      const row = expiryRow(c);
      this.byStatus[row.status]++;
      this.soonest.add(row);
    }
  }

  finish(): ExpiryOverview {
    return { rows: this.soonest.items(), total: this.soonest.total, byStatus: this.byStatus };
  }
}

/**
 * Which server the certificate came from: the host name it was asked for (the web name, or the MX host a domain's
 * mail goes to), then the address it answered on; one of them alone when the evidence names only that.
 */
export function hostAndAddress(r: Pick<ExpiryRow, 'host' | 'address'>): Safe {
  const host = r.host ?? null;
  const address = r.address !== null && r.address !== host ? identifier(r.address) : null;
  if (host === null) return address ?? EMPTY;
  return address === null ? domainName(host) : html`${domainName(host)}<br><span class="muted">${address}</span>`;
}

function row(r: ExpiryRow, axis: number): Safe {
  const marks = [r.failDays, r.warnDays].filter((d): d is number => d !== null && d <= axis).map((d) => axisPercent(d, axis));
  const days = r.daysLeft < 0 ? `${-r.daysLeft} day(s) ago` : `${r.daysLeft}`;
  return html`<tr><td><a href="#${anchors.result(r.domain, r.checkId)}">${domainName(r.domain)}</a></td><td>${serviceOf(r.checkId)}</td>
<td>${hostAndAddress(r)}</td><td>${r.notAfter === null ? 'unknown' : shortTime(r.notAfter)}</td><td>${badge(r.status, r.label)} <span class="num">${days}</span></td>
<td class="bar-cell">${bar(r.status, axisPercent(r.daysLeft, axis), marks)}</td></tr>`;
}

/** The timeline: certificates by days left (soonest first), coloured and labelled by the check's thresholds. */
export function expirySection(overview: ExpiryOverview): Safe {
  if (overview.total === 0) return EMPTY;
  const axis = axisDays(overview.rows);
  const counts = REPORT_STATUSES.filter((s) => overview.byStatus[s] > 0).map((s) => `${overview.byStatus[s]} ${s}`).join(', ');
  const more = overview.total - overview.rows.length;
  return html`<section id="certificates" aria-labelledby="certificates-h"><h3 id="certificates-h">Certificate expiry</h3>
<p>${overview.total} web and MX certificate(s): ${counts}. Thresholds are those each check used; the bar runs from today to
the expiry date on a ${axis}-day scale, with the fail and warning thresholds marked.</p>
<div class="wide" role="region" aria-label="Certificate expiry timeline" tabindex="0"><table class="expiry"><thead><tr><th scope="col">Domain</th><th scope="col">Service</th><th scope="col">Host and address</th>
<th scope="col">Not after</th><th scope="col">Days left</th><th scope="col">Today to ${axis} days</th></tr></thead>
<tbody>${overview.rows.map((r) => row(r, axis))}</tbody></table></div>
${more > 0 ? html`<p>${more} later-expiring certificate(s) not listed here: each is in its domain's results.</p>` : EMPTY}</section>`;
}
