import { defineCheck } from '../../src/core/check.ts';
import { isDeletion } from '../../src/parse/set-cookie.ts';
import { droppedCookies, droppedSummary, MAX_COOKIE_ROWS, observedCookies } from './observed-cookies.ts';
import type { ObservedCookie } from './observed-cookies.ts';
import { judgeTogether } from './page.ts';
import type { TargetPages, Verdict } from './page.ts';

const REMEDIATION = 'Set every cookie with Secure and an explicit SameSite (Lax or Strict); add HttpOnly to session and '
  + 'login cookies; give __Host- cookies Secure, Path=/ and no Domain, and __Secure- cookies Secure.';

/** Names that look like session or login identifiers: they must be out of reach of scripts. */
export const SESSION_LIKE = /sess|auth|token|login|sid(?![a-z])/i;
// Anti-CSRF tokens are read by scripts on purpose (double-submit), so they are not session-like.
const ANTI_CSRF = /csrf|xsrf/i;

type Finding = { readonly level: 'fail' | 'unknown' | 'warn' | 'note'; readonly text: string };

function findings(cookie: ObservedCookie, now: Date): Finding[] {
  if (cookie.cut) return [{ level: 'unknown', text: 'was cut by the HTTP probe at 1 KiB, so its attributes could not be read' }];
  if (!cookie.parsed.ok) return [{ level: 'note', text: `ignored by browsers: ${cookie.parsed.problem}` }];
  const c = cookie.parsed.cookie;
  if (isDeletion(c, now)) return [{ level: 'note', text: 'deletes the cookie' }];
  const out: Finding[] = [];
  if (!c.secure) out.push({ level: 'fail', text: 'lacks Secure' });
  if (SESSION_LIKE.test(c.name) && !ANTI_CSRF.test(c.name) && !c.httpOnly) out.push({ level: 'fail', text: 'is session-like but lacks HttpOnly' });
  // RFC 6265bis §5.7: SameSite=None without Secure is rejected outright by current browsers.
  if (c.sameSite === 'none' && !c.secure) out.push({ level: 'fail', text: 'has SameSite=None without Secure' });
  if (c.sameSite === null) out.push({ level: 'warn', text: 'has no SameSite' });
  if (c.sameSite === 'invalid') out.push({ level: 'warn', text: `has an invalid SameSite=${c.sameSiteRaw ?? ''}` });
  for (const problem of c.prefixProblems) out.push({ level: 'warn', text: `breaks its prefix rule (${problem}); browsers reject it` });
  return out;
}

function row(cookie: ObservedCookie, found: readonly Finding[]) {
  const base = { url: cookie.url, endpoints: [...cookie.endpoints], setCookie: cookie.raw, findings: found.map((f) => `${f.level}: ${f.text}`) };
  if (!cookie.parsed.ok) return base;
  const { name, secure, httpOnly, sameSite, domain, path, expires, maxAge, prefix, partitioned } = cookie.parsed.cookie;
  return { ...base, name: name.slice(0, 128), secure, httpOnly, sameSite, domain, path, expires, maxAge, prefix, partitioned };
}

/**
 * The cookies of every page fetched, each judged; the worst finding decides. Cookies the probe could not keep (its
 * per-header byte budget) make a clean result `error`: a pass would vouch for cookies nobody read. A fail stands.
 */
function judgeCookies(pages: TargetPages, now: Date): Verdict {
  const judged = observedCookies(pages).map((cookie) => ({ cookie, found: findings(cookie, now) }));
  const dropped = droppedCookies(pages);
  const name = (c: ObservedCookie) => (c.parsed.ok ? `"${c.parsed.cookie.name.slice(0, 64)}"` : 'an unparseable cookie');
  const evidence = {
    sessionLikeNames: 'sess, sid, auth, token, login (names with csrf/xsrf excluded)',
    cookies: judged.slice(0, MAX_COOKIE_ROWS).map(({ cookie, found }) => row(cookie, found)),
    cookiesOmitted: Math.max(0, judged.length - MAX_COOKIE_ROWS),
    cookiesJudged: judged.length,
    ...(dropped.length > 0 ? { notRead: dropped.map((d) => ({ ...d })) } : {}),
    unresolvedUrls: [...pages.unresolved],
  };
  const list = (level: Finding['level']) => judged.flatMap(({ cookie, found }) => found.filter((f) => f.level === level).map((f) => `${name(cookie)} ${f.text}`));
  const summarize = (items: readonly string[]) => `${items.slice(0, 3).join('; ')}${items.length > 3 ? ` (+${items.length - 3} more)` : ''}`;
  const fails = list('fail');
  const notRead = dropped.reduce((sum, d) => sum + d.dropped, 0);
  const counted = `${judged.length} cookie(s) judged${notRead > 0 ? `, ${notRead} more not read` : ''}`;
  if (fails.length > 0) return { status: 'fail', summary: `Cookies: ${summarize(fails)} (${counted})`, evidence };
  if (dropped.length > 0) return { status: 'error', reason: 'client-limitation', summary: `Cookies: ${droppedSummary(dropped)}`, evidence };
  const unknown = list('unknown');
  if (unknown.length > 0) return { status: 'error', reason: 'client-limitation', summary: `Cookies: ${summarize(unknown)}`, evidence };
  const warns = [...list('warn'), ...pages.unresolved.map((u) => `configured URL ${u} could not be fetched`)];
  if (warns.length > 0) return { status: 'warn', summary: `Cookies: ${summarize(warns)}`, evidence };
  const set = judged.filter(({ found }) => !found.some((f) => f.level === 'note')).length;
  if (judged.length === 0) return { status: 'pass', summary: 'No cookies are set by the landing page or configured URLs', evidence };
  if (set === 0) return { status: 'pass', summary: 'No cookies are set (only deletions, or values browsers ignore)', evidence };
  return { status: 'pass', summary: `${set} cookie(s), all Secure with SameSite`, evidence };
}

/** Cookie flags: Secure, HttpOnly on session-like cookies, SameSite, and name prefixes. */
export const cookiesCheck = defineCheck({
  id: 'http.cookies',
  title: 'Cookies are set with Secure, HttpOnly and SameSite',
  promises: ['cookie-use'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'RFC 6265bis §4.1.3 (prefixes), §5.6 (Set-Cookie), §5.6.7 (SameSite), §5.7 (storage model)',
    'MDN HTTP Observatory "cookies" test: a cookie without Secure, or a session cookie without HttpOnly, fails in both',
    'Differs from the Observatory: an invalid SameSite warns (it fails there), since §5.6.7 then applies the browser '
      + 'default; an anti-CSRF cookie without SameSite warns; session-like names are sess, sid, auth, token, login (the '
      + 'Observatory: sess, login), excluding csrf/xsrf names that scripts must read; configured URLs and redirect hops '
      + 'are judged too; a Set-Cookie that deletes a cookie is listed, not judged (the Observatory\'s cookie jar drops it).',
  ],
  run: (ctx) => judgeTogether(ctx, (pages) => judgeCookies(pages, ctx.settings.now()), REMEDIATION),
});
