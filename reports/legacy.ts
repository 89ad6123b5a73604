import type { Json } from '../src/core/types.ts';
import type { ReportDomain, ReportResult } from './types.ts';

/**
 * A schema-1 report's flat `results` and global `artifacts` as schema-2 domain entries, so old reports still serve
 * as baselines and in `vouch diff`: the listed domains first, in their order, then any other domain a result names;
 * each entry holds the artifacts its own results reference. Null when the report has no results array.
 */
export function groupLegacyReport(report: Readonly<Record<string, unknown>>): ReportDomain[] | null {
  const results = report['results'];
  if (!Array.isArray(results)) return null;
  const artifacts = (report['artifacts'] ?? {}) as Readonly<Record<string, Json>>;
  const byDomain = new Map<string, ReportResult[]>();
  for (const domain of Array.isArray(report['domains']) ? report['domains'] : []) {
    if (typeof domain === 'string' && !byDomain.has(domain)) byDomain.set(domain, []);
  }
  for (const result of results as ReportResult[]) {
    let list = byDomain.get(result.domain);
    if (!list) byDomain.set(result.domain, (list = []));
    list.push(result);
  }
  return [...byDomain].map(([domain, list]) => {
    const keys = [...new Set(list.flatMap((r) => (Array.isArray(r.artifacts) ? r.artifacts : [])))].sort();
    const own = Object.fromEntries(keys.filter((key) => Object.hasOwn(artifacts, key)).map((key) => [key, artifacts[key]!]));
    return { domain, results: list, artifacts: own };
  });
}
