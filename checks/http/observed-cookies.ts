/**
 * The cookies a target's pages set, shared by the two cookie checks: every Set-Cookie on every hop (redirects
 * included, since browsers store those too), parsed as RFC 6265bis §5.6 reads them.
 */
import { parseSetCookie } from '../../src/parse/set-cookie.ts';
import type { SetCookieParse } from '../../src/parse/set-cookie.ts';
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

/** Evidence rows are capped so 10,000 cookies cannot bloat a report; the count of omitted rows is kept. */
export const MAX_COOKIE_ROWS = 100;
