import { createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * DNSSEC signature algorithms (IANA "DNS Security Algorithm Numbers"; RFC 8624 3.1 for what a validator must do)
 * over node:crypto: the DNSKEY public key format of each, turned into a KeyObject, and the RRSIG signature format.
 */

export type AlgorithmStatus = 'supported' | 'weak' | 'unsupported';

type Algorithm = {
  readonly mnemonic: string;
  readonly status: AlgorithmStatus;
  /** The JWK of a DNSKEY public key field, undefined when malformed. */
  readonly jwk?: (publicKey: Buffer) => JsonWebKey | undefined;
  /** node:crypto's digest name; null for EdDSA, which hashes internally. */
  readonly hash?: string | null;
  /** RFC 6605 4: ECDSA signatures are r | s, each of the curve's size. */
  readonly rawEcdsa?: boolean;
};

const rsa = (hash: string, status: AlgorithmStatus): Algorithm => ({ mnemonic: '', status, jwk: rsaJwk, hash });
const ec = (crv: string, octets: number, hash: string): Algorithm => ({ mnemonic: '', status: 'supported', jwk: ecJwk(crv, octets), hash, rawEcdsa: true });
const eddsa = (crv: string, octets: number): Algorithm => ({ mnemonic: '', status: 'supported', jwk: okpJwk(crv, octets), hash: null });
const unsupported: Algorithm = { mnemonic: '', status: 'unsupported' };

const ALGORITHMS = new Map<number, Algorithm>(([
  [1, 'RSAMD5', unsupported], // RFC 8624 3.1: MUST NOT validate
  [3, 'DSA', unsupported], [6, 'DSA-NSEC3-SHA1', unsupported], [12, 'ECC-GOST', unsupported],
  // RFC 8624 3.1: SHA-1 based algorithms MUST still be validated, but are not recommended: verified, verdict says weak.
  [5, 'RSASHA1', rsa('sha1', 'weak')], [7, 'RSASHA1-NSEC3-SHA1', rsa('sha1', 'weak')],
  [8, 'RSASHA256', rsa('sha256', 'supported')], [10, 'RSASHA512', rsa('sha512', 'supported')], // RFC 5702
  [13, 'ECDSAP256SHA256', ec('P-256', 32, 'sha256')], [14, 'ECDSAP384SHA384', ec('P-384', 48, 'sha384')], // RFC 6605
  [15, 'ED25519', eddsa('Ed25519', 32)], [16, 'ED448', eddsa('Ed448', 57)], // RFC 8080
] as const).map(([number, mnemonic, algorithm]) => [number, { ...algorithm, mnemonic }]));

/** `ECDSAP256SHA256 (13)`, or `algorithm 99` for a number without a mnemonic. */
export function algorithmLabel(algorithm: number): string {
  const known = ALGORITHMS.get(algorithm);
  return known ? `${known.mnemonic} (${algorithm})` : `algorithm ${algorithm}`;
}

/** An algorithm Vouch does not implement is unsupported (RFC 4035 5.2: such a zone counts as unsigned). */
export function algorithmStatus(algorithm: number): AlgorithmStatus {
  return ALGORITHMS.get(algorithm)?.status ?? 'unsupported';
}

/** The mnemonic's number (`RSASHA256` -> 8), for presentation-format input. */
export function algorithmNumber(mnemonic: string): number | undefined {
  for (const [number, algorithm] of ALGORITHMS) if (algorithm.mnemonic === mnemonic.toUpperCase()) return number;
  return undefined;
}

/** RSA moduli RFC 3110 2 allows (512 to 4096 bits); larger ones are refused, so a hostile key costs little. */
const RSA_MAX_MODULUS_OCTETS = 512;
const RSA_MAX_EXPONENT_OCTETS = 16;

/** RFC 3110 2: an exponent length (one octet, or zero then two octets), the exponent, then the modulus. */
function rsaJwk(key: Buffer): JsonWebKey | undefined {
  if (key.length < 3) return undefined;
  const [exponentLength, start] = key[0] === 0 ? [key.readUInt16BE(1), 3] : [key[0]!, 1];
  const modulus = stripZeros(key.subarray(start + exponentLength));
  const exponent = stripZeros(key.subarray(start, start + exponentLength));
  if (exponentLength === 0 || exponentLength > RSA_MAX_EXPONENT_OCTETS || start + exponentLength >= key.length) return undefined;
  if (modulus.length < 64 || modulus.length > RSA_MAX_MODULUS_OCTETS || exponent.length === 0) return undefined;
  return { kty: 'RSA', n: modulus.toString('base64url'), e: exponent.toString('base64url') };
}

function stripZeros(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/** RFC 6605 4: the public key is the point's x and y, each of the curve's size, without the SEC1 prefix. */
function ecJwk(crv: string, octets: number): (key: Buffer) => JsonWebKey | undefined {
  return (key) => (key.length === 2 * octets
    ? { kty: 'EC', crv, x: key.subarray(0, octets).toString('base64url'), y: key.subarray(octets).toString('base64url') }
    : undefined);
}

/** RFC 8080 3: the public key is the raw EdDSA key (RFC 8032 5.1.5, 5.2.5). */
function okpJwk(crv: string, octets: number): (key: Buffer) => JsonWebKey | undefined {
  return (key) => (key.length === octets ? { kty: 'OKP', crv, x: key.toString('base64url') } : undefined);
}

/** The DNSKEY public key field as a KeyObject; undefined for an unsupported algorithm or a malformed key. */
export function publicKeyOf(algorithm: number, publicKey: Buffer): KeyObject | undefined {
  const jwk = ALGORITHMS.get(algorithm)?.jwk?.(publicKey);
  if (!jwk) return undefined;
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return undefined; // not a point on the curve, an even modulus...
  }
}

/** Whether `signature` (RRSIG signature field) signs `data` under `key`; false for anything malformed. */
export function verifySignature(algorithm: number, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const spec = ALGORITHMS.get(algorithm);
  if (!spec?.jwk || spec.hash === undefined) return false;
  try {
    return cryptoVerify(spec.hash, data, spec.rawEcdsa ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
  } catch {
    return false;
  }
}
