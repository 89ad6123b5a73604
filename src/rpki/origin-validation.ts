import { covers, parsePrefix, truncated, type Prefix } from './prefix.ts';

/** One Validated ROA Payload (RFC 6811 2): an AS allowed to originate a prefix up to a maximum length. */
export type Vrp = { readonly asn: number; readonly prefix: Prefix; readonly maxLength: number };

/** RFC 6811 2's three states, in the words of the Routinator API. */
export type ValidityState = 'valid' | 'invalid' | 'not-found';

/** A VRP as evidence: `AS13335 1.1.1.0/24 max 24`. */
export type VrpText = { readonly asn: string; readonly prefix: string; readonly maxLength: number };

export type OriginValidity = {
  readonly state: ValidityState;
  /** The covering VRPs that match the route (valid), and those that cover it but do not (why it is invalid). */
  readonly matched: readonly VrpText[];
  readonly unmatchedAs: readonly VrpText[];
  readonly unmatchedLength: readonly VrpText[];
};

const asText = (v: Vrp): VrpText => ({ asn: `AS${v.asn}`, prefix: v.prefix.text, maxLength: v.maxLength });

/**
 * VRPs indexed by family, length and network bits, so judging a route asks at most 33 (IPv4) or 129 (IPv6) buckets
 * rather than every VRP: a full export has about 500,000, and a large scan asks for hundreds of thousands of routes.
 */
export class VrpIndex {
  readonly #buckets = new Map<string, Vrp[]>();
  readonly size: number;

  constructor(vrps: Iterable<Vrp>) {
    let size = 0;
    for (const vrp of vrps) {
      const key = `${vrp.prefix.family}/${vrp.prefix.length}/${truncated(vrp.prefix, vrp.prefix.length)}`;
      const bucket = this.#buckets.get(key);
      if (bucket) bucket.push(vrp); else this.#buckets.set(key, [vrp]);
      size++;
    }
    this.size = size;
  }

  /** Every VRP whose prefix covers `route`. */
  covering(route: Prefix): Vrp[] {
    const found: Vrp[] = [];
    for (let length = 0; length <= route.length; length++) {
      const bucket = this.#buckets.get(`${route.family}/${length}/${truncated(route, length)}`);
      if (bucket) found.push(...bucket.filter((v) => covers(v.prefix, route)));
    }
    return found;
  }

  /**
   * RFC 6811 2: a route is `valid` when a covering VRP has its origin AS and a maxLength at least its length,
   * `invalid` when VRPs cover it but none matches, `not-found` when none covers it. AS 0 never matches (RFC 6483 4).
   */
  validate(asn: number, route: Prefix): OriginValidity {
    const covering = this.covering(route);
    const matched = covering.filter((v) => v.asn === asn && asn !== 0 && route.length <= v.maxLength);
    const unmatchedAs = covering.filter((v) => v.asn !== asn || asn === 0);
    const unmatchedLength = covering.filter((v) => v.asn === asn && asn !== 0 && route.length > v.maxLength);
    const state: ValidityState = matched.length > 0 ? 'valid' : covering.length > 0 ? 'invalid' : 'not-found';
    return { state, matched: matched.map(asText), unmatchedAs: unmatchedAs.map(asText), unmatchedLength: unmatchedLength.map(asText) };
  }
}

/** `AS13335`, `as13335` or 13335 as a number; null when it is not a 32-bit AS number (RFC 6793). */
export function parseAsn(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().replace(/^as/i, '') : '';
  if (!/^\d{1,10}$/.test(text)) return null;
  const asn = Number(text);
  return asn <= 0xffffffff ? asn : null;
}

/**
 * A VRP JSON export (Routinator `--format json`, rpki-client `-j`): `{"roas": [{"asn": "AS13335", "prefix":
 * "1.1.1.0/24", "maxLength": 24, ...}]}`. Entries that are not VRPs are counted, not guessed at. Pure and total.
 */
export function parseVrpExport(json: unknown): { readonly vrps: Vrp[]; readonly rejected: number } | { readonly problem: string } {
  const roas = (json as { roas?: unknown } | null)?.roas;
  if (!Array.isArray(roas)) return { problem: 'not a VRP export: no "roas" list' };
  const vrps: Vrp[] = [];
  let rejected = 0;
  for (const entry of roas as unknown[]) {
    const e = entry as { asn?: unknown; prefix?: unknown; maxLength?: unknown; max_length?: unknown } | null;
    const asn = parseAsn(e?.asn);
    const prefix = typeof e?.prefix === 'string' ? parsePrefix(e.prefix) : null;
    const rawMax = e?.maxLength ?? e?.max_length;
    const maxLength = typeof rawMax === 'number' ? rawMax : typeof rawMax === 'string' && /^\d+$/.test(rawMax) ? Number(rawMax) : prefix?.length;
    const width = prefix?.family === 6 ? 128 : 32;
    if (asn === null || !prefix || maxLength === undefined || maxLength < prefix.length || maxLength > width) { rejected++; continue; }
    vrps.push({ asn, prefix, maxLength });
  }
  return { vrps, rejected };
}
