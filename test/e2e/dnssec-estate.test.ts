import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allResults } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { startDnsServer, type DnsServer } from '../../src/lab/dns-server.ts';
import { startEstate, type Estate, type SiteSpec } from '../../src/lab/estate.ts';
import { runCli, type CliRun } from '../support/cli.ts';
import { scanLab, type LabScan } from '../support/lab-scan.ts';

/**
 * Vouch's validation wired into the mail and DANE checks, through the CLI against the estate, whose DNS is really
 * signed for `ad` names (src/lab/dnssec/lab-mirror.ts): an MX host in a signed zone and one in an unsigned zone,
 * TLSA that is secure and TLSA that is not, a zone whose signatures are broken, a name the server stops answering
 * for, and a resolver that cannot serve DNSSEC records at all.
 */

const SITES: SiteSpec[] = [
  { domain: 'signed.wire.test', records: { ad: true }, mail: { dane: true } },
  // The same DANE records, but the zone is an unsigned delegation: senders ignore its TLSA.
  { domain: 'plain.wire.test', records: { ad: false }, mail: { dane: true } },
  { domain: 'bogus.wire.test', records: { ad: true, bogus: true } },
  { domain: 'silent.wire.test', records: { ad: true, silent: true } },
];
const CHECKS = ['dns.dnssec', 'mail.dnssec-mx', 'mail.dane'];

let estate: Estate;
let scan: LabScan;
let stripping: DnsServer;
let strippedRun: CliRun;
let stripped: ScanReport;

beforeAll(async () => {
  estate = await startEstate(SITES);
  // A lab server without the signed copy: it strips every DNSSEC record, as a resolver that ignores DO does.
  stripping = await startDnsServer({ zone: { 'one.strip.test': { ad: true, A: ['127.0.0.1'] }, 'two.strip.test': { ad: true, A: ['127.0.0.1'] } } });
  const dir = mkdtempSync(join(tmpdir(), 'vouch-dnssec-estate-'));
  writeFileSync(join(dir, 'anchors.txt'), estate.dnssecAnchorsText);
  [scan, strippedRun] = await Promise.all([
    scanLab(estate, { domains: SITES.map((s) => s.domain), checks: CHECKS, timeoutMs: 400 }),
    runCli(['scan', 'one.strip.test', 'two.strip.test', '--only', 'dns.dnssec', '--resolver', `127.0.0.1:${stripping.port}`,
      '--trust-anchors', join(dir, 'anchors.txt'), '--format', 'json', '--log-level', 'warn']),
  ]);
  stripped = JSON.parse(strippedRun.stdout) as ScanReport;
}, 60_000);
afterAll(async () => { await Promise.all([estate?.close(), stripping?.close()]); });

describe('DNSSEC validated by Vouch in the mail and DANE checks', () => {
  it.each([
    ['signed.wire.test', 'dns.dnssec', 'pass', 'DNSSEC-signed and validates'],
    ['signed.wire.test', 'mail.dnssec-mx', 'pass', 'mx.signed.wire.test: the MX host\'s zone is DNSSEC-signed and validates'],
    ['signed.wire.test', 'mail.dane', 'pass', 'TLSA DANE-EE(3) SPKI(1) SHA2-256(1) matches the leaf'],
    ['plain.wire.test', 'dns.dnssec', 'fail', 'plain.wire.test is not DNSSEC-signed (unsigned-delegation)'],
    ['plain.wire.test', 'mail.dnssec-mx', 'fail', 'mx.plain.wire.test: the MX host\'s zone is not DNSSEC-signed (unsigned-delegation)'],
    ['plain.wire.test', 'mail.dane', 'fail', 'are not DNSSEC-signed (unsigned-delegation'],
    ['bogus.wire.test', 'dns.dnssec', 'fail', 'DNSSEC-bogus (bad-signature)'],
    ['silent.wire.test', 'dns.dnssec', 'error', 'could not validate DNSSEC for silent.wire.test (fetch-failed)'],
  ])('%s %s -> %s', (domain, check, status, summary) => {
    expect(scan.result(domain, check)).toMatchObject({ status, summary: expect.stringContaining(summary) });
  });

  it('says which question could not be fetched', () => {
    expect(scan.result('silent.wire.test', 'dns.dnssec')).toMatchObject({ reason: 'dns-failure', summary: expect.stringContaining('silent.wire.test. SOA') });
  });

  it('a resolver that strips DNSSEC records: error (client-limitation) on every domain, said once in the log', () => {
    for (const domain of ['one.strip.test', 'two.strip.test']) {
      const result = allResults(stripped).find((r) => r.domain === domain && r.checkId === 'dns.dnssec');
      expect(result).toMatchObject({ status: 'error', reason: 'client-limitation', summary: expect.stringContaining('resolver-no-dnssec') });
    }
    expect(strippedRun.stderr.match(/cannot serve DNSSEC records/g), strippedRun.stderr).toHaveLength(1);
    expect(strippedRun.code).toBe(2); // could not test: no finding
  });
});
