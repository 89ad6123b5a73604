import { constants, createHash, X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls, { type SecureContext } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { withoutDhWarning } from './quiet-dh.ts';
import { startDnsServer, type DnsServer, type Zone, type ZoneNode } from './dns-server.ts';
import { labDnssec } from './dnssec/lab-mirror.ts';
import { startHttpServer, type LabHttpServer, type Route } from './http-server.ts';
import { createCa, issueLeaf, type LabCa, type LabCert } from './pki.ts';
import { depthCertificate, type DepthVariant } from './chain-variants.ts';
import { startSmtpServer, type LabSmtpServer, type SmtpVariant } from './smtp-server.ts';
import { createStapler, type StapleVariant } from './ocsp.ts';

/** How a site's certificate is made: the failure modes an auditor must be shown. */
/** `rsa`: a good RSA-3072 leaf (NCSC 2025 good), for sites whose suites need an RSA key (static RSA, DHE-RSA). */
export type CertVariant = 'good' | 'rsa' | 'expired' | 'not-yet-valid' | 'wrong-host' | 'self-signed' | 'rsa1024' | 'sha1' | 'expiring' | DepthVariant;
/**
 * A site's TLS settings, each on top of the estate's default (`GOOD_TLS`): `ciphers` replaces the default list,
 * `honorCipherOrder` (default on) makes the server choose by its own order, `ecdhCurve` the groups, `dhparam`
 * DH parameters (PEM) for DHE suites.
 */
export type TlsProfile = {
  readonly minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly ciphers?: string;
  readonly honorCipherOrder?: boolean;
  readonly ecdhCurve?: string;
  readonly dhparam?: string;
  readonly sigalgs?: string;
  /**
   * The OCSP response stapled when a client asks (src/lab/ocsp.ts), `good` by default; `none` staples nothing. A
   * leaf not issued by the estate's root (the chain variants' intermediates) gets no staple: only the root's key is known.
   */
  readonly staple?: StapleVariant | 'none';
  /**
   * Client-initiated renegotiation: `refuse` (default, SSL_OP_NO_RENEGOTIATION) or `allow`: on the web node:tls's
   * own limit (3 per 10 minutes, then the https server closes the connection); on the lab SMTP server without limit.
   */
  readonly renegotiation?: 'refuse' | 'allow';
};

/**
 * The suites of the estate's well-run servers: TLS 1.3 (AES-256-GCM and ChaCha20 good, AES-128-GCM sufficient) and,
 * for TLS 1.2, ECDHE-ECDSA/ECDHE-RSA with AES-GCM or ChaCha20-Poly1305 (all sufficient in policies/ncsc-2025-05.yaml);
 * no static RSA, no CBC, no DHE. OpenSSL uses the suites that fit the certificate's key.
 */
export const GOOD_CIPHERS = [
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-RSA-AES128-GCM-SHA256',
  'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256',
].join(':');

/**
 * Signatures with SHA-256 or better only: OpenSSL's default also signs with SHA-224 and SHA-1 when a client asks
 * for them first (NCSC 2025 §3.3.5: phase-out and insufficient for the key exchange).
 */
export const GOOD_SIGALGS = [
  'ECDSA+SHA256', 'ECDSA+SHA384', 'ECDSA+SHA512', 'ed25519', 'ed448',
  'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512', 'rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512',
  'RSA+SHA256', 'RSA+SHA384', 'RSA+SHA512',
].join(':');

/**
 * The estate's default TLS: the suites above in the server's order, only groups NCSC 2025 classes good (Node's
 * default also offers ffdhe2048 in TLS 1.3, which it classes insufficient) and SHA-2 signatures. Passes tls.cipher-suites,
 * tls.cipher-order and tls.key-exchange (and their mail variants) under NCSC-NL 2025-05, the default profile.
 */
export const GOOD_TLS = {
  ciphers: GOOD_CIPHERS, honorCipherOrder: true, ecdhCurve: 'X25519:P-256:P-384', sigalgs: GOOD_SIGALGS,
} as const satisfies TlsProfile;

/** One simulated domain: its DNS records and what its web servers answer. */
export type SiteSpec = {
  readonly domain: string;
  /** Port 443: a certificate variant, a TLS profile and routes by path; `closed` refuses connections. */
  readonly https?: {
    readonly cert?: CertVariant; readonly tls?: TlsProfile; readonly routes: Readonly<Record<string, Route>>;
    /** Publish a DNSSEC-validated `3 1 1` TLSA record at `_443._tcp.<domain>` matching the certificate (DANE for HTTPS). */
    readonly dane?: boolean;
    /** An AIA OCSP URL in the leaf (`good` certificates only), e.g. a lab responder's (src/lab/ocsp-responder.ts). */
    readonly ocspUrl?: string;
  } | 'closed';
  /** Port 80: `redirect` (301 to https on the same host), `closed`, or a route for every path. */
  readonly http?: Route | 'redirect' | 'closed';
  /** Extra records for the domain's own name (A defaults to 127.0.0.1). */
  readonly records?: ZoneNode;
  /** Other names in the zone (`_dmarc.<domain>`, selectors, ...), merged into the estate's DNS. */
  readonly zone?: Zone;
  /**
   * Mail: an MX host `mx.<domain>` served by a lab SMTP server of this variant, with the domain's MX record
   * pointing at it. `dane` publishes a DNSSEC-validated `3 1 1` TLSA record matching its certificate.
   */
  readonly mail?: { readonly variant?: SmtpVariant; readonly cert?: CertVariant; readonly tls?: TlsProfile; readonly dane?: boolean; readonly ocspUrl?: string };
};

/** A running set of simulated domains on loopback, and the settings a scan needs to reach them. */
export type Estate = {
  readonly dns: DnsServer;
  readonly ca: LabCa;
  /** curl-style rules (`host:443::port`): the real name resolves through the estate's DNS, the port is remapped. */
  readonly connectTo: readonly string[];
  /**
   * `allowRedirectsTo` for a scan of the estate: every lab server sits on loopback, which the redirect walker
   * refuses by default for hosts other than the scanned domains.
   */
  readonly allowRedirectsTo: readonly string[];
  readonly servers: readonly LabHttpServer[];
  readonly smtpServers: readonly LabSmtpServer[];
  /**
   * The trust anchor of the estate's really signed DNS (src/lab/dnssec/lab-mirror.ts: `ad: true` names are signed):
   * give it to the scan (`dnssec.trustAnchors`, `--trust-anchors`, or buildConfig's `dnssecAnchors`) for DNSSEC to validate.
   */
  readonly dnssecAnchorsText: string;
  close(): Promise<void>;
};

const DAY_MS = 86_400_000;

function certificate(ca: LabCa, domain: string, variant: CertVariant, ocspUrl?: string): LabCert {
  const now = Date.now();
  switch (variant) {
    case 'expired': return issueLeaf(ca, { hosts: [domain], notBefore: new Date(now - 100 * DAY_MS), notAfter: new Date(now - 2 * DAY_MS) });
    case 'expiring': return issueLeaf(ca, { hosts: [domain], notAfter: new Date(now + 5 * DAY_MS) });
    case 'not-yet-valid': return issueLeaf(ca, { hosts: [domain], notBefore: new Date(now + 2 * DAY_MS), notAfter: new Date(now + 90 * DAY_MS) });
    case 'wrong-host': return issueLeaf(ca, { hosts: [`other.${domain}`] });
    case 'self-signed': return issueLeaf(ca, { hosts: [domain], selfSigned: true });
    case 'rsa1024': return issueLeaf(ca, { hosts: [domain], keyType: 'rsa', rsaBits: 1024 });
    case 'sha1': return issueLeaf(ca, { hosts: [domain], keyType: 'rsa', signatureHash: 'sha1' });
    case 'rsa': return issueLeaf(ca, { hosts: [domain], keyType: 'rsa', rsaBits: 3072 });
    case 'good': return issueLeaf(ca, { hosts: [domain], ...(ocspUrl ? { ocspUrls: [ocspUrl] } : {}) });
    default: return depthCertificate(ca, domain, variant);
  }
}

/**
 * A port on 127.0.0.1 with nothing listening on it: connections are refused. A privileged port, never an ephemeral
 * one: a freed ephemeral port can be taken by another test's server while the scan runs (seen: "no answer" instead
 * of "refused" under a loaded parallel test run). Each candidate is tried first, so one in use is skipped.
 */
export async function closedPort(): Promise<number> {
  for (const port of [1, 3, 5, 7, 9, 13, 17, 19]) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => { socket.destroy(); resolve(false); });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
    });
    if (refused) return port;
  }
  throw new Error('no closed privileged port on 127.0.0.1 for the lab');
}

