/**
 * IP address text as SPF uses it (RFC 7208 5.6, 7.3): strict parsing, prefix matching and the macro formats.
 * Pure and total: bad text yields null, never an exception.
 */

/** An address in network byte order: 4 bytes for IPv4, 16 for IPv6. */
export type IpBytes = readonly number[];

/** The connecting client as check_host() sees it: an IPv4-mapped IPv6 address is already IPv4 (RFC 7208 5). */
export type ClientIp = { readonly family: 4 | 6; readonly bytes: IpBytes };

/**
 * Dotted-quad IPv4 per the RFC 7208 12 `qnum` rule: four decimal octets 0-255 without leading zeros
 * (so `1.2.3` and `01.2.3.4` are rejected, unlike `inet_aton`).
 */
export function parseIp4(text: string): IpBytes | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null;
    bytes.push(Number(part));
  }
  return bytes;
}

/** IPv6 text per RFC 4291 2.2: eight hex groups, one `::` at most, optionally ending in a dotted IPv4 address. */
export function parseIp6(text: string): IpBytes | null {
  let hex = text;
  const lastColon = text.lastIndexOf(':');
  if (lastColon === -1) return null;
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIp4(tail);
    if (!v4) return null;
    hex = `${text.slice(0, lastColon + 1)}${group(v4[0]!, v4[1]!)}:${group(v4[2]!, v4[3]!)}`;
  }
  const halves = hex.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const left = groupsOf(halves[0]!);
  const right = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (![...left, ...right].every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return null;
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  return groups.flatMap((g) => {
    const value = parseInt(g, 16);
    return [value >> 8, value & 0xff];
  });
}

function group(high: number, low: number): string {
  return ((high << 8) | low).toString(16);
}

/**
 * The client address for check_host(). RFC 7208 5: an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, RFC 4291
 * 2.5.5.2) MUST be treated as IPv4, so it only ever meets `ip4`, A records and the `in-addr` macros.
 */
export function parseClientIp(text: string): ClientIp | null {
  const v4 = parseIp4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIp6(text);
  if (!v6) return null;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? { family: 4, bytes: v6.slice(12) } : { family: 6, bytes: v6 };
}

/** Whether the first `prefix` bits of two same-family addresses agree (RFC 7208 5.6 CIDR matching). */
export function inPrefix(address: IpBytes, network: IpBytes, prefix: number): boolean {
  if (address.length !== network.length) return false;
  for (let bit = 0; bit < prefix; bit += 8) {
    const bits = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - bits)) & 0xff;
    if (((address[bit / 8]! ^ network[bit / 8]!) & mask) !== 0) return false;
  }
  return true;
}

/**
 * The readable form for the `c` macro (RFC 7208 7.3): dotted quad, or RFC 5952 text for IPv6
 * (lower case, longest run of two or more zero groups as `::`).
 */
export function formatIp(ip: ClientIp): string {
  if (ip.family === 4) return ip.bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((ip.bytes[2 * i]! << 8) | ip.bytes[2 * i + 1]!).toString(16));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.start === -1) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}

/** The `i` macro (RFC 7208 7.3): dotted quad for IPv4, 32 dot-separated lower-case nibbles for IPv6. */
export function dottedIp(ip: ClientIp): string {
  if (ip.family === 4) return ip.bytes.join('.');
  return ip.bytes.flatMap((b) => [(b >> 4).toString(16), (b & 0x0f).toString(16)]).join('.');
}

/** The PTR query name (RFC 1035 3.5, RFC 3596 2.5): reversed octets or nibbles under in-addr.arpa / ip6.arpa. */
export function reverseName(ip: ClientIp): string {
  const labels = dottedIp(ip).split('.').reverse().join('.');
  return `${labels}.${ip.family === 4 ? 'in-addr' : 'ip6'}.arpa`;
}
