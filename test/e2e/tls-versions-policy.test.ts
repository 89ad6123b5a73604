/**
 * Protocol versions and certificate keys judged by the TLS profile (issue 9), end to end through the CLI, against
 * servers on 127.0.0.1 only: an SSLv2-only and an SSLv3-only fake server (OpenSSL 3 cannot serve either; see
 * src/lab/legacy-tls-server.ts), a TLS 1.3 + 1.2 lab site, a silent server, and an RSA-2048 certificate judged under
 * NCSC-NL 2025-05 (phase-out: warn) and Mozilla intermediate (good: pass). Names are reached by connect-to rules
 * with an address, so no name is ever looked up outside the lab.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../src/lab/http-server.ts';
import { startSslv2Server, startSslv3Server } from '../../src/lab/legacy-tls-server.ts';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { startSilentServer, type LabServer } from '../../src/lab/tls-server.ts';
import { allResults } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli } from '../support/cli.ts';

const OK_PAGE = { '/': { status: 200, body: 'ok' } };
const root = createCa({ name: 'Vouch TLS Policy Test Root' });
const servers: LabServer[] = [];
const rules: string[] = [];
let dir: string;

beforeAll(async () => {
  const serve = async (domain: string, server: LabServer) => { servers.push(server); rules.push(`${domain}:443:127.0.0.1:${server.port}`); };
  await serve('sslv2.policy.test', await startSslv2Server());
  await serve('sslv3.policy.test', await startSslv3Server());
  await serve('silent.policy.test', await startSilentServer());
  const modern = issueLeaf(root, { hosts: ['modern.policy.test'] }); // ECDSA P-256, TLS 1.2 and 1.3 (OpenSSL's default)
  await serve('modern.policy.test', await startHttpServer({ tls: { key: modern.keyPem, cert: modern.chainPem, minVersion: 'TLSv1.2' }, routes: OK_PAGE }));
  const rsa = issueLeaf(root, { hosts: ['rsa.policy.test'], keyType: 'rsa', rsaBits: 2048 });
  await serve('rsa.policy.test', await startHttpServer({ tls: { key: rsa.keyPem, cert: rsa.chainPem, minVersion: 'TLSv1.2' }, routes: OK_PAGE }));
  dir = await mkdtemp(join(tmpdir(), 'vouch-tls-policy-'));
  await writeFile(join(dir, 'ca.pem'), root.certPem);
}, 30_000);

afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });

/** One scan through the CLI; `profile` writes a config file with `tls: { profile }`. */
async function scan(domains: readonly string[], only: string, profile?: string) {
  const config = join(dir, `vouch-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(config, [
    'domains:', ...domains.map((d) => `  - { name: ${d}, mail: false }`),
    // Nothing is resolved (every name has a connect-to address); the resolver is the discard port on loopback.
    'resolvers: ["127.0.0.1:9"]', 'ipFamilies: [4]', ...(profile ? [`tls: { profile: ${profile} }`] : []),
  ].join('\n'));
  const run = await runCli(['scan', '-c', config, '--ca', join(dir, 'ca.pem'), ...rules.flatMap((r) => ['--connect-to', r]),
    '--only', only, '--timeout', '1500', '--format', 'json', '--log-level', 'silent']);
  const report = JSON.parse(run.stdout) as ScanReport;
  const result = (domain: string, check: string) => allResults(report).find((r) => r.domain === domain && r.checkId === check);
  return { run, report, result };
}

type VersionRow = { version: string; accepted: boolean | null; class: string; clause: string };
const versionsOf = (r: unknown) => ((r as { evidence: { addresses: { versions: VersionRow[] }[] } }).evidence.addresses[0]!.versions);

describe('tls.protocol-versions by the TLS profile, through the CLI', () => {
  let result: Awaited<ReturnType<typeof scan>>['result'];
  let run: Awaited<ReturnType<typeof scan>>['run'];
  beforeAll(async () => {
    ({ result, run } = await scan(['sslv2.policy.test', 'sslv3.policy.test', 'modern.policy.test', 'silent.policy.test'], 'tls.protocol-versions'));
  }, 60_000);

  it('fails a server that answers an SSLv2 CLIENT-HELLO with a SERVER-HELLO', () => {
    const outcome = result('sslv2.policy.test', 'tls.protocol-versions');
    expect(outcome).toMatchObject({ status: 'fail', summary: 'accepts SSLv2 (insufficient under ncsc-2025-05)' });
    expect(versionsOf(outcome).find((v) => v.version === 'SSLv2')).toMatchObject({ accepted: true, class: 'insufficient', clause: expect.stringContaining('§3.3.1') });
    expect(versionsOf(outcome).filter((v) => v.accepted === true).map((v) => v.version)).toEqual(['SSLv2']);
  });

  it('fails a server that answers at SSL 3.0, and sees that it refuses TLS (a lower ServerHello is a refusal)', () => {
    const outcome = result('sslv3.policy.test', 'tls.protocol-versions');
    expect(outcome).toMatchObject({ status: 'fail', summary: 'accepts SSLv3 (insufficient under ncsc-2025-05)' });
    expect(Object.fromEntries(versionsOf(outcome).map((v) => [v.version, v.accepted]))).toEqual({
      SSLv2: false, SSLv3: true, TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': false,
    });
  });

  it('passes TLS 1.3 and 1.2, naming each class and the policy', () => {
    const outcome = result('modern.policy.test', 'tls.protocol-versions');
    expect(outcome).toMatchObject({ status: 'pass', summary: 'accepts TLSv1.2 (sufficient), TLSv1.3 (good) under ncsc-2025-05' });
    expect(outcome).toMatchObject({ evidence: { addresses: [{ policy: { id: 'ncsc-2025-05', version: '2025-05' }, source: 'tls-enumeration' }] } });
  });

  it('is an error (timeout) for a server that never answers', () => {
    expect(result('silent.policy.test', 'tls.protocol-versions')).toMatchObject({ status: 'error', reason: 'timeout' });
  });

  it('exits 1 and prints the SSL fails', () => {
    expect(run.code).toBe(1);
  });
});

describe('tls.certificate-key by the TLS profile, through the CLI', () => {
  it('warns on an RSA-2048 certificate under NCSC-NL 2025-05 (phase-out) and passes an ECDSA P-256 one', async () => {
    const { result } = await scan(['rsa.policy.test', 'modern.policy.test'], 'tls.certificate-key');
    expect(result('rsa.policy.test', 'tls.certificate-key')).toMatchObject({
      status: 'warn', summary: expect.stringMatching(/^RSA 2048-bit key in "O=Vouch Lab, CN=rsa\.policy\.test" is phase-out under ncsc-2025-05/),
      evidence: { addresses: [{ keys: [{ class: 'phase-out', clause: expect.stringContaining('CERT_RSA_MIN_PHASE_OUT_KEY_SIZE') }] }] },
    });
    expect(result('modern.policy.test', 'tls.certificate-key')).toMatchObject({ status: 'pass', summary: 'EC 256-bit key (prime256v1) (good under ncsc-2025-05)' });
  }, 60_000);

  it('passes the same RSA-2048 certificate under tls: { profile: mozilla-intermediate }', async () => {
    const { result, run } = await scan(['rsa.policy.test'], 'tls.certificate-key', 'mozilla-intermediate');
    expect(result('rsa.policy.test', 'tls.certificate-key')).toMatchObject({
      status: 'pass', summary: 'RSA 2048-bit key (good under mozilla-intermediate)',
      evidence: { addresses: [{ policy: { id: 'mozilla-intermediate', version: '5.7' }, keys: [{ class: 'good', clause: expect.stringContaining('rsa_key_size = 2048') }] }] },
    });
    expect(run.code).toBe(0);
  }, 60_000);
});
