import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TlsVersion } from '../../src/probes/types.ts';

/**
 * Runs the peers, testssl.sh (Debian's `testssl.sh` package, /usr/bin/testssl, 3.0.x) and sslscan (2.0.x), against
 * a loopback TLS server and turns their machine-readable output into one shape, so tests can compare them with a lab
 * variant's configured expectation and, later, with Vouch's own enumeration. Loopback only: `NXCONNECT` and
 * `--nodns none` stop testssl's own name lookups, and every target is 127.0.0.1.
 *
 * How each tool is run, and why (runtimes measured on this 2-core machine, see test/peers/tls-peers.test.ts):
 * - testssl spends ~10 s just starting (it probes its OpenSSL binary with dozens of `s_client` runs), and a full
 *   socket-based `-E` (each of ~370 suites per protocol through bash sockets) takes ~45-60 s on a 4-version server.
 *   So it runs ONCE per target, narrowed to what is compared: `--ssl-native -E -P -f` (accepted suites per protocol,
 *   the server's order, the ECDHE curves and, from the `-E` lines, the DHE size), using only /usr/bin/openssl. That
 *   OpenSSL (3.0) knows every suite a Node/OpenSSL 3.0 lab server can serve, so nothing is lost for these targets;
 *   it cannot test SSLv2/SSLv3 (reported as a "local problem", read as "not tested"). `OPENSSL_CONF` points to a
 *   file that sets `@SECLEVEL=0` and no minimum protocol: Debian's default (SECLEVEL=2) makes the client refuse
 *   TLS 1.0/1.1 (SHA-1 signatures) and 1024-bit DH, which would hide exactly what these tests look for.
 *   No `--mapping iana`: with it, testssl 3.0.8's native `-f` compares IANA names with OpenSSL's and finds no
 *   forward-secret suite, so it prints no curves. Names are mapped here instead (from the code points, and for the
 *   `-P` order lists from OpenSSL names through testssl's own mapping file).
 *   What native mode cannot give is the DHE prime's NAME (`DH_groups`, socket mode only): with `dhGroup: true` a
 *   second, socket-based `-f` runs in parallel for it (~10-50 s more CPU; the full peer set uses it).
 *   `USLEEP_SND=0 USLEEP_REC=0` remove testssl's fixed sleeps around socket sends/reads (0.1 s / 0.2 s by default).
 */

export const TESTSSL = '/usr/bin/testssl';
export const SSLSCAN = '/usr/bin/sslscan';
export const hasTestssl = existsSync(TESTSSL);
export const hasSslscan = existsSync(SSLSCAN);

export type PeerTarget = { readonly host: string; readonly port: number; readonly starttls: 'smtp' | null };

/** One tool's view of a server, normalized: IANA suite names, IANA group names, versions as in TlsVersion. */
export type PeerView = {
  /** `vouch` when a test puts Vouch's own enumeration in the same shape (test/peers/tls-peers.test.ts). */
  readonly tool: 'testssl' | 'sslscan' | 'vouch';
  /** Versions the tool found suites for; versions with none are absent. */
  readonly suitesByVersion: Partial<Record<TlsVersion, string[]>>;
  /** The suites in the order the tool lists as the server's (testssl: its cipher order; sslscan: its listing). */
  readonly orderByVersion: Partial<Record<TlsVersion, string[]>>;
  /** Whether the server enforces its own order; null when the tool does not say (sslscan). */
  readonly serverOrder: boolean | null;
  /** Key exchange groups (IANA names: x25519, secp256r1, ...), sorted; FFDHE of TLS 1.2 DHE not included. */
  readonly groups: string[];
  /** The DHE prime: size (sslscan) and/or well-known name (testssl), when DHE suites were seen. */
  readonly dh: { readonly bits: number | null; readonly prime: string | null } | null;
  /** Wall time of the tool's run(s), in seconds. */
  readonly seconds: number;
};

const run = promisify(execFile);

// ---------------------------------------------------------------------------------------------------------------
// Names.

