import { beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type SiteSpec, type TlsProfile } from '../../src/lab/estate.ts';
import { startSslv2Server, startSslv3Server } from '../../src/lab/legacy-tls-server.ts';
import { MODP1024_PEM } from '../../src/lab/tls-variants.ts';
import { cleanupAfterAll } from '../support/cleanup.ts';
import { mxOnlySite, scanLab, startGarbageServers, type LabScan } from '../support/lab-scan.ts';

// Issue 10's known weaknesses (derived from the issue-9 enumeration), web and mail, end to end through the CLI against
// servers on 127.0.0.1: pass, fail and error for each check, one scan for every case.
//
// What Node's OpenSSL 3.0 can serve at @SECLEVEL=0: CBC at TLS 1.0, NULL and anonymous suites, a 1024-bit DHE prime;
// not 3DES, DES, IDEA, RC4 or export suites ("no cipher match"), nor SSLv2/SSLv3. Those come from the hand-written
// SSLv2/SSLv3 fakes of src/lab/legacy-tls-server.ts, which answer the hello with any suite we name.

const TLS13 = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';
const CBC_TLS10: TlsProfile = { minVersion: 'TLSv1', ciphers: `ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:${TLS13}:@SECLEVEL=0` };
const DHE_1024: TlsProfile = { ciphers: `ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES256-GCM-SHA384:${TLS13}`, dhparam: MODP1024_PEM };
const NULL_ANON: TlsProfile = { ciphers: `ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-NULL-SHA:AECDH-AES128-SHA:${TLS13}:@SECLEVEL=0` };
const PAGE = { '/': { status: 200, body: 'ok' } };

const SITES: SiteSpec[] = [
  { domain: 'good.weak.test', https: { routes: PAGE }, mail: {} },
  { domain: 'cbc.weak.test', https: { cert: 'rsa', tls: CBC_TLS10, routes: PAGE }, mail: { cert: 'rsa', tls: CBC_TLS10 } },
  { domain: 'logjam.weak.test', https: { cert: 'rsa', tls: DHE_1024, routes: PAGE }, mail: { cert: 'rsa', tls: DHE_1024 } },
  { domain: 'nullanon.weak.test', https: { cert: 'rsa', tls: NULL_ANON, routes: PAGE }, mail: { cert: 'rsa', tls: NULL_ANON } },
  // Port 443 of these is one of the fakes or a garbage server (connect-to rules below); the names resolve in the lab DNS.
  { domain: 'sslv3.weak.test' }, { domain: 'rc4.weak.test' }, { domain: 'sslv2.weak.test' },
  mxOnlySite('garbage.weak.test'),
];
const WEB = 'tls.known-weaknesses';
const MAIL = 'mail.starttls-known-weaknesses';

const { track } = cleanupAfterAll();
let scan: LabScan;

beforeAll(async () => {
  const estate = track(await startEstate(SITES));
  const servers = {
    // TLS_RSA_WITH_AES_128_CBC_SHA and TLS_RSA_WITH_3DES_EDE_CBC_SHA at SSL 3.0: POODLE and SWEET32.
    'sslv3.weak.test:443': await startSslv3Server(),
    // TLS_RSA_WITH_RC4_128_SHA and TLS_RSA_EXPORT_WITH_RC4_40_MD5 at SSL 3.0: RC4 and FREAK, no CBC so no POODLE.
    'rc4.weak.test:443': await startSslv3Server({ suites: [0x0005, 0x0003] }),
    // SSL_CK_RC4_128_WITH_MD5 and SSL_CK_DES_192_EDE3_CBC_WITH_MD5: DROWN (and RC4, SWEET32).
    'sslv2.weak.test:443': await startSslv2Server(),
    ...await startGarbageServers('garbage.weak.test'),
  };
  Object.values(servers).forEach(track);
  scan = await scanLab(estate, { domains: SITES.map((s) => s.domain), checks: [WEB, MAIL, 'mail.starttls'], servers });
}, 60_000);

