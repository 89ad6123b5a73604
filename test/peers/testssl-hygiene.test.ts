import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.ts';
import { GOOD_TLS } from '../../src/lab/estate.ts';
import { createStapler } from '../../src/lab/ocsp.ts';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { startRawTlsServer } from '../../src/lab/raw-tls-server.ts';
import type { LabServer } from '../../src/lab/tls-server.ts';
import { MODP1024_PEM } from '../../src/lab/tls-variants.ts';
import { allResults } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { runCli } from '../support/cli.ts';
import { hasTestssl, TESTSSL } from '../support/peers.ts';

/**
 * Vouch and testssl.sh (Debian's `testssl.sh` 3.0.x, `apt-get install testssl.sh`; skipped where it is not installed)
 * agree on TLS hygiene (issue 10: renegotiation, compression, Heartbleed, CCS injection, TLS_FALLBACK_SCSV, OCSP
 * stapling) and on the known weaknesses Vouch derives from its enumeration (POODLE, SWEET32, FREAK, LOGJAM, DROWN,
 * RC4, BEAST, LUCKY13), on three loopback servers:
 * - good: Node/OpenSSL with the estate's good TLS (TLS 1.2-1.3, ECDHE AEAD) and a good OCSP staple;
 * - weak: Node/OpenSSL with TLS 1.0, CBC suites and DHE with the 1024-bit RFC 2409 prime, no staple
 *   (LOGJAM with a common prime, BEAST and LUCKY13; a fallback to TLS 1.0 is refused);
 * - raw: the raw lab server (src/lab/raw-tls-server.ts) with Heartbleed, DEFLATE, 3DES, RC4 and export RSA.
 *   It never completes a handshake, so testssl's OpenSSL-based tests cannot decide there (secure renegotiation
 *   "OpenSSL handshake didn't succeed"; it then believes no TLS 1.0 is offered, so BEAST and the fallback test
 *   answer about nothing): those items are compared on the Node servers only.
 *
 * testssl runs once per server, all three in parallel (with Vouch's one scan of the three), narrowed to the items
 * compared: -H -I -R -C -Z -O -W -F -J -D -4 -A -L (fewer on the good server, see GOOD_FLAGS), plus -S (server
 * defaults, the only place testssl 3.0 reports OCSP stapling) on the two Node servers. ~40 s on 2 busy cores, 85-190 s
 * at load 7-15. How long it takes is not asserted: a wall-time bound is a benchmark, and it failed on a busy machine
 * (its wall times belong in docs/benchmark.md, beside tls-peers.test.ts's); the limits below only stop a hung run.
 * Its verdict per item: OK or INFO is "not vulnerable", anything else "vulnerable"; WARN (could not test) fails
 * the comparison, since an undecided peer proves nothing. Loopback only: NXCONNECT and --nodns none stop testssl's
 * own name lookups, and every target is 127.0.0.1.
 *
 * A check that is not registered yet (checks/index.ts) has its rows skipped, by name.
 */

type TargetName = 'good' | 'weak' | 'raw';
type Finding = { id: string; severity: string; finding: string };

/** The testssl client's OpenSSL: security level 0, no minimum protocol (see test/support/peers.ts). */
const OPENSSL_CONF = 'openssl_conf = c\n[c]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\nCipherString = ALL:@SECLEVEL=0\nMinProtocol = None\n';
const VULNERABILITY_FLAGS = ['-H', '-I', '-R', '-C', '-Z', '-O', '-W', '-F', '-J', '-D', '-4', '-A', '-L'];
/**
 * The good server is asked only what the others cannot show as "not vulnerable" (hygiene, LOGJAM, BEAST, LUCKY13):
 * SWEET32, FREAK, POODLE, DROWN and RC4 are "not vulnerable" on the weak Node server already. Not --ssl-native:
 * the local OpenSSL 3 has no zlib, 3DES, RC4, export or SSLv2/SSLv3, so testssl could not test those ("WARN").
 */
