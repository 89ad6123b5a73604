import type { ReportDomain, ReportResult, ReportWriter } from './types.ts';

/** The columns, in order: what checkdmarc and testssl.sh users filter and pivot on. docs/report-formats.md describes them. */
export const CSV_COLUMNS = ['domain', 'check', 'status', 'reason', 'since', 'promise'] as const;

/**
 * A spreadsheet treats a cell starting with one of these as a formula (`=HYPERLINK(...)`, `+cmd|...`, `@SUM(...)`),
 * and summaries and domain names come from the network and the config. Such a cell gets a leading apostrophe, the
 * OWASP "CSV injection" guard: spreadsheets show the text as text, and a reader of the raw file sees why it is there.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell: formula guard first, then RFC 4180 quoting (quotes doubled) when it holds a quote, comma, CR or LF, or a
 * semicolon: RFC 4180 allows quoting any cell, and spreadsheets set to split at semicolons (the list separator in
 * Dutch and German locales) then keep the cell whole too.
 */
export function csvCell(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The `reason` cell: why the result has its status, in words. Errors and skips lead with their reason code
 * (`timeout: ...`) so a filter on the code works; a waived result says what it was, until when, by whom and why.
 */
export function csvReason(r: ReportResult): string {
  switch (r.status) {
    case 'error':
    case 'skip': return `${r.reason}: ${r.summary}`;
    case 'waived': return `${r.originalStatus} waived until ${r.waiver.expires} (${r.waiver.owner}: ${r.waiver.reason}): ${r.summary}`;
    default: return r.summary;
  }
}

/**
 * One row per result, so counting rows counts results (a row per promise would count a result once per promise it
 * evidences); a result's promises share its `promise` cell, joined with `;`.
 */
function row(r: ReportResult): string {
  return `${[r.domain, r.checkId, r.status, csvReason(r), r.since ?? '', r.promises.join(';')].map(csvCell).join(',')}\r\n`;
}

/** The header row: the file's start, known before any domain. */
export const CSV_HEADER_ROW = `${CSV_COLUMNS.join(',')}\r\n`;

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
