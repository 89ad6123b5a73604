import { defineCheck } from '../../src/core/check.ts';
import type { CheckContext } from '../../src/core/check.ts';
import type { BrowserVisit } from '../../src/browser/facts.ts';
import { judgeVisits, listed, visitEvidence, type BrowserVerdict } from './visits.ts';

const REMEDIATION = 'Reference every subresource over https:// (or relative URLs); set `Content-Security-Policy: upgrade-insecure-requests` meanwhile.';

/** Plain-http subresources of the https pages: blocked, upgraded by the browser or fetched, each is a finding. */
export function judgeMixedContent(visits: readonly BrowserVisit[]): BrowserVerdict {
  const found = visits.flatMap((v) => {
    const reported = v.mixedContent.map((m) => ({ ...m, page: v.url }));
    // A plain-http request Chromium did not report as an issue (it reports most): still mixed content.
    const unreported = v.requests.filter((r) => r.mixedContent && !v.mixedContent.some((m) => m.url === r.url))
      .map((r) => ({ url: r.url, resourceType: r.type, resolution: r.failed ? 'blocked' : 'fetched', page: v.url }));
    return [...reported, ...unreported];
  });
  const evidence = { pages: visits.map(visitEvidence), mixedContent: found.slice(0, 100) };
  if (found.length > 0) {
    return { status: 'fail', summary: `${found.length} plain-http subresource(s) on https pages: ${listed(found.map((f) => `${f.url} (${f.resourceType}, ${f.resolution})`), 3)}`, evidence };
  }
  return { status: 'pass', summary: 'No plain-http subresources on the https pages', evidence };
}

/** Mixed content (W3C Mixed Content): what an https page asks over plain http, as the browser reports it. */
export const mixedContentCheck = defineCheck({
  id: 'browser.mixed-content',
  title: 'HTTPS pages load no subresources over plain HTTP',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'W3C Mixed Content §4 (blockable and upgradeable content)',
    'Chromium blocks mixed scripts and upgrades mixed images to https; both still fail here: the page asks for plain http, '
      + 'and a browser without the upgrade would fetch it.',
  ],
  run: (ctx: CheckContext) => judgeVisits(ctx, judgeMixedContent, REMEDIATION),
});
