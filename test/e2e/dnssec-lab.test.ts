import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allResults } from '../../reports/memory.ts';
import type { ReportResult, ScanReport } from '../../reports/types.ts';
import { record } from '../../src/lab/dnssec/records.ts';
import { startSignedZoneServer, type SignedZoneServer } from '../../src/lab/dnssec/server.ts';
import { signZone } from '../../src/lab/dnssec/signer.ts';
import { buildDnssecLab } from '../../src/lab/dnssec/zones.ts';
import { cleanupAfterAll } from '../support/cleanup.ts';
import { runCli, type CliRun } from '../support/cli.ts';

/**
 * dns.dnssec through the CLI against the lab's really signed zones (src/lab/dnssec, anchor `test.`, given with
 * --trust-anchors): Vouch's own validation decides, whatever the resolver's AD bit says (the lab sets none).
 */

const { defer } = cleanupAfterAll();
let server: SignedZoneServer;
let run: CliRun;
let report: ScanReport;
let anchorsFile: string;

const DOMAINS = ['secure.test', 'alg15.test', 'nsec3.test', 'insecure.test', 'optout.test', 'expired.test', 'wrongds.test'];

beforeAll(async () => {
  const lab = buildDnssecLab(new Date());
  // An unsigned root, so the CLI's resolver check (`. NS`) finds a resolver that answers.
  server = await startSignedZoneServer([...lab.zones, signZone({ apex: '.', records: [record('.', 'SOA', 'ns1.lab. hostmaster.lab. 1 3600 600 86400 300'), record('.', 'NS', 'ns1.lab.')] })]);
  defer(() => server.close());
  const dir = mkdtempSync(join(tmpdir(), 'vouch-dnssec-lab-'));
  anchorsFile = join(dir, 'anchors.txt');
  writeFileSync(anchorsFile, lab.anchorText);
  run = await runCli(['scan', ...DOMAINS, '--only', 'dns.dnssec', '--resolver', `127.0.0.1:${server.port}`,
    '--trust-anchors', anchorsFile, '--timeout', '1500', '--format', 'json', '--log-level', 'silent']);
  report = JSON.parse(run.stdout) as ScanReport;
}, 60_000);

const result = (domain: string): ReportResult => {
  const found = allResults(report).find((r) => r.domain === domain && r.checkId === 'dns.dnssec');
  if (!found) throw new Error(`no dns.dnssec result for ${domain}: ${run.stderr}`);
  return found;
};
type Validation = { state: string; reason?: string; resolverAuthenticated: boolean | null; failedStep: number | null; steps: { outcome: string; question?: string }[] };
const validations = (domain: string) => (result(domain).evidence as { validations: Validation[] }).validations;

describe('dns.dnssec validated by Vouch, through the CLI', () => {
  it.each([
    ['secure.test', 'pass', 'DNSSEC-signed and validates'],
    ['alg15.test', 'pass', 'DNSSEC-signed and validates'],
    ['nsec3.test', 'pass', 'DNSSEC-signed and validates'],
    ['insecure.test', 'fail', 'not DNSSEC-signed (unsigned-delegation)'],
    ['optout.test', 'fail', 'not DNSSEC-signed (opt-out)'],
    ['expired.test', 'fail', 'DNSSEC-bogus (signature-expired)'],
    ['wrongds.test', 'fail', 'DNSSEC-bogus (no-matching-dnskey)'],
  ])('%s -> %s: %s', (domain, status, summary) => {
    expect(result(domain)).toMatchObject({ status, summary: expect.stringContaining(summary) });
  });

  it('names the trust anchors it started from and keeps the chain, the failed step and the AD bit as evidence', () => {
    expect(result('secure.test').summary).toContain(`from the trust anchors in ${anchorsFile} to SOA and A`);
    const [soa, a] = validations('secure.test');
    expect([soa!.state, a!.state, soa!.failedStep]).toEqual(['secure', 'secure', null]);
    // The lab resolver sets no AD bit: a cross-check only, the verdict is Vouch's.
    expect(soa!.resolverAuthenticated).toBe(false);
    expect(soa!.steps.map((s) => s.question)).toContain('secure.test. DS');
    const expired = validations('expired.test')[0]!;
    expect(expired.steps[expired.failedStep!]).toMatchObject({ outcome: 'failed' });
  });

  it('exits 1: there are findings', () => {
    expect(run.code, run.stderr).toBe(1);
  });
});
