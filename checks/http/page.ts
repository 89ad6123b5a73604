/**
 * What every web check does first: fetch a page on every A/AAAA address of its host, follow redirects hop by hop
 * (the one walker, `src/web/redirect-walk.ts`), then judge each address and let the worst verdict win (`worstOf`).
 * A ProbeError while fetching on one address is that address's `error`, so it hides no fail seen on another address
 * and keeps a clean result from being a pass. A page behind a redirect that was not followed is `error` too.
 */
import { fail } from '../../src/core/check.ts';
import type { CheckContext } from '../../src/core/check.ts';
import { probeFailure, whereSummary, worstOf, type Judged, type Verdict } from '../../src/core/endpoints.ts';
import { HTTPS_SERVED, type Prerequisite } from '../../src/core/prerequisites.ts';
import type { Endpoint, JsonObject, Outcome } from '../../src/core/types.ts';
import { endpointLabel } from '../../src/core/endpoint-label.ts';
import { MAX_HEADER_VALUE_CHARS } from '../../src/probes/types.ts';
import type { HttpHop, Probes } from '../../src/probes/types.ts';
import { ALLOW_NOTHING } from '../../src/net/special-addresses.ts';
import { wasCut } from '../../src/web/header-cut.ts';
import { redirectPolicyOf, walkRedirects, type RedirectPolicy, type StopKind } from '../../src/web/redirect-walk.ts';

export type { Verdict } from '../../src/core/endpoints.ts';
export { wasCut };

/** Redirects followed when a caller does not pass the configured `limits.maxRedirects`. */
export const MAX_REDIRECTS = 10;
/** Evidence keeps at most this many characters of one header value (architecture guide B.9: 1 KiB). */
export const MAX_VALUE_CHARS = 1024;

/** One URL requested on one address: where the first request went, as `host:port (address)`, and every hop. */
type Requested = { readonly endpoint: string; readonly requested: string; readonly hops: readonly HttpHop[] };

/** One URL fetched on one address: the last hop is judged. */
export type PageFetch = Requested & {
  readonly final: HttpHop;
  /** Why a redirect was not followed (off HTTPS, no address, loop, too many), else null. */
  readonly stopped: string | null;
};

/**
 * One URL a ProbeError stopped on one address, or whose page lies behind a redirect that was not followed (a
 * special address, a cut Location): the hops before it, and the `error` it is for that address.
 */
/**
 * One URL a ProbeError stopped on one address: the hops before it, and its `error` for that address, or its `skip`
 * when the first request to the domain itself showed https.available's finding (nothing served, no handshake).
 */
export type FailedFetch = Requested & { readonly failure: Extract<Verdict, { status: 'error' | 'skip' }> };

/** One URL on one address, fetched or stopped (`'failure' in fetch`). */
export type Fetch = PageFetch | FailedFetch;

/** The pages a target's web checks look at: its landing page and its configured extra URLs. */
export type TargetPages = {
  readonly landing: readonly Fetch[];
  readonly extra: readonly Fetch[];
  /** Configured URLs whose host has no A/AAAA records (or that are not https URLs). */
  readonly unresolved: readonly string[];
};

/** Fetches the landing page and each `target.urls` entry on every address of its host. */
export async function fetchTargetPages(ctx: CheckContext, headers?: Readonly<Record<string, string>>): Promise<TargetPages> {
  const policy = redirectPolicyOf(ctx.settings);
  const [landing = [], ...perUrl] = await Promise.all([
    fetchEverywhere(ctx.probes, `https://${ctx.target.domain}/`, { ...(headers ? { headers } : {}), policy, prerequisite: HTTPS_SERVED }),
    ...ctx.target.urls.map((url) => fetchEverywhere(ctx.probes, url, { ...(headers ? { headers } : {}), policy })),
  ]);
  return { landing, extra: perUrl.flat(), unresolved: ctx.target.urls.filter((_, i) => perUrl[i]?.length === 0) };
}

/**
 * Fetches `url` on every address of its host; an empty list means the host has no addresses. Without a `policy`,
 * no redirect is followed into a special network (see `src/web/redirect-walk.ts`). With a `prerequisite` (for URLs
 * on the scanned domain itself), a first request that shows its finding makes that address's fetch a `skip`.
 */
