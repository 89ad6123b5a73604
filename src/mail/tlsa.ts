import { createHash, X509Certificate } from 'node:crypto';
import { boundedMemo } from '../core/bounded-memo.ts';
import { readTlv } from '../parse/der.ts';

/** One TLSA record (RFC 6698 2.1): certificate usage, selector, matching type and association data (lower-case hex). */
export type TlsaRecord = { readonly usage: number; readonly selector: number; readonly matchingType: number; readonly data: string };

export type TlsaParse = { readonly ok: true; readonly record: TlsaRecord } | { readonly ok: false; readonly problem: string };

/** How one published record fared against one certificate chain. JSON-only, so it can be evidence. */
export type TlsaRecordResult = {
  readonly record: string;
  /** RFC 7218 mnemonics, e.g. `DANE-EE(3) SPKI(1) SHA2-256(1)`; null when the record did not parse. */
  readonly parameters: string | null;
  /**
   * Usable by the service's clients: for SMTP DANE-TA(2) or DANE-EE(3) (RFC 7672 3.1); for HTTPS any of the four
   * usages (RFC 6698 2.1.1); always with a known selector and matching type.
   */
  readonly usable: boolean;
  /** The record's certificate usage, so a caller can add the PKIX validation that usages 0 and 1 require. */
  readonly usage: number | null;
  /** 0 for the leaf, n for the n-th certificate above it; null when nothing matched. */
  readonly matchedDepth: number | null;
  /** Why the record is unusable or did not authenticate the chain; null when it matched. */
  readonly problem: string | null;
};

export type TlsaEvaluation = {
  readonly results: readonly TlsaRecordResult[];
  readonly usableCount: number;
  /** The first record that authenticates the chain, or null. */
  readonly match: TlsaRecordResult | null;
  /** Every record that matches the chain, in record order: a client may use any of them (RFC 7671 5). */
  readonly matches: readonly TlsaRecordResult[];
};

const USAGES = ['PKIX-TA', 'PKIX-EE', 'DANE-TA', 'DANE-EE'];
const SELECTORS = ['Cert', 'SPKI'];
const MATCHING = ['Full', 'SHA2-256', 'SHA2-512'];
/** RFC 6698 2.1.3: digest lengths in bytes per matching type; a record of another length can never match. */
const DIGEST_BYTES: Readonly<Record<number, number>> = { 1: 32, 2: 64 };

const mnemonic = (names: readonly string[], value: number) => `${names[value] ?? 'unknown'}(${value})`;

/**
 * Parses a TLSA record in presentation format, `3 1 1 <hex>` (RFC 6698 2.2; the hex may be split by whitespace).
 * Pure and total.
 */
export function parseTlsa(text: string): TlsaParse {
  const match = /^\s*(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})\s+([0-9a-fA-F\s]+)$/.exec(text);
  if (!match) return { ok: false, problem: 'not "usage selector matching-type hex-data"' };
  const [usage, selector, matchingType] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (usage > 255 || selector > 255 || matchingType > 255) return { ok: false, problem: 'a parameter is larger than 255' };
  const data = match[4]!.replace(/\s+/g, '').toLowerCase();
  if (data.length % 2 !== 0) return { ok: false, problem: 'association data has an odd number of hex digits' };
  return { ok: true, record: { usage, selector, matchingType, data } };
}

/** Which clients use the records: SMTP (RFC 7672) or HTTPS and other PKIX services (RFC 6698, RFC 7671). */
export type TlsaService = 'smtp' | 'https';

/** Why a record cannot be used by a client of `service`, or null when it can (RFC 7672 3.1, RFC 7671 4.1). */
export function tlsaUnusable(record: TlsaRecord, service: TlsaService = 'smtp'): string | null {
  // RFC 7672 3.1.3: SMTP clients have no agreed set of public CAs, so PKIX-TA(0) and PKIX-EE(1) are not used.
  if (service === 'smtp' && (record.usage === 0 || record.usage === 1)) return `${mnemonic(USAGES, record.usage)} is not used for SMTP (RFC 7672 3.1.3)`;
  if (record.usage > 3) return `unknown certificate usage ${record.usage}`;
  if (record.selector > 1) return `unknown selector ${record.selector}`;
  if (record.matchingType > 2) return `unknown matching type ${record.matchingType}`;
  const bytes = record.data.length / 2;
  if (bytes === 0) return 'empty association data';
  const expected = DIGEST_BYTES[record.matchingType];
  if (expected !== undefined && bytes !== expected) {
    return `association data is ${bytes} bytes; ${mnemonic(MATCHING, record.matchingType)} needs ${expected}`;
  }
  return null;
}

/**
 * Matches published TLSA records against a server's certificate chain (PEMs, leaf first), as an SMTP client does
 * under RFC 7672 3.1: DANE-EE(3) matches the leaf only, without name or expiry checks (3.1.1); DANE-TA(2) matches a
 * certificate in the chain that the leaf chains up to by signature, and the leaf must then name the MX host (3.1.2,
 * 3.2.2). Selector Cert(0) hashes the whole DER certificate, SPKI(1) its SubjectPublicKeyInfo as encoded in the
 * certificate (RFC 6698 2.1.2); matching types Full(0), SHA2-256(1), SHA2-512(2) (2.1.3).
 * Pure: node:crypto computes, nothing is fetched.
 */
