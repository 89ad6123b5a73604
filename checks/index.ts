import type { Check } from '../src/core/check.ts';
import { httpsAvailableCheck } from './https/available.ts';
import { httpsRedirectCheck } from './https/redirect.ts';
import { hstsCheck } from './http/hsts.ts';
import { cspCheck } from './http/csp.ts';
import { framingCheck } from './http/framing.ts';
import { contentTypeOptionsCheck } from './http/content-type-options.ts';
import { referrerPolicyCheck } from './http/referrer-policy.ts';
import { permissionsPolicyCheck } from './http/permissions-policy.ts';
import { crossOriginIsolationCheck } from './http/cross-origin-isolation.ts';
import { corsCheck } from './http/cors.ts';
import { cookiesCheck } from './http/cookies.ts';
import { cookieInventoryCheck } from './http/cookie-inventory.ts';
import { securityTxtCheck } from './http/security-txt.ts';
import { serverDisclosureCheck } from './http/server-disclosure.ts';
import { tlsProtocolVersionsCheck } from './tls/protocol-versions.ts';
import { tlsCipherSuitesCheck } from './tls/cipher-suites.ts';
import { tlsCipherOrderCheck } from './tls/cipher-order.ts';
import { tlsKeyExchangeCheck } from './tls/key-exchange.ts';
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
import { starttlsCipherSuitesCheck } from './mail/starttls-cipher-suites.ts';
import { starttlsCipherOrderCheck } from './mail/starttls-cipher-order.ts';
import { starttlsKeyExchangeCheck } from './mail/starttls-key-exchange.ts';
import { mxCertificateCheck } from './mail/mx-certificate.ts';
import { daneCheck } from './mail/dane.ts';
import { dnssecCheck } from './dns/dnssec.ts';
import { caaCheck } from './dns/caa.ts';

/** Every built-in check. Adding a check is one file plus one line here; the order is the report's order. */
export const ALL_CHECKS: readonly Check[] = [
  httpsAvailableCheck,
  httpsRedirectCheck,
  hstsCheck,
  tlsProtocolVersionsCheck,
  tlsCipherSuitesCheck,
  tlsCipherOrderCheck,
  tlsKeyExchangeCheck,
  certificateTrustCheck,
  certificateHostnameCheck,
  certificateExpiryCheck,
  certificateKeyCheck,
  certificateSignatureCheck,
  caaCheck,
  cspCheck,
  framingCheck,
  contentTypeOptionsCheck,
  referrerPolicyCheck,
  permissionsPolicyCheck,
  crossOriginIsolationCheck,
  corsCheck,
  cookiesCheck,
  cookieInventoryCheck,
  securityTxtCheck,
  serverDisclosureCheck,
  mxCheck,
  starttlsCheck,
  starttlsProtocolsCheck,
  starttlsCipherSuitesCheck,
  starttlsCipherOrderCheck,
  starttlsKeyExchangeCheck,
  mxCertificateCheck,
  daneCheck,
  spfCheck,
  spfSendersCheck,
  dkimCheck,
  dmarcCheck,
  dmarcReportAuthCheck,
  mtaStsCheck,
  tlsRptCheck,
  dnssecCheck,
];
