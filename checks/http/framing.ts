import { defineCheck } from '../../src/core/check.ts';
import { analyzeCsp } from '../../src/parse/csp.ts';
import { policiesOf } from './csp.ts';
import { cutJudgement, headerValues, judgePages } from './page.ts';
import type { PageFetch, Verdict } from './page.ts';

const REMEDIATION = 'Send "Content-Security-Policy: frame-ancestors \'none\'" (or \'self\'), and "X-Frame-Options: DENY" '
  + '(or SAMEORIGIN) for older browsers.';

/**
 * HTML "X-Frame-Options" processing: the values form a lower-cased set; one `deny`/`sameorigin` protects, and
 * several distinct values that include a known one make the browser block framing altogether.
 */
function xfoProtects(values: readonly string[]): boolean {
  const set = new Set(values.flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase()).filter((v) => v !== ''));
  if (set.size > 1) return ['deny', 'sameorigin', 'allowall'].some((v) => set.has(v));
  return set.has('deny') || set.has('sameorigin');
}

function judge({ final }: PageFetch): Verdict {
  const analysis = analyzeCsp(policiesOf(final));
  const xfo = headerValues(final, 'x-frame-options');
  const evidence = { frameAncestors: analysis.frameAncestors ? [...analysis.frameAncestors] : null, xFrameOptions: xfo };
  const cut = cutJudgement(final, ['content-security-policy'], evidence);
  if (cut) return cut;
  if (analysis.frameAncestors) {
    // HTML: an enforced frame-ancestors makes the browser ignore X-Frame-Options entirely.
    if (analysis.framingRestricted) return { status: 'pass', summary: `CSP frame-ancestors ${analysis.frameAncestors.join(' ') || "'none'"}`, evidence };
    return { status: 'fail', summary: `CSP frame-ancestors allows any site (${analysis.frameAncestors.join(' ')}), and it overrides X-Frame-Options`, evidence };
  }
  if (xfo.length === 0) return { status: 'fail', summary: 'Neither CSP frame-ancestors nor X-Frame-Options: any site can frame the page', evidence };
  if (xfoProtects(final.headers['x-frame-options'] ?? [])) return { status: 'pass', summary: `X-Frame-Options ${xfo.join(', ')}`, evidence };
  return { status: 'fail', summary: `X-Frame-Options "${xfo.join(', ').slice(0, 80)}" is not DENY or SAMEORIGIN, so browsers ignore it`, evidence };
}

/** Clickjacking protection: CSP frame-ancestors or X-Frame-Options. */
export const framingCheck = defineCheck({
  id: 'http.framing',
  title: 'Pages cannot be framed by other sites',
  promises: ['infrastructure-security'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'W3C CSP3 §6.4.2 frame-ancestors (header policies only); HTML Living Standard, "the X-Frame-Options header"',
    'MDN HTTP Observatory "x-frame-options" test',
    'Differs from the Observatory: ALLOW-FROM fails (no current browser supports it); a frame-ancestors that allows any '
      + 'site fails (the Observatory passes any frame-ancestors); a repeated "SAMEORIGIN, SAMEORIGIN" passes, as HTML '
      + 'treats the values as a set.',
  ],
  run: judgePages(judge, REMEDIATION),
});