export async function fetchEverywhere(probes: Probes, url: string, options: {
  readonly headers?: Readonly<Record<string, string>>;
  readonly policy?: RedirectPolicy;
  readonly prerequisite?: Prerequisite;
} = {}): Promise<Fetch[]> {
  const parsed = httpsUrl(url);
  if (!parsed) return [];
  const policy = options.policy ?? { maxRedirects: MAX_REDIRECTS, allow: ALLOW_NOTHING, scannedHosts: [] };
  const set = await probes.endpoints(parsed.hostname, portOf(parsed));
  return Promise.all(set.endpoints.map((endpoint) => follow(probes, endpoint, parsed.href, options.headers, policy, options.prerequisite)));
}

/** Page checks look at https pages only: a redirect off https ends the walk, and the hop before it is judged. */
const httpsOnly = (next: URL, location: string) => (next.protocol === 'https:' ? null : `redirect to ${cap(location, 200)} is not an https URL`);

/** Stops whose page was never seen, so nothing about it can be judged: `error`, never a verdict on the wrong hop. */
const UNSEEN: ReadonlySet<StopKind> = new Set(['special-address', 'cut-location']);

async function follow(
  probes: Probes, start: Endpoint, url: string, headers: Readonly<Record<string, string>> | undefined, policy: RedirectPolicy,
  prerequisite?: Prerequisite,
): Promise<Fetch> {
  const walk = await walkRedirects(probes, { start, url, ...(headers ? { headers } : {}), policy, mayFollow: httpsOnly });
  const { hops, stop } = walk;
  const endpoint = hops[0]?.endpoint ?? endpointLabel(start);
  const final = hops.at(-1);
  // Only the very first request tells whether the domain serves HTTPS; a later hop's failure is that page's error.
  if (walk.error) return { endpoint, requested: url, hops, failure: probeFailure(walk.error, hops.length === 0 ? prerequisite : undefined) };
  if (!final || UNSEEN.has(stop.kind)) {
    const summary = stop.reason ?? 'redirect not followed';
    return { endpoint, requested: url, hops, failure: { status: 'error', reason: 'client-limitation', summary, evidence: { stopped: summary } } };
  }
  return { endpoint, requested: url, hops, final, stopped: stop.reason };
}

function httpsUrl(url: string): URL | null {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  return parsed?.protocol === 'https:' ? parsed : null;
}

const portOf = (url: URL) => (url.port === '' ? 443 : Number(url.port));

/** A header value cut to the evidence cap, marking that it was cut. */
export function cap(value: string, max = MAX_VALUE_CHARS): string {
  return value.length <= max ? value : `${value.slice(0, max)}… [${value.length - max} more characters]`;
}

/** A header's values as received (every field line), each capped, at most 16 of them. */
export function headerValues(hop: HttpHop, name: string): string[] {
  return (hop.headers[name] ?? []).slice(0, 16).map((v) => cap(v));
}

/** The body when it is HTML (by Content-Type, or none given), else "": only HTML carries `<meta>` policies. */
export function htmlBody(hop: HttpHop): string {
  const type = hop.headers['content-type']?.[0] ?? '';
  return type === '' || /html/i.test(type) ? hop.body : '';
}

/**
 * An `error` judgement when one of `names` was cut by the probe, since a policy read in part can look weaker
 * (or stronger) than it is; null when every value is whole.
 */
export function cutJudgement(hop: HttpHop, names: readonly string[], evidence: JsonObject): Verdict | null {
  const cut = names.filter((name) => (hop.headers[name] ?? []).some(wasCut));
  if (cut.length === 0) return null;
  const summary = `${cut.join(', ')} is longer than the ${MAX_HEADER_VALUE_CHARS} characters the HTTP probe keeps, so it cannot be judged`;
  return { status: 'error', reason: 'client-limitation', summary, evidence };
}

/**
 * Judges each page, the worst verdict winning (`worstOf`), with each page's row under `pages`. A target without
 * addresses fails; configured URLs that cannot be fetched warn.
 */
