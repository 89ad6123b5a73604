import { defineCheck } from '../../src/core/check.ts';
import { chainSummary, judgeServedCertificates } from './certificate-evidence.ts';

const REMEDIATION = 'Serve a certificate issued by a publicly trusted CA, with the complete intermediate chain.';

export const certificateTrustCheck = defineCheck({
  id: 'tls.certificate-trust',
  title: 'The certificate chain is trusted',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: ['RFC 5280 6', 'internet.nl: trust chain of certificate'],

  run: judgeServedCertificates(REMEDIATION, (tls) => {
    const evidence = { authorizationError: tls.authorizationError, ...chainSummary(tls) };
    if (!tls.chainTrusted) return { status: 'fail', summary: `chain not trusted: ${tls.authorizationError ?? 'unknown reason'}`, evidence };
    // OpenSSL verified the whole served chain, so a cut in what the probe kept does not weaken this verdict.
    const count = `${tls.chainTruncated ? 'more than ' : ''}${tls.chain.length} certificate${tls.chain.length === 1 ? '' : 's'}`;
    return { status: 'pass', summary: `trusted chain (${count})`, evidence };
  }),
});
