import type { CheckResult, Status } from '../src/core/types.ts';
import type { ReportWriter, ScanReport } from './types.ts';

const LABEL: Record<Status, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR', skip: 'SKIP' };

function line(r: CheckResult, idWidth: number): string {
  const detail = r.status === 'error' ? `${r.reason}: ${r.summary}` : r.summary;
  return `  ${LABEL[r.status].padEnd(5)}  ${r.checkId.padEnd(idWidth)}  ${oneLine(detail)}`;
}

/** Network text may hold control characters; a report line must not be able to move the cursor or forge lines. */
function oneLine(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
  return clean.length > 160 ? `${clean.slice(0, 157)}...` : clean;
}

/** The terminal summary: one block per domain, one line per check, then the totals. */
export const textWriter: ReportWriter = {
  format: 'text',
  extension: 'txt',
  render(report: ScanReport): string {
    const idWidth = Math.max(8, ...report.results.map((r) => r.checkId.length));
    const blocks = report.domains.map((domain) => {
      const rows = report.results.filter((r) => r.domain === domain).map((r) => line(r, idWidth));
      return [domain, ...rows].join('\n');
    });
    const s = report.summary;
    const totals = `${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.error} error (could not test), ${s.skip} skip`;
    const head = `Vouch ${report.tool.version} scan ${report.runId}${report.status === 'interrupted' ? ' (INTERRUPTED)' : ''}`;
    return [head, `${report.startedAt} .. ${report.finishedAt} (${report.durationMs} ms)`, '', ...blocks, '', totals, ''].join('\n');
  },
};