const result = (domain: string, check: string) => scan.result(domain, check);
type Row = { id: string; status: string; shownBy: string[]; commonPrime?: string | null; note?: string };
/** The first address's weakness rows: web evidence is `addresses[]`, mail evidence `mx[].addresses[]`. */
const weaknesses = (domain: string, check: string): Row[] => {
  const evidence = result(domain, check).evidence as { addresses?: { weaknesses: Row[] }[]; mx?: { addresses: { weaknesses: Row[] }[] }[] };
  return (evidence.addresses ?? evidence.mx![0]!.addresses)[0]!.weaknesses;
};
const vulnerable = (domain: string, check: string) => weaknesses(domain, check).filter((w) => w.status === 'vulnerable').map((w) => w.id);

describe('known TLS weaknesses end to end through the CLI', () => {
  it.each<readonly [string, string, string, readonly string[]]>([
    ['good.weak.test', WEB, 'pass', []], ['good.weak.test', MAIL, 'pass', []],
    // CBC at TLS 1.0: BEAST and LUCKY13 are informational, so a pass that names them.
    ['cbc.weak.test', WEB, 'pass', ['BEAST', 'LUCKY13']], ['cbc.weak.test', MAIL, 'pass', ['BEAST', 'LUCKY13']],
    ['logjam.weak.test', WEB, 'fail', ['LOGJAM']], ['logjam.weak.test', MAIL, 'fail', ['LOGJAM']],
    ['nullanon.weak.test', WEB, 'fail', ['NULL', 'ANON', 'LUCKY13']], ['nullanon.weak.test', MAIL, 'fail', ['NULL', 'ANON', 'LUCKY13']],
    ['sslv3.weak.test', WEB, 'fail', ['POODLE', 'SWEET32', 'BEAST', 'LUCKY13']],
    ['rc4.weak.test', WEB, 'fail', ['FREAK', 'RC4']],
    ['sslv2.weak.test', WEB, 'fail', ['SWEET32', 'DROWN', 'RC4']],
  ])('%s %s: %s %j', (domain, check, status, ids) => {
    const r = result(domain, check);
    expect(r.status, r.summary).toBe(status);
    expect(vulnerable(domain, check)).toEqual(ids);
  });

  it('names each weakness with its CVEs and the suites that show it', () => {
    expect(result('sslv3.weak.test', WEB).summary).toBe('vulnerable: POODLE (CVE-2014-3566): TLS_RSA_WITH_AES_128_CBC_SHA (SSLv3), '
      + 'TLS_RSA_WITH_3DES_EDE_CBC_SHA (SSLv3); SWEET32 (CVE-2016-2183, CVE-2016-6329): TLS_RSA_WITH_3DES_EDE_CBC_SHA (SSLv3)');
    expect(result('rc4.weak.test', WEB).summary).toContain('FREAK (CVE-2015-0204): TLS_RSA_EXPORT_WITH_RC4_40_MD5 (SSLv3)');
    expect(result('sslv2.weak.test', WEB).summary).toContain('DROWN (CVE-2016-0800): SSL_CK_RC4_128_WITH_MD5 (SSLv2), SSL_CK_DES_192_EDE3_CBC_WITH_MD5 (SSLv2)');
    expect(weaknesses('sslv2.weak.test', WEB).find((w) => w.id === 'DROWN')!.note).toContain('only this endpoint was examined');
  });

  it('says the 1024-bit prime is a common one, and counts SMTP sessions on the MX', () => {
    expect(weaknesses('logjam.weak.test', WEB).find((w) => w.id === 'LOGJAM')).toMatchObject({ commonPrime: 'modp1024', primeBits: 1024 });
    expect(result('logjam.weak.test', MAIL).summary).toMatch(/LOGJAM \(CVE-2015-4000\): DHE prime of 1024 bits \(modp1024, a widely shared prime/);
    expect(JSON.stringify(result('logjam.weak.test', MAIL).evidence)).toMatch(/"smtpSessions":\d+/);
  });

  it('names the informational findings in the pass', () => {
    expect(result('cbc.weak.test', WEB).summary).toMatch(/^none of POODLE, .*; informational: BEAST \(CVE-2011-3389\): TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA \(TLSv1\)/);
  });

  it('garbage in place of a ServerHello is error with a reason, never a pass or a fail', () => {
    for (const check of [WEB, MAIL]) {
      const r = result('garbage.weak.test', check);
      expect(r.status === 'error' && ['protocol', 'client-limitation'].includes(r.reason), `${check}: ${r.status} ${r.summary}`).toBe(true);
      expect(r.summary).toMatch(/cannot be ruled out/);
    }
  });
});
