import { htmlWriter } from './html.ts';
import { jsonWriter } from './json.ts';
import { junitWriter } from './junit.ts';
import { prometheusWriter } from './prometheus.ts';
import { textWriter } from './text.ts';
import type { ReportWriter } from './types.ts';

/** Every output format `--format` accepts, in the order `vouch --help` lists them. */
export const REPORT_FORMATS = ['json', 'text', 'html', 'junit', 'prometheus'] as const;
/** A format name `--format` accepts. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

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
};
