import { dhPrimeInfo } from '../dh-primes.ts';
import { Cursor, ParseError, bitLength, hex } from './bytes.ts';
import type {
  DheParams, EcdheParams, KeyExchangeHint, KxSource, ServerKeyExchangeFact, SkeSignature,
} from './types.ts';

/**
 * The ServerKeyExchange (RFC 5246 7.4.3), whose layout depends on the suite's key exchange, which the message does
 * not name: the caller's `keyExchangeOf(suite)` says which. Without it the reader guesses (see `guess`).
 */

export type SkeContext = {
  /** The negotiated version: TLS 1.2 (0x0303) adds the SignatureAndHashAlgorithm field (RFC 5246 7.4.1.4.1). */
  readonly version: number;
  readonly hint: KeyExchangeHint | null;
};

export function parseServerKeyExchange(body: Buffer, context: SkeContext): ServerKeyExchangeFact {
  const { hint } = context;
  if (!hint) return guess(body, context.version);
  const signed = hint.auth !== 'anon' && hint.auth !== 'PSK' && hint.auth !== 'SRP' && hint.auth !== 'NULL';
  const implied = impliedHash(hint);
  const c = new Cursor(body, 'ServerKeyExchange');
  let fact: ServerKeyExchangeFact;
  switch (hint.kx) {
    case 'ECDHE': case 'ECDH': fact = ecdhe(c, 'suite', null, signed ? { version: context.version, implied } : null); break;
    case 'DHE': case 'DH': fact = dhe(c, 'suite', null, signed ? { version: context.version, implied } : null); break;
    // RFC 5489 2 / RFC 4279 3: the identity hint, then the (EC)DH parameters, unsigned.
    case 'ECDHE_PSK': fact = ecdhe(c, 'suite', hex(c.vector(2, 'psk_identity_hint')), null); break;
    case 'DHE_PSK': fact = dhe(c, 'suite', hex(c.vector(2, 'psk_identity_hint')), null); break;
    // RFC 4279 2 and 4: PSK and RSA_PSK send only psk_identity_hint.
    case 'PSK': case 'RSA_PSK': fact = { kind: 'psk', kxSource: 'suite', pskIdentityHintHex: hex(c.vector(2, 'psk_identity_hint')) }; break;
    case 'RSA': { // RFC 2246 7.4.3 ServerRSAParams: export suites' temporary key, signed by the certificate's key
      const modulus = c.vector(2, 'rsa_modulus', 1);
      const exponent = c.vector(2, 'rsa_exponent', 1);
      fact = { kind: 'rsa', kxSource: 'suite', modulusBits: bitLength(modulus), exponentHex: hex(exponent), signature: signature(c, { version: context.version, implied }) };
      break;
    }
    case 'SRP': { // RFC 5054 2.8.1 ServerSRPParams; SRP_SHA (no certificate) is unsigned
      const n = c.vector(2, 'srp_N', 1);
      const g = c.vector(2, 'srp_g', 1);
      const salt = c.vector(1, 'srp_s', 1);
      const b = c.vector(2, 'srp_B', 1);
      fact = {
        kind: 'srp', kxSource: 'suite', nBits: bitLength(n), gHex: hex(g), saltLength: salt.length, bLength: b.length,
        signature: signed ? signature(c, { version: context.version, implied }) : null,
      };
      break;
    }
    default: // KRB5, GOST, NULL, ANY: not decomposed
      fact = { kind: 'opaque', kxSource: 'suite', kx: hint.kx, length: body.length };
      c.at = body.length;
  }
  c.end();
  return fact;
}

type Signing = { readonly version: number; readonly implied: SkeSignature['impliedHash'] };

/**
 * RFC 5246 7.4.3 `digitally-signed struct`: TLS 1.2 prefixes SignatureAndHashAlgorithm (RFC 5246 4.7); TLS 1.0/1.1
 * and SSLv3 send only the signature<0..2^16-1>, its hash implied by the key type.
 */
function signature(c: Cursor, signing: Signing): SkeSignature {
  const tls12 = signing.version >= 0x0303;
  const scheme = tls12 ? c.u16('SignatureAndHashAlgorithm') : null;
  const value = c.vector(2, 'signature');
  return { scheme, impliedHash: tls12 ? null : signing.implied, length: value.length };
}

/** RFC 2246 / RFC 4346 7.4.3: RSA signs MD5 and SHA-1 concatenated; DSS signs SHA-1; RFC 4492 5.4: ECDSA signs SHA-1. */
function impliedHash(hint: KeyExchangeHint | null): SkeSignature['impliedHash'] {
  if (!hint) return null;
  if (hint.auth === 'RSA') return 'md5-sha1';
  if (hint.auth === 'ECDSA' || hint.auth === 'DSS') return 'sha1';
  return null;
}

