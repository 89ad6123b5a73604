/**
 * IP addresses and CIDR prefixes as bytes, for prefix matching without a socket library. Pure: no I/O.
 * Text forms: IPv4 dotted quad (RFC 791, four decimal octets, no leading zeros, as Node's `net.isIPv4` accepts) and
 * IPv6 (RFC 4291 2.2, including `::` compression and a dotted-quad tail; RFC 4007 11 zone ids are dropped).
 */
import { isIPv4, isIPv6 } from 'node:net';

/** 4 bytes for IPv4, 16 for IPv6. */
export type IpBytes = Uint8Array;

/** A prefix: `bits` leading bits of `bytes` (RFC 4632 3.1 for IPv4, RFC 4291 2.3 for IPv6). */
export type Cidr = { readonly bytes: IpBytes; readonly bits: number; readonly text: string };

/** The bytes of an IP address, or null when `text` is not one. */
export function ipBytes(text: string): IpBytes | null {
  const address = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (isIPv4(address)) return Uint8Array.from(address.split('.').map(Number));
  if (!isIPv6(address)) return null;
  // RFC 4291 2.2 (3): the low 32 bits may be written as a dotted quad; rewrite them as two hex groups.
  const head = address.replace(/:(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_all, a: string, b: string, c: string, d: string) =>
    `:${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`);
  const [left = '', right] = head.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const before = groups(left);
  const after = right === undefined ? [] : groups(right);
  const words = [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after];
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => { bytes[2 * i] = word >> 8; bytes[2 * i + 1] = word & 0xff; });
  return bytes;
}

/** True when the first `bits` bits of `address` equal those of `prefix` (same family only). */
export function inPrefix(address: IpBytes, prefix: Cidr): boolean {
  if (address.length !== prefix.bytes.length) return false;
  for (let bit = 0; bit < prefix.bits; bit += 8) {
    const mask = prefix.bits - bit >= 8 ? 0xff : (0xff << (8 - (prefix.bits - bit))) & 0xff;
    if ((address[bit / 8]! & mask) !== (prefix.bytes[bit / 8]! & mask)) return false;
  }
  return true;
}

/** Parses `address/bits`; the problem in words when it is not a prefix (host bits set included: a likely typo). */
export function parseCidr(text: string): { ok: true; value: Cidr } | { ok: false; problem: string } {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  const bytes = match ? ipBytes(match[1]!) : null;
  if (!match || !bytes) return { ok: false, problem: `"${text}" is not an address prefix like 10.0.0.0/8 or fd00::/8` };
  const bits = Number(match[2]);
  const max = bytes.length * 8;
  if (bits > max) return { ok: false, problem: `"${text}": an IPv${bytes.length === 4 ? 4 : 6} prefix has at most ${max} bits` };
  const value = { bytes, bits, text: text.trim() };
  const network = Uint8Array.from(bytes, (byte, i) => {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  if (network.some((byte, i) => byte !== bytes[i])) {
    return { ok: false, problem: `"${text}" has address bits set after the /${bits} prefix (did you mean ${formatIp(network)}/${bits}?)` };
  }
  return { ok: true, value };
}

/** A prefix from trusted source text (the tables of this module); throws on a typo in them. */
export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value;
}

/** Text of an address: dotted quad, or IPv6 as eight hex groups with the longest zero run compressed. */
export function formatIp(bytes: IpBytes): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}