const GOOD_FLAGS = ['-H', '-I', '-R', '-C', '-Z', '-J', '-A', '-L'];
const DOMAIN: Record<TargetName, string> = { good: 'good.hygiene.test', weak: 'weak.hygiene.test', raw: 'raw.hygiene.test' };

/** One compared item: testssl's finding ids and where Vouch says the same. */
type Item = {
  readonly name: string;
  readonly testssl: readonly string[];
  readonly vouch: { readonly check: string } | { readonly weakness: string };
  /** Servers on which testssl can decide the item. */
  readonly on: readonly TargetName[];
  /** testssl's "ok" when severity alone does not say it (OCSP: "not offered" is INFO but no staple). */
  readonly testsslOk?: (f: Finding) => boolean;
};

const ALL: readonly TargetName[] = ['good', 'weak', 'raw'];
const NODE: readonly TargetName[] = ['good', 'weak'];
const WEAK: readonly TargetName[] = ['weak', 'raw'];
const ITEMS: readonly Item[] = [
  { name: 'secure renegotiation', testssl: ['secure_renego'], vouch: { check: 'tls.secure-renegotiation' }, on: NODE },
  { name: 'client-initiated renegotiation', testssl: ['secure_client_renego'], vouch: { check: 'tls.client-renegotiation' }, on: NODE },
  { name: 'compression (CRIME)', testssl: ['CRIME_TLS'], vouch: { check: 'tls.compression' }, on: ALL },
  { name: 'Heartbleed', testssl: ['heartbleed'], vouch: { check: 'tls.heartbleed' }, on: ALL },
  { name: 'CCS injection', testssl: ['CCS'], vouch: { check: 'tls.ccs-injection' }, on: NODE },
  { name: 'TLS_FALLBACK_SCSV', testssl: ['fallback_SCSV'], vouch: { check: 'tls.fallback-scsv' }, on: NODE },
  { name: 'OCSP stapling', testssl: ['OCSP_stapling'], vouch: { check: 'tls.ocsp-stapling' }, on: NODE, testsslOk: (f) => /^offered/.test(f.finding) },
  { name: 'POODLE', testssl: ['POODLE_SSL'], vouch: { weakness: 'POODLE' }, on: WEAK },
  { name: 'SWEET32', testssl: ['SWEET32'], vouch: { weakness: 'SWEET32' }, on: WEAK },
  { name: 'FREAK', testssl: ['FREAK'], vouch: { weakness: 'FREAK' }, on: WEAK },
  { name: 'LOGJAM', testssl: ['LOGJAM', 'LOGJAM-common_primes'], vouch: { weakness: 'LOGJAM' }, on: ALL },
  { name: 'DROWN', testssl: ['DROWN'], vouch: { weakness: 'DROWN' }, on: WEAK },
  { name: 'RC4', testssl: ['RC4'], vouch: { weakness: 'RC4' }, on: WEAK },
  { name: 'BEAST', testssl: ['BEAST'], vouch: { weakness: 'BEAST' }, on: NODE },
  { name: 'LUCKY13', testssl: ['LUCKY13'], vouch: { weakness: 'LUCKY13' }, on: ALL },
];

const registered = new Set(ALL_CHECKS.map((c) => c.id));
const checkOf = (item: Item) => ('check' in item.vouch ? item.vouch.check : 'tls.known-weaknesses');

const servers: { close(): Promise<void> }[] = [];
const ports = {} as Record<TargetName, number>;
let dir: string;
let report: ScanReport;
const theirs = {} as Record<TargetName, Finding[]>;
/**
 * Limits that only stop a hung testssl (each run is hundreds of bash and openssl processes, which a loaded machine
 * slows more than anything else in the suite): far above the ~40 s a run takes on 2 busy cores.
 */
const TESTSSL_LIMIT_MS = 300_000;
const SETUP_LIMIT_MS = TESTSSL_LIMIT_MS + 30_000;

