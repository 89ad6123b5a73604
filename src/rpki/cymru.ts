import { addressBits, expandIpv6 } from './prefix.ts';

/**
 * Route origins from a DNS TXT zone in the Team Cymru IP-to-ASN format: the address's octets (IPv4) or nibbles (IPv6)
 * reversed under a zone (`origin.asn.cymru.com`, `origin6.asn.cymru.com`), answering TXT
 * `"13335 | 1.1.1.0/24 | AU | apnic | 2011-08-11"`: origin AS(es), announced prefix, country, registry, allocation date.
 */

/** The name to ask for `address`, or null when it is not an IP address. */
export function originQueryName(address: string, zone4: string, zone6: string): string | null {
  const parsed = addressBits(address);
  if (!parsed) return null;
  if (parsed.family === 4) return `${address.split('.').reverse().join('.')}.${zone4}`;
  const nibbles = expandIpv6(address).map((g) => g.toString(16).padStart(4, '0')).join('').split('');
  return `${nibbles.reverse().join('.')}.${zone6}`;
}

export type RouteOrigin = {
  /** Origin AS numbers: more than one when the prefix is announced from several (MOAS). */
  readonly asns: readonly number[];
  readonly prefix: string;
  readonly country: string;
  readonly registry: string;
  readonly allocated: string;
};

/** One TXT record in that format. Pure and total: anything else is a problem in words. */
export function parseOriginTxt(text: string): { readonly ok: true; readonly origin: RouteOrigin } | { readonly ok: false; readonly problem: string } {
  const fields = text.split('|').map((f) => f.trim());
  if (fields.length < 2) return { ok: false, problem: `not "AS | prefix | CC | registry | date": ${JSON.stringify(text)}` };
  const asnText = fields[0] ?? '';
  const asns = asnText.split(/\s+/).filter(Boolean).map(Number);
  if (asns.length === 0 || asns.some((n) => !Number.isInteger(n) || n < 0 || n > 0xffffffff)) {
    return { ok: false, problem: `no AS number in ${JSON.stringify(text)}` };
  }
  const prefix = fields[1] ?? '';
  if (!/^[0-9a-f:.]+\/\d{1,3}$/i.test(prefix)) return { ok: false, problem: `no prefix in ${JSON.stringify(text)}` };
  return { ok: true, origin: { asns, prefix: prefix.toLowerCase(), country: fields[2] ?? '', registry: fields[3] ?? '', allocated: fields[4] ?? '' } };
}