let suiteNames: Map<number, string> | undefined;
let opensslNames: Map<string, string> | undefined;

/**
 * Code point -> IANA name, from testssl's mapping file when present (it lists every registry suite), else from
 * `openssl ciphers -V -stdname` (what OpenSSL knows).
 */
export function ianaSuiteNames(): Map<number, string> {
  if (suiteNames) return suiteNames;
  const names = new Map<number, string>();
  const mapping = ['/etc/testssl/cipher-mapping.txt', '/usr/share/testssl/etc/cipher-mapping.txt'].find(existsSync);
  const line = /^\s*0x([0-9A-F]{2}),0x([0-9A-F]{2})\s+-\s+(\S+)\s+(TLS_\w+|SSL_\w+)/i;
  const text = mapping ? readFileSync(mapping, 'utf8') : '';
  const byOpenssl = new Map<string, string>();
  for (const l of text.split('\n')) {
    const m = line.exec(l);
    if (!m) continue;
    names.set(parseInt(m[1]! + m[2]!, 16), m[4]!);
    if (!byOpenssl.has(m[3]!)) byOpenssl.set(m[3]!, m[4]!);
  }
  suiteNames = names;
  opensslNames = byOpenssl;
  return names;
}

/** An OpenSSL suite name (what testssl prints without `--mapping iana`) as its IANA name; IANA names pass through. */
export function ianaOfOpensslName(name: string): string {
  if (/^(TLS|SSL)_/.test(name)) return name;
  ianaSuiteNames();
  return opensslNames?.get(name) ?? name;
}

