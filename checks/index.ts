import type { Check } from '../src/core/check.ts';
import { httpsAvailableCheck } from './https/available.ts';
import { httpsRedirectCheck } from './https/redirect.ts';
import { hstsCheck } from './http/hsts.ts';
import { tlsProtocolVersionsCheck } from './tls/protocol-versions.ts';
import { certificateTrustCheck } from './tls/certificate-trust.ts';
import { certificateHostnameCheck } from './tls/certificate-hostname.ts';
import { certificateExpiryCheck } from './tls/certificate-expiry.ts';
import { certificateKeyCheck } from './tls/certificate-key.ts';
import { certificateSignatureCheck } from './tls/certificate-signature.ts';
import { mxCheck } from './mail/mx.ts';
import { spfCheck } from './mail/spf.ts';
import { spfSendersCheck } from './mail/spf-senders.ts';
import { dmarcCheck } from './mail/dmarc.ts';
import { dmarcReportAuthCheck } from './mail/dmarc-report-auth.ts';
import { dkimCheck } from './mail/dkim.ts';
import { mtaStsCheck } from './mail/mta-sts.ts';
import { tlsRptCheck } from './mail/tls-rpt.ts';
import { starttlsCheck } from './mail/starttls.ts';
import { starttlsProtocolsCheck } from './mail/starttls-protocols.ts';
import { mxCertificateCheck } from './mail/mx-certificate.ts';
import { daneCheck } from './mail/dane.ts';

/** Every built-in check. Adding a check is one file plus one line here; the order is the report's order. */
export const ALL_CHECKS: readonly Check[] = [
  httpsAvailableCheck,
  httpsRedirectCheck,
  hstsCheck,
  tlsProtocolVersionsCheck,
  certificateTrustCheck,
  certificateHostnameCheck,
  certificateExpiryCheck,
  certificateKeyCheck,
  certificateSignatureCheck,
  mxCheck,
  starttlsCheck,
  starttlsProtocolsCheck,
  mxCertificateCheck,
  daneCheck,
  spfCheck,
  spfSendersCheck,
  dkimCheck,
  dmarcCheck,
  dmarcReportAuthCheck,
  mtaStsCheck,
  tlsRptCheck,
];
