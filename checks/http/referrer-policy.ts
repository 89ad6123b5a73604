import { defineCheck } from '../../src/core/check.ts';
import { extractMetaReferrer, parseReferrerPolicy } from '../../src/parse/referrer-policy.ts';
import type { ReferrerPolicy } from '../../src/parse/referrer-policy.ts';
import { cutJudgement, headerValues, htmlBody, judgePages } from './page.ts';
import type { PageFetch, Verdict } from './page.ts';

const REMEDIATION = 'Send "Referrer-Policy: strict-origin-when-cross-origin" (or no-referrer, same-origin, strict-origin), '
  + 'and no <meta name="referrer"> that weakens it.';

// Policies that never send a full URL cross-origin and never send anything over plain HTTP.
const PRIVATE: ReadonlySet<ReferrerPolicy> = new Set(['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin']);

function judge({ final }: PageFetch): Verdict {
  const parsed = parseReferrerPolicy(final.headers['referrer-policy'] ?? []);
  const meta = extractMetaReferrer(htmlBody(final));
  // HTML "Standard metadata names: referrer": a valid <meta name="referrer"> replaces the document's policy, so it
  // beats the header; one whose content is not a referrer policy changes nothing, as if it were not there.
  const metaPolicy = meta?.policy ?? null;
  const ignoredMeta = meta !== null && metaPolicy === null
    ? `<meta name="referrer" content="${meta.content}"> is not a referrer policy, so browsers ignore it` : null;
  const policy = metaPolicy ?? parsed.policy;
  const source = metaPolicy ? '<meta name="referrer">' : 'Referrer-Policy';
  const evidence = {
    header: headerValues(final, 'referrer-policy'), meta: meta?.content ?? null, metaIgnored: ignoredMeta !== null, policy,
    unknownTokens: [...parsed.unknown],
  };
  const also = ignoredMeta ? `; ${ignoredMeta}` : '';
  // A valid <meta> decides alone; otherwise a header cut by the probe may have lost its last (winning) token.
  const cut = metaPolicy ? null : cutJudgement(final, ['referrer-policy'], evidence);
  if (cut) return cut;
  if (policy === null && parsed.tokens === 0) {
    return { status: 'warn', summary: `No Referrer-Policy: browsers default to strict-origin-when-cross-origin${also}`, evidence };
  }
  if (policy === null) return { status: 'fail', summary: `Referrer-Policy has no valid policy value, so browsers ignore it${also}`, evidence };
  if (PRIVATE.has(policy)) return { status: 'pass', summary: `${source}: ${policy}${also}`, evidence };
  return { status: 'fail', summary: `${source}: ${policy} sends page URLs or origins to other sites${also}`, evidence };
}

/** Referrer-Policy: how much of the page URL leaks to other sites. */
export const referrerPolicyCheck = defineCheck({
  id: 'http.referrer-policy',
  title: 'Pages limit what the Referer header reveals to other sites',
  promises: ['infrastructure-security'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'W3C Referrer Policy §8.1 (last valid token wins), §11.1 (unknown values ignored); HTML §4.2.5.1 meta name=referrer '
      + '(a content that is not a policy changes nothing: the header, or else the default strict-origin-when-cross-origin, applies)',
    'MDN HTTP Observatory "referrer-policy" test',
    'Differs from the Observatory: an absent policy warns (the Observatory passes) because the organisation relies on the '
      + 'browser default; <meta name="referrer"> is read (the Observatory reads http-equiv).',
  ],
  run: judgePages(judge, REMEDIATION),
});
