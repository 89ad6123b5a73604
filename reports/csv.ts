import type { ReportDomain, ReportResult, ReportWriter } from './types.ts';

const COLUMNS = ['domain', 'checkId', 'status', 'reason', 'originalStatus', 'summary', 'since', 'startedAt', 'durationMs', 'promises'] as const;

/**
 * A spreadsheet treats a cell starting with one of these as a formula (`=HYPERLINK(...)`, `+cmd|...`, `@SUM(...)`),
 * and summaries and domain names come from the network and the config. Such a cell gets a leading apostrophe, the
 * OWASP "CSV injection" guard: spreadsheets show the text as text, and a reader of the raw file sees why it is there.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: formula guard first, then RFC 4180 quoting when it holds a quote, comma, CR or LF (quotes doubled). */
export function csvCell(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function row(r: ReportResult): string {
  const reason = r.status === 'error' || r.status === 'skip' ? r.reason : '';
  const original = r.status === 'waived' ? r.originalStatus : '';
  const cells = [r.domain, r.checkId, r.status, reason, original, r.summary, r.since ?? '', r.startedAt].map(csvCell);
  return `${cells.join(',')},${r.durationMs},${csvCell(r.promises.join(' '))}\r\n`;
}

/** The header row: the file's start, known before any domain. */
export const CSV_HEADER_ROW = `${COLUMNS.join(',')}\r\n`;

/** One domain's rows. */
export function csvRows(domain: ReportDomain): string {
  return domain.results.map(row).join('');
}

/**
 * One row per result, for spreadsheets and ad-hoc analysis: RFC 4180 (comma, CRLF, header row), UTF-8. Nothing
 * depends on the end of the scan, so src/report-live/ writes the same bytes while the scan runs.
 */
export const csvWriter: ReportWriter = {
  format: 'csv',
  extension: 'csv',
  async write(report, out) {
    await out(CSV_HEADER_ROW);
    for await (const domain of report.domains()) await out(csvRows(domain));
  },
};
