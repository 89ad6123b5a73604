import type { Scope } from '../src/core/types.ts';
import { certificateExpiries } from './certificates.ts';
import { PROMISE_STATES, REPORT_STATUSES, type PrometheusPerResult, type ReportResult, type ReportStatus, type ReportWriter } from './types.ts';

/**
 * Label values per the text exposition format: backslash, double quote and newline escaped. Other control characters
 * are dropped: they are legal but make the line-based file unreadable to people and some parsers.
 */
export function labelValue(text: string): string {
  return text.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)).replace(/[\u0000-\u001f\u007f]/g, '');
}

type Labels = Readonly<Record<string, string>>;
type Sample = { readonly labels: Labels; readonly value: number };

const sample = (name: string, { labels, value }: Sample): string => {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${labelValue(v)}"`);
  return `${name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${Number.isFinite(value) ? String(value) : 'NaN'}`;
};

const familyHead = (name: string, help: string) => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n`;

/** One metric family: HELP and TYPE once, then its samples. */
function family(name: string, help: string, samples: readonly Sample[]): string {
  return familyHead(name, help) + samples.map((s) => `${sample(name, s)}\n`).join('');
}

/** The protocol a certificate was served over, by the scope of the check that read it (`service` label). */
export function serviceOf(scope: Scope | undefined): string {
  if (scope === 'web') return 'https';
  if (scope === 'mail') return 'smtp';
  return scope ?? 'unknown';
}

const CERTIFICATE_EXPIRY = 'vouch_certificate_expiry_timestamp_seconds';

/**
 * One domain's certificate expiry samples (web and MX): the leaf's notAfter in Unix seconds, one series per host,
 * port, service and address. Evidence that names the same place twice keeps the earliest expiry (as
 * blackbox_exporter's probe_ssl_earliest_cert_expiry does), since a repeated series would make node_exporter drop
 * the family. A certificate without a readable notAfter has no sample: its days left alone would be a guess.
 */
export function certificateExpirySamples(results: readonly ReportResult[], scopes: ReadonlyMap<string, Scope>): string {
  const earliest = new Map<string, Sample>();
  for (const c of certificateExpiries(results)) {
    const seconds = c.notAfter === null ? Number.NaN : Date.parse(c.notAfter) / 1000;
    if (!Number.isFinite(seconds)) continue;
    const labels = { domain: c.domain, host: c.host ?? '', port: String(c.port ?? ''), service: serviceOf(scopes.get(c.checkId)), address: c.address ?? '' };
    const key = JSON.stringify(Object.values(labels));
    const seen = earliest.get(key);
    if (!seen || seconds < seen.value) earliest.set(key, { labels, value: seconds });
  }
  return [...earliest.values()].map((s) => `${sample(CERTIFICATE_EXPIRY, s)}\n`).join('');
}

/** The statuses that make a finding: what `prometheus.perResult: findings` gives a series of its own. */
const FINDINGS: ReadonlySet<ReportStatus> = new Set(['fail', 'error', 'warn']);

/** Whether a result gets its own `vouch_check_status` series under `prometheus.perResult`. */
function hasOwnSeries(status: ReportStatus, perResult: PrometheusPerResult): boolean {
  return perResult === 'all' || (perResult === 'findings' && FINDINGS.has(status));
}

/**
 * One series per chosen result, valued 1 and labelled by its status (absent, not 0, for the rest): alerts test
 * `vouch_check_status{status="fail"}`, and the file stays proportional to the findings, not to domains x checks.
 */
export function resultSamples(results: readonly ReportResult[], perResult: PrometheusPerResult): string {
  let text = '';
  for (const r of results) {
    if (hasOwnSeries(r.status, perResult)) text += `vouch_check_status{domain="${labelValue(r.domain)}",check="${labelValue(r.checkId)}",status="${r.status}"} 1\n`;
  }
  return text;
}

/**
 * One domain's results per status, only the statuses it has and never `skip` (a domain's skips say which checks did
 * not apply, which the check totals and the JSON report hold): at most five series per domain, usually two or three.
 */
export function domainResultSamples(domain: string, results: readonly ReportResult[]): string {
  const counts = new Map<ReportStatus, number>();
  for (const r of results) if (r.status !== 'skip') counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const label = `vouch_domain_results{domain="${labelValue(domain)}",status="`;
  return REPORT_STATUSES.filter((s) => counts.has(s)).map((s) => `${label}${s}"} ${counts.get(s)}\n`).join('');
}

