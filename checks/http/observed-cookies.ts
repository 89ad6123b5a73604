/**
 * The cookies a target's pages set, shared by the two cookie checks: every Set-Cookie on every hop (redirects
 * included, since browsers store those too), parsed as RFC 6265bis §5.6 reads them.
 */
import { parseSetCookie } from '../../src/parse/set-cookie.ts';
import type { SetCookieParse } from '../../src/parse/set-cookie.ts';
import { MAX_HEADER_BYTES_PER_NAME } from '../../src/probes/types.ts';
import { cap, wasCut } from './page.ts';
import type { TargetPages } from './page.ts';

/** One Set-Cookie field as seen on one URL (identical fields on several addresses are merged). */
export type ObservedCookie = {
  readonly url: string;
  readonly endpoints: readonly string[];
  /** The field value, capped for evidence. */
  readonly raw: string;
  readonly parsed: SetCookieParse;
  /** The HTTP probe cut the value at its cap: attributes after the cut were never seen. */
  readonly cut: boolean;
};

/** Every distinct Set-Cookie field the landing page and configured URLs send, in the order first seen. */
export function observedCookies(pages: TargetPages): ObservedCookie[] {
  const seen = new Map<string, { url: string; endpoints: string[]; value: string }>();
  for (const page of [...pages.landing, ...pages.extra]) {
    for (const hop of page.hops) {
      for (const value of hop.headers['set-cookie'] ?? []) {
        const key = `${hop.url}\n${value}`;
        const entry = seen.get(key);
        if (!entry) seen.set(key, { url: hop.url, endpoints: [hop.endpoint], value });
        else if (!entry.endpoints.includes(hop.endpoint)) entry.endpoints.push(hop.endpoint);
      }
    }
  }
  return [...seen.values()].map(({ url, endpoints, value }) => ({ url, endpoints, raw: cap(value, 512), parsed: parseSetCookie(value), cut: wasCut(value) }));
}

/** A hop whose Set-Cookie values were not all kept by the HTTP probe: those cookies were never seen. */
export type DroppedCookies = { readonly url: string; readonly endpoint: string; readonly dropped: number };

/** Every hop where the probe's byte budget for Set-Cookie cut the set, with how many values it dropped. */
export function droppedCookies(pages: TargetPages): DroppedCookies[] {
  return [...pages.landing, ...pages.extra].flatMap((page) => page.hops)
    .filter((hop) => (hop.droppedHeaderValues['set-cookie'] ?? 0) > 0)
    .map((hop) => ({ url: hop.url, endpoint: hop.endpoint, dropped: hop.droppedHeaderValues['set-cookie']! }));
}

/** The `error` summary when `droppedCookies` found any: the cookies that were not read cannot be judged. */
export function droppedSummary(dropped: readonly DroppedCookies[]): string {
  const total = dropped.reduce((sum, d) => sum + d.dropped, 0);
  return `${total} more Set-Cookie value(s) on ${dropped[0]!.url}${dropped.length > 1 ? ` and ${dropped.length - 1} other response(s)` : ''} `
    + `were not read: the HTTP probe keeps ${MAX_HEADER_BYTES_PER_NAME} bytes of one header, so they cannot be judged`;
}

/** Evidence rows are capped so 10,000 cookies cannot bloat a report; the count of omitted rows is kept. */
export const MAX_COOKIE_ROWS = 100;
