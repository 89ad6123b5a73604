import { GROUPS, SIGNALLING_SUITES, SIGNATURE_SCHEMES, SSLV2_CIPHERS } from './registry-data.ts';
import { SUITE_ROWS } from './registry-suites.ts';
import type { GroupInfo, ProtocolVersion, SignatureSchemeInfo, SuiteInfo, Sslv2CipherInfo } from './types.ts';

/**
 * Lookups over the one registry table (issue 9): cipher suites, SSLv2 cipher specs, named groups and signature
 * schemes by code point and by name. The data lives in registry-suites.ts and registry-data.ts.
 */

export { GROUPS, SIGNALLING_SUITES, SIGNATURE_SCHEMES, SSLV2_CIPHERS } from './registry-data.ts';

/** Every known suite, ordered by code point. */
export const SUITES: readonly SuiteInfo[] = SUITE_ROWS;

function indexBy<T>(rows: readonly T[], keys: (row: T) => readonly (string | number | null)[]): ReadonlyMap<string | number, T> {
  const map = new Map<string | number, T>();
  for (const row of rows) for (const key of keys(row)) if (key !== null && !map.has(key)) map.set(key, row);
  return map;
}

const suitesByCode = indexBy(SUITES, (suite) => [suite.code]);
// IANA names are upper case with underscores, OpenSSL names use dashes: the two never collide, except for the
// TLS 1.3 suites where OpenSSL uses the IANA name itself.
const suitesByName = indexBy(SUITES, (suite) => [suite.name, suite.openssl]);
const groupsByCode = indexBy(GROUPS, (group) => [group.code]);
const groupsByName = indexBy(GROUPS, (group) => [group.name.toLowerCase()]);
const schemesByCode = indexBy(SIGNATURE_SCHEMES, (scheme) => [scheme.code]);
const sslv2ByCode = indexBy(SSLV2_CIPHERS, (spec) => [spec.code]);
const signallingCodes = new Set(SIGNALLING_SUITES.map((signal) => signal.code));

export function suiteByCode(code: number): SuiteInfo | undefined {
  return suitesByCode.get(code);
}

/** By IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`) or OpenSSL name (`ECDHE-RSA-AES128-GCM-SHA256`). */
export function suiteByName(name: string): SuiteInfo | undefined {
  return suitesByName.get(name);
}

/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV and TLS_FALLBACK_SCSV are signals in the suite list, never a choice. */
export function isSignallingSuite(code: number): boolean {
  return signallingCodes.has(code);
}

/**
 * What to report for a suite code that is not in the table: a server may choose anything, including GREASE
 * (RFC 8701), a private-use code (0xff00-0xffff) or a suite registered after this table. Every property is the
 * most cautious one, so that no policy can class it as good: `NULL` cipher and MAC, no key exchange known.
 */
export function unknownSuite(code: number): SuiteInfo {
  return {
    code, name: `UNKNOWN_0x${code.toString(16).padStart(4, '0')}`, openssl: null, kx: 'NULL', auth: 'NULL',
    cipher: 'NULL', cipherBits: 0, mode: 'NULL', mac: 'NULL', export: false, tls13: false,
  };
}

/** The table's entry, or `unknownSuite(code)`. */
export function describeSuite(code: number): SuiteInfo {
  return suiteByCode(code) ?? unknownSuite(code);
}

export function groupByCode(code: number): GroupInfo | undefined {
  return groupsByCode.get(code);
}

/** Case-insensitive, since OpenSSL writes `X25519` and `P-256` style aliases are not in the registry. */
export function groupByName(name: string): GroupInfo | undefined {
  return groupsByName.get(name.toLowerCase());
}

export function signatureSchemeByCode(code: number): SignatureSchemeInfo | undefined {
  return schemesByCode.get(code);
}

export function sslv2CipherByCode(code: number): Sslv2CipherInfo | undefined {
  return sslv2ByCode.get(code);
}

/**
 * Whether a TLS <= 1.2 suite can be negotiated at `version`: suites with SHA-256/384 PRFs or AEAD modes exist
 * only from TLS 1.2 on (RFC 5246 1.2, RFC 5288 4, RFC 5289 3.1, RFC 7905 2), TLS 1.3 suites only in TLS 1.3
 * (RFC 8446 B.4). Everything else was defined for SSLv3/TLS 1.0 and stays valid up to TLS 1.2.
 */
export function suiteValidFor(suite: SuiteInfo, version: ProtocolVersion): boolean {
  if (version === 'SSLv2') return false;
  if (version === 'TLSv1.3') return suite.tls13;
  if (suite.tls13) return false;
  return version === 'TLSv1.2' || !needsTls12(suite);
}

/**
 * The PSK suites with SHA-256/384 (RFC 5487 3.2, RFC 6209, RFC 6367) are defined for TLS 1.0 and 1.1 too, with the
 * old PRF and HMAC, which is why OpenSSL lists them as "TLSv1"; the AEAD suites and the other SHA-256/384 suites need
 * TLS 1.2, and so do the RFC 9189 GOST suites (0xc100-0xc102).
 */
function needsTls12(suite: SuiteInfo): boolean {
  if (suite.mac === 'AEAD' || (suite.code >= 0xc100 && suite.code <= 0xc102)) return true;
  if (suite.mac !== 'SHA256' && suite.mac !== 'SHA384') return false;
  return !['PSK', 'DHE_PSK', 'RSA_PSK', 'ECDHE_PSK'].includes(suite.kx);
}
