import { defineCheck } from '../../src/core/check.ts';
import { chainSummary, judgeServedCertificates } from './certificate-evidence.ts';

const REMEDIATION = 'Serve a certificate whose subjectAltName lists this host name (or a matching wildcard).';

export const certificateHostnameCheck = defineCheck({
  id: 'tls.certificate-hostname',
  title: 'The certificate matches the host name',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: ['RFC 6125 6.4', 'RFC 9525'],

  run: judgeServedCertificates(REMEDIATION, (tls, ep) => {
    const evidence = { hostname: ep.hostname, ...chainSummary(tls) };
    const names = tls.chain[0]?.subjectAltNames.join(', ') || 'none';
    if (!tls.hostnameMatches) return { status: 'fail', summary: `certificate is not valid for ${ep.hostname} (names: ${names})`, evidence };
    return { status: 'pass', summary: `certificate is valid for ${ep.hostname}`, evidence };
  }),
});
