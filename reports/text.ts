import type { PromiseStatus, ReportDomain, ReportHeader, ReportResult, ReportStatus, ReportWriter } from './types.ts';

const LABEL: Record<ReportStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR', skip: 'SKIP', waived: 'WAIVED' };

const STATE_LABEL: Record<PromiseStatus['status'], string> = {
  'met': 'MET', 'met-with-warnings': 'MET*', 'not-met': 'NOT MET', 'not-verified': 'UNVERIFIED', 'not-assessed': 'NOT ASSESSED',
  'attested': 'ATTESTED', 'unattested': 'UNATTESTED', 'attestation-expired': 'EXPIRED',
};

function line(r: ReportResult, idWidth: number): string {
  const detail = r.status === 'error' ? `${r.reason}: ${r.summary}`
    : r.status === 'waived' ? `${r.originalStatus} waived until ${r.waiver.expires} (${r.waiver.owner}): ${r.summary}`
      : r.summary;
  return `  ${LABEL[r.status].padEnd(6)}  ${r.checkId.padEnd(idWidth)}  ${oneLine(detail)}`;
}

/**
 * Network text may hold control characters or bidi overrides: a report line must not be able to move the cursor,
 * forge lines, or display text reordered.
 */
function oneLine(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+/g, ' ');
  return clean.length > 160 ? `${clean.slice(0, 157)}...` : clean;
}

/**
 * One line per result, except that three or more skips with the same reason (a domain with mail off skips every
 * mail check) fold into one line, so the lines that matter are not buried.
 */
function domainRows(results: readonly ReportResult[], idWidth: number): string[] {
  const skips = new Map<string, number>();
  for (const r of results) if (r.status === 'skip') skips.set(r.summary, (skips.get(r.summary) ?? 0) + 1);
  const folded = new Set<string>();
  return results.flatMap((r) => {
    const count = r.status === 'skip' ? skips.get(r.summary) ?? 0 : 0;
    if (count < 3) return [line(r, idWidth)];
    if (folded.has(r.summary)) return [];
    folded.add(r.summary);
    return [`  ${LABEL.skip.padEnd(6)}  ${`(${count} checks)`.padEnd(idWidth)}  ${oneLine(r.summary)}`];
  });
}

/**
 * One line per promise, in catalogue order: the statement's own order is how its owner reads it. Manual promises
 * nobody has attested are listed once, together, by id: a dozen identical UNATTESTED lines would bury the verdicts.
 */
function promiseBlock(promises: readonly PromiseStatus[]): string[] {
  if (promises.length === 0) return [];
  const judged = promises.filter((p) => p.status !== 'unattested');
  const unattested = promises.filter((p) => p.status === 'unattested').map((p) => oneLine(p.id));
  const width = Math.max(0, ...judged.map((p) => p.id.length));
  const rows = judged.map((p) => `  ${STATE_LABEL[p.status].padEnd(12)}  ${p.id.padEnd(width)}  ${oneLine(p.title)}`);
  const waiting = unattested.length === 0 ? [] : wrapList(
    `  ${STATE_LABEL.unattested.padEnd(12)}  ${unattested.length} manual promise(s) without an attestation: `, unattested);
  return ['Promises (MET* = met with warnings or waived findings)', ...rows, ...waiting, ''];
}

/** `head` then the items, comma-separated, wrapped at 118 columns under the promise ids above. */
function wrapList(head: string, items: readonly string[]): string[] {
  const lines = [head.trimEnd()];
  items.forEach((item, i) => {
    const text = i < items.length - 1 ? `${item},` : item;
    const last = lines.length - 1;
    if (lines[last]!.length + 1 + text.length <= 118) lines[last] += ` ${text}`;
    else lines.push(`${' '.repeat(16)}${text}`);
  });
  return lines;
}

/** The width of the check-id column, from the check list (known before the first domain: results only name listed checks). */
export function textIdWidth(header: Pick<ReportHeader, 'checks'>): number {
  return Math.max(8, ...header.checks.map((c) => c.id.length));
}

/** The title, the times and the promises: known only when the scan has ended. */
export function textHead(header: ReportHeader): string {
  const head = `Vouch ${header.tool.version} scan ${header.runId}${header.status === 'interrupted' ? ' (INTERRUPTED)' : ''}`;
  const lines = [head, `${header.startedAt} .. ${header.finishedAt} (${header.durationMs} ms)`, '', ...promiseBlock(header.promises ?? [])];
  return lines.map((l) => `${l}\n`).join('');
}

/** One domain's block: its name, then a line per result. */
export function textDomainBlock(domain: ReportDomain, idWidth: number): string {
  return [oneLine(domain.domain), ...domainRows(domain.results, idWidth)].map((l) => `${l}\n`).join('');
}

/** The totals and what the reader must not miss (expired waivers). */
export function textTotals(header: ReportHeader): string {
  const s = header.summary;
  const waived = s.waived ? `, ${s.waived} waived` : '';
  const totals = `${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.error} error (could not test), ${s.skip} skip${waived}`;
  const expired = (header.waivers ?? []).filter((w) => w.state === 'expired').length;
  const notes = expired ? [`${expired} waiver(s) expired and no longer apply`] : [];
  return ['', totals, ...notes].map((l) => `${l}\n`).join('');
}

/**
 * The terminal summary: promises (when rolled up), one block per domain, one line per check, then the totals. A
 * report written while the scan ran (src/report-live/) is made of the same three pieces, byte for byte.
 */
export const textWriter: ReportWriter = {
  format: 'text',
  extension: 'txt',
  async write(report, out) {
    const idWidth = textIdWidth(report.header);
    await out(textHead(report.header));
    for await (const domain of report.domains()) await out(textDomainBlock(domain, idWidth));
    await out(textTotals(report.header));
  },
};
