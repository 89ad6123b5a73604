/** One DER TLV: where its tag is, where its content starts, and where it ends (exclusive). */
export type Tlv = { readonly start: number; readonly contentStart: number; readonly end: number };

/**
 * Reads the TLV at `offset` (X.690 8.1: single-byte tag 8.1.2, definite length 8.1.3, up to 4 length octets), and,
 * when `tag` is given, only if the tag matches. Pure and total: null when it does not fit the buffer.
 */
export function readTlv(der: Uint8Array, offset: number, tag?: number): Tlv | null {
  if (offset + 2 > der.length || (tag !== undefined && der[offset] !== tag)) return null;
  let length = der[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4 || contentStart + octets > der.length) return null;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[contentStart + i]!;
    contentStart += octets;
  }
  const end = contentStart + length;
  return end <= der.length ? { start: offset, contentStart, end } : null;
}

/** X.690 8.19: an OBJECT IDENTIFIER's content in dotted form; the first octet holds two arcs, the rest are base-128
 * with a continuation bit. Null for empty content. */
export function decodeOid(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return null;
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
    else arcs.push(value);
    value = 0;
  }
  return arcs.join('.');
}
