/**
 * The bench estate's shape, computed from a domain's index so that neither the servers, nor the scanners, nor the
 * DNS zone need a table of 100,000 entries. Pure: the estate process, Vouch's run and the minimal scan all use it.
 *
 * - Domain i is `site<i>.bench.test`. Its web address is one of `webAddresses` loopback addresses, in turn
 *   (127.1.x.y): a shared-hosting platform. Politeness is per destination address (issue 11: 2 connections per
 *   address and port by default), so consecutive domains land on different addresses and a window of 500 domains
 *   in flight meets about two domains per address, not 500 on one.
 * - Mail: every 100th domain has an MX host of its own (`mx-site<i>.bench.test`, 127.3.x.y); the others share one
 *   MX host per 50 domains (`mx<k>.bench.test`, 127.2.x.y), assigned in turn too, so the MX hosts' probes (one
 *   session at a time per MX address, about 40 sessions each) run side by side instead of 50 domains waiting on one.
 * - One certificate (`*.bench.test`) serves every name: a certificate per domain would cost 100,000 key pairs.
 */
export const ZONE = 'bench.test';
export const DKIM_SELECTOR = 'sel1';
export const DOMAINS_PER_SHARED_MX = 50;
/** Every OWN_MX_EVERY-th domain runs its own MX host. */
export const OWN_MX_EVERY = 100;
export const DEFAULT_WEB_ADDRESSES = 256;

export type Layout = { readonly domains: number; readonly webAddresses: number };

export const domainName = (i: number): string => `site${i}.${ZONE}`;

/** The index of a scanned domain's name, or undefined for any other name. */
export function domainIndex(name: string, layout: Layout): number | undefined {
  const match = /^site(0|[1-9]\d*)\.bench\.test$/.exec(name);
  const i = match ? Number(match[1]) : NaN;
  return i < layout.domains ? i : undefined;
}

/** 127.<block>.x.y for the n-th address of a block (never .0 or .255 in the last octet). */
const loopback = (block: number, n: number) => `127.${block}.${Math.floor(n / 250)}.${1 + (n % 250)}`;

export const webAddress = (i: number, layout: Layout): string => loopback(1, i % layout.webAddresses);

export const sharedMxCount = (layout: Layout): number => Math.ceil(layout.domains / DOMAINS_PER_SHARED_MX);

export type MxHost = { readonly name: string; readonly address: string };

export function mxOf(i: number, layout: Layout): MxHost {
  if (i % OWN_MX_EVERY === OWN_MX_EVERY - 1) {
    return { name: `mx-site${i}.${ZONE}`, address: loopback(3, Math.floor(i / OWN_MX_EVERY)) };
  }
  const k = i % sharedMxCount(layout);
  return { name: `mx${k}.${ZONE}`, address: loopback(2, k) };
}

/** The MX host with this name, if the layout has it. */
export function mxByName(name: string, layout: Layout): MxHost | undefined {
  const shared = /^mx(0|[1-9]\d*)\.bench\.test$/.exec(name);
  if (shared) return Number(shared[1]) < sharedMxCount(layout) ? { name, address: loopback(2, Number(shared[1])) } : undefined;
  const own = /^mx-site(0|[1-9]\d*)\.bench\.test$/.exec(name);
  const i = own ? Number(own[1]) : NaN;
  return i < layout.domains && i % OWN_MX_EVERY === OWN_MX_EVERY - 1 ? mxOf(i, layout) : undefined;
}

/** Every address a server must listen on: web, shared MX, own MX. */
export function addresses(layout: Layout): { readonly web: string[]; readonly mx: string[] } {
  const web = Array.from({ length: Math.min(layout.webAddresses, layout.domains) }, (_, n) => loopback(1, n));
  const shared = Array.from({ length: sharedMxCount(layout) }, (_, k) => loopback(2, k));
  const own = Array.from({ length: Math.floor(layout.domains / OWN_MX_EVERY) }, (_, n) => loopback(3, n));
  return { web, mx: [...shared, ...own] };
}
