import { defineCheck } from '../../src/core/check.ts';
import type { EndpointVerdict } from '../../src/core/endpoints.ts';
import type { Thresholds } from '../../src/config/settings.ts';
import type { TlsFacts } from '../../src/probes/types.ts';
import { chainSummary, judgeServedCertificates } from './certificate-evidence.ts';

const REMEDIATION = 'Renew the certificate well before it expires, preferably automatically (ACME).';
const DAY_MS = 86_400_000;

/** Shared with the MX certificate check: the verdict on the leaf's validity window against the thresholds. */
export function judgeExpiry(tls: TlsFacts, now: Date, t: Thresholds): EndpointVerdict {
  const leaf = tls.chain[0];
  if (!leaf) return { status: 'fail', summary: 'no certificate was served', evidence: {} };
  const daysLeft = Math.floor((Date.parse(leaf.notAfter) - now.getTime()) / DAY_MS);
  const evidence = { ...chainSummary(tls), daysLeft, warnDays: t.certExpiryWarnDays, failDays: t.certExpiryFailDays, observedAt: now.toISOString() };
  if (Date.parse(leaf.notBefore) > now.getTime()) return { status: 'fail', summary: `certificate is not valid until ${leaf.notBefore}`, evidence };
  if (daysLeft < 0) return { status: 'fail', summary: `certificate expired on ${leaf.notAfter}`, evidence };
  if (daysLeft < t.certExpiryFailDays) return { status: 'fail', summary: `certificate expires in ${daysLeft} days (${leaf.notAfter})`, evidence };
  if (daysLeft < t.certExpiryWarnDays) return { status: 'warn', summary: `certificate expires in ${daysLeft} days (${leaf.notAfter})`, evidence };
  return { status: 'pass', summary: `certificate valid for ${daysLeft} more days (until ${leaf.notAfter})`, evidence };
}

export const certificateExpiryCheck = defineCheck({
  id: 'tls.certificate-expiry',
  title: 'The certificate is within its validity period, with time to spare',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: ['RFC 5280 4.1.2.5'],

  run: judgeServedCertificates(REMEDIATION, (tls, _ep, ctx) => judgeExpiry(tls, ctx.settings.now(), ctx.settings.thresholds)),
});
