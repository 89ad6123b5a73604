import { describe, expect, it } from 'vitest';
import { ALL_DEMO_SITES as DEMO_SITES, unexpectedResults } from '../../src/cli/commands/demo.ts';
import { allResults } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli } from '../support/cli.ts';

describe('vouch demo', () => {
  it('scans every demo domain on loopback and shows exactly the findings each is built for', async () => {
    const run = await runCli(['demo', '--format', 'json', '--log-level', 'silent']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ScanReport;
    expect(report.domains.map((d) => d.domain)).toEqual(DEMO_SITES.map((s) => s.domain));
    expect(unexpectedResults(allResults(report))).toEqual([]);
    expect(report.summary.fail).toBeGreaterThan(0);
    expect(run.stderr).toContain('Every demo domain showed exactly the findings it is there to show.');
    for (const site of DEMO_SITES) expect(run.stderr).toContain(site.shows);
  }, 60_000);

  it('prints the text summary by default', async () => {
    const run = await runCli(['demo', '--log-level', 'silent']);
    expect(run.stdout).toMatch(/FAIL +tls\.certificate-expiry +certificate expired/);
    expect(run.stdout).toContain('"vouch scan" on these results would exit 1');
  }, 60_000);
});
