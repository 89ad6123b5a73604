import type { Verdict } from '../../core/endpoints.ts';
import type { JsonObject } from '../../core/types.ts';
import type { TlsEnumeration } from '../enumerate.ts';
import { describeSuite, SUITES, suiteValidFor } from '../registry.ts';
import { PROTOCOL_VERSIONS, type Cipher, type ProtocolVersion, type SuiteInfo } from '../types.ts';
import { listSome, noTls, reasonOf, settle, suiteGaps, type Gap } from './common.ts';
import { DH_FLOOR_BITS } from './key-exchange.ts';

/**
 * Issue 10, known weaknesses derived from what the enumeration (issue 9) already measured: no connection of its own.
 * Each weakness is a finding with its CVEs and the accepted suites (or the DHE prime) that show it:
 * - POODLE (CVE-2014-3566): SSLv3 accepted with a CBC suite (SSLv3's CBC padding is not covered by the MAC).
 * - SWEET32 (CVE-2016-2183, CVE-2016-6329): a 64-bit block cipher in CBC mode (3DES, DES, IDEA, RC2), any version.
 *   The 64-bit GOST ciphers (Magma, 28147) are used in counter modes, where block collisions reveal no plaintext.
 * - FREAK (CVE-2015-0204): an export RSA key exchange (RSA_EXPORT, RSA_EXPORT1024).
 * - LOGJAM (CVE-2015-4000): an export DH suite, or a DHE prime of 1024 bits or fewer (weakdh.org); a widely shared
 *   (well-known) such prime is worse: one precomputation breaks every server that uses it.
 * - DROWN (CVE-2016-0800): SSLv2 accepted on this endpoint. Only this endpoint is examined: DROWN also applies when
 *   any other server that accepts SSLv2 holds the same RSA key.
 * - RC4 (CVE-2013-2566, CVE-2015-2808), NULL encryption and anonymous (unauthenticated) suites.
 * - BEAST (CVE-2011-3389: CBC at SSLv3 or TLS 1.0) and LUCKY13 (CVE-2013-0169: CBC at any TLS version) are
 *   informational, as testssl.sh rates them (LOW; "likely mitigated"/"check patches"): clients split records since
 *   2012 and servers were patched to constant-time CBC, and neither can be told from a handshake. They are named
 *   in the summary and evidence of a pass; CBC itself is judged by the policy in tls.cipher-suites.
 *
 * Which versions each weakness depends on is read from the registry (a version matters when some suite valid for it
 * would show the weakness), so that a version whose facts are incomplete makes exactly those weaknesses unknown: a
 * weakness seen fails whatever else is unknown; otherwise an unknown one is `error` with its cause, never a pass.
 */

export type WeaknessId = 'POODLE' | 'SWEET32' | 'FREAK' | 'LOGJAM' | 'DROWN' | 'RC4' | 'NULL' | 'ANON' | 'BEAST' | 'LUCKY13';

type Weakness = {
  readonly id: WeaknessId;
  readonly cves: readonly string[];
  /** `serious` fails; `informational` is named in a pass. */
  readonly severity: 'serious' | 'informational';
  /** What shows it, in words, for the evidence. */
  readonly test: string;
  /** TLS suites that show it at `version`. */
  readonly suite: (s: SuiteInfo, version: ProtocolVersion) => boolean;
  /** SSLv2 cipher specs (3-byte codes) that show it; null: SSLv2 does not matter. */
  readonly spec: ((code: number) => boolean) | null;
  readonly note?: string;
};

/** Ciphers with a 64-bit block (SWEET32's birthday bound: 2^32 blocks, ~32 GB). */
const BLOCK_64: ReadonlySet<Cipher> = new Set<Cipher>(['3DES', 'DES', 'DES40', 'IDEA', 'RC2', 'MAGMA', 'GOST28147']);

/**
 * The bulk cipher of each SSLv2 cipher spec (draft-hickman-netscape-ssl-00 appendix A.1; registry-data.ts lists the
 * same seven): all but RC4 are 64-bit block ciphers in CBC mode.
 */
const SSLV2_CIPHER: ReadonlyMap<number, Cipher> = new Map<number, Cipher>([
  [0x010080, 'RC4'], [0x020080, 'RC4'], [0x030080, 'RC2'], [0x040080, 'RC2'], [0x050080, 'IDEA'], [0x060040, 'DES'], [0x0700c0, '3DES'],
]);
const sslv2Cipher = (code: number): Cipher | undefined => SSLV2_CIPHER.get(code);

const cbc = (s: SuiteInfo) => s.mode === 'CBC';
const tls = (v: ProtocolVersion) => v !== 'SSLv2';

