import { csvWriter } from './csv.ts';
import { htmlWriter } from './html.ts';
import { jsonWriter } from './json.ts';
import { junitWriter } from './junit.ts';
import { prometheusWriter } from './prometheus.ts';
import { textWriter } from './text.ts';
import type { ReportWriter } from './types.ts';

import type { ReportFormat } from '../src/core/types.ts';

export { REPORT_FORMATS, type ReportFormat } from '../src/core/types.ts';

/**
 * The writers by format. Typed for both uses: a known format (`WRITERS.text`) is always there, while a format read
 * from the command line (`WRITERS[name]`) may be undefined and must be checked.
 */
export const WRITERS: Readonly<Record<ReportFormat, ReportWriter>> & Readonly<Record<string, ReportWriter>> = {
  json: jsonWriter,
  text: textWriter,
  html: htmlWriter,
  junit: junitWriter,
  prometheus: prometheusWriter,
  csv: csvWriter,
};
