import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type Estate, type SiteSpec, type TlsProfile } from '../../src/lab/estate.ts';
import { startSslv2Server, startSslv3Server } from '../../src/lab/legacy-tls-server.ts';
import { startClosingServer, type LabServer } from '../../src/lab/tls-server.ts';
import { MODP1024_PEM } from '../../src/lab/tls-variants.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli } from '../support/cli.ts';

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
const mx = (domain: string): NonNullable<SiteSpec['records']> => ({ MX: [{ preference: 10, exchange: `mx.${domain}` }] });

const SITES: SiteSpec[] = [
  { domain: 'good.weak.test', https: { routes: PAGE }, mail: {} },
  { domain: 'cbc.weak.test', https: { cert: 'rsa', tls: CBC_TLS10, routes: PAGE }, mail: { cert: 'rsa', tls: CBC_TLS10 } },
  { domain: 'logjam.weak.test', https: { cert: 'rsa', tls: DHE_1024, routes: PAGE }, mail: { cert: 'rsa', tls: DHE_1024 } },
  { domain: 'nullanon.weak.test', https: { cert: 'rsa', tls: NULL_ANON, routes: PAGE }, mail: { cert: 'rsa', tls: NULL_ANON } },
  // Port 443 of these is one of the fakes or a garbage server (connect-to rules below); the names resolve in the lab DNS.
  { domain: 'sslv3.weak.test' }, { domain: 'rc4.weak.test' }, { domain: 'sslv2.weak.test' },
  { domain: 'garbage.weak.test', records: mx('garbage.weak.test'), zone: { 'mx.garbage.weak.test': { A: ['127.0.0.1'] } } },
];
const WEB = 'tls.known-weaknesses';
const MAIL = 'mail.starttls-known-weaknesses';

/** An SMTP server that says 220 to STARTTLS and then answers the ClientHello with bytes that are not TLS. */
async function startGarbageStarttls(): Promise<LabServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let tls = false;
    let buffered = '';
    socket.write('220 mx.garbage.weak.test ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      if (tls) { socket.end('garbage, not a ServerHello\r\n'); return; }
      buffered += chunk.toString('latin1');
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl).trim().toUpperCase();
        buffered = buffered.slice(nl + 1);
        if (line.startsWith('EHLO')) socket.write('250-mx.garbage.weak.test\r\n250 STARTTLS\r\n');
        else if (line.startsWith('STARTTLS')) { socket.write('220 go ahead\r\n'); tls = true; } else if (line.startsWith('QUIT')) socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1', port, connections: () => 0,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

let estate: Estate;
let report: ScanReport;
const servers: LabServer[] = [];

beforeAll(async () => {
  estate = await startEstate(SITES);
  const dir = await mkdtemp(join(tmpdir(), 'vouch-known-weaknesses-'));
  await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
  const extra: Record<string, LabServer> = {
    // TLS_RSA_WITH_AES_128_CBC_SHA and TLS_RSA_WITH_3DES_EDE_CBC_SHA at SSL 3.0: POODLE and SWEET32.
    'sslv3.weak.test:443': await startSslv3Server(),
    // TLS_RSA_WITH_RC4_128_SHA and TLS_RSA_EXPORT_WITH_RC4_40_MD5 at SSL 3.0: RC4 and FREAK, no CBC so no POODLE.
    'rc4.weak.test:443': await startSslv3Server({ suites: [0x0005, 0x0003] }),
    // SSL_CK_RC4_128_WITH_MD5 and SSL_CK_DES_192_EDE3_CBC_WITH_MD5: DROWN (and RC4, SWEET32).
    'sslv2.weak.test:443': await startSslv2Server(),
    'garbage.weak.test:443': await startClosingServer({ reply: Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n') }),
    'mx.garbage.weak.test:25': await startGarbageStarttls(),
  };
  servers.push(...Object.values(extra));
  const rules = [...estate.connectTo, ...Object.entries(extra).map(([where, s]) => `${where}::${s.port}`)];
  const out = join(dir, 'out');
  await runCli(['scan', ...SITES.map((s) => s.domain), '--only', [WEB, MAIL, 'mail.starttls'].join(','),
    '--resolver', `127.0.0.1:${estate.dns.port}`, '--ca', join(dir, 'ca.pem'), ...rules.flatMap((r) => ['--connect-to', r]),
    '--timeout', '1500', '--out', out, '--format', 'json', '--log-level', 'silent']);
  report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport;
}, 60_000);

afterAll(async () => {
  await estate?.close();
  await Promise.all(servers.map((s) => s.close()));
});

const result = (domain: string, check: string) => {
  const r = report.results.find((x) => x.domain === domain && x.checkId === check);
  if (!r) throw new Error(`no result for ${check} on ${domain}`);
  return r;
};
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
