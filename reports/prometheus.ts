import { certificateExpiries } from './certificates.ts';
import { PROMISE_STATES, REPORT_STATUSES, type ReportWriter } from './types.ts';

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

/**
 * The node_exporter textfile-collector format (write it to `<dir>/vouch.prom` atomically). Every metric is a gauge:
 * each file describes one scan, so nothing accumulates. Status metrics have one series per possible value (1 for
 * the current one, 0 for the rest) so dashboards can `sum by (status)` and alerts can test `== 1`. The per-status
 * count is `vouch_results`, not `vouch_results_total`: `_total` marks counters, and promtool rejects it on a gauge.
 * A family's samples must be contiguous, so the two per-result families take one pass over the domains each.
 */
export const prometheusWriter: ReportWriter = {
  format: 'prometheus',
  extension: 'prom',
  async write(report, out) {
    const header = report.header;
    await out(familyHead('vouch_check_status', 'Status of each check on each domain in the last scan: 1 for its status, 0 for the others.'));
    for await (const { results } of report.domains()) {
      let text = '';
      for (const r of results) {
        // As sample() writes it, with the two labels escaped once rather than once per status.
        const labels = `vouch_check_status{domain="${labelValue(r.domain)}",check="${labelValue(r.checkId)}",status="`;
        for (const status of REPORT_STATUSES) text += `${labels}${status}"} ${r.status === status ? 1 : 0}\n`;
      }
      await out(text);
    }
    await out(familyHead('vouch_certificate_expiry_days', 'Whole days until the served certificate expires (negative once expired), as of the last scan.'));
    for await (const { results } of report.domains()) {
      await out(certificateExpiries(results).map((c) =>
        `${sample('vouch_certificate_expiry_days', { labels: { domain: c.domain, check: c.checkId, address: c.address ?? '' }, value: c.daysLeft })}\n`).join(''));
    }
    const promiseStatus = (header.promises ?? []).flatMap((p) => PROMISE_STATES.map((state) => ({
      labels: { promise: p.id, status: state }, value: p.status === state ? 1 : 0,
    })));
    const results = REPORT_STATUSES.map((status) => ({ labels: { status }, value: header.summary[status] ?? 0 }));
    await out([
      header.promises ? family('vouch_promise_status', 'Status of each promise in the last scan: 1 for its status, 0 for the others.', promiseStatus) : '',
      family('vouch_results', 'Results of the last scan per status.', results),
      family('vouch_scan_complete', '1 if the last scan ran to completion, 0 if it was interrupted.', [{ labels: {}, value: header.status === 'complete' ? 1 : 0 }]),
      family('vouch_scan_duration_seconds', 'How long the last scan took.', [{ labels: {}, value: header.durationMs / 1000 }]),
      family('vouch_scan_timestamp_seconds', 'Unix time the last scan finished.', [{ labels: {}, value: Date.parse(header.finishedAt) / 1000 }]),
    ].join(''));
  },
};