export const WEAKNESSES: readonly Weakness[] = [
  { id: 'POODLE', cves: ['CVE-2014-3566'], severity: 'serious', test: 'SSLv3 accepted with a CBC suite', suite: (s, v) => v === 'SSLv3' && cbc(s), spec: null },
  {
    id: 'SWEET32', cves: ['CVE-2016-2183', 'CVE-2016-6329'], severity: 'serious', test: 'a 64-bit block cipher in CBC mode accepted (3DES, DES, IDEA, RC2)',
    suite: (s) => BLOCK_64.has(s.cipher) && cbc(s), spec: (code) => { const c = sslv2Cipher(code); return c !== undefined && BLOCK_64.has(c); },
  },
  { id: 'FREAK', cves: ['CVE-2015-0204'], severity: 'serious', test: 'an export RSA key exchange accepted', suite: (s) => s.export && s.kx === 'RSA', spec: null },
  {
    id: 'LOGJAM', cves: ['CVE-2015-4000'], severity: 'serious', test: `an export DH suite accepted, or a DHE prime of ${DH_FLOOR_BITS} bits or fewer`,
    suite: (s) => s.export && (s.kx === 'DHE' || s.kx === 'DH'), spec: null,
  },
  {
    id: 'DROWN', cves: ['CVE-2016-0800'], severity: 'serious', test: 'SSLv2 accepted on this endpoint', suite: () => false, spec: () => true,
    note: 'only this endpoint was examined: DROWN also applies when any other server (another port, host or service) that accepts SSLv2 uses the same RSA key',
  },
  {
    id: 'RC4', cves: ['CVE-2013-2566', 'CVE-2015-2808'], severity: 'serious', test: 'an RC4 suite accepted',
    suite: (s) => s.cipher === 'RC4', spec: (code) => sslv2Cipher(code) === 'RC4',
  },
  { id: 'NULL', cves: [], severity: 'serious', test: 'a suite without encryption (NULL cipher) accepted', suite: (s) => s.cipher === 'NULL', spec: null },
  { id: 'ANON', cves: [], severity: 'serious', test: 'an anonymous suite (no server authentication) accepted', suite: (s) => s.auth === 'anon', spec: null },
  {
    id: 'BEAST', cves: ['CVE-2011-3389'], severity: 'informational', test: 'a CBC suite accepted at SSLv3 or TLS 1.0',
    suite: (s, v) => (v === 'SSLv3' || v === 'TLSv1') && cbc(s), spec: null,
    note: 'informational, as testssl.sh rates it: clients split CBC records (1/n-1) since 2012',
  },
  {
    id: 'LUCKY13', cves: ['CVE-2013-0169'], severity: 'informational', test: 'a CBC suite accepted (SSLv3 to TLS 1.2)',
    suite: (s, v) => tls(v) && cbc(s), spec: null,
    note: 'informational, as testssl.sh rates it: whether the server\'s CBC decryption is constant-time cannot be told from a handshake',
  },
];

/** The versions whose facts decide `w`: SSLv2 when some spec would show it, a TLS version when some valid suite would. */
export function versionsOf(w: Weakness): ProtocolVersion[] {
  return PROTOCOL_VERSIONS.filter((v) => (v === 'SSLv2' ? w.spec !== null : SUITES.some((s) => suiteValidFor(s, v) && w.suite(s, v))));
}

/** `TLS_RSA_WITH_3DES_EDE_CBC_SHA (SSLv3, TLSv1)`: each accepted suite that shows `w`, with its versions. */
function matches(e: TlsEnumeration, w: Weakness): string[] {
  const byName = new Map<string, ProtocolVersion[]>();
  for (const version of PROTOCOL_VERSIONS) {
    const v = e.versions[version];
    if (v.accepted !== true) continue;
    for (const s of v.suites) {
      const shows = version === 'SSLv2' ? w.spec?.(s.code) ?? false : w.suite(describeSuite(s.code), version);
      if (shows) byName.set(s.name, [...(byName.get(s.name) ?? []), version]);
    }
  }
  return [...byName].map(([name, versions]) => `${name} (${versions.join(', ')})`);
}

/** LOGJAM's second test: the DHE prime the enumeration read, when it is at or below the floor. */
function weakPrime(e: TlsEnumeration): { shown: string; facts: JsonObject } | null {
  const dh = e.dh;
  if (!dh || dh.bits > DH_FLOOR_BITS) return null;
  const common = dh.wellKnown ? `${dh.wellKnown}, a widely shared prime: worse, one precomputation breaks every server using it` : 'not a well-known prime';
  return {
    shown: `DHE prime of ${dh.bits} bits (${common}) with ${dh.suite.name} (${dh.version})`,
    facts: { primeBits: dh.bits, commonPrime: dh.wellKnown, ...(dh.source ? { primeSource: dh.source } : {}), suite: dh.suite.name, version: dh.version },
  };
}

