import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDnssec } from '../../src/lab/dnssec/lab-mirror.ts';
import { startDnsServer, TIMEOUT } from '../../src/lab/dns-server.ts';
import type { DnsServer, Zone } from '../../src/lab/dns-server.ts';
import { allResults } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli, type CliRun } from '../support/cli.ts';

/**
 * Issue 8's DNS items, as Vouch validates DNSSEC itself (issue 13), through the CLI against the loopback lab
 * resolver. `ad` names are really signed (src/lab/dnssec/lab-mirror.ts), `bogus` ones have broken signatures; what
 * the resolver cannot answer (a loop, a referral, silence, a chain longer than the validator follows) is "could not
 * test", never a verdict on the domain.
 */
const SOA = [{ mname: 'ns1.honest.test', rname: 'hostmaster.honest.test', serial: 1 }];
const zone: Zone = {
  'signed.honest.test': { ad: true, SOA, A: ['192.0.2.1'] },
  'unsigned.honest.test': { SOA, A: ['192.0.2.2'] },
  'loop.honest.test': { ad: true, CNAME: 'loop2.honest.test' },
  'loop2.honest.test': { ad: true, CNAME: 'loop.honest.test' },
  'referral.honest.test': { referral: ['ns1.elsewhere.test', 'ns2.elsewhere.test'] },
  'bogus.honest.test': { bogus: true, SOA, A: ['192.0.2.3'] },
  'timeout.honest.test': { ad: true, SOA: TIMEOUT, A: ['192.0.2.4'] },
};
// A 20-link chain, signed: more CNAME links than the validator follows (MAX_CNAME_LINKS, 8).
for (let i = 0; i < 20; i++) zone[`c${i}.chain.honest.test`] = { ad: true, CNAME: `c${i + 1}.chain.honest.test` };
zone['c20.chain.honest.test'] = { ad: true, SOA, A: ['192.0.2.20'] };
const CHAIN = 'c0.chain.honest.test';

let dns: DnsServer;
let run: CliRun;
let report: ScanReport;

beforeAll(async () => {
  const dnssec = labDnssec();
  dns = await startDnsServer({ zone, dnssec });
  const dir = mkdtempSync(join(tmpdir(), 'vouch-honest-'));
  writeFileSync(join(dir, 'anchors.txt'), dnssec.anchorsText);
  const domains = [...Object.keys(zone).filter((d) => !d.startsWith('c') && d !== 'loop2.honest.test'), CHAIN];
  run = await runCli(['scan', ...domains, '--only', 'dns.dnssec', '--resolver', `127.0.0.1:${dns.port}`, '--timeout', '1000',
    '--trust-anchors', join(dir, 'anchors.txt'), '--format', 'json', '--log-level', 'silent']);
  report = JSON.parse(run.stdout) as ScanReport;
}, 60_000);
afterAll(async () => { await dns?.close(); });

const result = (domain: string) => {
  const found = allResults(report).find((r) => r.domain === domain && r.checkId === 'dns.dnssec');
  if (!found) throw new Error(`no dns.dnssec result for ${domain}: ${run.stderr}`);
  return found;
};

describe('dns.dnssec through the CLI: honest verdicts', () => {
  it.each([
    ['signed.honest.test', 'pass', undefined, 'DNSSEC-signed and validates'],
    ['unsigned.honest.test', 'fail', undefined, 'not DNSSEC-signed (unsigned-delegation)'],
    ['bogus.honest.test', 'fail', undefined, 'DNSSEC-bogus (bad-signature)'],
    ['loop.honest.test', 'error', 'dns-failure', 'CNAME loop'],
    ['referral.honest.test', 'error', 'dns-failure', 'referral: the resolver did not recurse'],
    ['timeout.honest.test', 'error', 'dns-failure', 'could not ask timeout.honest.test. SOA'],
    [CHAIN, 'error', 'client-limitation', 'more than 8 CNAME links'],
  ])('%s -> %s %s', (domain, status, reason, summary) => {
    const r = result(domain);
    expect(r, JSON.stringify(r)).toMatchObject({ status, summary: expect.stringContaining(summary), ...(reason ? { reason } : {}) });
  });

  it('exits 1: there are findings', () => {
    expect(run.code, run.stderr).toBe(1);
  });
});
