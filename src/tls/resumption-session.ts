import * as asn1js from 'asn1js';

/**
 * The fields of a node:tls session (OpenSSL's i2d_SSL_SESSION, ssl/ssl_asn1.c SSL_SESSION_ASN1) that resuming it by
 * hand needs (zero-rtt-proof.ts). openssl-session.ts reads what the session says about the server (lengths, early
 * data); this reads the secrets, which never leave the process and never go into evidence.
 *
 * The PSK: OpenSSL's client stores HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)
 * (RFC 8446 4.6.1) in the session's master_key on each NewSessionTicket (ssl/statem/statem_clnt.c,
 * tls_process_new_session_ticket), and i2d_SSL_SESSION writes master_key as the SEQUENCE's fifth element.
 */

/** What a resumption needs. */
export type ResumptionSession = {
  readonly version: number;
  readonly cipher: number;
  /** ssl_asn1.c master_key: for TLS 1.3, HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce) (statem_clnt.c). */
  readonly psk: Buffer;
  readonly ticket: Buffer;
  /** [14] tlsext_tick_age_add (RFC 8446 4.6.1 ticket_age_add). */
  readonly ticketAgeAdd: number;
  /** [1] time: when the client got the ticket, in seconds since the epoch. */
  readonly timeSeconds: number;
  readonly maxEarlyData: number;
  /** [16] alpn_selected: a server may accept early data only with the same ALPN (RFC 8446 4.2.10). */
  readonly alpn: Buffer | null;
};

const explicit = (items: asn1js.AsnType[], n: number) => {
  const item = items.find((i) => i.idBlock.tagClass === 3 && i.idBlock.tagNumber === n);
  return item instanceof asn1js.Constructed ? item.valueBlock.value[0] : undefined;
};
const uint = (block: asn1js.AsnType | undefined): number | null => {
  if (!(block instanceof asn1js.Integer)) return null;
  const bytes = block.valueBlock.valueHexView;
  return bytes.length > 7 || (bytes[0]! & 0x80) ? null : bytes.reduce((n, b) => n * 256 + b, 0);
};
const octets = (block: asn1js.AsnType | undefined): Buffer | null =>
  block instanceof asn1js.OctetString ? Buffer.from(block.valueBlock.valueHexView) : null;

/** Reads the resumption fields of i2d_SSL_SESSION output (node:tls 'session'); total, null when they are not all there. */
export function readResumptionSession(der: Uint8Array): ResumptionSession | null {
  try {
    const { offset, result } = asn1js.fromBER(new Uint8Array(der));
    if (offset === -1 || !(result instanceof asn1js.Sequence)) return null;
    const items = result.valueBlock.value;
    const universal = items.filter((i) => i.idBlock.tagClass === 1);
    const version = uint(universal[1]);
    const cipher = octets(universal[2]);
    const psk = octets(universal[4]);
    const ticket = octets(explicit(items, 10));
    const timeSeconds = uint(explicit(items, 1));
    if (version === null || cipher?.length !== 2 || !psk || !ticket || ticket.length === 0 || timeSeconds === null) return null;
    const ageAdd = explicit(items, 14);
    const early = explicit(items, 15);
    const ticketAgeAdd = ageAdd === undefined ? 0 : uint(ageAdd);
    const maxEarlyData = early === undefined ? 0 : uint(early);
    if (ticketAgeAdd === null || maxEarlyData === null) return null;
    return { version, cipher: cipher.readUInt16BE(0), psk, ticket, ticketAgeAdd, timeSeconds, maxEarlyData, alpn: octets(explicit(items, 16)) };
  } catch {
    return null;
  }
}

