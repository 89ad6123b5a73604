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
import { tlsSecureRenegotiationCheck } from './tls/secure-renegotiation.ts';
import { tlsCompressionCheck } from './tls/compression.ts';
import { tlsExtendedMasterSecretCheck } from './tls/extended-master-secret.ts';
import { tlsFallbackScsvCheck } from './tls/fallback-scsv.ts';
import { tlsKnownWeaknessesCheck } from './tls/known-weaknesses.ts';
import { certificateTrustCheck } from './tls/certificate-trust.ts';
import { certificateHostnameCheck } from './tls/certificate-hostname.ts';
import { certificateExpiryCheck } from './tls/certificate-expiry.ts';
import { certificateKeyCheck } from './tls/certificate-key.ts';
import { certificateSignatureCheck } from './tls/certificate-signature.ts';
import { certificateChainCheck } from './tls/certificate-chain.ts';
import { certificateTransparencyCheck } from './tls/certificate-transparency.ts';
import { certificateUsageCheck } from './tls/certificate-usage.ts';
import { tlsDaneCheck } from './tls/dane.ts';
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
import { starttlsSecureRenegotiationCheck } from './mail/starttls-secure-renegotiation.ts';
import { starttlsCompressionCheck } from './mail/starttls-compression.ts';
import { starttlsExtendedMasterSecretCheck } from './mail/starttls-extended-master-secret.ts';
import { starttlsFallbackScsvCheck } from './mail/starttls-fallback-scsv.ts';
import { starttlsKnownWeaknessesCheck } from './mail/starttls-known-weaknesses.ts';
import { starttlsClientRenegotiationCheck } from './mail/starttls-client-renegotiation.ts';
import { starttlsZeroRttCheck } from './mail/starttls-zero-rtt.ts';
import { starttlsOcspStaplingCheck } from './mail/starttls-ocsp-stapling.ts';
import { tlsHeartbleedCheck } from './tls/heartbleed.ts';
import { tlsCcsInjectionCheck } from './tls/ccs-injection.ts';
import { tlsRobotCheck } from './tls/robot.ts';
import { starttlsHeartbleedCheck } from './mail/starttls-heartbleed.ts';
import { starttlsCcsInjectionCheck } from './mail/starttls-ccs-injection.ts';
import { starttlsRobotCheck } from './mail/starttls-robot.ts';
import { tlsTicketbleedCheck } from './tls/ticketbleed.ts';
import { starttlsTicketbleedCheck } from './mail/starttls-ticketbleed.ts';
import { tlsClientRenegotiationCheck } from './tls/client-renegotiation.ts';
import { tlsZeroRttCheck } from './tls/zero-rtt.ts';
import { tlsOcspStaplingCheck } from './tls/ocsp-stapling.ts';
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
  tlsSecureRenegotiationCheck,
  tlsClientRenegotiationCheck,
  tlsCompressionCheck,
  tlsExtendedMasterSecretCheck,
  tlsFallbackScsvCheck,
  tlsZeroRttCheck,
  tlsKnownWeaknessesCheck,
  tlsHeartbleedCheck,
  tlsCcsInjectionCheck,
  tlsRobotCheck,
  tlsTicketbleedCheck,
  tlsOcspStaplingCheck,
  certificateTrustCheck,
  certificateHostnameCheck,
  certificateExpiryCheck,
  certificateKeyCheck,
  certificateSignatureCheck,
  certificateChainCheck,
  certificateTransparencyCheck,
  certificateUsageCheck,
  tlsDaneCheck,
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
  starttlsSecureRenegotiationCheck,
  starttlsClientRenegotiationCheck,
  starttlsCompressionCheck,
  starttlsExtendedMasterSecretCheck,
  starttlsFallbackScsvCheck,
  starttlsZeroRttCheck,
  starttlsKnownWeaknessesCheck,
  starttlsHeartbleedCheck,
  starttlsCcsInjectionCheck,
  starttlsRobotCheck,
  starttlsTicketbleedCheck,
  starttlsOcspStaplingCheck,
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
