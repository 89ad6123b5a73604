import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type SiteSpec } from '../../src/lab/estate.ts';
import { issueLeaf } from '../../src/lab/pki.ts';
import { startSilentServer, startTlsServer } from '../../src/lab/tls-server.ts';
import type { ScanReport } from '../../reports/types.ts';
import { cleanupAfterAll } from '../support/cleanup.ts';
import { resultFinder, scanLab, type LabScan } from '../support/lab-scan.ts';

// Issue 10's checks measured through real node:tls handshakes (client-initiated renegotiation, 0-RTT and session
// resumption, OCSP stapling), web and mail, end to end through the CLI: a pass, a fail and an error case for each.

const PAGE = { '/': { status: 200, body: 'ok' } };
const SITES: SiteSpec[] = [
  // The estate's defaults: renegotiation refused, Node's tickets (no early data), a good staple from the CA.
  { domain: 'good.hs.test', https: { routes: PAGE }, mail: {} },
  // node:tls's own limit: 3 renegotiations, then the https server closes the connection (within NCSC's 10).
  { domain: 'limit.hs.test', https: { tls: { renegotiation: 'allow', staple: 'delegated' }, routes: PAGE } },
  // Port 443 is a bare node:tls server that renegotiates without limit; the MX does too.
  { domain: 'reneg.hs.test', mail: { tls: { renegotiation: 'allow' } } },
  { domain: 'revoked.hs.test', https: { tls: { staple: 'revoked' }, routes: PAGE }, mail: { tls: { staple: 'stale' } } },
  { domain: 'badsig.hs.test', https: { tls: { staple: 'bad-signature' }, routes: PAGE } },
  { domain: 'nostaple.hs.test', https: { tls: { staple: 'none' }, routes: PAGE }, mail: { tls: { staple: 'none' } } },
  { domain: 'muststaple.hs.test', https: { cert: 'must-staple', tls: { staple: 'none' }, routes: PAGE }, mail: { cert: 'must-staple', tls: { staple: 'none' } } },
  // TLS 1.3 only: no renegotiation to test, which only the TLS enumeration (TLS 1.0-1.2 refused) may conclude.
  { domain: 'tls13.hs.test', https: { tls: { minVersion: 'TLSv1.3' }, routes: PAGE } },
  // Port 443 accepts connections and never answers; the MX says nothing either.
  { domain: 'silent.hs.test', mail: { variant: 'silent' } },
];

const WEB = ['tls.client-renegotiation', 'tls.zero-rtt', 'tls.ocsp-stapling'] as const;
const MAIL = ['mail.starttls-client-renegotiation', 'mail.starttls-zero-rtt', 'mail.starttls-ocsp-stapling'] as const;

/** `openssl s_server -early_data`: a real peer whose tickets allow 0-RTT (absent where openssl is not installed). */
const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;

const { track } = cleanupAfterAll();
let result: LabScan['result'];
let openssl: ChildProcess | undefined;

async function startEarlyDataServer(dir: string, cert: { keyPem: string; certPem: string }): Promise<number> {
  await writeFile(join(dir, 'ed.key'), cert.keyPem);
  await writeFile(join(dir, 'ed.crt'), cert.certPem);
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  openssl = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-key', join(dir, 'ed.key'), '-cert', join(dir, 'ed.crt'),
    '-tls1_3', '-early_data', '-quiet'], { stdio: ['pipe', 'ignore', 'ignore'] }); // -early_data refuses -www; stdin stays open
  openssl.on('error', () => {});
  await new Promise((resolve) => setTimeout(resolve, 300));
  return port;
}

beforeAll(async () => {
  // early.hs.test only needs its A record: port 443 is openssl's.
  const estate = track(await startEstate([...SITES, { domain: 'early.hs.test' }]));
  const leaf = issueLeaf(estate.ca, { hosts: ['reneg.hs.test', 'early.hs.test'] });
  const servers = {
    'reneg.hs.test:443': track(await startTlsServer({ key: leaf.keyPem, cert: leaf.certPem, onSecure: (socket) => socket.resume() })),
    'silent.hs.test:443': track(await startSilentServer()),
  };
  const early = async () => {
    const port = await startEarlyDataServer(await mkdtemp(join(tmpdir(), 'vouch-tls-hs-')), leaf);
    return scanLab(estate, { domains: ['early.hs.test'], checks: ['tls.zero-rtt'], servers: { 'early.hs.test:443': { port }, ...servers } });
  };
  // openssl s_server serves one connection at a time: it gets a scan of its own, of the 0-RTT check alone.
  const [main, earlyScan] = await Promise.all([
    scanLab(estate, { domains: SITES.map((s) => s.domain), checks: [...WEB, ...MAIL], servers }),
    HAS_OPENSSL ? early() : null,
  ]);
  const report: ScanReport = { ...main.report, domains: [...main.report.domains, ...(earlyScan?.report.domains ?? [])] };
  result = resultFinder(report);
}, 60_000);

afterAll(() => { openssl?.kill(); });

const rows = (domain: string, check: string) => {
  const evidence = result(domain, check).evidence as { addresses?: Record<string, unknown>[]; mx?: { addresses: Record<string, unknown>[] }[] };
  return evidence.addresses ?? evidence.mx?.flatMap((m) => m.addresses) ?? [];
};

