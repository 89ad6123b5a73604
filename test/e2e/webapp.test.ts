import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOOD_HEADERS } from '../../src/demo/sites.ts';
import { hostileRoutes, HOSTILE_PATHS } from '../../src/lab/hostile-http.ts';
import { startEstate, type Estate, type SiteSpec } from '../../src/lab/estate.ts';
import { allResults } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli } from '../support/cli.ts';

const HOSTILE = hostileRoutes();
const SECURITY_TXT = `Contact: mailto:security@app.test\nExpires: ${new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 19)}Z\n`;
const text = (body: string | Buffer, type = 'text/plain; charset=utf-8') => ({ status: 200, headers: { 'content-type': type }, body: body as string });

const SITES: SiteSpec[] = [
  { domain: 'good.app.test', http: 'redirect', https: { routes: { '/': { status: 200, headers: GOOD_HEADERS }, '/.well-known/security.txt': text(SECURITY_TXT) } } },
  { domain: 'cookies.app.test', http: 'redirect', https: { routes: { '/': HOSTILE[HOSTILE_PATHS.manyCookies]! } } },
  { domain: 'hugebody.app.test', http: 'redirect', https: { routes: { '/': HOSTILE[HOSTILE_PATHS.hugeBody]! } } },
  { domain: 'longvalue.app.test', http: 'redirect', https: { routes: { '/': { status: 200, headers: { 'content-security-policy': `default-src 'self'; ${'x'.repeat(1_000_000)}` } } } } },
  {
    domain: 'latin1.app.test', http: 'redirect',
    https: { routes: { '/': { status: 200, headers: GOOD_HEADERS }, '/.well-known/security.txt': text(Buffer.from(`Contact: mailto:s\xe9curit\xe9@app.test\n`, 'latin1') as never) } },
  },
  { domain: 'stall.app.test', http: 'redirect', https: { routes: { '/': HOSTILE[HOSTILE_PATHS.stallAfterHeaders]! } } },
];

let estate: Estate;
let report: ScanReport;
let code: number;
beforeAll(async () => {
  estate = await startEstate(SITES);
  const dir = await mkdtemp(join(tmpdir(), 'vouch-app-'));
  await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
  const config = join(dir, 'app.yaml');
  await writeFile(config, [
    'domains:', ...SITES.map((s) => `  - { name: ${s.domain}, mail: false }`),
    `resolvers: ["127.0.0.1:${estate.dns.port}"]`, 'trustedCaFiles: [ca.pem]', 'ipFamilies: [4]',
    `connectTo: ${JSON.stringify(estate.connectTo)}`, 'timeouts: { probeMs: 1500 }', `output: { dir: ${join(dir, 'out')}, formats: [json] }`,
    'checks: { only: ["http.*"] }',
  ].join('\n'));
  code = (await runCli(['scan', '-c', config, '--log-level', 'silent'])).code;
  report = JSON.parse(await readFile(join(dir, 'out', 'latest.json'), 'utf8')) as ScanReport;
}, 60_000);
afterAll(async () => { await estate?.close(); });

const result = (domain: string, check: string) => allResults(report).find((r) => r.domain === domain && r.checkId === check);

describe('web application checks against hostile servers, end to end', () => {
  it('judges a well-run site as passing every header check', () => {
    const bad = allResults(report).filter((r) => r.domain === 'good.app.test' && !['pass', 'skip'].includes(r.status));
    expect(bad).toEqual([]);
  });

  it('caps 10,000 Set-Cookie headers and still judges them', () => {
    const cookies = result('cookies.app.test', 'http.cookies');
    expect(['fail', 'warn', 'pass']).toContain(cookies?.status);
    expect(JSON.stringify(cookies).length).toBeLessThan(2_000_000);
  });

  it('reads a 50 MB body only up to the cap, and judges the headers', () => {
    expect(result('hugebody.app.test', 'http.content-type-options')?.status).toBe('fail');
    const hop = Object.entries(report.domains.find((d) => d.domain === 'hugebody.app.test')?.artifacts ?? {}).find(([k]) => k.startsWith('http:GET https://hugebody.app.test/'))?.[1] as { bodyTruncated: boolean } | undefined;
    expect(hop?.bodyTruncated).toBe(true);
  });

  it('judges a 1 MB header value without truncation errors and keeps evidence small', () => {
    const csp = result('longvalue.app.test', 'http.csp');
    expect(csp?.status).not.toBe('pass');
    expect(JSON.stringify(csp).length).toBeLessThan(20_000);
  });

  it('names a non-UTF-8 security.txt as a problem instead of crashing', () => {
    expect(result('latin1.app.test', 'http.security-txt')?.status).toBe('fail');
  });

  it('turns a server that stalls mid-body into errors, and completes the scan', () => {
    expect(result('stall.app.test', 'http.csp')).toMatchObject({ status: 'error', reason: 'timeout' });
    expect(report.status).toBe('complete');
    expect(code).toBe(1);
  });
});