/** An HTTPS server (a 200 for every request) from Node's TLS options, stapling `staple` when asked for OCSP. */
async function startNodeServer(options: https.ServerOptions, staple: Buffer | null): Promise<number> {
  const server = https.createServer(options, (_req, res) => { res.statusCode = 200; res.end('ok'); });
  if (staple) server.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, done: (err: Error | null, response?: Buffer) => void) => done(null, staple));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) });
  return (server.address() as AddressInfo).port;
}

async function runTestssl(target: TargetName, flags: readonly string[]): Promise<void> {
  const file = join(dir, `${target}.json`);
  const env = { ...process.env, NXCONNECT: '127.0.0.1:0', USLEEP_SND: '0', USLEEP_REC: '0', OPENSSL_CONF: join(dir, 'openssl.cnf') };
  // testssl exits non-zero for findings; only its JSON file matters, unless it was killed half-way through it.
  await promisify(execFile)(TESTSSL, ['--quiet', '--color', '0', '--warnings', 'off', '--nodns', 'none', ...flags,
    '--jsonfile', file, `127.0.0.1:${ports[target]}`], { env, timeout: TESTSSL_LIMIT_MS }).catch((err: { killed?: boolean }) => {
    if (err.killed) throw new Error(`testssl on the ${target} server: no result within ${TESTSSL_LIMIT_MS / 1000} s`);
    if (!existsSync(file)) throw err;
  });
  theirs[target] = JSON.parse(await readFile(file, 'utf8')) as Finding[];
}

beforeAll(async () => {
  if (!hasTestssl) return;
  dir = await mkdtemp(join(tmpdir(), 'vouch-testssl-hygiene-'));
  await writeFile(join(dir, 'openssl.cnf'), OPENSSL_CONF);
  const ca = createCa({ name: 'Vouch Hygiene Peer CA' });
  await writeFile(join(dir, 'ca.pem'), ca.certPem);
  const good = issueLeaf(ca, { hosts: [DOMAIN.good] });
  const weak = issueLeaf(ca, { hosts: [DOMAIN.weak], keyType: 'rsa', rsaBits: 2048 });
  ports.good = await startNodeServer({
    key: good.keyPem, cert: good.chainPem, minVersion: 'TLSv1.2', ciphers: GOOD_TLS.ciphers, ecdhCurve: GOOD_TLS.ecdhCurve,
    sigalgs: GOOD_TLS.sigalgs, honorCipherOrder: true,
  }, createStapler(ca)(good.certPem, 'good'));
  ports.weak = await startNodeServer({
    key: weak.keyPem, cert: weak.chainPem, minVersion: 'TLSv1', dhparam: MODP1024_PEM, honorCipherOrder: true,
    ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:DHE-RSA-AES128-SHA:TLS_AES_128_GCM_SHA256:@SECLEVEL=0',
  }, null);
  const raw: LabServer = await startRawTlsServer({
    // ECDHE-RSA AES-GCM, AES-CBC, 3DES, RC4 and export RC4 (TLS 1.0-1.2), answering Heartbleed and choosing DEFLATE.
    suites: [0xc02f, 0x002f, 0x000a, 0x0005, 0x0003], heartbleed: true, acceptCompression: true,
  });
  servers.push(raw);
  ports.raw = raw.port;

  const ids = [...new Set(ITEMS.map(checkOf))].filter((id) => registered.has(id));
  const rules = ALL.map((t) => `${DOMAIN[t]}:443:127.0.0.1:${ports[t]}`);
  const vouch = runCli(['scan', ...ALL.map((t) => DOMAIN[t]), '--resolver', '127.0.0.1:9', '--ca', join(dir, 'ca.pem'),
    ...rules.flatMap((r) => ['--connect-to', r]), '--only', ids.join(','), '--format', 'json', '--log-level', 'silent']);
  await Promise.all([
    runTestssl('good', ['-S', ...GOOD_FLAGS]), runTestssl('weak', ['-S', ...VULNERABILITY_FLAGS]), runTestssl('raw', VULNERABILITY_FLAGS),
    vouch.then((run) => { report = JSON.parse(run.stdout) as ScanReport; }),
  ]);
}, SETUP_LIMIT_MS);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** testssl's verdict on `item` at `target`: ok (not vulnerable / stapled), or the findings that say otherwise. */
function testsslVerdict(item: Item, target: TargetName): { ok: boolean; findings: Finding[] } {
  const findings = theirs[target].filter((f) => item.testssl.includes(f.id));
  expect(findings.map((f) => f.id).sort(), `testssl ${target}: ${item.name} not reported`).toEqual([...item.testssl].sort());
  for (const f of findings) expect(f.severity, `testssl could not decide ${f.id} on ${target}: ${f.finding}`).not.toMatch(/^(WARN|DEBUG|FATAL)$/);
  const ok = findings.every((f) => (item.testsslOk ? item.testsslOk(f) : f.severity === 'OK' || f.severity === 'INFO'));
  return { ok, findings };
}

