import type { Baseline } from '../reports/baseline.ts';
import type { ScanReport } from '../reports/types.ts';
import { sealReport } from './compliance/integrity.ts';
import { journalReport } from './runner/journal-report.ts';
import { discardTemporaryJournal, runScan, type ScanOptions, type ScanRun } from './scan.ts';

/**
 * A scan and its whole report in memory, sealed: for tests and programs that scan a handful of domains. The CLI
 * never does this; it streams every report from the journal (src/cli/commands/scan.ts), whatever the estate's size.
 */
export async function scanReport(options: ScanOptions & { readonly baseline?: Baseline | null }): Promise<{ report: ScanReport; run: ScanRun }> {
  const run = await runScan(options);
  try {
    const stream = await journalReport(run.journalPath, { config: options.config, checks: options.checks, baseline: options.baseline ?? null });
    try {
      const domains = [];
      for await (const domain of stream.domains()) domains.push(domain);
      return { report: sealReport({ ...stream.header, domains }, options.config.compliance.signingKeyPem ?? undefined), run };
    } finally {
      await stream.close();
    }
  } finally {
    await discardTemporaryJournal(run);
  }
}
