/**
 * https.redirect and the redirect walker end to end through the CLI, against loopback servers only. Names with two
 * addresses use 127.0.0.2 and 127.0.0.3 (Linux routes all of 127.0.0.0/8 to loopback). A redirect to a private
 * address is pinned by a connect-to rule to a refused loopback port, so even a walker that wrongly followed it
 * would never send a packet off this machine.
 */
import net from 'node:net';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsServer } from '../../src/lab/dns-server.ts';
import { startEstate, type Estate } from '../../src/lab/estate.ts';
import { startHttpServer } from '../../src/lab/http-server.ts';
import { startSilentServer } from '../../src/lab/tls-server.ts';
import { allResults } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { MAX_HEADER_VALUE_CHARS } from '../../src/probes/types.ts';
import { runCli } from '../support/cli.ts';

const TWO = ['127.0.0.2', '127.0.0.3'];
const CUT_LOCATION = `https://cut.redirect.test/${'a'.repeat(MAX_HEADER_VALUE_CHARS + 100)}`;

let dns: DnsServer;
let estate: Estate;
let dir: string;
let rules: string[] = [];
const closers: (() => Promise<void>)[] = [];

/** A port with nothing listening on any of `hosts`: bound on the first, then released. */
async function refusedPort(hosts: readonly string[]): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, hosts[0], resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Silent servers (accept TCP, never answer) on the same port of every address in `hosts`. */
async function silentOn(hosts: readonly string[]): Promise<number> {
  const first = await startSilentServer({ host: hosts[0]! });
  closers.push(() => first.close());
  for (const host of hosts.slice(1)) {
    const more = await startSilentServer({ host, port: first.port });
    closers.push(() => more.close());
  }
  return first.port;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-e2e-redirect-'));
  const silent443 = await silentOn(TWO);
  const plain = await startHttpServer({ host: '127.0.0.2', fallback: { status: 200, body: 'plain page' } });
  closers.push(() => plain.close());
  const refused = await refusedPort(TWO);
  dns = await startDnsServer({ zone: {
    '': { SOA: [{ mname: 'a.root-servers.net', rname: 'nstld.verisign-grs.com' }], ad: true },
    'two.redirect.test': { A: TWO },
    'refused.redirect.test': { A: TWO },
  } });
  // 127.0.0.3 has nothing on the plain server's port: only 127.0.0.2 answers port 80 of two.redirect.test.
  rules = [
    `two.redirect.test:443::${silent443}`, `two.redirect.test:80::${plain.port}`,
    `refused.redirect.test:443::${silent443}`, `refused.redirect.test:80::${refused}`,
  ];

  estate = await startEstate([
    {
      domain: 'private.redirect.test', http: 'redirect',
      https: { routes: { '/': { status: 302, headers: { location: 'https://10.1.2.3/admin' } } } },
    },
    { domain: 'cut.redirect.test', http: 'redirect', https: { routes: { '/': { status: 302, headers: { location: CUT_LOCATION } } } } },
  ]);
  await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
  // Safety net: should 10.1.2.3 ever be followed, it is dialled on a refused loopback port, never on the network.
  rules.push(...estate.connectTo, `10.1.2.3:443:127.0.0.1:${refused}`);
}, 30_000);

afterAll(async () => {
  await Promise.all([dns?.close(), estate?.close(), ...closers.map((c) => c())]);
});

async function scan(config: string, resolver: string, extra: string[] = []) {
  const file = join(dir, `vouch-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, config);
  const out = join(dir, `run-${Math.random().toString(36).slice(2)}`);
  const run = await runCli(['scan', '-c', file, '--resolver', resolver, '--ca', join(dir, 'ca.pem'),
    ...rules.flatMap((r) => ['--connect-to', r]), '--timeout', '400', '--out', out, '--format', 'json', '--log-level', 'silent', ...extra]);
  const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport;
  const result = (domain: string, check: string) => allResults(report).find((r) => r.domain === domain && r.checkId === check);
  return { run, report, result };
}

describe('https.redirect on a name with two addresses and a silent port 443', () => {
  let scanned: Awaited<ReturnType<typeof scan>>;
  beforeAll(async () => {
    // Every web check runs, so the TLS probes of the silent port 443 queue up as they would in a real scan.
    scanned = await scan('domains:\n  - { name: two.redirect.test, mail: false }\n  - { name: refused.redirect.test, mail: false }\nipFamilies: [4]\n',
      `127.0.0.1:${dns.port}`);
  }, 60_000);

  it('fails on the address whose port 80 serves a plain 200, never passes', () => {
    const result = scanned.result('two.redirect.test', 'https.redirect');
    expect(result, JSON.stringify(result)).toMatchObject({ status: 'fail' });
    expect(result?.summary).toContain('HTTP 200 over plain HTTP');
    expect(result?.summary).toContain('127.0.0.2');
    expect(result?.evidence).toMatchObject({ addresses: [
      { address: '127.0.0.2', status: 'fail' },
      { address: '127.0.0.3', status: 'pass', port80: 'refused' },
    ] });
  });

  it('passes when port 80 refuses the connection on both addresses', () => {
    const result = scanned.result('refused.redirect.test', 'https.redirect');
    expect(result, JSON.stringify(result)).toMatchObject({ status: 'pass' });
    expect(result?.evidence).toMatchObject({ addresses: [{ port80: 'refused' }, { port80: 'refused' }] });
  });
});

describe('redirects the walker does not follow', () => {
  let scanned: Awaited<ReturnType<typeof scan>>;
  beforeAll(async () => {
    scanned = await scan('domains:\n  - { name: private.redirect.test, mail: false }\n  - { name: cut.redirect.test, mail: false }\n',
      `${estate.dns.host}:${estate.dns.port}`, ['--only', 'https.redirect,http.content-type-options']);
  }, 60_000);

  it('stops at a redirect to a private address and says why', () => {
    const result = scanned.result('private.redirect.test', 'https.redirect');
    expect(result, JSON.stringify(result)).toMatchObject({ status: 'error', reason: 'client-limitation' });
    expect(result?.summary).toContain('10.1.2.3 is a private address');
    expect(JSON.stringify(result?.evidence)).toContain('not followed (see allowRedirectsTo)');
    const page = scanned.result('private.redirect.test', 'http.content-type-options');
    expect(page, JSON.stringify(page)).toMatchObject({ status: 'error', reason: 'client-limitation' });
    expect(page?.summary).toContain('10.1.2.3 is a private address');
  });

  it('never follows a Location header cut by the read cap', () => {
    for (const check of ['https.redirect', 'http.content-type-options']) {
      const result = scanned.result('cut.redirect.test', check);
      expect(result, JSON.stringify(result)).toMatchObject({ status: 'error', reason: 'client-limitation' });
      expect(result?.summary).toContain('Location header was cut');
    }
    expect(JSON.stringify(scanned.report.domains.map((d) => d.artifacts))).not.toContain('truncated]/');
  });
});
