import { certificateExpiries } from './certificates.ts';
import { PROMISE_STATES, REPORT_STATUSES, type ReportWriter, type ScanReport } from './types.ts';

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

/** One metric family: HELP and TYPE once, then its samples. */
function family(name: string, help: string, samples: readonly Sample[]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples.map((s) => sample(name, s))];
}

/**
 * The node_exporter textfile-collector format (write it to `<dir>/vouch.prom` atomically). Every metric is a gauge:
 * each file describes one scan, so nothing accumulates. Status metrics have one series per possible value (1 for
 * the current one, 0 for the rest) so dashboards can `sum by (status)` and alerts can test `== 1`. The per-status
 * count is `vouch_results`, not `vouch_results_total`: `_total` marks counters, and promtool rejects it on a gauge.
 */
export const prometheusWriter: ReportWriter = {
  format: 'prometheus',
  extension: 'prom',
  render(report: ScanReport): string {
    const checkStatus = report.results.flatMap((r) => REPORT_STATUSES.map((status) => ({
      labels: { domain: r.domain, check: r.checkId, status }, value: r.status === status ? 1 : 0,
    })));
    const expiry = certificateExpiries(report.results).map((c) => ({
      labels: { domain: c.domain, check: c.checkId, address: c.address ?? '' }, value: c.daysLeft,
    }));
    const promiseStatus = (report.promises ?? []).flatMap((p) => PROMISE_STATES.map((state) => ({
      labels: { promise: p.id, status: state }, value: p.status === state ? 1 : 0,
    })));
    const results = REPORT_STATUSES.map((status) => ({ labels: { status }, value: report.summary[status] ?? 0 }));
    const lines = [
      ...family('vouch_check_status', 'Status of each check on each domain in the last scan: 1 for its status, 0 for the others.', checkStatus),
      ...family('vouch_certificate_expiry_days', 'Whole days until the served certificate expires (negative once expired), as of the last scan.', expiry),
      ...(report.promises ? family('vouch_promise_status', 'Status of each promise in the last scan: 1 for its status, 0 for the others.', promiseStatus) : []),
      ...family('vouch_results', 'Results of the last scan per status.', results),
      ...family('vouch_scan_complete', '1 if the last scan ran to completion, 0 if it was interrupted.', [{ labels: {}, value: report.status === 'complete' ? 1 : 0 }]),
      ...family('vouch_scan_duration_seconds', 'How long the last scan took.', [{ labels: {}, value: report.durationMs / 1000 }]),
      ...family('vouch_scan_timestamp_seconds', 'Unix time the last scan finished.', [{ labels: {}, value: Date.parse(report.finishedAt) / 1000 }]),
    ];
    return `${lines.join('\n')}\n`;
  },
};