/** Fills in what the mapping file lacks from OpenSSL itself (`-stdname`). */
async function withOpensslNames(): Promise<Map<number, string>> {
  const names = ianaSuiteNames();
  if (names.size > 300) return names;
  const { stdout } = await run('openssl', ['ciphers', '-V', '-stdname', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0']);
  for (const l of stdout.split('\n')) {
    const m = /^\s*0x([0-9A-F]{2}),0x([0-9A-F]{2})\s+-\s+(\S+)/i.exec(l);
    if (m && !names.has(parseInt(m[1]! + m[2]!, 16))) names.set(parseInt(m[1]! + m[2]!, 16), m[3]!);
  }
  return names;
}

/** OpenSSL/tool group names -> IANA TLS Supported Groups names. */
export function ianaGroupName(name: string): string {
  const n = name.replace(/\s*\(.*\)\s*$/, '').trim();
  const known: Record<string, string> = {
    prime256v1: 'secp256r1', 'P-256': 'secp256r1', secp256r1: 'secp256r1',
    'P-384': 'secp384r1', secp384r1: 'secp384r1', 'P-521': 'secp521r1', secp521r1: 'secp521r1',
    X25519: 'x25519', x25519: 'x25519', X448: 'x448', x448: 'x448',
  };
  return known[n] ?? n;
}

const DH_PRIMES: Record<string, string> = {
  'RFC2409/Oakley Group 2': 'modp1024', 'RFC2409/Oakley Group 1': 'modp768',
  'RFC3526/Oakley Group 5': 'modp1536', 'RFC3526/Oakley Group 14': 'modp2048',
};

const TESTSSL_VERSIONS: Record<string, TlsVersion> = { '1': 'TLSv1', '1_1': 'TLSv1.1', '1_2': 'TLSv1.2', '1_3': 'TLSv1.3' };
const SSLSCAN_VERSIONS: Record<string, TlsVersion> = { 'TLSv1.0': 'TLSv1', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3' };

// ---------------------------------------------------------------------------------------------------------------
// testssl.

type TestsslFinding = { id: string; finding: string };

/** The OpenSSL configuration for testssl's client: security level 0, no minimum protocol (see the header). */
const OPENSSL_CONF_TEXT = `openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
CipherString = ALL:@SECLEVEL=0
MinProtocol = None
`;

export type TestsslOptions = {
  /** Also run testssl's socket-based `-f` for the DHE prime's name (`DH_groups`), in parallel with the main run. */
  readonly dhGroup?: boolean;
  readonly timeoutMs?: number;
};

export async function runTestssl(target: PeerTarget, options: TestsslOptions = {}): Promise<PeerView> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const dir = await mkdtemp(join(tmpdir(), 'vouch-testssl-'));
  try {
    const conf = join(dir, 'openssl.cnf');
    await writeFile(conf, OPENSSL_CONF_TEXT);
    const env = { ...process.env, NXCONNECT: '127.0.0.1:0', USLEEP_SND: '0', USLEEP_REC: '0', OPENSSL_CONF: conf };
    const common = ['--quiet', '--color', '0', '--warnings', 'off', '--nodns', 'none',
      ...(target.starttls ? ['--starttls', target.starttls] : [])];
    const started = performance.now();
    const once = async (name: string, flags: string[]): Promise<TestsslFinding[]> => {
      const file = join(dir, `${name}.json`);
      // testssl exits non-zero for findings; only the JSON file matters, unless it was killed half-way through it.
      await run(TESTSSL, [...common, ...flags, '--jsonfile', file, `${target.host}:${target.port}`], { env, timeout: timeoutMs })
        .catch((error: { killed?: boolean }) => {
          if (error.killed) throw new Error(`testssl ${flags.join(' ')} on ${target.host}:${target.port}: no result within ${timeoutMs / 1000} s`);
          if (!existsSync(file)) throw error;
        });
      return JSON.parse(await readFile(file, 'utf8')) as TestsslFinding[];
    };
    const runs = [once('native', ['--ssl-native', '-E', '-P', '-f'])];
    if (options.dhGroup) runs.push(once('dh', ['-f']).then((fs) => fs.filter((f) => f.id === 'DH_groups')));
    const findings = (await Promise.all(runs)).flat();
    const seconds = (performance.now() - started) / 1000;
    return parseTestssl(findings, seconds);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Parses testssl 3.0 JSON findings (`-E`, `-P`, `-f`). The DHE size comes from `DH_groups` when present (socket
 * `-f`), else from the `-E` lines of the DHE suites ("DH 1024"); the prime's name only from `DH_groups`.
 */
export function parseTestssl(findings: readonly TestsslFinding[], seconds: number): PeerView {
  const suitesByVersion: Partial<Record<TlsVersion, string[]>> = {};
  const orderByVersion: Partial<Record<TlsVersion, string[]>> = {};
  let serverOrder: boolean | null = null;
  const groups = new Set<string>();
  let dh: PeerView['dh'] = null;
  let suiteDhBits: number | null = null;
  for (const { id, finding } of findings) {
    // cipher-tls1_2_xc030: "TLS 1.2   xc030   TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384   ECDH 253 ..."
    const cipher = /^cipher-tls(1(?:_[123])?)_x([0-9a-f]+)$/i.exec(id);
    if (cipher) {
      const version = TESTSSL_VERSIONS[cipher[1]!]!;
      const name = ianaSuiteNames().get(parseInt(cipher[2]!, 16)) ?? /\b(TLS_\w+)/.exec(finding)?.[1] ?? `0x${cipher[2]}`;
      (suitesByVersion[version] ??= []).push(name);
      const dhBits = /\sDH (\d+)\s/.exec(finding)?.[1];
      if (dhBits) suiteDhBits = Math.max(suiteDhBits ?? 0, Number(dhBits));
      continue;
    }
    if (id === 'cipher_order') serverOrder = /^server/i.test(finding) ? true : /NOT a cipher order/i.test(finding) ? false : null;
    const order = /^cipherorder_TLSv(1(?:_[123])?)$/.exec(id);
    if (order) orderByVersion[TESTSSL_VERSIONS[order[1]!]!] = finding.split(/\s+/).filter(Boolean).map(ianaOfOpensslName);
    if (/^(PFS|FS)_ECDHE_curves$/.test(id)) for (const g of finding.split(/\s+/).filter(Boolean)) groups.add(ianaGroupName(g));
    if (id === 'DH_groups') {
      const bits = /\((\d+) bits\)/.exec(finding)?.[1];
      const prime = finding.replace(/\s*\(\d+ bits\)\s*$/, '').trim();
      dh = { bits: bits ? Number(bits) : null, prime: DH_PRIMES[prime] ?? prime };
    }
  }
  if (suiteDhBits !== null) dh = { bits: dh?.bits ?? suiteDhBits, prime: dh?.prime ?? null };
  return { tool: 'testssl', suitesByVersion, orderByVersion, serverOrder, groups: [...groups].sort(), dh, seconds };
}

// ---------------------------------------------------------------------------------------------------------------
// sslscan.

export async function runSslscan(target: PeerTarget, timeoutMs = 60_000): Promise<PeerView> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-sslscan-'));
  try {
    const file = join(dir, 'scan.xml');
    const started = performance.now();
    await run(SSLSCAN, ['--no-colour', `--xml=${file}`, ...(target.starttls === 'smtp' ? ['--starttls-smtp'] : []),
      `${target.host}:${target.port}`], { timeout: timeoutMs });
    const seconds = (performance.now() - started) / 1000;
    return parseSslscanXml(await readFile(file, 'utf8'), await withOpensslNames(), seconds);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Parses sslscan 2.0 `--xml` output: `<cipher ... sslversion id dhebits>` and `<group sslversion name id>`. */
export function parseSslscanXml(xml: string, names: ReadonlyMap<number, string>, seconds: number): PeerView {
  const suitesByVersion: Partial<Record<TlsVersion, string[]>> = {};
  const groups = new Set<string>();
  let dhBits: number | null = null;
  const attributes = (element: string) =>
    Object.fromEntries([...element.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!])) as Record<string, string | undefined>;
  for (const [element] of xml.matchAll(/<cipher\s[^>]*\/>/g)) {
    const a = attributes(element);
    const version = SSLSCAN_VERSIONS[a.sslversion ?? ''];
    if (!version || a.id === undefined) continue;
    const name = names.get(parseInt(a.id, 16)) ?? a.cipher ?? a.id;
    (suitesByVersion[version] ??= []).push(name);
    if (a.dhebits !== undefined) dhBits = Math.max(dhBits ?? 0, Number(a.dhebits));
  }
  for (const [element] of xml.matchAll(/<group\s[^>]*\/>/g)) {
    const a = attributes(element);
    if (a.name !== undefined) groups.add(ianaGroupName(a.name));
  }
  const orderByVersion = Object.fromEntries(Object.entries(suitesByVersion).map(([v, s]) => [v, [...s]]));
  return {
    tool: 'sslscan', suitesByVersion, orderByVersion, serverOrder: null, groups: [...groups].sort(),
    dh: dhBits === null ? null : { bits: dhBits, prime: null }, seconds,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Both, cached.

export type PeerViews = { readonly testssl: PeerView | null; readonly sslscan: PeerView | null };

const views = new Map<string, Promise<PeerViews>>();

/**
 * What testssl and sslscan (where installed) see on `target`, run once per target per process: every comparison
 * reuses the same runs. The two tools run one after the other (sslscan first, ~1 s), so their timings are not
 * disturbed by each other; callers that start several targets at once should limit how many run together (each
 * testssl run keeps about one core busy starting processes).
 */
export function peerViewOf(target: PeerTarget, options: { readonly dhGroup?: boolean } = {}): Promise<PeerViews> {
  const key = `${target.starttls ?? 'tls'}://${target.host}:${target.port}${options.dhGroup ? '+dh' : ''}`;
  let views_ = views.get(key);
  if (!views_) {
    views_ = (async () => {
      const sslscan = hasSslscan ? await runSslscan(target) : null;
      const testssl = hasTestssl ? await runTestssl(target, { dhGroup: options.dhGroup ?? false }) : null;
      return { testssl, sslscan };
    })();
    views.set(key, views_);
  }
  return views_;
}
