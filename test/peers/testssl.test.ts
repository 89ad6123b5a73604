import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type Estate, type SiteSpec } from '../../src/lab/estate.ts';
import { startSslv2Server, startSslv3Server } from '../../src/lab/legacy-tls-server.ts';
import type { LabServer } from '../../src/lab/tls-server.ts';
import { allResults } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli } from '../support/cli.ts';

/**
 * Vouch and testssl.sh (Debian's `testssl.sh` package, `apt-get install testssl.sh`) agree on which protocol
 * versions, SSLv2 to TLS 1.3, the same loopback servers accept: three lab sites, and an SSLv2-only and an SSLv3-only
 * fake server (src/lab/legacy-tls-server.ts; OpenSSL 3 cannot serve either). Runs only where testssl is installed; it
 * never leaves loopback: NXCONNECT and --nodns none stop its own name lookups (performance guide).
 */
const TESTSSL = '/usr/bin/testssl';
const SITES: SiteSpec[] = [
  { domain: 'modern.peer.test', https: { routes: {} } },
  { domain: 'legacy.peer.test', https: { tls: { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, routes: {} } },
  { domain: 'tls12.peer.test', https: { tls: { maxVersion: 'TLSv1.2' }, routes: {} } },
];
const FAKES = { 'sslv2.peer.test': startSslv2Server, 'sslv3.peer.test': startSslv3Server };
const LINE = /^ (SSLv[23]|TLS 1(?:\.[123])?)\s+(offered|not offered)/;
const NAMES: Record<string, string> = { SSLv2: 'SSLv2', SSLv3: 'SSLv3', 'TLS 1': 'TLSv1', 'TLS 1.1': 'TLSv1.1', 'TLS 1.2': 'TLSv1.2', 'TLS 1.3': 'TLSv1.3' };

let estate: Estate;
const fakes: LabServer[] = [];
/** `name:443:127.0.0.1:port` for the fake servers (no DNS), the estate's own rules for its sites. */
let rules: string[] = [];
/** testssl's verdict per version, per domain: every run starts in beforeAll, all at once, and each case awaits its own. */
const theirs = new Map<string, Promise<Record<string, boolean>>>();
/** Vouch's verdict per version, per domain, from one scan of every compared domain. */
let ours: Promise<Map<string, Record<string, boolean>>>;

// By default the cases only this file covers: SSLv2 and SSLv3 (test/peers/tls-peers.test.ts compares TLS 1.0 to
// 1.3 per suite on its variants) and one server with TLS 1.0 to 1.3; VOUCH_PEERS=full runs all five.
const full = process.env['VOUCH_PEERS'] === 'full';
const DOMAINS = [...SITES.map((s) => s.domain).filter((d) => full || d.startsWith('legacy.')), ...Object.keys(FAKES)];

beforeAll(async () => {
  if (!existsSync(TESTSSL)) return;
  estate = await startEstate(SITES);
  rules = [...estate.connectTo];
  for (const [domain, start] of Object.entries(FAKES)) {
    const server = await start();
    fakes.push(server);
    rules.push(`${domain}:443:127.0.0.1:${server.port}`);
  }
  // testssl spends most of its ~8 s per server starting up and waiting on sockets: the runs overlap, and Vouch scans
  // meanwhile. A failed run is reported by the case that awaits it.
  for (const domain of DOMAINS) {
    const run = testsslProtocols(portOf(domain));
    run.catch(() => {});
    theirs.set(domain, run);
  }
  ours = vouchProtocols(DOMAINS);
  ours.catch(() => {});
}, 60_000);
afterAll(async () => {
  await Promise.allSettled(theirs.values()); // the servers stay up until every testssl run is over
  await Promise.all([estate?.close(), ...fakes.map((f) => f.close())]);
}, 150_000);

const portOf = (domain: string) => rules.find((r) => r.startsWith(`${domain}:443:`))!.split(':').pop()!;

/**
 * testssl's `-p` (protocols through its own sockets, so SSLv2 and SSLv3 too) on one port. USLEEP_SND/USLEEP_REC=0
 * remove its fixed sleeps around each socket send and read (0.1 s / 0.2 s by default); it still waits for the
 * server's answer (test/support/peers.ts runs it the same way).
 */
async function testsslProtocols(port: string): Promise<Record<string, boolean>> {
  // testssl exits non-zero when its own OpenSSL cannot handshake (SSLv2/SSLv3-only servers) yet still prints the
  // protocol section: keep its output then (a timeout or a crash still fails the test, through the assertions).
  const { stdout } = await promisify(execFile)(TESTSSL, ['--quiet', '--color', '0', '--warnings', 'off', '--nodns', 'none', '-p', `127.0.0.1:${port}`],
    { env: { ...process.env, NXCONNECT: '127.0.0.1:0', USLEEP_SND: '0', USLEEP_REC: '0' }, timeout: 120_000 })
    .catch((err: { stdout?: string; killed?: boolean }) => { if (err.killed || typeof err.stdout !== 'string') throw err; return { stdout: err.stdout }; });
  return Object.fromEntries(stdout.split('\n').flatMap((l) => { const m = LINE.exec(l); return m ? [[NAMES[m[1]!]!, m[2] === 'offered']] : []; }));
}

/** One `vouch scan --only tls.protocol-versions` of `domains`: each domain's accepted versions. */
async function vouchProtocols(domains: readonly string[]): Promise<Map<string, Record<string, boolean>>> {
  const run = await runCli(['scan', ...domains, '--resolver', `127.0.0.1:${estate.dns.port}`, ...rules.flatMap((r) => ['--connect-to', r]),
    '--only', 'tls.protocol-versions', '--format', 'json', '--log-level', 'silent']);
  const report = JSON.parse(run.stdout) as ScanReport;
  return new Map(allResults(report).map((result) => {
    const evidence = (result as { evidence?: unknown }).evidence as { addresses: { versions: { version: string; accepted: boolean }[] }[] };
    return [result.domain, Object.fromEntries(evidence.addresses[0]!.versions.map((v) => [v.version, v.accepted]))];
  }));
}

describe.skipIf(!existsSync(TESTSSL))('agreement with testssl.sh on protocol versions', () => {
  it.each(DOMAINS)('%s', async (domain) => {
    const peer = await theirs.get(domain)!;
    expect(Object.keys(peer)).toHaveLength(6);
    expect((await ours).get(domain)).toEqual(peer);
  }, 150_000);
});
