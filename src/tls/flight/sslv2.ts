import { Cursor, hex } from './bytes.ts';
import { SSLV2_ERRORS } from './names.ts';
import type { FlightResult } from './types.ts';

/**
 * SSL 2.0 (draft-hickman-netscape-ssl-00, 1995). A record with a two-byte header has the high bit of its first byte
 * set ("Record Header": length = ((byte[0] & 0x7f) << 8) | byte[1]); TLS records start with a content type of 20-24,
 * high bit clear, so the first byte tells them apart. Unencrypted SSLv2 records (the server's first message) never
 * use the three-byte header, which exists for block-cipher padding.
 */

/** The largest body a two-byte SSLv2 header can announce. */
export const SSLV2_MAX_RECORD = 0x7fff;

/** True when the first byte of a reply starts an SSLv2 two-byte record header. */
export const isSslv2Start = (first: number): boolean => (first & 0x80) !== 0;

export const sslv2Length = (header: Buffer): number => ((header[0]! & 0x7f) << 8) | header[1]!;

/**
 * One SSLv2 record's body: SERVER-HELLO (4) or ERROR (0).
 *
 * SERVER-HELLO: MSG-SERVER-HELLO, SESSION-ID-HIT, CERTIFICATE-TYPE, SERVER-VERSION (2), CERTIFICATE-LENGTH (2),
 * CIPHER-SPECS-LENGTH (2), CONNECTION-ID-LENGTH (2), then the certificate, the cipher specs (3 bytes each) and the
 * connection id (16 to 32 bytes). ERROR: MSG-ERROR, ERROR-CODE (2).
 */
export function parseSslv2Record(body: Buffer, bytes: number): FlightResult {
  const c = new Cursor(body, 'SSLv2');
  const type = c.u8('message type');
  if (type === 0) {
    const code = c.u16('ERROR-CODE');
    c.end();
    return { kind: 'sslv2-error', code, name: SSLV2_ERRORS.get(code) ?? null, bytes };
  }
  if (type !== 4) c.fail(`expected SERVER-HELLO (4) or ERROR (0), got message type ${type}`, 0);
  const sessionIdHit = c.u8('SESSION-ID-HIT');
  const certificateType = c.u8('CERTIFICATE-TYPE');
  const version = c.u16('SERVER-VERSION');
  const certificateLength = c.u16('CERTIFICATE-LENGTH');
  const specsLength = c.u16('CIPHER-SPECS-LENGTH');
  const connectionIdLength = c.u16('CONNECTION-ID-LENGTH');
  if (specsLength % 3 !== 0) c.fail(`CIPHER-SPECS-LENGTH ${specsLength} is not a multiple of 3`, 7);
  if (connectionIdLength < 16 || connectionIdLength > 32) c.fail(`CONNECTION-ID-LENGTH ${connectionIdLength} outside 16..32`, 9);
  const certificate = c.bytes(certificateLength, 'CERTIFICATE-DATA');
  const specs = c.bytes(specsLength, 'CIPHER-SPECS-DATA');
  const connectionId = c.bytes(connectionIdLength, 'CONNECTION-ID-DATA');
  c.end();
  const cipherSpecs: number[] = [];
  for (let i = 0; i < specs.length; i += 3) cipherSpecs.push(specs.readUIntBE(i, 3));
  return {
    kind: 'sslv2-server-hello', sessionIdHit: sessionIdHit !== 0, certificateType, version,
    certificate: certificateLength > 0 ? Buffer.from(certificate) : null, cipherSpecs,
    connectionIdHex: hex(connectionId), bytes,
  };
}
