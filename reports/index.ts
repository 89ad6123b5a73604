import { jsonWriter } from './json.ts';
import { textWriter } from './text.ts';
import type { ReportWriter } from './types.ts';

/** Every output format by name; `--format` picks from these. */
export const WRITERS: Readonly<Record<string, ReportWriter>> = {
  json: jsonWriter,
  text: textWriter,
};
