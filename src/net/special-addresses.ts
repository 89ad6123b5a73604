/**
 * Which IP addresses are not ordinary public unicast destinations: the IANA special-purpose address registries
 * (RFC 6890, as updated; https://www.iana.org/assignments/iana-ipv4-special-registry and
 * .../iana-ipv6-special-registry), plus multicast (RFC 5771, RFC 4291 2.7) and, for IPv6, everything outside
 * global unicast 2000::/3 (RFC 4291 2.4, IANA IPv6 Address Space). Used to refuse following a redirect into a
 * network the scanner happens to sit in (server-side request forgery). Pure: no I/O.
 *
 * Registry entries marked "globally reachable: true" (AS112, AMT, 6to4 and NAT64 well-known prefixes) are not
 * special here, except that an IPv4 address embedded in an IPv6 form (IPv4-mapped, IPv4-compatible, NAT64, 6to4)
 * is judged as that IPv4 address, since that is where the packets go.
 */
import { cidr, formatIp, inPrefix, ipBytes, type Cidr, type IpBytes } from './ip-bytes.ts';

/** The kinds of special address, the named networks `allowRedirectsTo` may allow being the first four. */
export const ADDRESS_KINDS = [
  'loopback', 'private', 'link-local', 'unique-local',
  'shared', 'multicast', 'unspecified', 'documentation', 'benchmarking', 'broadcast', 'reserved',
] as const;
export type AddressKind = (typeof ADDRESS_KINDS)[number];

/** What a special address is, in words an auditor reads, with the document that reserves it. */
export type SpecialAddress = {
  readonly address: string;
  readonly kind: AddressKind;
  /** The registry block it falls in, e.g. `10.0.0.0/8`. */
  readonly block: string;
  /** E.g. `private address (RFC 1918)`. */
  readonly description: string;
};

type Entry = { readonly prefix: Cidr; readonly kind: AddressKind; readonly name: string; readonly rfc: string };
const entry = (prefix: string, kind: AddressKind, name: string, rfc: string): Entry => ({ prefix: cidr(prefix), kind, name, rfc });

/** IANA IPv4 Special-Purpose Address Registry, most specific first, plus multicast. */
const IPV4: readonly Entry[] = [
  entry('255.255.255.255/32', 'broadcast', 'limited broadcast address', 'RFC 919'),
  entry('0.0.0.0/8', 'unspecified', '"this network" address', 'RFC 791'),
  entry('10.0.0.0/8', 'private', 'private address', 'RFC 1918'),
  entry('100.64.0.0/10', 'shared', 'shared (carrier-grade NAT) address', 'RFC 6598'),
  entry('127.0.0.0/8', 'loopback', 'loopback address', 'RFC 1122'),
  entry('169.254.0.0/16', 'link-local', 'link-local address', 'RFC 3927'),
  entry('172.16.0.0/12', 'private', 'private address', 'RFC 1918'),
  entry('192.0.0.0/24', 'reserved', 'IETF protocol assignment', 'RFC 6890'),
  entry('192.0.2.0/24', 'documentation', 'documentation address (TEST-NET-1)', 'RFC 5737'),
  entry('192.88.99.0/24', 'reserved', 'deprecated 6to4 relay anycast address', 'RFC 7526'),
  entry('192.168.0.0/16', 'private', 'private address', 'RFC 1918'),
  entry('198.18.0.0/15', 'benchmarking', 'benchmarking address', 'RFC 2544'),
  entry('198.51.100.0/24', 'documentation', 'documentation address (TEST-NET-2)', 'RFC 5737'),
  entry('203.0.113.0/24', 'documentation', 'documentation address (TEST-NET-3)', 'RFC 5737'),
  entry('224.0.0.0/4', 'multicast', 'multicast address', 'RFC 5771'),
  entry('240.0.0.0/4', 'reserved', 'reserved address', 'RFC 1112'),
];

/** IANA IPv6 Special-Purpose Address Registry, most specific first, plus multicast and the non-unicast space. */
const IPV6: readonly Entry[] = [
  entry('::/128', 'unspecified', 'unspecified address', 'RFC 4291'),
  entry('::1/128', 'loopback', 'loopback address', 'RFC 4291'),
  entry('64:ff9b:1::/48', 'private', 'local-use NAT64 address', 'RFC 8215'),
  entry('100::/64', 'reserved', 'discard-only address', 'RFC 6666'),
  entry('2001:2::/48', 'benchmarking', 'benchmarking address', 'RFC 5180'),
  entry('2001:db8::/32', 'documentation', 'documentation address', 'RFC 3849'),
  // Teredo (2001::/32), ORCHID and the rest of the IETF protocol block: not destinations a web page points to.
  entry('2001::/23', 'reserved', 'IETF protocol assignment', 'RFC 2928'),
  entry('3fff::/20', 'documentation', 'documentation address', 'RFC 9637'),
  entry('5f00::/16', 'reserved', 'segment routing (SRv6) identifier', 'RFC 9602'),
  entry('fc00::/7', 'unique-local', 'unique local address', 'RFC 4193'),
  entry('fe80::/10', 'link-local', 'link-local address', 'RFC 4291'),
  entry('fec0::/10', 'reserved', 'deprecated site-local address', 'RFC 3879'),
  entry('ff00::/8', 'multicast', 'multicast address', 'RFC 4291'),
];

