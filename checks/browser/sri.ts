import { defineCheck } from '../../src/core/check.ts';
import type { CheckContext } from '../../src/core/check.ts';
import type { BrowserVisit } from '../../src/browser/facts.ts';
import { judgeVisits, listed, visitEvidence, type BrowserVerdict } from './visits.ts';

const REMEDIATION = 'Give every third-party <script src> and stylesheet <link> an integrity attribute (sha384 of the file) with '
  + 'crossorigin="anonymous", or serve the file from your own origin.';

/** Third-party scripts and stylesheets of the settled pages without Subresource Integrity. */
export function judgeSri(visits: readonly BrowserVisit[]): BrowserVerdict {
  const missing = visits.flatMap((v) => v.withoutIntegrity.map((w) => ({ ...w, page: v.url })));
  const evidence = { pages: visits.map(visitEvidence), withoutIntegrity: missing.slice(0, 100) };
  if (missing.length > 0) return { status: 'fail', summary: `${missing.length} third-party script(s)/stylesheet(s) without integrity: ${listed(missing.map((m) => m.url), 3)}`, evidence };
  return { status: 'pass', summary: 'Every third-party script and stylesheet carries an integrity hash (or there are none)', evidence };
}

/** Subresource Integrity on third-party code, as the MDN HTTP Observatory's SRI test, read from the rendered page. */
export const sriCheck = defineCheck({
  id: 'browser.sri',
  title: 'Third-party scripts and stylesheets carry Subresource Integrity',
  promises: ['infrastructure-security'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'W3C Subresource Integrity §3',
    'MDN HTTP Observatory "subresource-integrity" test: third-party scripts without SRI fail there too',
    'Differs from the Observatory: the elements of the settled page in a browser are judged (scripts added by scripts too), stylesheets included.',
  ],
  run: (ctx: CheckContext) => judgeVisits(ctx, judgeSri, REMEDIATION),
});
