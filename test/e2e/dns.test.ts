import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caaCheck } from '../../checks/dns/caa.ts';
import { dnssecCheck } from '../../checks/dns/dnssec.ts';
import { buildConfig } from '../../src/config/load.ts';
import { startEstate, type Estate, type SiteSpec } from '../../src/lab/estate.ts';
import { selectChecks } from '../../src/runner/select.ts';
import { scanReport } from '../../src/scan-report.ts';
import { allResults, artifactOf } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';

const SOA = [{ mname: 'ns1.dns.test', rname: 'hostmaster.dns.test', serial: 2026060101 }];

/**
 * Five domains on the estate's DNS server, which plays a recursive resolver: `ad: true` stands for a signed zone
 * (really signed for Vouch's validator, src/lab/dnssec/lab-mirror.ts, under the lab root's trust anchor).
 */
const SITES: SiteSpec[] = [
  { domain: 'signed.dns.test', records: { ad: true, SOA, CAA: [{ tag: 'issue', value: 'letsencrypt.org' }, { tag: 'iodef', value: 'mailto:security@signed.dns.test' }] } },
  // CAA on the parent only: RFC 8659 3 finds it by climbing.
  { domain: 'www.parent.dns.test', zone: { 'parent.dns.test': { SOA, CAA: [{ tag: 'issue', value: 'sectigo.com' }, { flags: 0, tag: 'issuewild', value: ';' }] } } },
  { domain: 'nocaa.dns.test', records: { SOA } },
  { domain: 'badcaa.dns.test', records: { ad: true, SOA, CAA: [{ tag: 'issue', value: 'letsencrypt.org.' }] } },
  { domain: 'servfail.dns.test', records: { servfail: true } },
];

let estate: Estate;
let report: ScanReport;

beforeAll(async () => {
  estate = await startEstate(SITES);
  const loaded = await buildConfig({
    domains: SITES.map((s) => s.domain), resolvers: [`127.0.0.1:${estate.dns.port}`], ipFamilies: [4], timeouts: { probeMs: 1500 },
  }, { source: null, baseDir: '/tmp', dnssecAnchors: { text: estate.dnssecAnchorsText, source: 'the lab root anchor' } });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  // Not in checks/index.ts yet: selected from a registry of their own, as `--only dns.*` would select them.
  const selection = selectChecks([dnssecCheck, caaCheck], ['dns.*'], []);
  if (!selection.ok) throw new Error(selection.problems.join('\n'));
  ({ report } = await scanReport({ config: loaded.config, checks: selection.checks, log: pino({ level: 'silent' }) }));
}, 60_000);
afterAll(async () => { await estate?.close(); });

const result = (domain: string, check: string) => allResults(report).find((r) => r.domain === domain && r.checkId === check);
const resolver = () => `127.0.0.1:${estate.dns.port}`;

describe('DNS checks end to end against the lab resolver', () => {
  it.each([
    ['signed.dns.test', 'dns.dnssec', 'pass'], ['www.parent.dns.test', 'dns.dnssec', 'fail'], ['nocaa.dns.test', 'dns.dnssec', 'fail'],
    ['badcaa.dns.test', 'dns.dnssec', 'pass'], ['servfail.dns.test', 'dns.dnssec', 'error'],
    ['signed.dns.test', 'dns.caa', 'pass'], ['www.parent.dns.test', 'dns.caa', 'pass'], ['nocaa.dns.test', 'dns.caa', 'warn'],
    ['badcaa.dns.test', 'dns.caa', 'fail'], ['servfail.dns.test', 'dns.caa', 'error'],
  ])('%s %s -> %s', (domain, check, status) => {
    expect(result(domain, check)?.status, JSON.stringify(result(domain, check))).toBe(status);
  });

  it('validates itself from the trust anchor, keeping the resolver\'s AD bit as a cross-check only', () => {
    // The signed copy answers as a non-validating resolver would (no AD bit): the verdict is Vouch's own.
    expect(result('signed.dns.test', 'dns.dnssec')).toMatchObject({
      summary: 'signed.dns.test is DNSSEC-signed and validates: Vouch followed the chain from the lab root anchor to SOA and A',
      evidence: { validatedBy: 'vouch', validations: [{ question: 'signed.dns.test. SOA', state: 'secure', resolverAuthenticated: false }, { state: 'secure' }] },
    });
    expect(result('nocaa.dns.test', 'dns.dnssec')).toMatchObject({
      summary: 'nocaa.dns.test is not DNSSEC-signed (unsigned-delegation): . delegates nocaa.dns.test. without DS: an unsigned delegation',
      evidence: { validations: [{ state: 'insecure', reason: 'unsigned-delegation' }, { state: 'insecure' }] },
    });
    expect(report.resolvers).toEqual([resolver()]);
  });

  it('reads CAA records off the wire, and finds the parent\'s RRset by climbing', () => {
    expect(result('signed.dns.test', 'dns.caa')).toMatchObject({
      evidence: {
        name: 'signed.dns.test', records: ['0 iodef "mailto:security@signed.dns.test"', '0 issue "letsencrypt.org"'],
        issuers: ['letsencrypt.org'], iodef: ['mailto:security@signed.dns.test'],
      },
    });
    expect(result('www.parent.dns.test', 'dns.caa')).toMatchObject({
      summary: 'CAA at parent.dns.test allows sectigo.com to issue; wildcard certificates: no CA',
      evidence: { name: 'parent.dns.test', queried: ['www.parent.dns.test', 'parent.dns.test'], issuers: ['sectigo.com'], wildcardIssuers: [] },
    });
    expect(result('nocaa.dns.test', 'dns.caa')).toMatchObject({ evidence: { queried: ['nocaa.dns.test', 'dns.test', 'test'] } });
    expect(result('badcaa.dns.test', 'dns.caa')?.summary).toContain('must not end in a dot');
  });

  it('reports a SERVFAIL as "could not test", not as a verdict on the domain', () => {
    for (const check of ['dns.dnssec', 'dns.caa']) {
      expect(result('servfail.dns.test', check)).toMatchObject({ status: 'error', reason: 'dns-failure', summary: expect.stringContaining('SERVFAIL') });
    }
  });

  it('keeps the DNS answers behind each verdict as artifacts', () => {
    const caa = result('www.parent.dns.test', 'dns.caa');
    expect(caa?.artifacts.length).toBeGreaterThanOrEqual(2);
    for (const key of caa?.artifacts ?? []) expect(artifactOf(report, 'www.parent.dns.test', key), key).toBeDefined();
  });
});
