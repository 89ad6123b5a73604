/**
 * The one redirect walker: requests a URL on one endpoint, then follows redirects hop by hop, recording every hop
 * and why the walk stopped. Used by `https.redirect` and by every page check (`checks/http/page.ts`). No socket work
 * of its own: everything goes through `probes.http` and `probes.endpoints`.
 *
 * A hop is not followed into a special network (private, loopback, link-local, ...; see `src/net/`): a scanned site
 * could otherwise point the scanner at a host inside the network it runs in and have that host's answers end up in
 * the report (server-side request forgery). Hosts the user asked to scan are exempt; `allowRedirectsTo` allows more.
 */
import { isIP } from 'node:net';
import type { Settings } from '../config/settings.ts';
import { ProbeError } from '../core/errors.ts';
import type { Endpoint } from '../core/types.ts';
import { refusedAddress, type AddressAllowList } from '../net/special-addresses.ts';
import type { HttpHop, Probes } from '../probes/types.ts';
import { wasCut } from './header-cut.ts';

/** Which redirects may be followed. */
export type RedirectPolicy = {
  /** Redirects followed before the walk stops (config `limits.maxRedirects`). */
  readonly maxRedirects: number;
  /** Special networks hops may go to anyway (config `allowRedirectsTo`). */
  readonly allow: AddressAllowList;
  /** Lower-case host names never refused: the configured targets and their URLs' hosts, which the user asked to scan. */
  readonly scannedHosts: readonly string[];
};

/** Why a walk ended. Only `final` means the last hop is the page the redirects lead to. */
export type StopKind =
  | 'final' | 'no-location' | 'cut-location' | 'invalid-location' | 'not-http' | 'refused-by-caller'
  | 'too-many' | 'loop' | 'no-address' | 'special-address' | 'probe-error';

export type WalkStop = {
  readonly kind: StopKind;
  /** In words, for evidence; null for `final`. */
  readonly reason: string | null;
  /** The absolute URL that was not followed, when there was one. */
  readonly next: string | null;
};

export type Walk = {
  /** Every response received, in order; empty when the first request failed. */
  readonly hops: readonly HttpHop[];
  readonly stop: WalkStop;
  /** The ProbeError that ended the walk (`probe-error`). */
  readonly error: ProbeError | null;
};

export type WalkRequest = {
  readonly start: Endpoint;
  /** The first URL; it must name `start`'s host and port. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly policy: RedirectPolicy;
  /** A caller's own rule (e.g. "https only"): a reason not to follow `next` from hop `index` (0-based), or null. */
  readonly mayFollow?: (next: URL, location: string, index: number) => string | null;
};

/** Fetch Standard 2.2 "redirect status": the statuses a browser follows automatically (RFC 9110 15.4). */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
export const isRedirectStatus = (status: number) => REDIRECT_STATUSES.has(status);

/** Characters of a Location value quoted in a stop reason. */
const QUOTED_CHARS = 200;
const quote = (value: string) => (value.length <= QUOTED_CHARS ? value : `${value.slice(0, QUOTED_CHARS)}…`);

/** Follows redirects from `request.url` on `request.start`. Rejects only for bugs (non-ProbeErrors). */
export async function walkRedirects(probes: Pick<Probes, 'http' | 'endpoints'>, request: WalkRequest): Promise<Walk> {
  const hops: HttpHop[] = [];
  const startHost = request.start.hostname.toLowerCase();
  let endpoint = request.start;
  let url = request.url;
  for (;;) {
    let hop: HttpHop;
    try {
      hop = await probes.http(endpoint, { url, ...(request.headers ? { headers: request.headers } : {}) });
    } catch (err) {
      return failed(hops, err, null);
    }
    hops.push(hop);
    const stop = (kind: StopKind, reason: string, next: string | null = null): Walk => ({ hops, stop: { kind, reason, next }, error: null });
    if (!isRedirectStatus(hop.status)) return { hops, stop: { kind: 'final', reason: null, next: null }, error: null };
    const location = hop.headers['location']?.[0];
    if (location === undefined) return stop('no-location', `HTTP ${hop.status} without a Location header`);
    // A cut value names some other URL than the one sent: following it would request a page the site never named.
    if (wasCut(location)) return stop('cut-location', `the Location header was cut by the read cap (${location.length} characters kept); not followed`);
    const next = URL.canParse(location, hop.url) ? new URL(location, hop.url) : null;
    if (!next) return stop('invalid-location', `redirect to an invalid URL "${quote(location)}"`);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') return stop('not-http', `redirect to a non-HTTP URL ${quote(next.href)}`, next.href);
    const refusal = request.mayFollow?.(next, location, hops.length - 1);
    if (refusal) return stop('refused-by-caller', refusal, next.href);
    if (hops.length > request.policy.maxRedirects) return stop('too-many', `more than ${request.policy.maxRedirects} redirects`, next.href);
    if (hops.some((h) => h.url === next.href)) return stop('loop', `redirect loop at ${next.href}`, next.href);
    let target: Endpoint | null;
    try {
      target = await endpointFor(probes, next, endpoint);
    } catch (err) {
      return failed(hops, err, next.href);
    }
    if (!target) return stop('no-address', `${hostOf(next)} has no A/AAAA records`, next.href);
    const special = hostOf(next) === startHost ? null : specialReason(next, target, request.policy);
    if (special) return stop('special-address', special, next.href);
    endpoint = target;
    url = next.href;
  }
}

function failed(hops: readonly HttpHop[], err: unknown, next: string | null): Walk {
  if (!(err instanceof ProbeError)) throw err;
  return { hops, stop: { kind: 'probe-error', reason: err.message, next }, error: err };
}

/** A URL's host as probes name it: lower case, IPv6 without brackets. */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
const portOf = (url: URL) => (url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port));

/**
 * Where the next hop goes: the same endpoint for the same host and port; for the same host on another port (http to
 * https), the address being judged if it serves that port too; otherwise the host's first address. Null: none.
 */
async function endpointFor(probes: Pick<Probes, 'endpoints'>, next: URL, from: Endpoint): Promise<Endpoint | null> {
  const host = hostOf(next);
  const port = portOf(next);
  const sameHost = host === from.hostname.toLowerCase();
  if (sameHost && port === from.port) return from;
  const set = await probes.endpoints(host, port);
  return (sameHost ? set.endpoints.find((e) => e.address === from.address) : undefined) ?? set.endpoints[0] ?? null;
}

/** Why `target` may not be contacted under `policy`, or null. Both an address literal in the URL and the dialled address count. */
function specialReason(next: URL, target: Endpoint, policy: RedirectPolicy): string | null {
  const host = hostOf(next);
  if (policy.scannedHosts.includes(host)) return null;
  const addresses = [...new Set([isIP(host) ? host : null, target.address].filter((a): a is string => a !== null))];
  for (const address of addresses) {
    const special = refusedAddress(address, policy.allow);
    if (!special) continue;
    const named = address === host ? address : `${host} (${address})`;
    return `redirect target ${named} is ${article(special.description)} ${special.description}; not followed (see allowRedirectsTo)`;
  }
  return null;
}

const article = (words: string) => (/^(?:[aeio]|un(?!i)|IETF)/i.test(words) ? 'an' : 'a');

/** The policy a check's settings give: the configured redirect limit and allowed networks. */
export function redirectPolicyOf(settings: Pick<Settings, 'maxRedirects' | 'redirects'>): RedirectPolicy {
  return { maxRedirects: settings.maxRedirects, allow: settings.redirects.allow, scannedHosts: settings.redirects.scannedHosts };
}