/** IPv6 forms that carry an IPv4 address, and where: the packets end up at that IPv4 address. */
const EMBEDDING: readonly { readonly prefix: Cidr; readonly form: string; readonly offset: number }[] = [
  { prefix: cidr('::ffff:0:0/96'), form: 'IPv4-mapped', offset: 12 }, // RFC 4291 2.5.5.2
  { prefix: cidr('::/96'), form: 'IPv4-compatible', offset: 12 }, // RFC 4291 2.5.5.1 (deprecated)
  { prefix: cidr('64:ff9b::/96'), form: 'NAT64', offset: 12 }, // RFC 6052 2.1
  { prefix: cidr('2002::/16'), form: '6to4', offset: 2 }, // RFC 3056 2
];

/** RFC 4291 2.4: global unicast is 2000::/3; the rest of the IPv6 space is reserved or special. */
const GLOBAL_UNICAST_V6 = cidr('2000::/3');

/** The IPv4 address an IPv6 form embeds (mapped, compatible, NAT64, 6to4), with the form's name, or null. */
export function embeddedIpv4(bytes: IpBytes): { readonly ipv4: IpBytes; readonly form: string } | null {
  if (bytes.length !== 16) return null;
  // `::` and `::1` sit inside ::/96 but are the unspecified and loopback addresses, not IPv4-compatible ones.
  if (inPrefix(bytes, cidr('::/127'))) return null;
  const found = EMBEDDING.find((e) => inPrefix(bytes, e.prefix));
  return found ? { ipv4: bytes.slice(found.offset, found.offset + 4), form: found.form } : null;
}

/**
 * What is special about `address`, or null for an ordinary public unicast address (and for text that is not an
 * address at all: callers check that first).
 */
export function specialAddress(address: string): SpecialAddress | null {
  const bytes = ipBytes(address);
  if (!bytes) return null;
  const embedded = embeddedIpv4(bytes);
  if (embedded) {
    const inner = specialAddress(formatIp(embedded.ipv4));
    if (inner) return { ...inner, address, description: `${inner.description} in ${embedded.form} form` };
    // A public IPv4 address in a deprecated IPv4-compatible form is still not a normal IPv6 destination.
    if (embedded.form !== 'IPv4-compatible') return null;
    return { address, kind: 'reserved', block: '::/96', description: 'deprecated IPv4-compatible address (RFC 4291)' };
  }
  const table = bytes.length === 4 ? IPV4 : IPV6;
  const hit = table.find((e) => inPrefix(bytes, e.prefix));
  if (hit) return { address, kind: hit.kind, block: hit.prefix.text, description: `${hit.name} (${hit.rfc})` };
  if (bytes.length === 16 && !inPrefix(bytes, GLOBAL_UNICAST_V6)) {
    return { address, kind: 'reserved', block: 'outside 2000::/3', description: 'address outside IPv6 global unicast (RFC 4291)' };
  }
  return null;
}

/** The networks a name in `allowRedirectsTo` stands for. */
export const NAMED_NETWORKS: Readonly<Record<'loopback' | 'private' | 'link-local' | 'unique-local', AddressKind>> = {
  loopback: 'loopback', private: 'private', 'link-local': 'link-local', 'unique-local': 'unique-local',
};

/** Which special addresses may be reached anyway: named kinds, and prefixes. */
export type AddressAllowList = { readonly kinds: readonly AddressKind[]; readonly prefixes: readonly Cidr[] };

export const ALLOW_NOTHING: AddressAllowList = { kinds: [], prefixes: [] };

/**
 * Parses `allowRedirectsTo` entries: a name of `NAMED_NETWORKS` or a CIDR prefix. Problems in words, by index.
 */
export function parseAllowList(entries: readonly string[]): { value: AddressAllowList; problems: { index: number; problem: string }[] } {
  const kinds: AddressKind[] = [];
  const prefixes: Cidr[] = [];
  const problems: { index: number; problem: string }[] = [];
  entries.forEach((text, index) => {
    const named = (NAMED_NETWORKS as Record<string, AddressKind>)[text.toLowerCase()];
    if (named) { kinds.push(named); return; }
    if (!text.includes('/')) {
      problems.push({ index, problem: `"${text}" is neither a network name (${Object.keys(NAMED_NETWORKS).join(', ')}) nor a prefix like 10.0.0.0/8` });
      return;
    }
    const parsed = cidrOrProblem(text);
    if (typeof parsed === 'string') problems.push({ index, problem: parsed });
    else prefixes.push(parsed);
  });
  return { value: { kinds, prefixes }, problems };
}

function cidrOrProblem(text: string): Cidr | string {
  try {
    return cidr(text);
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Null when `address` may be connected to under `allow`; else what is special about it. An address in an allowed
 * prefix is allowed, as is one of an allowed kind; an IPv4 address in an IPv6 form also matches IPv4 prefixes.
 */
export function refusedAddress(address: string, allow: AddressAllowList): SpecialAddress | null {
  const special = specialAddress(address);
  if (!special) return null;
  if (allow.kinds.includes(special.kind)) return null;
  const bytes = ipBytes(address);
  const embedded = bytes ? embeddedIpv4(bytes) : null;
  const forms = [bytes, embedded?.ipv4].filter((b): b is IpBytes => b !== null && b !== undefined);
  return allow.prefixes.some((p) => forms.some((b) => inPrefix(b, p))) ? null : special;
}
