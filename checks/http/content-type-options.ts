import { defineCheck } from '../../src/core/check.ts';
import { headerValues, judgePages } from './page.ts';
import type { PageFetch, Verdict } from './page.ts';

const REMEDIATION = 'Send "X-Content-Type-Options: nosniff" on every response.';

function judge({ final }: PageFetch): Verdict {
  const values = headerValues(final, 'x-content-type-options');
  const evidence = { xContentTypeOptions: values };
  if (values.length === 0) return { status: 'fail', summary: 'X-Content-Type-Options is missing: browsers may sniff content types', evidence };
  // Fetch "determine nosniff": only the first value of the combined list counts, compared case-insensitively.
  const first = (final.headers['x-content-type-options']?.[0] ?? '').split(',', 1)[0]?.trim().toLowerCase();
  if (first === 'nosniff') return { status: 'pass', summary: 'X-Content-Type-Options: nosniff', evidence };
  return { status: 'fail', summary: `X-Content-Type-Options "${values.join(', ').slice(0, 80)}" is not nosniff`, evidence };
}

/** MIME sniffing protection: X-Content-Type-Options. */
export const contentTypeOptionsCheck = defineCheck({
  id: 'http.content-type-options',
  title: 'Responses forbid MIME type sniffing',
  promises: ['infrastructure-security'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'WHATWG Fetch, "X-Content-Type-Options" header and "determine nosniff"',
    'MDN HTTP Observatory "x-content-type-options" test',
    'Differs from the Observatory: "nosniff, nosniff" (a repeated header) passes, as Fetch reads only the first value.',
  ],
  run: judgePages(judge, REMEDIATION),
});
