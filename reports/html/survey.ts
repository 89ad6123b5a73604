import { createPublicKey } from 'node:crypto';
import { createReportDigest, publicKeyFingerprint, signingKey } from '../../src/compliance/integrity.ts';
import { domainTexts } from '../json.ts';
import { REPORT_STATUSES, type ReportStatus, type ReportStream } from '../types.ts';
import { FirstNames, zeroCounts } from './bounded.ts';
import { ChangeLog, type ChangeOverview } from './changes.ts';
import { ExpiryTimeline, type ExpiryOverview } from './expiry.ts';
import { MatrixSelection, matrixRow, promiseColumns, type MatrixRows, type PromiseColumn } from './matrix.ts';
import { PromiseFindings } from './promises.ts';
import { severity, tone } from './status.ts';

/** How much each overview holds at most, whatever the size of the estate. */
export const LIMITS = { scopeNames: 100, matrixRows: 60, certificates: 100, changes: 100 } as const;

/** The JSON report's seal, recomputed here so the page names the digest it corresponds to. */
export type Seal = { readonly digest: string; readonly publicKeyFingerprint: string | null };

/** Everything the top of the page shows, from one pass over the domains; every member is bounded (see LIMITS). */
export type Survey = {
  readonly seal: Seal;
  readonly domainCount: number;
  /** The first LIMITS.scopeNames domains, for the scope line and the table of contents. */
  readonly names: FirstNames;
  readonly columns: readonly PromiseColumn[];
  readonly matrix: MatrixRows;
  /** Domains counted by their worst result (a domain without results counts as skip). */
  readonly domainsByWorst: Readonly<Record<ReportStatus, number>>;
  readonly findings: PromiseFindings;
  readonly certificates: ExpiryOverview;
  readonly changes: ChangeOverview | null;
};

/**
 * The first of the writer's two passes: the digest and scope for the header, and the bounded overviews (matrix,
 * charts, expiry timeline, changes, failing domains per promise) that must precede the domain sections. Holds one
 * domain at a time plus those bounded summaries; the second pass writes the sections.
 */
export async function survey(report: ReportStream): Promise<Survey> {
  const h = report.header;
  const key = report.signingKeyPem === undefined ? null : signingKey(report.signingKeyPem);
  const digest = createReportDigest(h);
  const names = new FirstNames(LIMITS.scopeNames);
  const columns = promiseColumns(h);
  const matrix = new MatrixSelection(LIMITS.matrixRows);
  const domainsByWorst = zeroCounts(REPORT_STATUSES);
  const findings = new PromiseFindings();
  const certificates = new ExpiryTimeline(LIMITS.certificates);
  const changes = new ChangeLog(h, LIMITS.changes);
  for await (const entry of report.domains()) {
    const { domain, results } = entry;
    digest.addCanonical(domainTexts(entry).canonical);
    names.add(domain);
    matrix.add(matrixRow(domain, results, columns), results);
    const worst = results.reduce<ReportStatus>((w, r) => (severity(r.status) > severity(w) ? tone(r.status) : w), 'skip');
    domainsByWorst[worst]++;
    findings.add(domain, results);
    certificates.add(results);
    changes.add(results);
  }
  return {
    seal: { digest: digest.finish(), publicKeyFingerprint: key && publicKeyFingerprint(createPublicKey(key)) },
    domainCount: names.total, names, columns, matrix: matrix.finish(), domainsByWorst, findings,
    certificates: certificates.finish(), changes: changes.finish(),
  };
}