const hostOf = (req: IncomingMessage) => (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();

function serve(route: Route | undefined, req: IncomingMessage, res: ServerResponse): void {
  if (route === undefined) { res.statusCode = 404; res.end(); return; }
  if (typeof route === 'function') { route(req, res); return; }
  for (const [name, value] of Object.entries(route.headers ?? {})) res.setHeader(name, value);
  res.statusCode = route.status;
  res.end(route.body ?? '');
}

/**
 * Starts the servers for `sites`: one DNS server, one plain HTTP server and one HTTPS server per TLS profile,
 * each virtual-hosting every site (SNI picks the certificate, Host the routes), as a shared hosting platform does.
 * Certificates come from a fresh CA, which a scan must trust (`ca.certPem`).
 */
export async function startEstate(
  sites: readonly SiteSpec[],
  /** `prepare`: build every site's TLS context and OCSP staple at start, as a real server has them ready (the bench). */
  options: { caName?: string; dnsDelayMs?: number; prepare?: boolean } = {},
): Promise<Estate> {
  const ca = createCa({ name: options.caName ?? 'Vouch Lab CA' });
  const byDomain = new Map(sites.map((s) => [s.domain, s]));
  const contexts = new Map<string, SecureContext>();
  const certs = new Map<string, LabCert>();
  const stapler = createStapler(ca);
  // node:tls hands 'OCSPRequest' the DER of the certificate being served (after SNI): each site's leaf and staple variant.
  const staples = new Map<string, { pem: string; variant: StapleVariant | null }>();
  const stapleFor = (der: Buffer) => {
    const entry = staples.get(der.toString('base64'));
    return entry ? stapler(entry.pem, entry.variant) : null;
  };
  const siteCert = (site: SiteSpec & { https: { cert?: CertVariant; ocspUrl?: string } }) => {
    let cert = certs.get(site.domain);
    if (!cert) certs.set(site.domain, (cert = certificate(ca, site.domain, site.https.cert ?? 'good', site.https.ocspUrl)));
    return cert;
  };
  const contextFor = (name: string) => {
    const site = byDomain.get(name.toLowerCase());
    if (!site || site.https === undefined || site.https === 'closed') return undefined;
    let ctx = contexts.get(site.domain);
    if (!ctx) {
      const cert = siteCert({ ...site, https: site.https });
      staples.set(new X509Certificate(cert.certPem).raw.toString('base64'), { pem: cert.certPem, variant: stapleVariant(ca, cert, effectiveProfile(site)) });
      const options = { key: cert.keyPem, cert: cert.chainPem, ...profileOptions(effectiveProfile(site)) };
      contexts.set(site.domain, (ctx = withoutDhWarning(() => tls.createSecureContext(options))));
    }
    return ctx;
  };
  if (options.prepare) {
    for (const site of sites) {
      const ctx = contextFor(site.domain);
      const cert = ctx ? certs.get(site.domain) : undefined;
      if (cert) stapleFor(new X509Certificate(cert.certPem).raw);
    }
  }
  const servers: LabHttpServer[] = [];
  const connectTo: string[] = [];
  const refused = await closedPort();

  const profiles = new Map<string, LabHttpServer>();
  for (const site of sites) {
    if (site.https === 'closed') connectTo.push(`${site.domain}:443::${refused}`);
    if (site.https === undefined || site.https === 'closed') continue;
    // OpenSSL keeps the key type of the server's own certificate when SNI switches contexts, so RSA and EC sites
    // are served by separate servers whose default certificate has the same key type.
    const keyType = rsaKey(site.https.cert) ? 'rsa' : 'ec';
    const key = JSON.stringify([effectiveProfile(site), keyType]);
    let server = profiles.get(key);
    if (!server) {
      const fallbackCert = issueLeaf(ca, { hosts: ['unknown.invalid'], keyType });
      // OpenSSL keeps the server's own groups and cipher-order flag when SNI switches contexts: set them here too.
      const { secureOptions: _flag, ...serverTls } = profileOptions(effectiveProfile(site));
      const honor = effectiveProfile(site).honorCipherOrder;
      const started = withoutDhWarning(() => startHttpServer({
        tls: {
          key: fallbackCert.keyPem, cert: fallbackCert.certPem, ...serverTls, ...(honor === undefined ? {} : { honorCipherOrder: honor }), contextFor,
          // Options of the server's own context stay in force when SNI switches contexts, renegotiation among them.
          ...(effectiveProfile(site).renegotiation === 'allow' ? {} : { secureOptions: constants.SSL_OP_NO_RENEGOTIATION }),
          staple: stapleFor,
        },
        fallback: (req, res) => {
          const s = byDomain.get(hostOf(req));
          const https = s?.https;
          const routes = https && https !== 'closed' ? https.routes : {};
          serve(routes[(req.url ?? '/').split('?')[0] ?? '/'] ?? routes['*'], req, res);
        },
      }));
      server = await started;
      profiles.set(key, server);
      servers.push(server);
    }
    connectTo.push(`${site.domain}:443::${server.port}`);
  }

  const plain = await startHttpServer({
    fallback: (req, res) => {
      const site = byDomain.get(hostOf(req));
      const route = site?.http;
      if (route === 'redirect') serve({ status: 301, headers: { location: `https://${site?.domain}${req.url ?? '/'}` } }, req, res);
      else serve(route === 'closed' ? undefined : route, req, res);
    },
  });
  servers.push(plain);
  for (const site of sites) connectTo.push(`${site.domain}:80::${site.http === 'closed' || site.http === undefined ? refused : plain.port}`);

  // The estate's DNS answers as a validating resolver would: the (always signed) root carries the AD bit.
  const zone: Zone = { '': { SOA: [{ mname: 'a.root-servers.net', rname: 'nstld.verisign-grs.com' }], ad: true } };
  // DANE needs a signed zone: a site that publishes TLSA records is signed unless its records say `ad: false`.
  const dane = (site: SiteSpec) => (typeof site.https === 'object' && site.https.dane === true) || site.mail?.dane === true;
  for (const site of sites) zone[site.domain] = { A: ['127.0.0.1'], ...(dane(site) ? { ad: true } : {}), ...site.records };
  for (const site of sites) Object.assign(zone, site.zone);
  for (const site of sites) {
    if (site.https === undefined || site.https === 'closed' || !site.https.dane) continue;
    const certificate = spkiSha256(siteCert({ ...site, https: site.https }).certPem);
    zone[`_443._tcp.${site.domain}`] = { TLSA: [{ usage: 3, selector: 1, matchingType: 1, certificate }], ad: true };
  }
  const smtpServers: LabSmtpServer[] = [];
  for (const site of sites) {
    const mail = site.mail;
    if (!mail) continue;
    const mx = `mx.${site.domain}`;
    const cert = certificate(ca, mx, mail.cert ?? 'good', mail.ocspUrl);
    const mailProfile = withDefaults(mail.tls, weakVariant(mail.cert));
    const mailStaple = stapleVariant(ca, cert, mailProfile);
    const server = await withoutDhWarning(() => startSmtpServer({
      key: cert.keyPem, cert: cert.chainPem, variant: mail.variant ?? 'good', name: mx,
      ...mailProfileOptions(mailProfile), renegotiation: mailProfile.renegotiation ?? 'refuse',
      staple: () => stapler(cert.certPem, mailStaple),
    }));
    smtpServers.push(server);
    connectTo.push(`${mx}:25::${server.port}`);
    zone[site.domain] = { MX: [{ preference: 10, exchange: mx }], ...zone[site.domain] };
    // The MX host lives in its domain's zone: signed when the domain is.
    zone[mx] = { A: ['127.0.0.1'], ...(zone[site.domain]?.ad ? { ad: true } : {}) };
    if (mail.dane) zone[`_25._tcp.${mx}`] = { TLSA: [{ usage: 3, selector: 1, matchingType: 1, certificate: spkiSha256(cert.certPem) }], ad: true };
  }
  const dnssec = labDnssec();
  const dns = await startDnsServer({ zone, dnssec, ...(options.dnsDelayMs ? { delayMs: options.dnsDelayMs } : {}) });
  return {
    dns, ca, connectTo, allowRedirectsTo: ['loopback'], servers, smtpServers, dnssecAnchorsText: dnssec.anchorsText,
    async close() {
      await Promise.all([dns.close(), ...servers.map((s) => s.close()), ...smtpServers.map((s) => s.close())]);
    },
  };
}

/**
 * OpenSSL's default security level refuses weak keys and SHA-1 certificates, and a server keeps the level of the
 * context it started the handshake with even when SNI switches certificates: weak variants get a server of their own,
 * at security level 0 (with the estate's good suites unless the site names its own).
 */
function effectiveProfile(site: SiteSpec): TlsProfile {
  const https = site.https === 'closed' ? undefined : site.https;
  return withDefaults(https?.tls, weakVariant(https?.cert));
}

/** A site's profile over the estate's default (`GOOD_TLS`). */
function withDefaults(profile: TlsProfile | undefined, weak: boolean): TlsProfile {
  const merged: TlsProfile = { ...GOOD_TLS, ...profile };
  return weak && !/@SECLEVEL=0/.test(merged.ciphers ?? '') ? { ...merged, ciphers: `${merged.ciphers ?? GOOD_CIPHERS}:@SECLEVEL=0` } : merged;
}

/** RFC 6698 2.1: selector 1 (SubjectPublicKeyInfo), matching type 1 (SHA-256), as hex. */
function spkiSha256(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

/** The staple a site's leaf gets: its profile's choice when the estate's root issued it (only that key is known), else none. */
function stapleVariant(ca: LabCa, cert: LabCert, profile: TlsProfile): StapleVariant | null {
  const variant = profile.staple ?? 'good';
  if (variant === 'none') return null;
  return new X509Certificate(cert.certPem).checkIssued(new X509Certificate(ca.certPem)) ? variant : null;
}

const weakVariant = (variant: CertVariant | undefined) => variant === 'rsa1024' || variant === 'sha1';
const rsaKey = (variant: CertVariant | undefined) => weakVariant(variant) || variant === 'rsa';

function profileOptions(profile: TlsProfile | undefined) {
  return {
    ...(profile?.minVersion ? { minVersion: profile.minVersion } : {}),
    ...(profile?.maxVersion ? { maxVersion: profile.maxVersion } : {}),
    ...(profile?.ciphers ? { ciphers: profile.ciphers } : {}),
    ...(profile?.ecdhCurve ? { ecdhCurve: profile.ecdhCurve } : {}),
    ...(profile?.dhparam ? { dhparam: profile.dhparam } : {}),
    ...(profile?.sigalgs ? { sigalgs: profile.sigalgs } : {}),
    // What tls.createServer's honorCipherOrder sets; a bare secure context (SNI) needs the flag itself.
    ...(profile?.honorCipherOrder ? { secureOptions: constants.SSL_OP_CIPHER_SERVER_PREFERENCE } : {}),
  };
}

/** The SMTP server takes the same settings, `honorCipherOrder` by name. */
function mailProfileOptions(profile: TlsProfile) {
  const { secureOptions: _flag, ...rest } = profileOptions(profile);
  return { ...rest, ...(profile.honorCipherOrder ? { honorCipherOrder: true } : {}) };
}