/**
 * With `service` https, PKIX-TA(0) matches like DANE-TA(2) and PKIX-EE(1) like DANE-EE(3); the PKIX validation they
 * add (RFC 6698 2.1.1: the chain must also be trusted and name the host) is the caller's, from its TLS facts.
 */
export function evaluateTlsa(records: readonly string[], chainPem: readonly string[], mxHost: string, service: TlsaService = 'smtp'): TlsaEvaluation {
  const chain = parseChain(chainPem);
  const results = records.map((text): TlsaRecordResult => {
    const parsed = parseTlsa(text);
    if (!parsed.ok) return { record: text, parameters: null, usable: false, usage: null, matchedDepth: null, problem: parsed.problem };
    const r = parsed.record;
    const parameters = `${mnemonic(USAGES, r.usage)} ${mnemonic(SELECTORS, r.selector)} ${mnemonic(MATCHING, r.matchingType)}`;
    const base = { record: text, parameters, usage: r.usage };
    const unusable = tlsaUnusable(r, service);
    if (unusable) return { ...base, usable: false, matchedDepth: null, problem: unusable };
    const endEntity = r.usage === 3 || r.usage === 1;
    const candidates = endEntity ? chain.slice(0, 1) : chain;
    const depth = candidates.findIndex((cert) => association(cert, r.selector, r.matchingType) === r.data);
    if (depth === -1) return { ...base, usable: true, matchedDepth: null, problem: endEntity ? 'does not match the leaf' : 'matches no certificate in the chain' };
    if (r.usage === 2 || r.usage === 0) {
      if (!chainsTo(chain, depth)) return { ...base, usable: true, matchedDepth: null, problem: `matches chain[${depth}], but the leaf does not chain up to it` };
      if (chain[0]!.checkHost(mxHost.replace(/\.$/, '')) === undefined) {
        return { ...base, usable: true, matchedDepth: null, problem: `matches chain[${depth}], but the leaf does not name ${mxHost}` };
      }
    }
    return { ...base, usable: true, matchedDepth: depth, problem: null };
  });
  const matches = results.filter((r) => r.matchedDepth !== null);
  return { results, usableCount: results.filter((r) => r.usable).length, match: matches[0] ?? null, matches };
}

/**
 * For HTTPS (RFC 6698 2.1.1, RFC 7671 5): the matching record that authenticates the server, or null. Any usable
 * matching record suffices: DANE-TA(2) and DANE-EE(3) on their own; PKIX-TA(0) and PKIX-EE(1) only when the chain also
 * passes PKIX validation (`pkixValid`: trusted and naming the host). So a PKIX-EE match on an untrusted chain does not
 * hide a DANE-EE record that matches too. SMTP (RFC 7672) uses `match`: PKIX usages are unusable there.
 */
export function httpsAuthenticatingMatch(evaluation: TlsaEvaluation, pkixValid: boolean): TlsaRecordResult | null {
  return evaluation.matches.find((m) => m.usage === 2 || m.usage === 3)
    ?? (pkixValid ? evaluation.matches.find((m) => m.usage === 0 || m.usage === 1) : undefined) ?? null;
}

/**
 * Certificates read once per PEM for the most recent 256: an MX host's chain is judged for every domain that uses it
 * (50 domains or more on a shared MX), and reading it was ~2% of a scan's CPU. X509Certificate is immutable. A PEM
 * that cannot be read throws each time (boundedMemo keeps no failures), which is cheap and rare.
 */
const certificateOf = boundedMemo(256, (pem: string) => new X509Certificate(pem));

function parseChain(pems: readonly string[]): X509Certificate[] {
  const chain: X509Certificate[] = [];
  for (const pem of pems) {
    try {
      chain.push(certificateOf(pem));
    } catch {
      break; // an unreadable certificate ends the usable chain; nothing above it can be linked
    }
  }
  return chain;
}

/** Each certificate below `depth` was issued and signed by the one above it. */
function chainsTo(chain: readonly X509Certificate[], depth: number): boolean {
  for (let i = 0; i < depth; i++) {
    const child = chain[i]!;
    const parent = chain[i + 1]!;
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) return false;
  }
  return true;
}

function association(cert: X509Certificate, selector: number, matchingType: number): string {
  const data = selector === 0 ? cert.raw : spkiDer(cert);
  if (matchingType === 0) return data.toString('hex');
  return createHash(matchingType === 1 ? 'sha256' : 'sha512').update(data).digest('hex');
}

/**
 * The SubjectPublicKeyInfo bytes exactly as they appear in the certificate (RFC 5280 4.1: the seventh element of
 * tbsCertificate when the [0] version is present). Re-exporting the key could re-encode it; matching needs the original.
 */
function spkiDer(cert: X509Certificate): Buffer {
  const der = cert.raw;
  const certificate = readTlv(der, 0);
  const tbs = certificate && readTlv(der, certificate.contentStart);
  let field = tbs && readTlv(der, tbs.contentStart);
  if (field && der[field.start] === 0xa0) field = readTlv(der, field.end); // skip the optional [0] version
  // serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo
  for (let i = 0; i < 5 && field; i++) field = readTlv(der, field.end);
  if (!field || der[field.start] !== 0x30) return cert.publicKey.export({ type: 'spki', format: 'der' });
  return der.subarray(field.start, field.end);
}
