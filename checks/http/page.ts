/**
 * What every web check does first: fetch a page on every A/AAAA address of its host, follow redirects hop by hop,
 * then judge each address and let the worst verdict win (`worstOf`). A ProbeError while fetching on one address is
 * that address's `error`, so it hides no fail seen on another address and keeps a clean result from being a pass.
 */
import { fail } from '../../src/core/check.ts';
import type { CheckContext } from '../../src/core/check.ts';
import { probeFailure, whereSummary, worstOf, type Judged, type Verdict } from '../../src/core/endpoints.ts';
import type { Endpoint, JsonObject, Outcome } from '../../src/core/types.ts';
import { endpointLabel } from '../../src/core/endpoint-label.ts';
import { MAX_HEADER_VALUE_CHARS, TRUNCATION_MARK } from '../../src/probes/types.ts';
import type { HttpHop, Probes } from '../../src/probes/types.ts';

export type { Verdict } from '../../src/core/endpoints.ts';

/** Browsers follow about 20; five is plenty for a landing page and bounds the requests per check. */
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

/** One URL a ProbeError stopped on one address: the hops before it, and the `error` it is for that address. */
export type FailedFetch = Requested & { readonly failure: Extract<Verdict, { status: 'error' }> };

/** One URL on one address, fetched or stopped (`'failure' in fetch`). */
export type Fetch = PageFetch | FailedFetch;

/** The pages a target's web checks look at: its landing page and its configured extra URLs. */
export type TargetPages = {
  readonly landing: readonly Fetch[];
  readonly extra: readonly Fetch[];
  /** Configured URLs whose host has no A/AAAA records (or that are not https URLs). */
  readonly unresolved: readonly string[];
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Fetches the landing page and each `target.urls` entry on every address of its host. */
export async function fetchTargetPages(ctx: CheckContext, headers?: Readonly<Record<string, string>>): Promise<TargetPages> {
  const [landing = [], ...perUrl] = await Promise.all(
    [`https://${ctx.target.domain}/`, ...ctx.target.urls].map((url) => fetchEverywhere(ctx.probes, url, headers, ctx.settings.maxRedirects)),
  );
  return { landing, extra: perUrl.flat(), unresolved: ctx.target.urls.filter((_, i) => perUrl[i]?.length === 0) };
}

/** Fetches `url` on every address of its host; an empty list means the host has no addresses. */
export async function fetchEverywhere(
  probes: Probes, url: string, headers?: Readonly<Record<string, string>>, maxRedirects = MAX_REDIRECTS,
): Promise<Fetch[]> {
  const parsed = httpsUrl(url);
  if (!parsed) return [];
  const set = await probes.endpoints(parsed.hostname, portOf(parsed));
  return Promise.all(set.endpoints.map((endpoint) => follow(probes, endpoint, parsed.href, headers, maxRedirects)));
}

async function follow(
  probes: Probes, start: Endpoint, url: string, headers: Readonly<Record<string, string>> | undefined, maxRedirects: number,
): Promise<Fetch> {
  const request = (endpoint: Endpoint, target: string) => probes.http(endpoint, { url: target, ...(headers ? { headers } : {}) });
  const hops: HttpHop[] = [];
  try {
    let endpoint = start;
    let hop = await request(endpoint, url);
    hops.push(hop);
    let stopped: string | null = null;
    for (let location = redirectOf(hop); location !== null; location = redirectOf(hop)) {
      const next = URL.canParse(location, hop.url) ? new URL(location, hop.url) : null;
      if (next?.protocol !== 'https:') { stopped = `redirect to ${cap(location, 200)} is not an https URL`; break; }
      if (hops.length > maxRedirects) { stopped = `more than ${maxRedirects} redirects`; break; }
      if (hops.some((h) => h.url === next.href)) { stopped = `redirect loop at ${next.href}`; break; }
      if (next.hostname !== endpoint.hostname.toLowerCase() || portOf(next) !== endpoint.port) {
        const first = (await probes.endpoints(next.hostname, portOf(next))).endpoints[0];
        if (!first) { stopped = `${next.hostname} has no A/AAAA records`; break; }
        endpoint = first;
      }
      hop = await request(endpoint, next.href);
      hops.push(hop);
    }
    return { endpoint: hops[0]?.endpoint ?? endpointLabel(start), requested: url, hops, final: hop, stopped };
  } catch (err) {
    return { endpoint: hops[0]?.endpoint ?? endpointLabel(start), requested: url, hops, failure: probeFailure(err) };
  }
}

function redirectOf(hop: HttpHop): string | null {
  const location = hop.headers['location']?.[0];
  return REDIRECTS.has(hop.status) && location !== undefined ? location : null;
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

/** True when the HTTP probe cut the value at its per-value cap: what follows the cut was never seen. */
export function wasCut(value: string): boolean {
  return value.length > MAX_HEADER_VALUE_CHARS && value.endsWith(TRUNCATION_MARK);
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
  const verdict = judge(pages);
  const failed = [...pages.landing, ...pages.extra].filter((page) => 'failure' in page).map(failedRow);
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
