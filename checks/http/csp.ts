import { defineCheck } from '../../src/core/check.ts';
import { analyzeCsp, extractMetaCsp, parseCsp } from '../../src/parse/csp.ts';
import type { CspPolicy } from '../../src/parse/csp.ts';
import type { HttpHop } from '../../src/probes/types.ts';
import { cap, cutJudgement, headerValues, htmlBody, judgePages } from './page.ts';
import type { PageFetch, Verdict } from './page.ts';

const REMEDIATION = 'Send an enforced Content-Security-Policy such as "default-src \'self\'; script-src \'self\' \'nonce-<random>\' '
  + '\'strict-dynamic\'; object-src \'none\'; base-uri \'none\'; form-action \'self\'; frame-ancestors \'none\'", without '
  + '\'unsafe-inline\' or \'unsafe-eval\' for scripts and without broad sources (*, https:, data:).';

/** The `<meta http-equiv>` policies of an HTML page (CSP3 §3.3); other bodies carry none. */
export function metaPolicies(hop: HttpHop): string[] {
  return extractMetaCsp(htmlBody(hop));
}

/** Every policy a browser would apply to the page: enforced and report-only headers, plus `<meta>`. */
export function policiesOf(hop: HttpHop): CspPolicy[] {
  return [
    ...parseCsp(hop.headers['content-security-policy'] ?? [], 'header', 'enforce'),
    ...parseCsp(hop.headers['content-security-policy-report-only'] ?? [], 'header', 'report'),
    ...parseCsp(metaPolicies(hop), 'meta', 'enforce'),
  ];
}

function judge({ final }: PageFetch): Verdict {
  const analysis = analyzeCsp(policiesOf(final));
  const evidence = {
    header: headerValues(final, 'content-security-policy'),
    reportOnly: headerValues(final, 'content-security-policy-report-only'),
    meta: metaPolicies(final).slice(0, 8).map((m) => cap(m)),
    enforcedPolicies: analysis.enforced,
    strictDynamic: analysis.strictDynamic, nonces: analysis.nonces, hashes: analysis.hashes,
    issues: analysis.issues.map((i) => `${i.severity}: ${i.message}`),
  };
  const cut = cutJudgement(final, ['content-security-policy'], evidence);
  if (cut) return cut;
  if (analysis.enforced === 0) {
    const summary = analysis.reportOnly > 0
      ? 'Only Content-Security-Policy-Report-Only is sent: it reports but enforces nothing'
      : 'No Content-Security-Policy header or <meta> policy';
    return { status: 'fail', summary, evidence };
  }
  const fails = analysis.issues.filter((i) => i.severity === 'fail');
  const warns = analysis.issues.filter((i) => i.severity === 'warn');
  if (fails.length > 0) return { status: 'fail', summary: `CSP does not stop injected script: ${fails.map((i) => i.message).join('; ')}`, evidence };
  if (warns.length > 0) return { status: 'warn', summary: `CSP restricts scripts but ${warns.map((i) => i.message).join('; ')}`, evidence };
  return { status: 'pass', summary: `CSP restricts scripts${analysis.nonces || analysis.hashes ? ' with nonces or hashes' : ''}`, evidence };
}

/** Content-Security-Policy (CSP3) on the landing page and configured URLs. */
export const cspCheck = defineCheck({
  id: 'http.csp',
  title: 'Pages send a Content-Security-Policy that stops injected script',
  promises: ['infrastructure-security'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'W3C Content Security Policy Level 3 (§2.2 parsing, §2.3.1 nonce-source and hash-source grammar, #directive-fallback-list, '
      + '§8.1 multiple policies, §8.2 strict-dynamic)',
    'A nonce or hash source that does not match CSP3 §2.3.1 (no value, a hash algorithm other than sha256/384/512, characters '
      + 'outside base64-value, no closing quote) is ignored by browsers: it does not switch \'unsafe-inline\' off and is named as a warning.',
    'MDN HTTP Observatory "content-security-policy" test: its failing results fail here too',
    'Differs from the Observatory: several policies are judged as CSP3 §8.1 enforces them (a capability counts only if every '
      + 'policy grants it) rather than by merging source lists; script-src-elem and script-src-attr are judged too; '
      + 'report-uri/report-to values are not treated as http: sources; passive http: sources (img-src, media-src) and a '
      + 'missing base-uri or form-action warn instead of passing silently.',
  ],
  run: judgePages(judge, REMEDIATION),
});
