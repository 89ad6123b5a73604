/**
 * Honest verdicts end to end through the CLI (issue 8), against HTTPS servers on 127.0.0.1 reached by connect-to
 * rules (no DNS, no packet leaves loopback): a weak certificate deep in a long chain, a chain longer than the probe
 * reads, the last of 5,000 cookies insecure, a cookie set larger than the probe keeps, and HSTS that browsers ignore
 * or that is too short.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_PATHS, hostileRoutes } from '../../src/lab/hostile-http.ts';
import { startHttpServer, type LabHttpServer, type Route } from '../../src/lab/http-server.ts';
import { createCa, createIntermediateChain, issueLeaf, type LabCert } from '../../src/lab/pki.ts';
import { allResults } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli } from '../support/cli.ts';

const root = createCa({ name: 'Vouch Honest Web Root' });
const HSTS_YEAR = { 'strict-transport-security': 'max-age=31536000; includeSubDomains' };
const page = (headers: Record<string, string>): Route => ({ status: 200, headers, body: 'ok' });
const cookies = (count: number, cookieValueBytes?: number): Route =>
  hostileRoutes({ cookies: count, ...(cookieValueBytes ? { cookieValueBytes } : {}) })[HOSTILE_PATHS.lastCookieInsecure]!;
const chainOf = (intermediates: number, weakAt?: number) => (domain: string) =>
  issueLeaf(createIntermediateChain(root, intermediates, (depth) => (depth === weakAt ? { keyType: 'rsa', rsaBits: 1024 } : {})), { hosts: [domain] });

type Site = { readonly domain: string; readonly cert?: (domain: string) => LabCert; readonly route: Route };
const SITES: readonly Site[] = [
  { domain: 'deepweak.honest.test', cert: chainOf(39, 30), route: page(HSTS_YEAR) },     // 40 certificates, RSA-1024 at depth 30
  { domain: 'toolong.honest.test', cert: chainOf(149), route: page(HSTS_YEAR) },         // 150 certificates: more than the probe reads
  { domain: 'cookies.honest.test', route: cookies(5_000) },                              // the last of 5,000 lacks Secure
  { domain: 'cookiecut.honest.test', route: cookies(12_000, 100) },                      // ~1.4 MiB of Set-Cookie: over the kept bytes
  { domain: 'untrusted.honest.test', cert: (d) => issueLeaf(root, { hosts: [d], selfSigned: true }), route: page(HSTS_YEAR) },
  { domain: 'short.honest.test', route: page({ 'strict-transport-security': 'max-age=15552000' }) },
];

const servers: LabHttpServer[] = [];
let report: ScanReport;
beforeAll(async () => {
  const rules: string[] = [];
  for (const site of SITES) {
    const cert = (site.cert ?? ((d: string) => issueLeaf(root, { hosts: [d] })))(site.domain);
    // Security level 0 lets the server load the RSA-1024 intermediate.
    const server = await startHttpServer({ tls: { key: cert.keyPem, cert: cert.chainPem, ciphers: 'DEFAULT@SECLEVEL=0' }, routes: { '/': site.route } });
    servers.push(server);
    rules.push(`${site.domain}:443:127.0.0.1:${server.port}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'vouch-honest-'));
  await writeFile(join(dir, 'ca.pem'), root.certPem);
  const config = join(dir, 'honest.yaml');
  await writeFile(config, [
    'domains:', ...SITES.map((s) => `  - { name: ${s.domain}, mail: false }`),
    'resolvers: ["127.0.0.1:9"]', 'trustedCaFiles: [ca.pem]', 'ipFamilies: [4]', `connectTo: ${JSON.stringify(rules)}`,
    // 4 MiB read so cookiecut's 1.4 MiB of Set-Cookie arrives whole; the probe keeps 1 MiB of it.
    'limits: { maxHeaderBytes: 4194304 }', 'timeouts: { probeMs: 5000 }', `output: { dir: ${join(dir, 'out')}, formats: [json] }`,
    'checks: { only: ["http.hsts", "http.cookies", "tls.certificate-*"] }',
  ].join('\n'));
  await runCli(['scan', '-c', config, '--log-level', 'silent']);
  report = JSON.parse(await readFile(join(dir, 'out', 'latest.json'), 'utf8')) as ScanReport;
}, 120_000);
afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });

const result = (domain: string, check: string) => allResults(report).find((r) => r.domain === domain && r.checkId === check);

describe('honest verdicts through the CLI', () => {
  it('fails the key check for an RSA-1024 certificate at depth 30 of a 40-certificate chain', () => {
    expect(result('deepweak.honest.test', 'tls.certificate-key')).toMatchObject({
      status: 'fail', summary: 'weak RSA 1024-bit key in "O=Vouch Lab, CN=Vouch Lab Intermediate 30"',
    });
  });

  it('reports a chain longer than the probe reads as error (client-limitation), not pass', () => {
    for (const check of ['tls.certificate-key', 'tls.certificate-signature']) {
      expect(result('toolong.honest.test', check), check).toMatchObject({ status: 'error', reason: 'client-limitation' });
    }
  });

  it('fails 5,000 cookies whose last one lacks Secure, and counts all of them', () => {
    const outcome = result('cookies.honest.test', 'http.cookies');
    expect(outcome).toMatchObject({ status: 'fail', summary: 'Cookies: "c4999" lacks Secure (5000 cookie(s) judged)' });
  });

  it('reports a cookie set cut by the probe\'s byte budget as error (client-limitation), not pass', () => {
    const outcome = result('cookiecut.honest.test', 'http.cookies');
    expect(outcome).toMatchObject({ status: 'error', reason: 'client-limitation' });
    expect(outcome?.summary).toMatch(/more Set-Cookie value\(s\) on https:\/\/cookiecut\.honest\.test\/ were not read/);
  });

  it('fails HSTS sent over an untrusted certificate (RFC 6797 8.1)', () => {
    expect(result('untrusted.honest.test', 'http.hsts')).toMatchObject({ status: 'fail', summary: expect.stringContaining('browsers ignore this HSTS header') });
  });

  it('fails an HSTS max-age below the configured minimum', () => {
    expect(result('short.honest.test', 'http.hsts')).toMatchObject({ status: 'fail', summary: 'HSTS max-age=15552000 is below the required 31536000 s' });
  });
});
