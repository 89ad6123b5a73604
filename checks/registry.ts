import type { Check } from '../src/core/check.ts';

/**
 * Every built-in check: its id, and how to load it. Adding a check is one file plus one line here; the order is the
 * report's order. Loaded on demand, so that a run of a few checks (`vouch scan --only tls.protocol-versions`) loads
 * only those and what they use: the whole registry costs ~0.1 s of CPU at start-up. `ALL_CHECKS`
 * (checks/index.ts) is every one of them, loaded.
 */
export const CHECK_LOADERS: readonly (readonly [id: string, load: () => Promise<Check>])[] = [
  ['https.available', () => import('./https/available.ts').then((m) => m.httpsAvailableCheck)],
  ['https.redirect', () => import('./https/redirect.ts').then((m) => m.httpsRedirectCheck)],
  ['http.hsts', () => import('./http/hsts.ts').then((m) => m.hstsCheck)],
  ['tls.protocol-versions', () => import('./tls/protocol-versions.ts').then((m) => m.tlsProtocolVersionsCheck)],
  ['tls.cipher-suites', () => import('./tls/cipher-suites.ts').then((m) => m.tlsCipherSuitesCheck)],
  ['tls.cipher-order', () => import('./tls/cipher-order.ts').then((m) => m.tlsCipherOrderCheck)],
  ['tls.key-exchange', () => import('./tls/key-exchange.ts').then((m) => m.tlsKeyExchangeCheck)],
  ['tls.secure-renegotiation', () => import('./tls/secure-renegotiation.ts').then((m) => m.tlsSecureRenegotiationCheck)],
  ['tls.client-renegotiation', () => import('./tls/client-renegotiation.ts').then((m) => m.tlsClientRenegotiationCheck)],
  ['tls.compression', () => import('./tls/compression.ts').then((m) => m.tlsCompressionCheck)],
  ['tls.extended-master-secret', () => import('./tls/extended-master-secret.ts').then((m) => m.tlsExtendedMasterSecretCheck)],
  ['tls.fallback-scsv', () => import('./tls/fallback-scsv.ts').then((m) => m.tlsFallbackScsvCheck)],
  ['tls.zero-rtt', () => import('./tls/zero-rtt.ts').then((m) => m.tlsZeroRttCheck)],
  ['tls.known-weaknesses', () => import('./tls/known-weaknesses.ts').then((m) => m.tlsKnownWeaknessesCheck)],
  ['tls.heartbleed', () => import('./tls/heartbleed.ts').then((m) => m.tlsHeartbleedCheck)],
  ['tls.ccs-injection', () => import('./tls/ccs-injection.ts').then((m) => m.tlsCcsInjectionCheck)],
  ['tls.robot', () => import('./tls/robot.ts').then((m) => m.tlsRobotCheck)],
  ['tls.ticketbleed', () => import('./tls/ticketbleed.ts').then((m) => m.tlsTicketbleedCheck)],
  ['tls.ocsp-stapling', () => import('./tls/ocsp-stapling.ts').then((m) => m.tlsOcspStaplingCheck)],
  ['tls.certificate-trust', () => import('./tls/certificate-trust.ts').then((m) => m.certificateTrustCheck)],
  ['tls.certificate-hostname', () => import('./tls/certificate-hostname.ts').then((m) => m.certificateHostnameCheck)],
  ['tls.certificate-expiry', () => import('./tls/certificate-expiry.ts').then((m) => m.certificateExpiryCheck)],
  ['tls.certificate-key', () => import('./tls/certificate-key.ts').then((m) => m.certificateKeyCheck)],
  ['tls.certificate-signature', () => import('./tls/certificate-signature.ts').then((m) => m.certificateSignatureCheck)],
  ['tls.certificate-chain', () => import('./tls/certificate-chain.ts').then((m) => m.certificateChainCheck)],
  ['tls.certificate-transparency', () => import('./tls/certificate-transparency.ts').then((m) => m.certificateTransparencyCheck)],
  ['tls.certificate-usage', () => import('./tls/certificate-usage.ts').then((m) => m.certificateUsageCheck)],
  ['tls.dane', () => import('./tls/dane.ts').then((m) => m.tlsDaneCheck)],
  ['dns.caa', () => import('./dns/caa.ts').then((m) => m.caaCheck)],
  ['dns.name-servers', () => import('./dns/name-servers.ts').then((m) => m.nameServersCheck)],
  ['dns.ipv6-name-servers', () => import('./dns/ipv6-name-servers.ts').then((m) => m.ipv6NameServersCheck)],
  ['dns.ipv6-web', () => import('./dns/ipv6-web.ts').then((m) => m.ipv6WebCheck)],
  ['dns.ipv6-mail', () => import('./dns/ipv6-mail.ts').then((m) => m.ipv6MailCheck)],
  ['net.rpki', () => import('./net/rpki.ts').then((m) => m.rpkiCheck)],
  ['http.csp', () => import('./http/csp.ts').then((m) => m.cspCheck)],
  ['http.framing', () => import('./http/framing.ts').then((m) => m.framingCheck)],
  ['http.content-type-options', () => import('./http/content-type-options.ts').then((m) => m.contentTypeOptionsCheck)],
  ['http.referrer-policy', () => import('./http/referrer-policy.ts').then((m) => m.referrerPolicyCheck)],
  ['http.permissions-policy', () => import('./http/permissions-policy.ts').then((m) => m.permissionsPolicyCheck)],
  ['http.cross-origin-isolation', () => import('./http/cross-origin-isolation.ts').then((m) => m.crossOriginIsolationCheck)],
  ['http.cors', () => import('./http/cors.ts').then((m) => m.corsCheck)],
  ['http.cookies', () => import('./http/cookies.ts').then((m) => m.cookiesCheck)],
  ['http.cookie-inventory', () => import('./http/cookie-inventory.ts').then((m) => m.cookieInventoryCheck)],
  ['browser.cookies-before-consent', () => import('./browser/cookies-before-consent.ts').then((m) => m.cookiesBeforeConsentCheck)],
  ['browser.third-parties', () => import('./browser/third-parties.ts').then((m) => m.thirdPartiesCheck)],
  ['browser.sri', () => import('./browser/sri.ts').then((m) => m.sriCheck)],
  ['browser.mixed-content', () => import('./browser/mixed-content.ts').then((m) => m.mixedContentCheck)],
  ['http.security-txt', () => import('./http/security-txt.ts').then((m) => m.securityTxtCheck)],
  ['http.server-disclosure', () => import('./http/server-disclosure.ts').then((m) => m.serverDisclosureCheck)],
  ['mail.mx', () => import('./mail/mx.ts').then((m) => m.mxCheck)],
  ['mail.starttls', () => import('./mail/starttls.ts').then((m) => m.starttlsCheck)],
  ['mail.starttls-protocols', () => import('./mail/starttls-protocols.ts').then((m) => m.starttlsProtocolsCheck)],
  ['mail.starttls-cipher-suites', () => import('./mail/starttls-cipher-suites.ts').then((m) => m.starttlsCipherSuitesCheck)],
  ['mail.starttls-cipher-order', () => import('./mail/starttls-cipher-order.ts').then((m) => m.starttlsCipherOrderCheck)],
  ['mail.starttls-key-exchange', () => import('./mail/starttls-key-exchange.ts').then((m) => m.starttlsKeyExchangeCheck)],
  ['mail.starttls-secure-renegotiation', () => import('./mail/starttls-secure-renegotiation.ts').then((m) => m.starttlsSecureRenegotiationCheck)],
  ['mail.starttls-client-renegotiation', () => import('./mail/starttls-client-renegotiation.ts').then((m) => m.starttlsClientRenegotiationCheck)],
  ['mail.starttls-compression', () => import('./mail/starttls-compression.ts').then((m) => m.starttlsCompressionCheck)],
  ['mail.starttls-extended-master-secret', () => import('./mail/starttls-extended-master-secret.ts').then((m) => m.starttlsExtendedMasterSecretCheck)],
  ['mail.starttls-fallback-scsv', () => import('./mail/starttls-fallback-scsv.ts').then((m) => m.starttlsFallbackScsvCheck)],
  ['mail.starttls-zero-rtt', () => import('./mail/starttls-zero-rtt.ts').then((m) => m.starttlsZeroRttCheck)],
  ['mail.starttls-known-weaknesses', () => import('./mail/starttls-known-weaknesses.ts').then((m) => m.starttlsKnownWeaknessesCheck)],
  ['mail.starttls-heartbleed', () => import('./mail/starttls-heartbleed.ts').then((m) => m.starttlsHeartbleedCheck)],
  ['mail.starttls-ccs-injection', () => import('./mail/starttls-ccs-injection.ts').then((m) => m.starttlsCcsInjectionCheck)],
  ['mail.starttls-robot', () => import('./mail/starttls-robot.ts').then((m) => m.starttlsRobotCheck)],
  ['mail.starttls-ticketbleed', () => import('./mail/starttls-ticketbleed.ts').then((m) => m.starttlsTicketbleedCheck)],
  ['mail.starttls-ocsp-stapling', () => import('./mail/starttls-ocsp-stapling.ts').then((m) => m.starttlsOcspStaplingCheck)],
  ['mail.mx-certificate', () => import('./mail/mx-certificate.ts').then((m) => m.mxCertificateCheck)],
  ['mail.dane', () => import('./mail/dane.ts').then((m) => m.daneCheck)],
  ['mail.dnssec-mx', () => import('./mail/dnssec-mx.ts').then((m) => m.dnssecMxCheck)],
  ['mail.dane-rollover', () => import('./mail/dane-rollover.ts').then((m) => m.daneRolloverCheck)],
  ['mail.spf', () => import('./mail/spf.ts').then((m) => m.spfCheck)],
  ['mail.spf-senders', () => import('./mail/spf-senders.ts').then((m) => m.spfSendersCheck)],
  ['mail.dkim', () => import('./mail/dkim.ts').then((m) => m.dkimCheck)],
  ['mail.dmarc', () => import('./mail/dmarc.ts').then((m) => m.dmarcCheck)],
  ['mail.dmarc-report-authorization', () => import('./mail/dmarc-report-auth.ts').then((m) => m.dmarcReportAuthCheck)],
  ['mail.mta-sts', () => import('./mail/mta-sts.ts').then((m) => m.mtaStsCheck)],
  ['mail.tls-rpt', () => import('./mail/tls-rpt.ts').then((m) => m.tlsRptCheck)],
  ['dns.dnssec', () => import('./dns/dnssec.ts').then((m) => m.dnssecCheck)],
];

export const BUILT_IN_CHECK_IDS: readonly string[] = CHECK_LOADERS.map(([id]) => id);

const LOADERS = new Map(CHECK_LOADERS);

/** The built-in checks with these ids, in registry order; throws on an unknown id or a module whose check has another id. */
export async function loadChecks(ids: Iterable<string> = BUILT_IN_CHECK_IDS): Promise<Check[]> {
  const wanted = new Set(ids);
  for (const id of wanted) if (!LOADERS.has(id)) throw new Error(`no built-in check "${id}"`);
  return Promise.all(CHECK_LOADERS.filter(([id]) => wanted.has(id)).map(async ([id, load]) => {
    const check = await load();
    if (check.id !== id) throw new Error(`checks/registry.ts lists "${id}" for a module whose check is "${check.id}"`);
    return check;
  }));
}
