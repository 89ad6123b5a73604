import net from 'node:net';

/** An IP prefix as numbers: the family, the network bits (host bits cleared) and the length. */
export type Prefix = { readonly family: 4 | 6; readonly bits: bigint; readonly length: number; readonly text: string };

const WIDTH = { 4: 32, 6: 128 } as const;

/** An address as a number of its family's width, or null when it is not an IP address. */
export function addressBits(address: string): { family: 4 | 6; bits: bigint } | null {
  if (net.isIPv4(address)) return { family: 4, bits: address.split('.').reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n) };
  if (!net.isIPv6(address) || address.includes('%')) return null;
  return { family: 6, bits: expandIpv6(address).reduce((n, group) => (n << 16n) | BigInt(group), 0n) };
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail included). */
export function expandIpv6(address: string): number[] {
  let text = address.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const [a, b, c, d] = v4[1].split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => parseInt(g, 16));
}

/** `192.0.2.0/24` or `2001:db8::/32` as a Prefix; null when malformed or when host bits are set. Pure and total. */
export function parsePrefix(text: string): Prefix | null {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match?.[1] || !match[2]) return null;
  const address = addressBits(match[1]);
  const length = Number(match[2]);
  if (!address || length > WIDTH[address.family]) return null;
  const host = WIDTH[address.family] - length;
  if ((address.bits & ((1n << BigInt(host)) - 1n)) !== 0n) return null;
  return { family: address.family, bits: address.bits, length, text: `${match[1].toLowerCase()}/${length}` };
}

/** Whether `outer` covers `inner` (RFC 6811 1: the same family, no longer, and the same leading bits). */
export function covers(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family || outer.length > inner.length) return false;
  const shift = BigInt(WIDTH[outer.family] - outer.length);
  return outer.bits >> shift === inner.bits >> shift;
}

/** The network bits of `prefix` cut to `length` (for indexing by length). */
export function truncated(prefix: Prefix, length: number): bigint {
  return prefix.bits >> BigInt(WIDTH[prefix.family] - length);
}
