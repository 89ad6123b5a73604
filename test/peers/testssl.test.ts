import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type Estate, type SiteSpec } from '../../src/lab/estate.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli } from '../support/cli.ts';

/**
 * Vouch and testssl.sh (Debian's `testssl.sh` package, `apt-get install testssl.sh`) agree on which protocol
 * versions the same loopback servers accept. Runs only where testssl is installed; it never leaves loopback:
 * NXCONNECT and --nodns none stop its own name lookups (performance guide).
 */
const TESTSSL = '/usr/bin/testssl';
const SITES: SiteSpec[] = [
  { domain: 'modern.peer.test', https: { routes: {} } },
  { domain: 'legacy.peer.test', https: { tls: { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, routes: {} } },
  { domain: 'tls12.peer.test', https: { tls: { maxVersion: 'TLSv1.2' }, routes: {} } },
];
const LINE = /^ (TLS 1(?:\.[123])?)\s+(offered|not offered)/;
const NAMES: Record<string, string> = { 'TLS 1': 'TLSv1', 'TLS 1.1': 'TLSv1.1', 'TLS 1.2': 'TLSv1.2', 'TLS 1.3': 'TLSv1.3' };

let estate: Estate;
beforeAll(async () => { if (existsSync(TESTSSL)) estate = await startEstate(SITES); });
afterAll(async () => { await estate?.close(); });

describe.skipIf(!existsSync(TESTSSL))('agreement with testssl.sh on protocol versions', () => {
  it.each(SITES.map((s) => s.domain))('%s', async (domain) => {
    const port = estate.connectTo.find((r) => r.startsWith(`${domain}:443::`))!.split('::')[1]!;
    const { stdout } = await promisify(execFile)(TESTSSL, ['--quiet', '--color', '0', '--warnings', 'off', '--nodns', 'none', '-p', `127.0.0.1:${port}`],
      { env: { ...process.env, NXCONNECT: '127.0.0.1:0' }, timeout: 120_000 });
    const theirs = Object.fromEntries(stdout.split('\n').flatMap((l) => { const m = LINE.exec(l); return m ? [[NAMES[m[1]!]!, m[2] === 'offered']] : []; }));

    const run = await runCli(['scan', domain, '--resolver', `127.0.0.1:${estate.dns.port}`, ...estate.connectTo.flatMap((r) => ['--connect-to', r]),
      '--only', 'tls.protocol-versions', '--format', 'json', '--log-level', 'silent']);
    const report = JSON.parse(run.stdout) as ScanReport;
    const evidence = (report.results[0] as { evidence?: unknown }).evidence as { addresses: { versions: { version: string; accepted: boolean }[] }[] };
    const ours = Object.fromEntries(evidence.addresses[0]!.versions.map((v) => [v.version, v.accepted]));
    expect(Object.keys(theirs)).toHaveLength(4);
    expect(ours).toEqual(theirs);
  }, 150_000);
});