describe('renegotiation, 0-RTT and OCSP stapling end to end through the CLI', () => {
  it.each<readonly [string, string, string]>([
    ...[...WEB, ...MAIL].map((check) => ['good.hs.test', check, 'pass'] as const),
    ['limit.hs.test', 'tls.client-renegotiation', 'pass'], ['limit.hs.test', 'tls.ocsp-stapling', 'pass'],
    ['tls13.hs.test', 'tls.client-renegotiation', 'pass'],
    ['reneg.hs.test', 'tls.client-renegotiation', 'fail'], ['reneg.hs.test', 'mail.starttls-client-renegotiation', 'fail'],
    ['revoked.hs.test', 'tls.ocsp-stapling', 'fail'], ['revoked.hs.test', 'mail.starttls-ocsp-stapling', 'fail'],
    ['badsig.hs.test', 'tls.ocsp-stapling', 'fail'],
    ['nostaple.hs.test', 'tls.ocsp-stapling', 'warn'], ['nostaple.hs.test', 'mail.starttls-ocsp-stapling', 'warn'],
    ['muststaple.hs.test', 'tls.ocsp-stapling', 'fail'], ['muststaple.hs.test', 'mail.starttls-ocsp-stapling', 'fail'],
    ...[...WEB, ...MAIL].map((check) => ['silent.hs.test', check, 'error'] as const),
  ])('%s %s: %s', (domain, check, status) => {
    const r = result(domain, check);
    expect(r.status, r.summary).toBe(status);
  });

  it('counts what it saw: refused at once, 3 then closed (node:tls limit), all 11', () => {
    expect(rows('good.hs.test', 'tls.client-renegotiation')[0]).toMatchObject({ accepted: 0, end: 'refused' });
    expect(rows('good.hs.test', 'mail.starttls-client-renegotiation')[0]).toMatchObject({ accepted: 0, end: 'refused' });
    expect(rows('limit.hs.test', 'tls.client-renegotiation')[0]).toMatchObject({ accepted: 3, end: 'closed' });
    expect(rows('reneg.hs.test', 'tls.client-renegotiation')[0]).toMatchObject({ accepted: 11, end: 'all-accepted', protocol: 'TLSv1.2' });
    expect(result('reneg.hs.test', 'mail.starttls-client-renegotiation').summary).toContain('accepted all 11');
    // The limit and its clause come from the profile (NCSC-NL 2025-05 by default).
    expect(rows('reneg.hs.test', 'tls.client-renegotiation')[0]).toMatchObject({ limit: 10, rule: { expect: 'limited', clause: expect.stringMatching(/at most 10/) } });
  });

  it('calls renegotiation not applicable only on the enumeration\'s word: TLS 1.0, 1.1 and 1.2 all refused', () => {
    expect(result('tls13.hs.test', 'tls.client-renegotiation').summary).toMatch(/^not applicable: TLS 1.0, 1.1 and 1.2 are all refused/);
    expect(rows('tls13.hs.test', 'tls.client-renegotiation')[0]).toMatchObject({ protocol: null, enumeratedVersions: { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': false } });
  });

  it('reads the tickets and notes resumption', () => {
    const row = rows('good.hs.test', 'tls.zero-rtt')[0] as { tickets: { maxEarlyData: number }[]; resumption: { mechanism: string; resumed: boolean } };
    expect(row.tickets.length).toBeGreaterThan(0);
    expect(row.tickets.every((t) => t.maxEarlyData === 0)).toBe(true);
    expect(row.resumption).toMatchObject({ mechanism: 'ticket', resumed: true });
    expect(rows('good.hs.test', 'mail.starttls-zero-rtt')[0]).toMatchObject({ resumption: { resumed: true } });
  });

  it.runIf(HAS_OPENSSL)('warns where the profile forbids 0-RTT and the tickets announce early data; fails on proven acceptance (openssl s_server -early_data)', () => {
    const r = result('early.hs.test', 'tls.zero-rtt');
    const row = rows('early.hs.test', 'tls.zero-rtt')[0] as { earlyDataAccepted?: boolean | null; tickets: { maxEarlyData: number }[] };
    expect(row.tickets.some((t) => t.maxEarlyData > 0)).toBe(true);
    if (row.earlyDataAccepted === true) {
      expect(r.status, r.summary).toBe('fail');
      expect(r.summary).toMatch(/accepted 0-RTT early data .*0-RTT \(TLS 1.3 early data\) not allowed/);
    } else {
      expect(r.status, r.summary).toBe('warn');
      expect(r.summary).toMatch(/announce max_early_data \d+ bytes: it states it will accept .*RFC 8446 4.6.1.*not allowed \(NCSC-NL/);
    }
  });

  it('shows why a staple fails: revoked, stale, bad signature; and who signed a good one', () => {
    expect(result('revoked.hs.test', 'tls.ocsp-stapling').summary).toContain('revoked since');
    expect(result('revoked.hs.test', 'mail.starttls-ocsp-stapling').summary).toContain('expired');
    expect(result('badsig.hs.test', 'tls.ocsp-stapling').summary).toContain('does not verify');
    expect(result('muststaple.hs.test', 'tls.ocsp-stapling').summary).toContain('must-staple');
    expect(rows('good.hs.test', 'tls.ocsp-stapling')[0]).toMatchObject({ signedBy: 'issuer', certStatus: 'good', issuerFrom: 'trust-store' });
    expect(String(rows('limit.hs.test', 'tls.ocsp-stapling')[0]?.['signedBy'])).toContain('delegated responder');
  });

  it('gives errors a reason', () => {
    for (const check of [...WEB, ...MAIL]) expect(result('silent.hs.test', check)).toMatchObject({ status: 'error', reason: 'timeout' });
  });
});