/** Vouch's verdict: a check passes, or the weakness row says not vulnerable. */
function vouchVerdict(item: Item, target: TargetName): { ok: boolean; said: string } {
  const r = allResults(report).find((x) => x.domain === DOMAIN[target] && x.checkId === checkOf(item));
  if (!r) throw new Error(`no ${checkOf(item)} result for ${DOMAIN[target]}`);
  if ('check' in item.vouch) return { ok: r.status === 'pass', said: `${r.status}: ${r.summary}` };
  const weakness = item.vouch.weakness;
  const rows = (r.evidence as { addresses: { weaknesses?: { id: string; status: string }[] }[] }).addresses[0]?.weaknesses ?? [];
  const row = rows.find((w) => w.id === weakness);
  expect(row?.status, `${weakness} on ${target}: ${r.status} ${r.summary}`).toMatch(/^(vulnerable|not-vulnerable)$/);
  return { ok: row?.status === 'not-vulnerable', said: `${weakness} ${row?.status} (${r.status}: ${r.summary})` };
}

const CASES = ITEMS.flatMap((item) => item.on.map((target) => [item.name, target, item] as const));
const READY = CASES.filter(([, , item]) => registered.has(checkOf(item)));
const PENDING = CASES.filter(([, , item]) => !registered.has(checkOf(item))).map(([name, target, item]) => [name, target, checkOf(item)] as const);

describe.skipIf(!hasTestssl)('agreement with testssl.sh on TLS hygiene and known weaknesses', () => {
  it.each(READY)('%s on %s', (_name, target, item) => {
    const peer = testsslVerdict(item, target);
    const ours = vouchVerdict(item, target);
    expect(ours.ok, `${item.name} on ${target}: testssl ${JSON.stringify(peer.findings)}; Vouch ${ours.said}`).toBe(peer.ok);
  });

  // Rows whose Vouch check is not in checks/index.ts yet: listed, by name, as skipped.
  it.skip.each(PENDING)('%s on %s (%s is not registered yet)', () => {});

  it('covers both verdicts: each server shows at least one finding testssl and Vouch both call bad, except the good one', () => {
    const bad = (target: TargetName) => ITEMS.filter((i) => i.on.includes(target) && registered.has(checkOf(i)) && !testsslVerdict(i, target).ok).map((i) => i.name);
    expect(bad('good')).toEqual([]);
    const ifRegistered = (names: string[]) => names.filter((n) => registered.has(checkOf(ITEMS.find((i) => i.name === n)!)));
    expect(bad('weak')).toEqual(expect.arrayContaining(ifRegistered(['LOGJAM', 'BEAST', 'LUCKY13', 'OCSP stapling'])));
    expect(bad('raw')).toEqual(expect.arrayContaining(ifRegistered(['Heartbleed', 'compression (CRIME)', 'SWEET32', 'FREAK', 'RC4', 'LUCKY13'])));
  });
});

describe.skipIf(hasTestssl)('testssl.sh is not installed', () => {
  it.skip(`install Debian's testssl.sh (${TESTSSL}) to compare TLS hygiene and known weaknesses with it`, () => {});
});
