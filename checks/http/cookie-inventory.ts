import { defineCheck } from '../../src/core/check.ts';
import { globToRegExp } from '../../src/config/names.ts';
import type { CheckContext } from '../../src/core/check.ts';
import type { CookieDeclaration } from '../../src/core/types.ts';
import { isDeletion } from '../../src/parse/set-cookie.ts';
import { droppedCookies, droppedSummary, MAX_COOKIE_ROWS, observedCookies } from './observed-cookies.ts';
import { judgeTogether } from './page.ts';
import type { TargetPages, Verdict } from './page.ts';

const REMEDIATION = 'Declare every cookie the site sets under the domain\'s "cookies" in the Vouch configuration, with its '
  + 'category; stop setting cookies whose purpose the privacy statement does not allow (e.g. marketing, tracking).';

/** A declaration's name as a matcher: exact, or with `*` matching any run of characters. Cookie names are case-sensitive. */
function matcher(pattern: string): (name: string) => boolean {
  const regex = globToRegExp(pattern, { caseSensitive: true });
  return (name) => regex.test(name);
}

const list = (names: readonly string[]) => `${names.slice(0, 5).join(', ')}${names.length > 5 ? ` (+${names.length - 5} more)` : ''}`;

/**
 * The cookies the fetched pages set against the target's declarations and the statement's allowed purposes.
 * Cookies the probe could not keep (its per-header byte budget) may be undeclared: only a fail stands then.
 */
function judgeInventory(ctx: CheckContext, pages: TargetPages): Verdict {
  const now = ctx.settings.now();
  const allowed = new Set(ctx.settings.allowedCookieCategories.map((c) => c.trim().toLowerCase()));
  const declarations = ctx.target.cookies.map((d) => ({ declaration: d, matches: matcher(d.name) }));
  const declaredAs = (name: string): CookieDeclaration | null => declarations.find((d) => d.matches(name))?.declaration ?? null;
  const seen = new Map<string, string[]>();
  for (const cookie of observedCookies(pages)) {
    if (!cookie.parsed.ok || isDeletion(cookie.parsed.cookie, now)) continue;
    const urls = seen.get(cookie.parsed.cookie.name) ?? [];
    if (!urls.includes(cookie.url)) urls.push(cookie.url);
    seen.set(cookie.parsed.cookie.name, urls);
  }
  const names = [...seen.keys()];
  const undeclared = names.filter((n) => declaredAs(n) === null);
  const forbidden = ctx.target.cookies.filter((d) => !allowed.has(d.category.trim().toLowerCase()));
  const dropped = droppedCookies(pages);
  const evidence = {
    allowedCategories: [...ctx.settings.allowedCookieCategories],
    declarations: ctx.target.cookies.map((d) => ({ name: d.name, category: d.category, observed: names.some(matcher(d.name)) })),
    cookies: names.slice(0, MAX_COOKIE_ROWS).map((name) => {
      const d = declaredAs(name);
      return { name: name.slice(0, 128), declaredAs: d?.name ?? null, category: d?.category ?? null, urls: (seen.get(name) ?? []).slice(0, 10) };
    }),
    cookiesOmitted: Math.max(0, names.length - MAX_COOKIE_ROWS),
    ...(dropped.length > 0 ? { notRead: dropped.map((d) => ({ ...d })) } : {}),
  };
  if (forbidden.length > 0) {
    const detail = forbidden.map((d) => `${d.name} (${d.category})`);
    return { status: 'fail', summary: `Declared cookie purpose outside the statement's ${[...allowed].join('/')}: ${list(detail)}`, evidence };
  }
  if (dropped.length > 0) {
    return { status: 'error', reason: 'client-limitation', summary: `${names.length} cookie name(s) seen; ${droppedSummary(dropped)}`, evidence };
  }
  const none = ctx.target.cookies.length === 0 ? 'No cookies declared and none set' : 'No cookies set; all declared purposes are allowed';
  if (names.length === 0) return { status: 'pass', summary: none, evidence };
  if (ctx.target.cookies.length === 0) return { status: 'warn', summary: `${names.length} cookie(s) set but none declared: ${list(names)}`, evidence };
  if (undeclared.length > 0) return { status: 'warn', summary: `${undeclared.length} undeclared cookie(s): ${list(undeclared)}`, evidence };
  return { status: 'pass', summary: `All ${names.length} cookie(s) set are declared with allowed purposes`, evidence };
}

/** The cookie inventory: every cookie set is declared, and every declared purpose is one the statement allows. */
export const cookieInventoryCheck = defineCheck({
  id: 'http.cookie-inventory',
  title: 'Only declared cookies with allowed purposes are set',
  promises: ['cookie-use'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'The privacy statement allows technical, functional and non-invasive analytics cookies (settings.allowedCookieCategories)',
    'Only cookies set by HTTP responses are visible; cookies set by scripts or third-party content are not, so a pass '
      + 'shows the server-set inventory only.',
  ],
  run: (ctx) => judgeTogether(ctx, (pages) => judgeInventory(ctx, pages), REMEDIATION),
});
