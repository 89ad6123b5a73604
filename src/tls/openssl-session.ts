import * as asn1js from 'asn1js';

/**
 * The session node:tls hands out in its 'session' event: OpenSSL's i2d_SSL_SESSION encoding (ssl/ssl_asn1.c,
 * SSL_SESSION_ASN1), read with asn1js for the fields that tell how a server resumes and whether it offers 0-RTT:
 *
 *   SEQUENCE { version INTEGER, ssl_version INTEGER, cipher OCTET STRING (2), session_id OCTET STRING,
 *     master_key OCTET STRING, ..., [9] EXPLICIT tlsext_tick_lifetime_hint INTEGER, [10] EXPLICIT tlsext_tick
 *     OCTET STRING, ..., [15] EXPLICIT max_early_data INTEGER, ... }
 *
 * max_early_data is the early_data extension of the server's NewSessionTicket (RFC 8446 4.2.10, 4.6.1): absent or
 * 0, no client may send 0-RTT data with this ticket. Pure and total: malformed input gives `{ ok: false }`.
 */

export type SessionFacts = {
  /** The negotiated version (0x0304 TLS 1.3, 0x0303 TLS 1.2, ...). */
  readonly version: number;
  readonly cipher: number;
  /** Length of the session ID (TLS 1.2 ID-based resumption, RFC 5246 7.4.1.2); TLS 1.3 sessions have a fake one. */
  readonly sessionIdBytes: number;
  /** Length of the ticket (RFC 5077 / RFC 8446 4.6.1); 0 when the server issued none. */
  readonly ticketBytes: number;
  readonly ticketLifetimeSeconds: number | null;
  /** Early data the ticket allows, in bytes; 0 when the server offers no 0-RTT. */
  readonly maxEarlyData: number;
};

export type SessionRead = ({ readonly ok: true } & SessionFacts) | { readonly ok: false; readonly problem: string };

const UNIVERSAL = 1;
const CONTEXT = 3;

function integerOf(block: asn1js.AsnType | undefined): number | null {
  if (!(block instanceof asn1js.Integer)) return null;
  const bytes = block.valueBlock.valueHexView;
  if (bytes.length > 6 || (bytes.length > 0 && bytes[0]! & 0x80)) return null; // negative or beyond 48 bits: not a count
  return bytes.reduce((n, b) => n * 256 + b, 0);
}

const octetsOf = (block: asn1js.AsnType | undefined): Uint8Array | null =>
  block instanceof asn1js.OctetString ? block.valueBlock.valueHexView : null;

export function readOpensslSession(der: Uint8Array): SessionRead {
  try {
    const { offset, result } = asn1js.fromBER(new Uint8Array(der));
    if (offset === -1 || !(result instanceof asn1js.Sequence)) return { ok: false, problem: 'not a DER SEQUENCE' };
    const items = result.valueBlock.value;
    const universal = items.filter((i) => i.idBlock.tagClass === UNIVERSAL);
    const tagged = (n: number) => {
      const item = items.find((i) => i.idBlock.tagClass === CONTEXT && i.idBlock.tagNumber === n);
      return item instanceof asn1js.Constructed ? item.valueBlock.value[0] : undefined;
    };
    const version = integerOf(universal[1]);
    const cipher = octetsOf(universal[2]);
    const sessionId = octetsOf(universal[3]);
    if (version === null || cipher === null || cipher.length !== 2 || sessionId === null) {
      return { ok: false, problem: 'not an OpenSSL SSL_SESSION (ssl_version, cipher, session_id)' };
    }
    const ticket = tagged(10);
    const earlyData = tagged(15);
    const maxEarlyData = earlyData === undefined ? 0 : integerOf(earlyData);
    if (maxEarlyData === null || (ticket !== undefined && octetsOf(ticket) === null)) return { ok: false, problem: 'malformed ticket fields' };
    return {
      ok: true, version, cipher: cipher[0]! * 256 + cipher[1]!, sessionIdBytes: sessionId.length,
      ticketBytes: octetsOf(ticket)?.length ?? 0, ticketLifetimeSeconds: integerOf(tagged(9)), maxEarlyData,
    };
  } catch (err) {
    return { ok: false, problem: `does not decode: ${err instanceof Error ? err.message : String(err)}` };
  }
}
