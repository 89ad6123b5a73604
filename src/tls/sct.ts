import { Cursor, ParseError } from './flight/bytes.ts';

/**
 * RFC 6962 3.2 and 3.3: a SignedCertificateTimestampList, as embedded in a certificate (extension
 * 1.3.6.1.4.1.11129.2.4.2), sent in the TLS signed_certificate_timestamp extension or in an OCSP response
 * (1.3.6.1.4.1.11129.2.4.5):
 *
 *   opaque SerializedSCT<1..2^16-1>;
 *   struct { SerializedSCT sct_list <1..2^16-1>; } SignedCertificateTimestampList;
 *
 *   struct {
 *     Version sct_version;                 // v1(0), one byte
 *     LogID id;                            // opaque key_id[32]: SHA-256 of the log's public key
 *     uint64 timestamp;                    // milliseconds since the epoch
 *     CtExtensions extensions;             // opaque<0..2^16-1>
 *     digitally-signed struct { ... };     // SignatureAndHashAlgorithm (RFC 5246 4.7) + opaque signature<0..2^16-1>
 *   } SignedCertificateTimestamp;
 *
 * Pure and total: any byte string gives a result, never an exception. Signatures are read, not verified: that needs
 * each log's public key, which Vouch does not ship.
 */

/** One SCT of a known version (v1). */
export type Sct = {
  readonly version: 0;
  /** The log's id, base64 as CT log lists print it. */
  readonly logId: string;
  readonly timestamp: string;
  readonly extensionsHex: string;
  /** RFC 5246 7.4.1.4.1: HashAlgorithm and SignatureAlgorithm code points (RFC 6962 2.1.4: sha256 with ecdsa or rsa). */
  readonly hashAlgorithm: number;
  readonly signatureAlgorithm: number;
  readonly signatureBytes: number;
};

/** An SCT whose version is not v1: its layout is unknown, so it is kept aside and never counted. */
export type UnknownSct = { readonly version: number; readonly bytes: number };

export type SctListParse =
  | { readonly ok: true; readonly scts: readonly Sct[]; readonly unknown: readonly UnknownSct[] }
  | { readonly ok: false; readonly problem: string };

/** Timestamps past this (year 275760) are not valid JavaScript dates; a real log never writes one. */
const MAX_DATE_MS = 8.64e15;

function readSct(serialized: Buffer): Sct | UnknownSct {
  const c = new Cursor(serialized, 'SCT');
  const version = c.u8('sct_version');
  if (version !== 0) return { version, bytes: serialized.length };
  const logId = c.bytes(32, 'LogID').toString('base64');
  const high = c.bytes(4, 'timestamp').readUInt32BE(0);
  const low = c.bytes(4, 'timestamp').readUInt32BE(0);
  const ms = high * 2 ** 32 + low;
  if (ms > MAX_DATE_MS) c.fail(`timestamp ${high}:${low} is not a date`);
  const extensions = c.vector(2, 'CtExtensions');
  const hashAlgorithm = c.u8('HashAlgorithm');
  const signatureAlgorithm = c.u8('SignatureAlgorithm');
  const signature = c.vector(2, 'signature', 1);
  c.end();
  return {
    version: 0, logId, timestamp: new Date(ms).toISOString(), extensionsHex: extensions.toString('hex'),
    hashAlgorithm, signatureAlgorithm, signatureBytes: signature.length,
  };
}

/** Parses a TLS-encoded SignedCertificateTimestampList (RFC 6962 3.3). */
export function parseSctList(bytes: Buffer): SctListParse {
  try {
    const outer = new Cursor(bytes, 'SignedCertificateTimestampList');
    const list = new Cursor(outer.vector(2, 'sct_list', 1), 'sct_list');
    outer.end();
    const scts: Sct[] = [];
    const unknown: UnknownSct[] = [];
    while (list.left > 0) {
      const sct = readSct(list.vector(2, 'SerializedSCT', 1));
      if (sct.version === 0) scts.push(sct as Sct);
      else unknown.push(sct as UnknownSct);
    }
    return { ok: true, scts, unknown };
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, problem: err.problem };
    throw err; // a bug in this parser, not a fact about the bytes
  }
}

/** The inverse, for tests and the lab: a list of v1 SCTs in wire format. */
export function encodeSctList(scts: readonly { logId: Buffer; timestampMs: number; extensions?: Buffer; hash?: number; signatureAlgorithm?: number; signature: Buffer }[]): Buffer {
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const vector = (b: Buffer) => Buffer.concat([u16(b.length), b]);
  const serialized = scts.map((s) => {
    const time = Buffer.alloc(8);
    time.writeUInt32BE(Math.floor(s.timestampMs / 2 ** 32), 0);
    time.writeUInt32BE(s.timestampMs % 2 ** 32, 4);
    return vector(Buffer.concat([
      Buffer.of(0), s.logId, time, vector(s.extensions ?? Buffer.alloc(0)), Buffer.of(s.hash ?? 4, s.signatureAlgorithm ?? 3), vector(s.signature),
    ]));
  });
  return vector(Buffer.concat(serialized));
}
