import { defineCheck } from '../../src/core/check.ts';
import type { CheckContext } from '../../src/core/check.ts';
import { globToRegExp } from '../../src/config/names.ts';
import type { CookieDeclaration } from '../../src/core/types.ts';
import type { BrowserCookie, BrowserVisit } from '../../src/browser/facts.ts';
import { judgeVisits, listed, visitEvidence, type BrowserVerdict } from './visits.ts';

const REMEDIATION = 'Set no cookie before the visitor consents except those the privacy statement allows (technical, functional, '
  + 'privacy-friendly analytics), and declare each under the domain\'s "cookies" with its category and party.';

/** The declaration a jar cookie falls under: its name matches (globs, case-sensitive) and its party, when declared, agrees. */
export function declarationOf(cookie: Pick<BrowserCookie, 'name' | 'party'>, declarations: readonly CookieDeclaration[]): CookieDeclaration | null {
  return declarations.find((d) => globToRegExp(d.name, { caseSensitive: true }).test(cookie.name) && (d.party === undefined || d.party === cookie.party)) ?? null;
}

/** Every cookie in the jar after the visits, each declared with an allowed purpose, or a finding. */
export function judgeJar(visits: readonly BrowserVisit[], declarations: readonly CookieDeclaration[], allowedCategories: readonly string[]): BrowserVerdict {
  const allowed = new Set(allowedCategories.map((c) => c.trim().toLowerCase()));
  const seen = new Map<string, BrowserCookie & { page: string }>();
  for (const visit of visits) for (const c of visit.cookies) seen.set(`${c.domain}\n${c.path}\n${c.name}`, { ...c, page: visit.url });
  const rows = [...seen.values()].map((c) => {
    const declared = declarationOf(c, declarations);
    const problem = !declared ? 'undeclared' : allowed.has(declared.category) ? null : `purpose "${declared.category}" is not allowed`;
    return { cookie: c, declared, problem };
  });
  const omitted = visits.reduce((sum, v) => sum + v.cookiesOmitted, 0);
  const evidence = {
    allowedCategories: [...allowedCategories],
    pages: visits.map(visitEvidence),
    cookies: rows.map(({ cookie: c, declared, problem }) => ({
      name: c.name, domain: c.domain, path: c.path, party: c.party, secure: c.secure, httpOnly: c.httpOnly, sameSite: c.sameSite,
      expires: c.expires, setBy: c.setBy, page: c.page, declaredAs: declared?.name ?? null, category: declared?.category ?? null, problem,
    })),
    cookiesOmitted: omitted,
  };
  const bad = rows.filter((r) => r.problem !== null).map((r) => `${r.cookie.name} (${r.cookie.party}-party${r.cookie.setBy ? `, set by ${r.cookie.setBy.kind} ${r.cookie.setBy.url}` : ''}): ${r.problem}`);
  if (bad.length > 0) return { status: 'fail', summary: `${bad.length} cookie(s) set before consent that the statement does not allow: ${listed(bad, 3)}`, evidence };
  if (omitted > 0) return { status: 'warn', summary: `${rows.length} cookie(s) allowed, ${omitted} more not recorded (over the cap)`, evidence };
  if (rows.length === 0) return { status: 'pass', summary: 'No cookies are set before consent', evidence };
  return { status: 'pass', summary: `${rows.length} cookie(s) before consent, all declared with allowed purposes`, evidence };
}

/** The browser's cookie jar after a first visit without consent (issue 14): only declared cookies with allowed purposes. */
export const cookiesBeforeConsentCheck = defineCheck({
  id: 'browser.cookies-before-consent',
  title: 'Before consent, only declared cookies with allowed purposes are set',
  promises: ['cookie-use'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'Telecommunicatiewet art. 11.7a and ePrivacy Directive art. 5(3): consent before non-essential cookies',
    'EDPS Website Evidence Collector: the jar of a headless browser after a visit without consent',
    'Cookies set by scripts and by third parties are seen (unlike http.cookie-inventory); a cookie set and deleted during the visit is not.',
  ],
  run: (ctx: CheckContext) => judgeVisits(ctx, (visits) => judgeJar(visits, ctx.target.cookies, ctx.settings.allowedCookieCategories), REMEDIATION),
});
