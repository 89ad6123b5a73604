import type { ScanReport } from '../../reports/types.ts';

/**
 * A schema-2 report in the schema-1 shape (flat results, one artifacts map, domain names), unsealed: what the jq
 * program in docs/report-schema.md produces, and what old reports on disk look like.
 */
export function toSchema1(report: ScanReport): Record<string, unknown> {
  const { domains, digest: _d, signature: _s, resumed: _r, promises, waivers, baseline, ...header } = report;
  const artifacts = Object.fromEntries(domains.flatMap((d) => Object.entries(d.artifacts)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    ...header, schemaVersion: 1, domains: domains.map((d) => d.domain), results: domains.flatMap((d) => d.results), artifacts,
    ...(promises ? { promises } : {}), ...(waivers ? { waivers } : {}), ...(baseline ? { baseline } : {}),
  };
}
