import { resolve } from 'node:path';
import { PROMETHEUS_PER_RESULT, type PrometheusPerResult } from '../../reports/types.ts';
import { allowedKeys } from './definition/index.ts';
import { checkKeys, readMapping, readString, type Problems } from './fields.ts';

export type PrometheusConfig = {
  /** `prometheus.textfile`, absolute (relative to the configuration's directory); absent: no such file is written. */
  readonly textfile?: string;
  /** `prometheus.perResult`: which results get a series of their own (default `findings`). */
  readonly perResult: PrometheusPerResult;
};

const isPerResult = (value: string): value is PrometheusPerResult => (PROMETHEUS_PER_RESULT as readonly string[]).includes(value);

/** The `prometheus:` mapping: the node_exporter textfile-collector file and how many series the metrics hold. */
export function readPrometheus(value: unknown, baseDir: string, problems: Problems): PrometheusConfig {
  const node = readMapping(value, 'prometheus', problems) ?? {};
  checkKeys(node, 'prometheus', allowedKeys('prometheus'), problems);
  const file = readString(node['textfile'], 'prometheus.textfile', problems);
  const perResult = readString(node['perResult'], 'prometheus.perResult', problems) ?? 'findings';
  if (!isPerResult(perResult)) problems.push(`prometheus.perResult: expected one of ${PROMETHEUS_PER_RESULT.join(', ')}, got "${perResult}"`);
  return { ...(file === undefined ? {} : { textfile: resolve(baseDir, file) }), perResult: isPerResult(perResult) ? perResult : 'findings' };
}