/** Why LOGJAM's prime is unknown: DHE suites accepted, but the DHE job recorded a problem or read no prime. */
function primeGap(e: TlsEnumeration): Gap | null {
  const dheAccepted = PROTOCOL_VERSIONS.some((v) => tls(v) && e.versions[v].accepted === true && e.versions[v].suites.some((s) => describeSuite(s.code).kx === 'DHE'));
  const problem = e.problems.find((p) => /\bDHE\b/.test(p));
  if (problem) return { what: problem, reason: reasonOf(problem) };
  if (dheAccepted && !e.dh) return { what: 'DHE suites are accepted but their prime could not be read', reason: 'protocol' };
  return null;
}

type Assessed = {
  readonly weakness: Weakness;
  readonly status: 'vulnerable' | 'not-vulnerable' | 'unknown';
  readonly shownBy: readonly string[];
  readonly gaps: readonly Gap[];
  readonly facts: JsonObject;
};

function assess(e: TlsEnumeration, w: Weakness): Assessed {
  const shownBy = matches(e, w);
  const gaps: Gap[] = [...suiteGaps(e, versionsOf(w))];
  let facts: JsonObject = {};
  if (w.id === 'LOGJAM') {
    const prime = weakPrime(e);
    if (prime) { shownBy.push(prime.shown); facts = prime.facts; }
    const gap = primeGap(e);
    if (gap) gaps.push(gap);
  }
  const status = shownBy.length > 0 ? 'vulnerable' : gaps.length > 0 ? 'unknown' : 'not-vulnerable';
  return { weakness: w, status, shownBy, gaps, facts };
}

const label = (w: Weakness) => (w.cves.length > 0 ? `${w.id} (${w.cves.join(', ')})` : w.id === 'ANON' ? 'anonymous suites' : 'NULL encryption');

export function judgeKnownWeaknesses(e: TlsEnumeration): Verdict {
  const assessed = WEAKNESSES.map((w) => assess(e, w));
  const evidence: JsonObject = {
    transport: e.transport,
    [e.transport === 'smtp-starttls' ? 'smtpSessions' : 'connections']: e.connections,
    observedAt: e.observedAt,
    weaknesses: assessed.map((a) => ({
      id: a.weakness.id, cves: [...a.weakness.cves], severity: a.weakness.severity, status: a.status, test: a.weakness.test,
      shownBy: [...a.shownBy], ...a.facts,
      ...(a.gaps.length > 0 ? { notTested: a.gaps.map((g) => g.what) } : {}),
      ...(a.weakness.note ? { note: a.weakness.note } : {}),
    })),
  };
  const gaps = gapsNamingWeaknesses(assessed);
  return noTls(e, gaps, evidence) ?? settle(seen(assessed), gaps, evidence);
}

/** One gap per cause, naming the weaknesses it leaves open (only those not already shown). */
function gapsNamingWeaknesses(assessed: readonly Assessed[]): Gap[] {
  const open = new Map<string, { gap: Gap; ids: WeaknessId[] }>();
  for (const a of assessed) {
    if (a.status !== 'unknown') continue;
    for (const g of a.gaps) {
      const entry = open.get(g.what) ?? { gap: g, ids: [] };
      entry.ids.push(a.weakness.id);
      open.set(g.what, entry);
    }
  }
  return [...open.values()].map(({ gap, ids }) => ({ what: `${gap.what} (so ${ids.join(', ')} cannot be ruled out)`, reason: gap.reason }));
}

function seen(assessed: readonly Assessed[]): { status: 'pass' | 'fail'; summary: string } {
  const vulnerable = assessed.filter((a) => a.status === 'vulnerable');
  const serious = vulnerable.filter((a) => a.weakness.severity === 'serious');
  if (serious.length > 0) {
    return { status: 'fail', summary: `vulnerable: ${serious.map((a) => `${label(a.weakness)}: ${listSome(a.shownBy, 2)}`).join('; ')}` };
  }
  const info = vulnerable.filter((a) => a.weakness.severity === 'informational');
  const noted = info.length > 0 ? `; informational: ${info.map((a) => `${label(a.weakness)}: ${listSome(a.shownBy, 2)}`).join('; ')}` : '';
  const ids = assessed.filter((a) => a.weakness.severity === 'serious').map((a) => (a.weakness.id === 'ANON' ? 'anonymous' : a.weakness.id));
  return { status: 'pass', summary: `none of ${ids.join(', ')}${noted}` };
}
