import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type Estate, type SiteSpec } from '../../src/lab/estate.ts';
import { startHttpServer, type LabHttpServer } from '../../src/lab/http-server.ts';
import { issueLeaf } from '../../src/lab/pki.ts';
import { startSmtpServer, type LabSmtpServer } from '../../src/lab/smtp-server.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli } from '../support/cli.ts';
import { resultFinder, scanLab, type LabScan } from '../support/lab-scan.ts';
import { undocumentedFields } from './documented.ts';

/**
 * dns.ipv6-web and dns.ipv6-mail end to end: lab servers on 127.0.0.1 and ::1 (the same port), one scan through the
 * CLI; then one scan configured for IPv4 only, whose reachability results are errors, said once in the log.
 */

const WEB = ['v6.test', 'diff.test', 'dead6.test', 'noaaaa.test'];
const both = { A: ['127.0.0.1'], AAAA: ['::1'] };
const site = (domain: string, records = both): SiteSpec => ({ domain, records });
const mailSite = (domain: string, mx = both): SiteSpec =>
  ({ domain, records: { MX: [{ preference: 10, exchange: `mx.${domain}` }] }, zone: { [`mx.${domain}`]: mx } });

/** HSTS for everyone, except diff.test over IPv6, where it is missing: the site answers differently per family. */
const page = (req: IncomingMessage, res: ServerResponse) => {
  const overIpv6 = req.socket.localAddress === '::1';
  if (!(overIpv6 && req.headers.host?.startsWith('diff.test'))) res.setHeader('strict-transport-security', 'max-age=31536000');
  res.end('ok');
};

let estate: Estate;
let dualStack: LabHttpServer;
let ipv4Only: LabHttpServer;
let smtp: LabSmtpServer[] = [];
let scan: LabScan;
let servers: Record<string, { port: number }>;

beforeAll(async () => {
  estate = await startEstate([...WEB.filter((d) => d !== 'noaaaa.test').map((d) => site(d)), site('noaaaa.test', { A: ['127.0.0.1'], AAAA: [] }),
    mailSite('mail6.test'), mailSite('mail4.test', { A: ['127.0.0.1'], AAAA: [] }), mailSite('dead6mail.test')]);
  const cert = issueLeaf(estate.ca, { hosts: WEB });
  dualStack = await startHttpServer({ tls: { key: cert.keyPem, cert: cert.chainPem }, alsoListenOn: ['::1'], fallback: page });
  ipv4Only = await startHttpServer({ tls: { key: cert.keyPem, cert: cert.chainPem }, fallback: page });
  const mx = issueLeaf(estate.ca, { hosts: ['mx.mail6.test', 'mx.dead6mail.test'] });
  smtp = [await startSmtpServer({ key: mx.keyPem, cert: mx.chainPem, variant: 'good', name: 'mx.mail6.test', alsoListenOn: ['::1'] }),
    await startSmtpServer({ key: mx.keyPem, cert: mx.chainPem, variant: 'good', name: 'mx.dead6mail.test' })];
  servers = {
    'v6.test:443': dualStack, 'diff.test:443': dualStack, 'noaaaa.test:443': dualStack, 'dead6.test:443': ipv4Only,
    'mx.mail6.test:25': smtp[0]!, 'mx.dead6mail.test:25': smtp[1]!,
  };
  scan = await scanLab(estate, { domains: [...WEB, 'mail6.test', 'mail4.test', 'dead6mail.test'], checks: ['dns.ipv6-web', 'dns.ipv6-mail'], servers });
}, 30_000);

afterAll(async () => {
  await Promise.all([estate?.close(), dualStack?.close(), ipv4Only?.close(), ...smtp.map((s) => s.close())]);
});

describe('dns.ipv6-web', () => {
  it('passes a site served the same over IPv4 and IPv6', () => {
    const r = scan.result('v6.test', 'dns.ipv6-web');
    expect(r.status, r.summary).toBe('pass');
    expect(r.evidence).toMatchObject({ aaaa: ['::1'], ipv4Compared: '127.0.0.1', addresses: [{ address: '::1', status: 'pass', differences: [] }] });
  });

  it('fails a different answer over IPv6, a refused IPv6 address and a missing AAAA', () => {
    expect(scan.result('diff.test', 'dns.ipv6-web')).toMatchObject({ status: 'fail', summary: expect.stringContaining('strict-transport-security') });
    expect(scan.result('dead6.test', 'dns.ipv6-web')).toMatchObject({ status: 'fail', summary: expect.stringContaining('does not work over IPv6') });
    expect(scan.result('noaaaa.test', 'dns.ipv6-web')).toMatchObject({ status: 'fail', summary: expect.stringContaining('no AAAA record') });
  });
});

describe('dns.ipv6-mail', () => {
  it('passes an MX answering SMTP over IPv6, fails one without AAAA and one refusing over IPv6', () => {
    expect(scan.result('mail6.test', 'dns.ipv6-mail')).toMatchObject({ status: 'pass' });
    expect(scan.result('mail4.test', 'dns.ipv6-mail')).toMatchObject({ status: 'fail', summary: expect.stringContaining('no AAAA record') });
    expect(scan.result('dead6mail.test', 'dns.ipv6-mail')).toMatchObject({ status: 'fail', summary: expect.stringContaining('does not work over IPv6') });
  });
});

it('documents every evidence field in docs/evidence.md', () => {
  expect(undocumentedFields(scan.report)).toEqual([]);
});

describe('a scan that does not use IPv6 (ipFamilies: [4])', () => {
  it('reports reachability as error (client-limitation), said once in the log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-ipv4-only-'));
    await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
    await writeFile(join(dir, 'vouch.yaml'), 'ipFamilies: [4]\n');
    const rules = [...Object.entries(servers).map(([where, s]) => `${where}::${s.port}`), ...estate.connectTo];
    const run = await runCli(['scan', 'v6.test', 'diff.test', 'mail6.test', '-c', join(dir, 'vouch.yaml'), '--only', 'dns.ipv6-web,dns.ipv6-mail',
      '--resolver', `127.0.0.1:${estate.dns.port}`, '--ca', join(dir, 'ca.pem'), ...rules.flatMap((r) => ['--connect-to', r]),
      '--timeout', '1500', '--out', join(dir, 'out'), '--format', 'json', '--log-level', 'warn', '--workers', '1']);
    const result = resultFinder(JSON.parse(await readFile(join(dir, 'out', 'latest.json'), 'utf8')) as ScanReport);
    for (const [domain, check] of [['v6.test', 'dns.ipv6-web'], ['diff.test', 'dns.ipv6-web'], ['mail6.test', 'dns.ipv6-mail']] as const) {
      expect(result(domain, check)).toMatchObject({ status: 'error', reason: 'client-limitation', summary: expect.stringContaining('ipFamilies excludes 6') });
    }
    expect(run.stderr.match(/IPv6 reachability cannot be tested/g)).toHaveLength(1);
  });
});
