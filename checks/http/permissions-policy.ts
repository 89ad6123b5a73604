import { defineCheck } from '../../src/core/check.ts';
import { headerValues, judgePages } from './page.ts';
import type { PageFetch, Verdict } from './page.ts';

const REMEDIATION = 'Send a Permissions-Policy that switches off powerful features the site does not use, e.g. '
  + '"Permissions-Policy: camera=(), microphone=(), geolocation=(), payment=()".';

// RFC 8941 §3.2 dictionary member: a key, optionally "=" and a value; a header that does not parse is ignored whole.
const MEMBER = /^[a-z*][a-z0-9_\-.*]*(?:=.*)?$/;

function judge({ final }: PageFetch): Verdict {
  const raw = final.headers['permissions-policy'] ?? [];
  const members = raw.join(',').slice(0, 64 * 1024).split(',').map((m) => m.trim()).filter((m) => m !== '');
  const features = members.map((m) => m.split('=', 1)[0] ?? '').slice(0, 64);
  const evidence = { permissionsPolicy: headerValues(final, 'permissions-policy'), features, featurePolicy: headerValues(final, 'feature-policy') };
  if (members.length === 0) {
    const legacy = (final.headers['feature-policy'] ?? []).length > 0 ? ' (only the legacy Feature-Policy, which browsers no longer read)' : '';
    return { status: 'warn', summary: `No Permissions-Policy${legacy}: browser features are left at their defaults`, evidence };
  }
  const bad = members.find((m) => !MEMBER.test(m));
  if (bad) return { status: 'warn', summary: `Permissions-Policy is not a valid structured-field dictionary ("${bad.slice(0, 40)}"), so browsers ignore it`, evidence };
  return { status: 'pass', summary: `Permissions-Policy restricts ${features.length} feature(s)`, evidence };
}

/** Permissions-Policy: reported as hardening, warns when absent. */
export const permissionsPolicyCheck = defineCheck({
  id: 'http.permissions-policy',
  title: 'Pages restrict powerful browser features with a Permissions-Policy',
  promises: ['infrastructure-security'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'W3C Permissions Policy §5 (the header is an RFC 8941 structured-field dictionary)',
    'Not scored by the MDN HTTP Observatory; Vouch reports it as hardening and warns, never fails.',
  ],
  run: judgePages(judge, REMEDIATION),
});