export function judgeEach(
  ctx: CheckContext, pages: TargetPages, judge: (page: PageFetch) => Verdict, remediation: string,
): Outcome {
  if (pages.landing.length === 0) return noAddresses(ctx, remediation);
  const rows: Judged[] = [
    ...[...pages.landing, ...pages.extra].map((page) => {
      if ('failure' in page) return failedRow(page);
      const verdict = judge(page);
      // The judge's evidence leads a page's row, then where it was seen, as reports have always shown it.
      return { label: `${page.final.url} via ${page.endpoint}`, facts: { ...verdict.evidence, ...pageFacts(page) }, verdict: { ...verdict, evidence: {} } };
    }),
    ...pages.unresolved.map((url) => ({
      label: null, facts: { url },
      verdict: { status: 'warn', summary: `configured URL ${url} has no A/AAAA records or is not https`, evidence: {} } as const,
    })),
  ];
  return worstOf(rows, { summary: (worst) => whereSummary(worst, rows), evidence: (rows) => ({ pages: rows }), remediation });
}

/** A page check's `run`: fetches the target's pages (sending `headers`), then `judgeEach` with `judge`. */
export function judgePages(judge: (page: PageFetch) => Verdict, remediation: string, headers?: Readonly<Record<string, string>>) {
  return async (ctx: CheckContext): Promise<Outcome> => judgeEach(ctx, await fetchTargetPages(ctx, headers), judge, remediation);
}

/**
 * For checks that judge all of the target's pages at once (the cookie checks): `judge`'s verdict on what was
 * fetched, ranked with the pages a ProbeError stopped (their rows under `unfetched`). No addresses fails.
 */
export async function judgeTogether(ctx: CheckContext, judge: (pages: TargetPages) => Verdict, remediation: string): Promise<Outcome> {
  const pages = await fetchTargetPages(ctx);
  if (pages.landing.length === 0) return noAddresses(ctx, remediation);
  const failed = [...pages.landing, ...pages.extra].filter((page) => 'failure' in page).map(failedRow);
  if (failed.length === pages.landing.length + pages.extra.length) {
    // Nothing was fetched: a verdict on no pages would pass by omission. The failures alone decide (skip or error).
    return worstOf(failed, { summary: (worst) => whereSummary(worst, failed), evidence: (unfetched) => ({ unfetched }), remediation });
  }
  const verdict = judge(pages);
  const rows: Judged[] = [{ label: null, facts: {}, verdict }, ...failed];
  return worstOf(rows, {
    summary: (worst) => whereSummary(worst, rows),
    evidence: ([, ...unfetched]) => ({ ...verdict.evidence, ...(unfetched.length > 0 ? { unfetched } : {}) }),
    remediation,
  });
}

const failedRow = (page: FailedFetch): Judged => ({ label: `${page.requested} via ${page.endpoint}`, facts: pageFacts(page), verdict: page.failure });

/** The verdict when the domain has no A/AAAA records: a web promise with no web server behind it fails. */
export function noAddresses(ctx: CheckContext, remediation: string): Outcome {
  return fail(`${ctx.target.domain} has no A/AAAA records, so there is no web server to check`, { domain: ctx.target.domain, pages: [] }, remediation);
}

/** Where a page's facts came from: address, URL, status and redirect chain (as far as it got, if stopped). */
export function pageFacts(page: Fetch): JsonObject {
  const redirects = (hops: readonly HttpHop[]) => (hops.length > 0 ? { redirects: hops.map((h) => `${h.status} ${h.url}`) } : {});
  if ('failure' in page) return { endpoint: page.endpoint, url: page.requested, ...redirects(page.hops) };
  return {
    endpoint: page.endpoint,
    ...(page.final.endpoint !== page.endpoint ? { finalEndpoint: page.final.endpoint } : {}),
    url: page.final.url,
    httpStatus: page.final.status,
    ...redirects(page.hops.slice(0, -1)),
    ...(page.stopped ? { stopped: page.stopped } : {}),
    observedAt: page.final.observedAt,
  };
}
