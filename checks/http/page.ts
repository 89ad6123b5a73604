/**
 * What every web check does first: fetch a page on every A/AAAA address of its host, follow redirects hop by hop,
 * then judge each address and let the worst verdict win. Probe errors are never caught here: they propagate to the
 * runner, which reports `error`.
 */
import { fail, pass, warn } from '../../src/core/check.ts';
import type { CheckContext } from '../../src/core/check.ts';
import type { Endpoint, ErrorReason, JsonObject, Outcome } from '../../src/core/types.ts';
import { MAX_HEADER_VALUE_CHARS, TRUNCATION_MARK } from '../../src/probes/types.ts';
import type { HttpHop, Probes } from '../../src/probes/types.ts';

/** Browsers follow about 20; five is plenty for a landing page and bounds the requests per check. */
export const MAX_REDIRECTS = 5;
/** Evidence keeps at most this many characters of one header value (architecture guide B.9: 1 KiB). */
export const MAX_VALUE_CHARS = 1024;

/** One URL fetched on one address: every hop, the last one judged. */
export type PageFetch = {
  /** The address the first request went to, as `host:port (address)`. */
  readonly endpoint: string;
  readonly requested: string;
  readonly hops: readonly HttpHop[];
  readonly final: HttpHop;
  /** Why a redirect was not followed (off HTTPS, no address, loop, too many), else null. */
  readonly stopped: string | null;
};

