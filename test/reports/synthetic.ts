import { open } from 'node:fs/promises';
import type { ReportDomain, ReportHeader, ReportResult, ReportStream, ReportWriter } from '../../reports/types.ts';
import { SCHEMA_VERSION } from '../../reports/types.ts';

/**
 * Reports of any size without a scan: each domain's entry is made when the stream reaches it, so a test can write
 * a report far larger than it could hold. Deterministic: the same arguments give the same bytes.
 */

const STATUSES = ['pass', 'warn', 'fail', 'error', 'skip'] as const;

function syntheticResult(domain: string, d: number, c: number): ReportResult {
  const base = {
    checkId: `synthetic.check-${c}`, title: `Synthetic check ${c}`, domain, promises: ['transport-encryption'],
    startedAt: '2026-06-01T02:00:00.000Z', durationMs: (d + c) % 97, artifacts: c === 0 ? [`dns:A:${domain}`] : [],
  };
  const status = STATUSES[(d * 7 + c) % STATUSES.length]!;
  switch (status) {
    case 'pass': return { ...base, status, summary: `ok on ${domain}`, evidence: { address: `192.0.2.${c}`, daysLeft: 40 + c, leaf: { notAfter: '2026-09-01T00:00:00Z' } } };
    case 'warn': case 'fail': return { ...base, status, summary: `${status}, "quoted", on ${domain}`, evidence: { header: [`max-age=${c}`] }, remediation: 'fix it' };
    case 'error': return { ...base, status, summary: 'timed out', reason: 'timeout' };
    case 'skip': return { ...base, status, summary: 'not configured', reason: 'not-configured' };
  }
}

/** A domain whose results carry as little as a result can: for tests where only the count of lines matters. */
export function leanDomain(d: number, checks: number): ReportDomain {
  const domain = `d${d}.example`;
  const results = Array.from({ length: checks }, (_, c): ReportResult => ({
    checkId: `c.c${c}`, title: 't', domain, promises: [], startedAt: '2026-06-01T02:00:00.000Z', durationMs: c, artifacts: [],
    status: 'pass', summary: 'ok', evidence: {},
  }));
  return { domain, results, artifacts: {} };
}

export function syntheticDomain(d: number, checks: number): ReportDomain {
  const domain = `d${d}.example`;
  const results = Array.from({ length: checks }, (_, c) => syntheticResult(domain, d, c));
  return { domain, results, artifacts: { [`dns:A:${domain}`]: { records: [`192.0.2.${d % 250}`] } } };
}

/** A header consistent with the stream (the summary counts its results). */
export function syntheticHeader(domains: number, checks: number): ReportHeader {
  const summary = { pass: 0, warn: 0, fail: 0, error: 0, skip: 0 };
  for (let d = 0; d < domains; d++) for (let c = 0; c < checks; c++) summary[STATUSES[(d * 7 + c) % STATUSES.length]!]++;
  return {
    schemaVersion: SCHEMA_VERSION, tool: { name: 'vouch', version: '0.1.0' }, runId: '00000000-0000-4000-8000-000000000000',
    status: 'complete', startedAt: '2026-06-01T02:00:00.000Z', finishedAt: '2026-06-01T03:00:00.000Z', durationMs: 3_600_000,
    config: { source: null, digest: `sha256:${'0'.repeat(64)}` }, resolvers: ['127.0.0.1:53'],
    checks: Array.from({ length: checks }, (_, c) => ({ id: `synthetic.check-${c}`, title: `Synthetic check ${c}`, promises: ['transport-encryption'], scope: 'web' as const })),
    summary,
  };
}

export function syntheticStream(domains: number, checks: number, options: { signingKeyPem?: string; lean?: boolean } = {}): ReportStream {
  const make = options.lean ? leanDomain : syntheticDomain;
  return {
    header: syntheticHeader(domains, checks),
    async *domains() {
      for (let d = 0; d < domains; d++) yield make(d, checks);
    },
    ...(options.signingKeyPem === undefined ? {} : { signingKeyPem: options.signingKeyPem }),
  };
}

/** Writes one format to a file in chunks, awaiting each write, as the CLI does. */
export async function writeReportFile(path: string, writer: ReportWriter, stream: ReportStream): Promise<void> {
  const file = await open(path, 'w');
  try {
    await writer.write(stream, async (chunk) => {
      await file.write(chunk);
    });
  } finally {
    await file.close();
  }
}
