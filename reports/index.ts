import type { ReportWriter } from './types.ts';

import { REPORT_FORMATS, type ReportFormat } from '../src/core/types.ts';

export { REPORT_FORMATS, type ReportFormat } from '../src/core/types.ts';

/**
 * The writers by format, each loaded when a run first asks for it: a scan that writes only the live JSON and text
 * (or a one-check run before an audit) does not pay at start-up for the HTML, JUnit and Prometheus writers.
 */
const WRITER_MODULES: Readonly<Record<ReportFormat, () => Promise<ReportWriter>>> = {
  json: async () => (await import('./json.ts')).jsonWriter,
  text: async () => (await import('./text.ts')).textWriter,
  html: async () => (await import('./html.ts')).htmlWriter,
  junit: async () => (await import('./junit.ts')).junitWriter,
  prometheus: async () => (await import('./prometheus.ts')).prometheusWriter,
  csv: async () => (await import('./csv.ts')).csvWriter,
};

const isReportFormat = (format: string): format is ReportFormat => (REPORT_FORMATS as readonly string[]).includes(format);

/** The writer of a known format. */
export function loadWriter(format: ReportFormat): Promise<ReportWriter>;
/** The writer of a format read from the command line or a config file: undefined for an unknown one. */
export function loadWriter(format: string): Promise<ReportWriter | undefined>;
export async function loadWriter(format: string): Promise<ReportWriter | undefined> {
  return isReportFormat(format) ? WRITER_MODULES[format]() : undefined;
}
