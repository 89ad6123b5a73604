import { defineCheck } from '../../src/core/check.ts';
import type { CheckContext } from '../../src/core/check.ts';
import { globToRegExp } from '../../src/config/names.ts';
import type { ThirdPartyDeclaration } from '../../src/core/types.ts';
import type { BrowserVisit } from '../../src/browser/facts.ts';
import { judgeVisits, listed, visitEvidence, type BrowserVerdict } from './visits.ts';

const REMEDIATION = 'Load no third party before consent that the privacy statement does not name; declare each one the pages '
  + 'need under the domain\'s "thirdParties" with its purpose, or remove it.';

/** The declaration a host falls under (host globs, case-insensitive), or null. */
export function thirdPartyOf(host: string, declarations: readonly ThirdPartyDeclaration[]): ThirdPartyDeclaration | null {
  return declarations.find((d) => globToRegExp(d.host).test(host)) ?? null;
}

/** Every third-party host the pages asked for before consent (answered, refused or blocked alike), each declared. */
export function judgeThirdParties(visits: readonly BrowserVisit[], declarations: readonly ThirdPartyDeclaration[]): BrowserVerdict {
  const hosts = new Map<string, { types: Set<string>; pages: Set<string> }>();
  for (const visit of visits) {
    for (const r of visit.requests) {
      if (r.party !== 'third' || r.host === '') continue;
      const entry = hosts.get(r.host) ?? { types: new Set(), pages: new Set() };
      entry.types.add(r.type);
      entry.pages.add(visit.url);
      hosts.set(r.host, entry);
    }
  }
  const rows = [...hosts].sort(([a], [b]) => a.localeCompare(b)).map(([host, seen]) => {
    const declared = thirdPartyOf(host, declarations);
    return { host, declaredAs: declared?.host ?? null, purpose: declared?.purpose ?? null, types: [...seen.types].sort(), pages: [...seen.pages] };
  });
  const evidence = {
    declared: declarations.map((d) => ({ host: d.host, purpose: d.purpose })),
    pages: visits.map(visitEvidence),
    thirdParties: rows,
    requestsOmitted: visits.reduce((sum, v) => sum + v.requestsOmitted, 0),
  };
  const undeclared = rows.filter((r) => r.declaredAs === null).map((r) => r.host);
  if (undeclared.length > 0) return { status: 'fail', summary: `${undeclared.length} undeclared third part${undeclared.length === 1 ? 'y' : 'ies'} contacted before consent: ${listed(undeclared)}`, evidence };
  if (rows.length === 0) return { status: 'pass', summary: 'No third party is contacted before consent', evidence };
  return { status: 'pass', summary: `${rows.length} third part${rows.length === 1 ? 'y' : 'ies'} contacted before consent, all declared: ${listed(rows.map((r) => `${r.host} (${r.purpose})`))}`, evidence };
}

/** The hosts of other sites a first visit reaches before consent, against the domain's `thirdParties:` (issue 14). */
export const thirdPartiesCheck = defineCheck({
  id: 'browser.third-parties',
  title: 'Before consent, pages contact only declared third parties',
  promises: ['third-parties', 'cookie-use'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'GDPR art. 13(1)(e): the recipients of personal data (a visitor\'s IP address reaches every host contacted)',
    'EDPS Website Evidence Collector: third-party hosts contacted by a visit without consent',
    'Third party: another registrable domain (public suffix list) than the page\'s; a host asked for counts even when the proxy refused it.',
  ],
  run: (ctx: CheckContext) => judgeVisits(ctx, (visits) => judgeThirdParties(visits, ctx.target.thirdParties ?? []), REMEDIATION),
});
