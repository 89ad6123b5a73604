import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startEstate, type Estate, type SiteSpec } from '../../src/lab/estate.ts';
import { startOcspResponder, type LabOcspResponder } from '../../src/lab/ocsp-responder.ts';
import type { ReportResult, ScanReport } from '../../reports/types.ts';
import { cleanupAfterAll } from '../support/cleanup.ts';
import { runCli } from '../support/cli.ts';
import { resultFinder } from '../support/lab-scan.ts';

// Issue 10, "optionally ask the certificate's OCSP responder directly" (config `ocsp.queryResponder`), end to end
// through the CLI: lab leaves name a lab responder on 127.0.0.1 in their AIA, the responder answers by path.

const PAGE = { '/': { status: 200, body: 'ok' } };
const NO_STAPLE = { staple: 'none' } as const;
const CHECKS = ['tls.ocsp-stapling', 'mail.starttls-ocsp-stapling', 'mail.starttls'];

const { track } = cleanupAfterAll();
let responder: LabOcspResponder;
let estate: Estate;
let off: (domain: string, check: string) => ReportResult;
let on: (domain: string, check: string) => ReportResult;
let requestsWhenOff = -1;

beforeAll(async () => {
  responder = track(await startOcspResponder({ delayMs: 50 }));
  const dead = `http://127.0.0.1:${await closedPort()}/good`;
  const sites: SiteSpec[] = [
    { domain: 'good.ocspq.test', https: { ocspUrl: responder.urlFor('good'), routes: PAGE } },
    { domain: 'revoked.ocspq.test', https: { tls: NO_STAPLE, ocspUrl: responder.urlFor('revoked'), routes: PAGE },
      mail: { tls: NO_STAPLE, ocspUrl: responder.urlFor('revoked') } },
    { domain: 'revokedstapled.ocspq.test', https: { ocspUrl: responder.urlFor('revoked'), routes: PAGE } },
    { domain: 'garbage.ocspq.test', https: { ocspUrl: responder.urlFor('garbage'), routes: PAGE } },
    { domain: 'unreachable.ocspq.test', https: { tls: NO_STAPLE, ocspUrl: dead, routes: PAGE } },
  ];
  estate = track(await startEstate(sites));
  responder.answerFor(estate.ca);
  const domains = sites.map((s) => s.domain);
  off = await scan(domains, 'allowRedirectsTo: [loopback]\n');
  requestsWhenOff = responder.requests();
  on = await scan(domains, 'allowRedirectsTo: [loopback]\nocsp: { queryResponder: true }\n');
}, 60_000);

async function scan(domains: readonly string[], config: string): Promise<(domain: string, check: string) => ReportResult> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-ocsp-responder-'));
  await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
  await writeFile(join(dir, 'vouch.yaml'), config);
  const out = join(dir, 'out');
  await runCli(['scan', ...domains, '-c', join(dir, 'vouch.yaml'), '--only', CHECKS.join(','),
    '--resolver', `127.0.0.1:${estate.dns.port}`, '--ca', join(dir, 'ca.pem'), ...estate.connectTo.flatMap((r) => ['--connect-to', r]),
    '--timeout', '1500', '--out', out, '--format', 'json', '--log-level', 'silent']);
  return resultFinder(JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport);
}

type Row = { responder?: Record<string, unknown> };
const rowOf = (r: ReportResult): Row => {
  const evidence = r.evidence as { addresses?: Row[] } & Row;
  return evidence.addresses?.[0] ?? evidence;
};

describe('ocsp.queryResponder off (the default)', () => {
  it('sends nothing to the responder and judges by the staple alone', () => {
    expect(requestsWhenOff).toBe(0);
    const r = off('revoked.ocspq.test', 'tls.ocsp-stapling');
    expect(r.status, r.summary).toBe('warn');
    expect(rowOf(r).responder).toBeUndefined();
  });
});

describe('ocsp.queryResponder on', () => {
  it.each<readonly [string, string, string]>([
    ['revoked.ocspq.test', 'tls.ocsp-stapling', 'fail'],
    ['revoked.ocspq.test', 'mail.starttls-ocsp-stapling', 'fail'],
    ['revokedstapled.ocspq.test', 'tls.ocsp-stapling', 'fail'],
    ['good.ocspq.test', 'tls.ocsp-stapling', 'pass'],
    ['garbage.ocspq.test', 'tls.ocsp-stapling', 'pass'],
    ['unreachable.ocspq.test', 'tls.ocsp-stapling', 'warn'],
  ])('%s %s: %s', (domain, check, status) => {
    const r = on(domain, check);
    expect(r.status, r.summary).toBe(status);
  });

  it('a revoked answer fails without a staple, and says so with the responder in the evidence', () => {
    const r = on('revoked.ocspq.test', 'tls.ocsp-stapling');
    expect(r.summary).toMatch(/OCSP responder says: the certificate is revoked since/);
    expect(rowOf(r).responder).toMatchObject({ url: responder.urlFor('revoked'), outcome: 'answered', assessment: 'revoked', certStatus: 'revoked', signedBy: 'issuer' });
  });

  it('a good answer is in the evidence of the pass', () => {
    const r = on('good.ocspq.test', 'tls.ocsp-stapling');
    expect(r.summary).toContain('says good');
    expect(rowOf(r).responder).toMatchObject({ outcome: 'answered', assessment: 'good', httpStatus: 200, contentType: 'application/ocsp-response' });
  });

  it('garbage from the responder is noted and never turns the staple\'s pass into a fail', () => {
    const r = on('garbage.ocspq.test', 'tls.ocsp-stapling');
    expect(r.summary).toMatch(/gave no usable answer \(invalid/);
    expect(rowOf(r).responder).toMatchObject({ outcome: 'answered', assessment: 'invalid' });
  });

  it('an unreachable responder leaves the missing staple a warn, with the note', () => {
    const r = on('unreachable.ocspq.test', 'tls.ocsp-stapling');
    expect(r.summary).toMatch(/no OCSP staple.*OCSP responder could not be asked: the responder could not be reached/);
    expect(rowOf(r).responder).toMatchObject({ outcome: 'unreachable' });
  });

  it('asks once per certificate, one request at a time per responder host', () => {
    // good, revoked (web), revoked (MX), revoked-stapled, garbage: five certificates, five requests.
    expect(responder.requests()).toBe(5);
    // Each answer waits 50 ms, so overlapping requests would show. (One address, so the HTTP client's single
    // keep-alive connection serialises them too; the per-host limit also covers responders with several addresses.)
    expect(responder.maxInFlight()).toBe(1);
  });
});
