import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, TIMEOUT } from '../../src/lab/dns-server.ts';
import type { DnsServer, Zone } from '../../src/lab/dns-server.ts';
import { allResults } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli, type CliRun } from '../support/cli.ts';

/**
 * Issue 8, DNS items, through the CLI against the loopback lab resolver. The zone has no root: a check that asked for
 * anything outside the scanned domains would get NXDOMAIN. `ad` stands for a validated answer, `signed` for RRSIGs
 * passed along; `v.honest.test` plays a signed, validated parent and `n.honest.test` a signed one the resolver does
 * not validate (a DS question takes its DNSSEC flags from the parent, RFC 4034 5).
 */
const SOA = [{ mname: 'ns1.honest.test', rname: 'hostmaster.honest.test', serial: 1 }];
const zone: Zone = {
  'signed.honest.test': { ad: true, SOA, A: ['192.0.2.1'] },
  'unsigned.honest.test': { SOA, A: ['192.0.2.2'] },
  'loop.honest.test': { CNAME: 'loop2.honest.test' },
  'loop2.honest.test': { CNAME: 'loop.honest.test' },
  'referral.honest.test': { referral: ['ns1.elsewhere.test', 'ns2.elsewhere.test'] },
  'bogus.honest.test': { bogus: true, signed: true, SOA, A: ['192.0.2.3'] },
  'timeout.honest.test': { SOA: TIMEOUT, A: ['192.0.2.4'] },
  'v.honest.test': { ad: true, SOA },
  'island.v.honest.test': { signed: true, SOA, A: ['192.0.2.5'] },
  'n.honest.test': { signed: true, SOA },
  'plain-resolver.n.honest.test': { signed: true, SOA, A: ['192.0.2.6'], DS: [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'ab' }] },
};
// A 20-link chain, longer than the lab's 16 links per answer: the client must ask for the rest itself.
for (let i = 0; i < 20; i++) zone[`c${i}.chain.honest.test`] = { ad: true, CNAME: `c${i + 1}.chain.honest.test` };
zone['c20.chain.honest.test'] = { ad: true, SOA, A: ['192.0.2.20'] };
const CHAIN = 'c0.chain.honest.test';

let dns: DnsServer;
let run: CliRun;
let report: ScanReport;

beforeAll(async () => {
  dns = await startDnsServer({ zone });
  const domains = [...Object.keys(zone).filter((d) => !d.startsWith('c') && !['loop2.honest.test', 'v.honest.test', 'n.honest.test'].includes(d)), CHAIN];
  run = await runCli(['scan', ...domains, '--only', 'dns.dnssec', '--resolver', `127.0.0.1:${dns.port}`, '--timeout', '1000',
    '--format', 'json', '--log-level', 'silent']);
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
    ['signed.honest.test', 'pass', undefined],
    ['unsigned.honest.test', 'fail', undefined],
    [CHAIN, 'pass', undefined],
    ['bogus.honest.test', 'fail', undefined],
    ['island.v.honest.test', 'fail', undefined],
    ['loop.honest.test', 'error', 'protocol'],
    ['referral.honest.test', 'error', 'dns-failure'],
    ['timeout.honest.test', 'error', 'timeout'],
    ['plain-resolver.n.honest.test', 'error', 'client-limitation'],
  ])('%s -> %s %s', (domain, status, reason) => {
    const r = result(domain);
    expect(r.status, JSON.stringify(r)).toBe(status);
    if (reason) expect(r).toMatchObject({ reason });
  });

  it('exits 1: there are findings', () => {
    expect(run.code, run.stderr).toBe(1);
  });

  it('never asks outside the scanned names (no root SOA)', () => {
    expect(result('signed.honest.test').summary).toBe(`signed.honest.test is DNSSEC-validated according to resolver 127.0.0.1:${dns.port} (AD set on SOA and A)`);
  });

  it('follows the 20-link chain to its end and keeps it as evidence', () => {
    expect(result(CHAIN).evidence).toMatchObject({ answers: [{ type: 'SOA', cnames: expect.arrayContaining(['c20.chain.honest.test']) }, { type: 'A' }] });
    expect((result(CHAIN).evidence as { answers: { cnames: string[] }[] }).answers[1]!.cnames).toHaveLength(20);
  });

  it('names the loop, the referral and the bogus evidence', () => {
    expect(result('loop.honest.test').summary).toContain('CNAME loop');
    expect(result('loop.honest.test').summary).toContain('loop.honest.test -> loop2.honest.test -> loop.honest.test');
    expect(result('referral.honest.test').summary).toContain('referral: the resolver did not recurse');
    expect(result('bogus.honest.test')).toMatchObject({
      summary: expect.stringContaining('DNSSEC-bogus'),
      evidence: { bogus: [{ type: 'SOA', validated: expect.stringContaining('SERVFAIL'), checkingDisabled: { result: 'records', checkingDisabled: true } }, { type: 'A' }] },
    });
    expect(result('island.v.honest.test').summary).toContain('the parent has no DS record for it');
    expect(result('plain-resolver.n.honest.test').summary).toContain('does not validate DNSSEC');
  });
});