/** RFC 8422 5.4 ServerECDHParams { ECParameters curve_params; ECPoint public }; explicit curves per RFC 4492 5.4. */
function ecdhe(c: Cursor, kxSource: KxSource, pskIdentityHintHex: string | null, signing: Signing | null): EcdheParams {
  const curveType = c.u8('ECCurveType');
  let namedCurve: number | null = null;
  let explicitFieldBits: number | null = null;
  if (curveType === 3) {
    namedCurve = c.u16('NamedCurve');
  } else if (curveType === 1) { // explicit_prime
    explicitFieldBits = bitLength(c.vector(1, 'prime_p', 1));
    explicitCurveRest(c);
  } else if (curveType === 2) { // explicit_char2
    explicitFieldBits = c.u16('m');
    const basis = c.u8('ECBasisType');
    if (basis === 1) c.vector(1, 'k', 1);
    else if (basis === 2) { c.vector(1, 'k1', 1); c.vector(1, 'k2', 1); c.vector(1, 'k3', 1); }
    else c.fail(`unknown ECBasisType ${basis}`, c.at - 1);
    explicitCurveRest(c);
  } else {
    c.fail(`unknown ECCurveType ${curveType}`, c.at - 1);
  }
  const point = c.vector(1, 'ECPoint', 1);
  return {
    kind: 'ecdhe', kxSource, curveType, namedCurve, explicitFieldBits, pointLength: point.length,
    pointFormat: point.length > 0 ? point[0]! : null, pskIdentityHintHex,
    signature: signing ? signature(c, signing) : null,
  };
}

/** RFC 4492 5.4: ECCurve { a<1..2^8-1>, b<1..2^8-1> }, ECPoint base, order<1..2^8-1>, cofactor<1..2^8-1>. */
function explicitCurveRest(c: Cursor): void {
  c.vector(1, 'a', 1);
  c.vector(1, 'b', 1);
  c.vector(1, 'base', 1);
  c.vector(1, 'order', 1);
  c.vector(1, 'cofactor', 1);
}

/** RFC 5246 7.4.3 ServerDHParams { dh_p<1..2^16-1>; dh_g<1..2^16-1>; dh_Ys<1..2^16-1> }. */
function dhe(c: Cursor, kxSource: KxSource, pskIdentityHintHex: string | null, signing: Signing | null): DheParams {
  const p = c.vector(2, 'dh_p', 1);
  const g = c.vector(2, 'dh_g', 1);
  const ys = c.vector(2, 'dh_Ys', 1);
  const pHex = hex(p);
  return {
    kind: 'dhe', kxSource, pHex, gHex: hex(g), primeBits: bitLength(p), prime: dhPrimeInfo(pHex), ysLength: ys.length,
    pskIdentityHintHex, signature: signing ? signature(c, signing) : null,
  };
}

/**
 * The heuristic when the suite's key exchange is unknown. The two layouts a server still sends are ECDHE and DHE.
 * An ECDHE message starts with curve_type 3 (named_curve; RFC 8422 5.4 deprecates the explicit types 1 and 2); a
 * DHE message starts with the 2-byte length of p, whose first byte is 3 only for a p of 768-1023 bytes (6144+ bits),
 * which no server sends. So: first byte 3, try ECDHE; otherwise, or if that does not parse, try DHE; each signed
 * (the authenticated suites) then unsigned (anonymous), and the first layout that consumes the message exactly wins.
 * The signature's implied hash (TLS < 1.2) stays null: it depends on the certificate's key type.
 */
function guess(body: Buffer, version: number): ServerKeyExchangeFact {
  const signing: Signing = { version, implied: null };
  const attempts: Array<(c: Cursor) => ServerKeyExchangeFact> = [
    ...(body[0] === 3 ? [(c: Cursor) => ecdhe(c, 'guessed', null, signing), (c: Cursor) => ecdhe(c, 'guessed', null, null)] : []),
    (c) => dhe(c, 'guessed', null, signing),
    (c) => dhe(c, 'guessed', null, null),
  ];
  for (const attempt of attempts) {
    const c = new Cursor(body, 'ServerKeyExchange');
    try {
      const fact = attempt(c);
      c.end();
      return fact;
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
    }
  }
  throw new ParseError('ServerKeyExchange: key exchange unknown and the message parses as neither ECDHE nor DHE', 0);
}
