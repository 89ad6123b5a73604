import type { Json } from '../src/core/types.ts';
import { baselineOfEntries, type Baseline } from './baseline.ts';
import type { ReportHeader, ReportResult, ReportStream, ReportWriter, ScanReport } from './types.ts';

/**
 * Small reports held in memory, for tests and library users: the scan itself streams from its journal and never
 * builds a ScanReport of a large estate.
 */

/** The header of an in-memory report: everything but its domains and its seal. */
export function headerOf(report: ScanReport): ReportHeader {
  const { domains: _domains, digest: _digest, signature: _signature, ...header } = report;
  return header;
}

/** A report as a stream (re-iterable), to hand to any writer. */
export function streamOf(report: ScanReport, signingKeyPem?: string): ReportStream {
  return {
    header: headerOf(report),
    async *domains() {
      yield* report.domains;
    },
    ...(signingKeyPem === undefined ? {} : { signingKeyPem }),
  };
}

/** A writer's whole output as one string. */
export async function renderReport(writer: ReportWriter, report: ScanReport | ReportStream, signingKeyPem?: string): Promise<string> {
  const stream = typeof report.domains === 'function' ? report as ReportStream : streamOf(report as ScanReport, signingKeyPem);
  const chunks: string[] = [];
  await writer.write(stream, (chunk) => { chunks.push(chunk); });
  return chunks.join('');
}

/** Every result of a report, in report order (domain by domain). */
export function allResults(report: ScanReport): ReportResult[] {
  return report.domains.flatMap((d) => d.results);
}

/** A raw probe fact a domain's results reference; undefined when that domain has none under the key. */
export function artifactOf(report: ScanReport, domain: string, key: string): Json | undefined {
  const entry = report.domains.find((d) => d.domain === domain);
  return entry && Object.hasOwn(entry.artifacts, key) ? entry.artifacts[key] : undefined;
}

/** An in-memory report as a Baseline, for `since` and `diffReports` without a file. */
export function baselineOf(report: ScanReport): Baseline {
  const { runId, startedAt, schemaVersion, status } = report;
  return baselineOfEntries({ runId, startedAt, schemaVersion, status }, report.domains);
}
