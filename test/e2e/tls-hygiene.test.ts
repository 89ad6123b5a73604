import { beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type SiteSpec } from '../../src/lab/estate.ts';
import type { RawTlsOptions } from '../../src/lab/raw-tls-server.ts';
import { cleanupAfterAll } from '../support/cleanup.ts';
import { mxOnlySite, scanLab, startGarbageServers, startRawTlsServers, type LabScan } from '../support/lab-scan.ts';

// Issue 10's hygiene checks (secure renegotiation, compression, Extended Master Secret, TLS_FALLBACK_SCSV), web and
// mail, end to end through the CLI: real Node/OpenSSL servers pass, the raw lab server with its switches flipped
// fails, garbage after the handshake starts is an error. One scan serves every case.

const PAGE = { '/': { status: 200, body: 'ok' } };
/** TLS 1.0 to 1.3 on OpenSSL 3 (security level 0 for the SHA-1 signatures of TLS 1.0/1.1). */
const LEGACY = { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;
const TLS13_ONLY = { minVersion: 'TLSv1.3' } as const;

const SITES: SiteSpec[] = [
  { domain: 'good.hygiene.test', https: { routes: PAGE }, mail: {} },
  { domain: 'legacy.hygiene.test', https: { tls: LEGACY, routes: PAGE }, mail: { tls: LEGACY } },
  { domain: 'tls13.hygiene.test', https: { tls: TLS13_ONLY, routes: PAGE }, mail: { tls: TLS13_ONLY } },
  mxOnlySite('raw-good.hygiene.test'),
  mxOnlySite('raw-bad.hygiene.test'),
  mxOnlySite('garbage.hygiene.test'),
  mxOnlySite('raw-sslv3.hygiene.test'),
];

const FLAWED: RawTlsOptions = { renegotiationInfo: false, acceptCompression: true, extendedMasterSecret: false, acceptFallback: true };
/** TLS 1.2 and SSLv3 (the fallback is then to SSLv3), ignoring the SCSV, with a non-empty renegotiated_connection. */
const SSLV3: RawTlsOptions = { versions: ['SSLv3', 'TLSv1.2'], acceptFallback: true, renegotiatedConnection: Buffer.from('c0ffee', 'hex') };
const NAMES = ['secure-renegotiation', 'compression', 'extended-master-secret', 'fallback-scsv'] as const;
const WEB = NAMES.map((n) => `tls.${n}`);
const MAIL = NAMES.map((n) => `mail.starttls-${n}`);
const BOTH = [...WEB, ...MAIL];

const { track } = cleanupAfterAll();
let scan: LabScan;

beforeAll(async () => {
  const estate = track(await startEstate(SITES));
  const servers = {
    ...await startRawTlsServers('raw-good.hygiene.test'),
    ...await startRawTlsServers('raw-bad.hygiene.test', FLAWED),
    ...await startGarbageServers('garbage.hygiene.test'),
    ...await startRawTlsServers('raw-sslv3.hygiene.test', SSLV3),
  };
  Object.values(servers).forEach(track);
  scan = await scanLab(estate, { domains: SITES.map((s) => s.domain), checks: [...BOTH, 'mail.starttls'], servers });
}, 60_000);

const result = (domain: string, check: string) => scan.result(domain, check);

describe('TLS hygiene checks end to end through the CLI', () => {
  it.each<readonly [string, string, string]>([
    // Pass: OpenSSL behind Node (TLS 1.2 + 1.3; TLS 1.0-1.3; TLS 1.3 only) and the raw server's correct defaults.
    ...BOTH.map((check) => ['good.hygiene.test', check, 'pass'] as const),
    ...BOTH.map((check) => ['legacy.hygiene.test', check, 'pass'] as const),
    ...BOTH.map((check) => ['tls13.hygiene.test', check, 'pass'] as const),
    ...BOTH.map((check) => ['raw-good.hygiene.test', check, 'pass'] as const),
    // Fail: the raw server without renegotiation_info and EMS, choosing DEFLATE, accepting a fallback.
    ...BOTH.map((check) => ['raw-bad.hygiene.test', check, 'fail'] as const),
    // Error: garbage in place of a ServerHello is "could not test", never a pass or a fail.
    ...BOTH.map((check) => ['garbage.hygiene.test', check, 'error'] as const),
    // Fail: a fallback to SSLv3 accepted; renegotiation_info not empty on an initial handshake. The rest passes.
    ...BOTH.map((check) => ['raw-sslv3.hygiene.test', check, /fallback|renegotiation/.test(check) ? 'fail' : 'pass'] as const),
  ])('%s %s: %s', (domain, check, status) => {
    const r = result(domain, check);
    expect(r.status, r.summary).toBe(status);
  });

  it('says why a check does not apply, and which fallback was tested', () => {
    expect(result('tls13.hygiene.test', 'tls.compression').summary).toMatch(/not applicable: only TLS 1\.3/);
    expect(result('good.hygiene.test', 'tls.fallback-scsv').summary).toMatch(/not applicable: of SSLv3 to TLS 1\.2 only TLSv1\.2/);
    expect(result('raw-sslv3.hygiene.test', 'mail.starttls-fallback-scsv').summary).toMatch(/an SSLv3 hello with TLS_FALLBACK_SCSV is accepted .* TLSv1\.2/);
    expect(result('raw-sslv3.hygiene.test', 'tls.secure-renegotiation').summary).toMatch(/non-empty renegotiated_connection \(3 bytes\)/);
    expect(result('legacy.hygiene.test', 'mail.starttls-fallback-scsv').summary).toMatch(/TLSv1\.1 hello with TLS_FALLBACK_SCSV is refused with inappropriate_fallback/);
  });

  it('names the flaw, its CVE and the policy clause', () => {
    expect(result('raw-bad.hygiene.test', 'tls.compression').summary).toMatch(/DEFLATE \(1\).*CVE-2012-4929.*NCSC-NL/);
    expect(result('raw-bad.hygiene.test', 'tls.secure-renegotiation').summary).toContain('CVE-2009-3555');
    expect(result('raw-bad.hygiene.test', 'mail.starttls-extended-master-secret').summary).toMatch(/Extended Master Secret \(RFC 7627\) required/);
    expect(result('raw-bad.hygiene.test', 'tls.fallback-scsv').summary).toMatch(/TLSv1\.1 hello with TLS_FALLBACK_SCSV is accepted.*TLSv1\.2/);
    expect(JSON.stringify(result('raw-bad.hygiene.test', 'mail.starttls-compression').evidence)).toMatch(/"smtpSessions":\d+/);
  });

  it('gives the error a reason', () => {
    for (const check of BOTH) {
      const r = result('garbage.hygiene.test', check);
      expect(r.status === 'error' && ['protocol', 'client-limitation'].includes(r.reason), `${check}: ${r.summary}`).toBe(true);
    }
  });
});
