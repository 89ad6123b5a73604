import { defineCheck } from '../../src/core/check.ts';
import { judgeTransparency, readSctExtension } from '../../src/tls/judge/certificate-transparency.ts';
import { judgeServedCertificates } from './certificate-evidence.ts';

const REMEDIATION = 'Use a certificate with embedded SCTs from enough distinct CT logs (2 for certificates valid up to '
  + '180 days, 3 beyond): every publicly trusted CA embeds them when asked; reissue a certificate that lacks them. '
  + 'SCTs sent in the TLS extension or the OCSP staple count too (2 from distinct logs), but only while the server keeps sending them.';

export const certificateTransparencyCheck = defineCheck({
  id: 'tls.certificate-transparency',
  title: 'The certificate carries enough SCTs for the browser Certificate Transparency policy',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'RFC 6962 3.3 (SignedCertificateTimestampList: certificate extension 1.3.6.1.4.1.11129.2.4.2, OCSP extension 1.3.6.1.4.1.11129.2.4.5) and 3.3.1 (TLS extension signed_certificate_timestamp, read from the raw TLS <= 1.2 fingerprint hellos)',
    'Chrome Certificate Transparency policy (in force since 2022-04-15) and Apple\'s CT policy (support.apple.com/103214): 2 SCTs up to 180 days, 3 beyond; 2 when SCTs are also delivered by TLS extension or OCSP staple',
    'SCTs are counted, not verified (the log keys are not shipped); logs are told apart by log id, operators are not known',
    'Without SCTs: fail for a publicly trusted chain, warn for a configured or unknown root (browsers exempt locally added roots)',
  ],

  run: judgeServedCertificates(REMEDIATION, async (tls, ep, ctx) => judgeTransparency(tls, await readSctExtension(() => ctx.probes.tlsEnumeration(ep)))),
});
