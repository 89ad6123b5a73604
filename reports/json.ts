import type { ReportWriter } from './types.ts';

/** The machine-readable report; its shape is published as reports/schema/report.schema.json. */
export const jsonWriter: ReportWriter = {
  format: 'json',
  extension: 'json',
  render: (report) => `${JSON.stringify(report, null, 2)}\n`,
};
