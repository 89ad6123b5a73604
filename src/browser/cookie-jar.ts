/** The browser's cookie jar after the visit, as facts: CDP's `Network.Cookie` rows with their party and setter. */
import { capText, partyOf, VISIT_LIMITS, type BrowserCookie, type CookieSetter } from './facts.ts';

/** The fields of CDP's Network.Cookie this reads. */
export type CdpCookie = {
  readonly name: string; readonly domain: string; readonly path: string; readonly expires: number;
  readonly secure: boolean; readonly httpOnly: boolean; readonly session: boolean; readonly sameSite?: string;
};

/** A cookie write seen during the visit: its name, the host it was set for (response or document), and by whom. */
export type CookieWrite = { readonly name: string; readonly host: string; readonly setter: CookieSetter };

/** RFC 6265bis §5.1.3 domain-match of a host against a cookie's domain attribute (leading dot ignored). */
function domainMatches(host: string, cookieDomain: string): boolean {
  const domain = cookieDomain.replace(/^\./, '').toLowerCase();
  return host === domain || host.endsWith(`.${domain}`);
}

/** The last write of this cookie that the browser could have stored as it is: same name, a host its domain matches. */
export function setterOf(cookie: Pick<CdpCookie, 'name' | 'domain'>, writes: readonly CookieWrite[]): CookieSetter | null {
  for (let i = writes.length - 1; i >= 0; i--) {
    const write = writes[i]!;
    if (write.name === cookie.name && domainMatches(write.host, cookie.domain)) return write.setter;
  }
  return null;
}

/** The jar as bounded facts, ordered by domain then name so that two runs of the same page compare equal. */
export function jarFacts(cookies: readonly CdpCookie[], pageHost: string, writes: readonly CookieWrite[]): { cookies: BrowserCookie[]; omitted: number } {
  const sorted = [...cookies].sort((a, b) => a.domain.localeCompare(b.domain) || a.name.localeCompare(b.name) || a.path.localeCompare(b.path));
  const kept = sorted.slice(0, VISIT_LIMITS.cookies).map((c): BrowserCookie => ({
    name: capText(c.name, VISIT_LIMITS.keyChars),
    domain: c.domain,
    path: c.path,
    secure: c.secure,
    httpOnly: c.httpOnly,
    sameSite: c.sameSite ?? null,
    expires: c.session || c.expires < 0 ? null : new Date(c.expires * 1000).toISOString(),
    session: c.session,
    party: partyOf(c.domain.replace(/^\./, ''), pageHost),
    setBy: setterOf(c, writes),
  }));
  return { cookies: kept, omitted: sorted.length - kept.length };
}

/** The Set-Cookie lines of a response (puppeteer joins repeated headers with newlines) as writes for its host. */
export function responseWrites(url: string, host: string, setCookie: string | undefined): CookieWrite[] {
  if (!setCookie) return [];
  return setCookie.split('\n').map((line) => {
    const pair = line.split(';', 1)[0] ?? '';
    const eq = pair.indexOf('=');
    return { name: eq < 0 ? '' : pair.slice(0, eq).trim(), host, setter: { kind: 'response' as const, url: capText(url, VISIT_LIMITS.urlChars) } };
  });
}
