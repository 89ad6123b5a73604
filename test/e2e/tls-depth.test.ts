import { beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type SiteSpec, type TlsProfile } from '../../src/lab/estate.ts';
import { MODP1024_PEM } from '../../src/lab/tls-variants.ts';
import { cleanupAfterAll } from '../support/cleanup.ts';
import { mxOnlySite, scanLab, startGarbageServers, type LabScan } from '../support/lab-scan.ts';

// Issue 9's cipher-suite, cipher-order and key-exchange checks, web and mail, end to end through the CLI against
// lab servers on 127.0.0.1: a pass, a fail and an error case for each. One scan serves every case.

const TLS13 = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';
const WEAK: TlsProfile = { ciphers: `ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:AES128-SHA:AES256-SHA:${TLS13}` };
const CLIENT_ORDER: TlsProfile = { honorCipherOrder: false };
const DHE_1024: TlsProfile = { ciphers: `ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES256-GCM-SHA384:${TLS13}`, dhparam: MODP1024_PEM };
const PAGE = { '/': { status: 200, body: 'ok' } };

const SITES: SiteSpec[] = [
  { domain: 'good.depth.test', https: { routes: PAGE }, mail: {} },
  { domain: 'weak.depth.test', https: { cert: 'rsa', tls: WEAK, routes: PAGE }, mail: { cert: 'rsa', tls: WEAK } },
  { domain: 'client.depth.test', https: { tls: CLIENT_ORDER, routes: PAGE }, mail: { tls: CLIENT_ORDER } },
  { domain: 'dhe.depth.test', https: { cert: 'rsa', tls: DHE_1024, routes: PAGE }, mail: { cert: 'rsa', tls: DHE_1024 } },
  // Port 443 answers every hello with garbage; the MX says 220 to STARTTLS and then sends garbage.
  mxOnlySite('garbage.depth.test'),
];

const WEB = ['tls.cipher-suites', 'tls.cipher-order', 'tls.key-exchange'] as const;
const MAIL = ['mail.starttls-cipher-suites', 'mail.starttls-cipher-order', 'mail.starttls-key-exchange'] as const;

const { track } = cleanupAfterAll();
let scan: LabScan;

beforeAll(async () => {
  const estate = track(await startEstate(SITES));
  const servers = await startGarbageServers('garbage.depth.test');
  Object.values(servers).forEach(track);
  scan = await scanLab(estate, { domains: SITES.map((s) => s.domain), checks: [...WEB, ...MAIL, 'mail.starttls'], servers });
}, 60_000);

const result = (domain: string, check: string) => scan.result(domain, check);

describe('TLS depth checks end to end through the CLI', () => {
  it.each<readonly [string, string, string]>([
    // Pass: the estate's default TLS (TLS 1.3 + ECDHE AEAD, server order, x25519/P-256/P-384, SHA-2 signatures).
    ...[...WEB, ...MAIL].map((check) => ['good.depth.test', check, 'pass'] as const),
    // Fail: each check's own finding.
    ['weak.depth.test', 'tls.cipher-suites', 'fail'], ['weak.depth.test', 'mail.starttls-cipher-suites', 'fail'],
    ['client.depth.test', 'tls.cipher-order', 'fail'], ['client.depth.test', 'mail.starttls-cipher-order', 'fail'],
    ['dhe.depth.test', 'tls.key-exchange', 'fail'], ['dhe.depth.test', 'mail.starttls-key-exchange', 'fail'],
    // ... and only that finding: a server order with AEAD first passes the order check.
    ['weak.depth.test', 'tls.cipher-order', 'pass'], ['weak.depth.test', 'tls.key-exchange', 'pass'],
    ['client.depth.test', 'tls.cipher-suites', 'pass'], ['dhe.depth.test', 'tls.cipher-suites', 'warn'],
    // Error: garbage in place of a ServerHello is "could not test", never a pass or a fail.
    ...[...WEB, ...MAIL].map((check) => ['garbage.depth.test', check, 'error'] as const),
  ])('%s %s: %s', (domain, check, status) => {
    const r = result(domain, check);
    expect(r.status, r.summary).toBe(status);
  });

  it('names the offending suites, their class and the policy clause in the evidence', () => {
    const r = result('weak.depth.test', 'tls.cipher-suites');
    expect(r.summary).toContain('TLS_RSA_WITH_AES_128_CBC_SHA (TLSv1.2)');
    const row = (r.evidence as { addresses: { policy: { id: string }; offending: { name: string; class: string; clause: string }[] }[] }).addresses[0]!;
    expect(row.policy.id).toBe('ncsc-2025-05');
    expect(row.offending).toContainEqual(expect.objectContaining({ name: 'TLS_RSA_WITH_AES_256_CBC_SHA', class: 'insufficient', clause: expect.stringContaining('appendix B') }));
  });

  it('shows the 1024-bit prime and its name, and the MX sessions used', () => {
    expect(result('dhe.depth.test', 'tls.key-exchange').summary).toContain('DHE prime of 1024 bits (modp1024)');
    const mail = result('dhe.depth.test', 'mail.starttls-key-exchange');
    expect(mail.summary).toContain('modp1024');
    expect(JSON.stringify(mail.evidence)).toMatch(/"smtpSessions":\d+/);
  });

  it('says why the server-order finding is one: the client\'s order where NCSC requires the server\'s', () => {
    expect(result('client.depth.test', 'tls.cipher-order').summary).toMatch(/follows the client's order; ncsc-2025-05/);
  });

  it('gives the error a reason', () => {
    for (const check of [...WEB, ...MAIL]) {
      const r = result('garbage.depth.test', check);
      expect(r.status === 'error' && ['protocol', 'client-limitation'].includes(r.reason), `${check}: ${r.summary}`).toBe(true);
    }
  });
});
