/**
 * The DNS view of one SPF evaluation: counts DNS-querying terms and void lookups against the RFC 7208 4.6.4 limits
 * and turns thrown resolver errors into temperror data. Scoped to one check_host() run, like mailauth's
 * limitedResolver, and counting regardless of whether an answer came from a cache (architecture guide B.7).
 */
import type { DnsAnswer, DnsType } from '../probes/types.ts';

/** Any resolver with the probes' contract: NXDOMAIN/NODATA are answers, anything thrown is a DNS failure. */
export type SpfDns = (name: string, type: DnsType) => Promise<DnsAnswer>;

/** RFC 7208 4.6.4 limits: 10 DNS-querying terms, 2 void lookups (the RECOMMENDED default). */
export type SpfLimits = { readonly maxLookups: number; readonly maxVoidLookups: number };

/** The defaults RFC 7208 4.6.4 sets. */
export const SPF_LIMITS: SpfLimits = { maxLookups: 10, maxVoidLookups: 2 };

/** A lookup as data: the answer, or the check_host() error it causes. */
export type SpfLookup =
  | { readonly ok: true; readonly answer: DnsAnswer }
  | { readonly ok: false; readonly result: 'permerror' | 'temperror'; readonly problem: string };

/** A counting resolver for one evaluation. */
export type LimitedDns = {
  /**
   * Charges one DNS-querying term (include, a, mx, ptr, exists, redirect). Returns the permerror problem when this
   * charge passes the limit, else null. RFC 7208 4.6.4 counts terms, not packets: the follow-up address lookups of
   * `mx` and `ptr` are bounded separately.
   */
  charge(term: string): string | null;
  /**
   * Asks the resolver. With `countVoid`, an NXDOMAIN or NODATA answer counts as a void lookup and the third one is
   * a permerror (RFC 7208 4.6.4). A thrown error (timeout, SERVFAIL) is a temperror (RFC 7208 5).
   */
  query(name: string, type: DnsType, countVoid: boolean): Promise<SpfLookup>;
  /** DNS-querying terms charged so far. */
  readonly lookups: number;
  /** Void answers counted so far. */
  readonly voidLookups: number;
};

/**
 * Wraps `dns` for one evaluation.
 * @example
 * const ldns = limitedDns(probes.dns);
 * ldns.charge('include:_spf.example.com'); // null until the 11th charge
 * const txt = await ldns.query('_spf.example.com', 'TXT', true);
 */
export function limitedDns(dns: SpfDns, limits: SpfLimits = SPF_LIMITS): LimitedDns {
  let lookups = 0;
  let voidLookups = 0;
  return {
    charge(term) {
      lookups++;
      return lookups > limits.maxLookups
        ? `more than ${limits.maxLookups} DNS-querying terms (RFC 7208 4.6.4); the ${ordinal(lookups)} was "${term}"`
        : null;
    },
    async query(name, type, countVoid) {
      let answer: DnsAnswer;
      try {
        answer = await dns(name, type);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        return { ok: false, result: 'temperror', problem: `DNS ${type} lookup of ${name} failed: ${reason}` };
      }
      if (countVoid && answer.result !== 'records') {
        voidLookups++;
        if (voidLookups > limits.maxVoidLookups) {
          return {
            ok: false, result: 'permerror',
            problem: `more than ${limits.maxVoidLookups} void lookups (RFC 7208 4.6.4); `
              + `the ${ordinal(voidLookups)} was ${type} ${name} (${answer.result})`,
          };
        }
      }
      return { ok: true, answer };
    },
    get lookups() {
      return lookups;
    },
    get voidLookups() {
      return voidLookups;
    },
  };
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