/** The pages a target's web checks look at: its landing page and its configured extra URLs. */
export type TargetPages = {
  readonly landing: readonly PageFetch[];
  readonly extra: readonly PageFetch[];
  /** Configured URLs whose host has no A/AAAA records (or that are not https URLs). */
  readonly unresolved: readonly string[];
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Fetches the landing page and each `target.urls` entry on every address of its host. */
export async function fetchTargetPages(ctx: CheckContext, headers?: Readonly<Record<string, string>>): Promise<TargetPages> {
  const [landing = [], ...perUrl] = await Promise.all(
    [`https://${ctx.target.domain}/`, ...ctx.target.urls].map((url) => fetchEverywhere(ctx.probes, url, headers)),
  );
  return { landing, extra: perUrl.flat(), unresolved: ctx.target.urls.filter((_, i) => perUrl[i]?.length === 0) };
}

/** Fetches `url` on every address of its host; an empty list means the host has no addresses. */
export async function fetchEverywhere(probes: Probes, url: string, headers?: Readonly<Record<string, string>>): Promise<PageFetch[]> {
  const parsed = httpsUrl(url);
  if (!parsed) return [];
  const set = await probes.endpoints(parsed.hostname, portOf(parsed));
  return Promise.all(set.endpoints.map((endpoint) => follow(probes, endpoint, parsed.href, headers)));
}

async function follow(probes: Probes, start: Endpoint, url: string, headers?: Readonly<Record<string, string>>): Promise<PageFetch> {
  const request = (endpoint: Endpoint, target: string) => probes.http(endpoint, { url: target, ...(headers ? { headers } : {}) });
  let endpoint = start;
  let hop = await request(endpoint, url);
  const hops: HttpHop[] = [hop];
  let stopped: string | null = null;
  for (let location = redirectOf(hop); location !== null; location = redirectOf(hop)) {
    const next = URL.canParse(location, hop.url) ? new URL(location, hop.url) : null;
    if (next?.protocol !== 'https:') { stopped = `redirect to ${cap(location, 200)} is not an https URL`; break; }
    if (hops.length > MAX_REDIRECTS) { stopped = `more than ${MAX_REDIRECTS} redirects`; break; }
    if (hops.some((h) => h.url === next.href)) { stopped = `redirect loop at ${next.href}`; break; }
    if (next.hostname !== endpoint.hostname.toLowerCase() || portOf(next) !== endpoint.port) {
      const first = (await probes.endpoints(next.hostname, portOf(next))).endpoints[0];
      if (!first) { stopped = `${next.hostname} has no A/AAAA records`; break; }
      endpoint = first;
    }
    hop = await request(endpoint, next.href);
    hops.push(hop);
  }
  return { endpoint: hops[0]?.endpoint ?? start.hostname, requested: url, hops, final: hop, stopped };
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

/**
 * One page's verdict, before the worst one is chosen. `error` means this page's facts could not be judged (as
 * src/core/endpoints.ts ranks it: fail > error > warn > pass).
 */
export type Judgement =
  | { readonly status: 'pass' | 'warn' | 'fail'; readonly summary: string; readonly evidence: JsonObject }
  | { readonly status: 'error'; readonly reason: ErrorReason; readonly summary: string; readonly evidence: JsonObject };

const RANK = { pass: 0, warn: 1, error: 2, fail: 3 } as const;

/** True when the HTTP probe cut the value at its per-value cap: what follows the cut was never seen. */
export function wasCut(value: string): boolean {
  return value.length > MAX_HEADER_VALUE_CHARS && value.endsWith(TRUNCATION_MARK);
}

/**
 * An `error` judgement when one of `names` was cut by the probe, since a policy read in part can look weaker
 * (or stronger) than it is; null when every value is whole.
 */
export function cutJudgement(hop: HttpHop, names: readonly string[], evidence: JsonObject): Judgement | null {
  const cut = names.filter((name) => (hop.headers[name] ?? []).some(wasCut));
  if (cut.length === 0) return null;
  const summary = `${cut.join(', ')} is longer than the ${MAX_HEADER_VALUE_CHARS} characters the HTTP probe keeps, so it cannot be judged`;
  return { status: 'error', reason: 'client-limitation', summary, evidence };
}

/**
 * Judges each page and returns the worst verdict, with each page's evidence under `pages`. A target without
 * addresses fails; configured URLs that cannot be fetched warn.
 */
export function judgeEach(
  ctx: CheckContext, pages: TargetPages, judge: (page: PageFetch) => Judgement, remediation: string,
): Outcome {
  if (pages.landing.length === 0) return noAddresses(ctx, remediation);
  const rows: { readonly where: string | null; readonly judgement: Judgement; readonly facts: JsonObject }[] = [
    ...[...pages.landing, ...pages.extra].map((page) => ({
      where: `${page.final.url} via ${page.endpoint}`, judgement: judge(page), facts: pageFacts(page),
    })),
    ...pages.unresolved.map((url) => ({
      where: null,
      judgement: { status: 'warn', summary: `configured URL ${url} has no A/AAAA records or is not https`, evidence: {} } as const,
      facts: { url },
    })),
  ];
  const worst = rows.reduce((a, b) => (RANK[b.judgement.status] > RANK[a.judgement.status] ? b : a));
  const sameEverywhere = rows.every((r) => r.judgement.summary === worst.judgement.summary);
  const summary = worst.where && !sameEverywhere ? `${worst.judgement.summary} (${worst.where})` : worst.judgement.summary;
  const evidence = {
    pages: rows.map(({ judgement, facts }) => ({ ...judgement.evidence, ...facts, status: judgement.status, summary: judgement.summary })),
  };
  const { judgement } = worst;
  if (judgement.status === 'error') return { status: 'error', summary, reason: judgement.reason, evidence };
  if (judgement.status === 'pass') return pass(summary, evidence);
  return judgement.status === 'warn' ? warn(summary, evidence, remediation) : fail(summary, evidence, remediation);
}

/** The verdict when the domain has no A/AAAA records: a web promise with no web server behind it fails. */
export function noAddresses(ctx: CheckContext, remediation: string): Outcome {
  return fail(`${ctx.target.domain} has no A/AAAA records, so there is no web server to check`, { domain: ctx.target.domain, pages: [] }, remediation);
}

/** Where a page's facts came from: address, URL, status and redirect chain. */
export function pageFacts(page: PageFetch): JsonObject {
  return {
    endpoint: page.endpoint,
    ...(page.final.endpoint !== page.endpoint ? { finalEndpoint: page.final.endpoint } : {}),
    url: page.final.url,
    httpStatus: page.final.status,
    ...(page.hops.length > 1 ? { redirects: page.hops.slice(0, -1).map((h) => `${h.status} ${h.url}`) } : {}),
    ...(page.stopped ? { stopped: page.stopped } : {}),
    observedAt: page.final.observedAt,
  };
}
