import { defineCheck } from '../../src/core/check.ts';
import { judgeUsage } from '../../src/tls/judge/certificate-usage.ts';
import { judgeServedCertificates } from './certificate-evidence.ts';

const REMEDIATION = 'Serve a certificate whose extended key usage includes serverAuth (id-kp-serverAuth, '
  + '1.3.6.1.5.5.7.3.1), issued under intermediates that may issue server certificates.';

export const certificateUsageCheck = defineCheck({
  id: 'tls.certificate-usage',
  title: 'The certificate may be used by a TLS server (extended key usage serverAuth); must-staple is reported',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'RFC 5280 4.2.1.12 (no EKU extension: any purpose)', 'CA/Browser Forum Baseline Requirements 7.1.2.7.10',
    'EKU chaining of intermediates as Chrome, Firefox and Apple enforce it',
    'RFC 7633 (TLS Feature "must-staple"): reported here, judged against the staple by the OCSP stapling check',
  ],

  run: judgeServedCertificates(REMEDIATION, (tls) => judgeUsage(tls)),
});