/** Results per check and status, summed over the domains as they stream by: checks x statuses numbers, whatever the estate. */
class CheckTotals {
  readonly #counts = new Map<string, Map<ReportStatus, number>>();

  add(results: readonly ReportResult[]): void {
    for (const r of results) {
      const counts = this.#counts.get(r.checkId) ?? new Map<ReportStatus, number>();
      counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
      this.#counts.set(r.checkId, counts);
    }
  }

  /** Every check the scan ran (header order, then any other that reported) x every status, zeros included. */
  samples(checkIds: readonly string[]): Sample[] {
    const ids = [...new Set([...checkIds, ...this.#counts.keys()])];
    return ids.flatMap((check) => REPORT_STATUSES.map((status) => ({ labels: { check, status }, value: this.#counts.get(check)?.get(status) ?? 0 })));
  }
}

/**
 * The text exposition format, for node_exporter's textfile collector (`prometheus.textfile`, written atomically).
 * Base units (seconds, Unix time) as Prometheus' naming practice and blackbox_exporter do. Every metric is a gauge:
 * each file describes one scan, so nothing accumulates. The size follows docs/report-formats.md: totals per check
 * and status (`vouch_check_results`, zeros included), per domain and status (`vouch_domain_results`, no zeros, no
 * skip), the certificate expiry per host, and one `vouch_check_status` series per finding (`prometheus.perResult`;
 * `all` gives one per result, the 6.8 M lines of 100,000 domains x 68 checks). The per-status count is
 * `vouch_results`, not `vouch_results_total`: `_total` marks counters, and promtool rejects it on a gauge. A
 * family's samples must be contiguous, so each per-domain family takes one pass over the domains.
 */
export const prometheusWriter: ReportWriter = {
  format: 'prometheus',
  // Not `.prom`: the per-run files in --out must not look like collector files (node_exporter reads every *.prom
  // in its directory, and the runs' identical series made it drop every Vouch metric as duplicates).
  extension: 'metrics',
  async write(report, out) {
    const header = report.header;
    const perResult = report.prometheusPerResult ?? 'findings';
    const totals = new CheckTotals();
    await out(familyHead('vouch_domain_results', 'Results of each domain in the last scan per status (statuses with none, and skip, left out).'));
    for await (const { domain, results } of report.domains()) {
      totals.add(results);
      await out(domainResultSamples(domain, results));
    }
    if (perResult !== 'none') {
      const which = perResult === 'all' ? 'every result' : 'each warn, fail and error';
      await out(familyHead('vouch_check_status', `Status of ${which} in the last scan (label status), per domain and check: always 1.`));
      for await (const { results } of report.domains()) await out(resultSamples(results, perResult));
    }
    const scopes = new Map(header.checks.map((c) => [c.id, c.scope]));
    await out(familyHead(CERTIFICATE_EXPIRY, 'Unix time the served leaf certificate expires (its notAfter), per domain, host, port, service and address, as of the last scan.'));
    for await (const { results } of report.domains()) await out(certificateExpirySamples(results, scopes));
    const promiseStatus = (header.promises ?? []).flatMap((p) => PROMISE_STATES.map((state) => ({
      labels: { promise: p.id, status: state }, value: p.status === state ? 1 : 0,
    })));
    const results = REPORT_STATUSES.map((status) => ({ labels: { status }, value: header.summary[status] ?? 0 }));
    await out([
      family('vouch_check_results', 'Results of each check in the last scan per status, summed over the domains.', totals.samples(header.checks.map((c) => c.id))),
      header.promises ? family('vouch_promise_status', 'Status of each promise in the last scan: 1 for its status, 0 for the others.', promiseStatus) : '',
      family('vouch_results', 'Results of the last scan per status.', results),
      family('vouch_scan_complete', '1 if the last scan ran to completion, 0 if it was interrupted.', [{ labels: {}, value: header.status === 'complete' ? 1 : 0 }]),
      family('vouch_scan_duration_seconds', 'How long the last scan took.', [{ labels: {}, value: header.durationMs / 1000 }]),
      family('vouch_scan_timestamp_seconds', 'Unix time the last scan finished.', [{ labels: {}, value: Date.parse(header.finishedAt) / 1000 }]),
    ].join(''));
  },
};
