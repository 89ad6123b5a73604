import { createHash, X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls, { type SecureContext } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startDnsServer, type DnsServer, type Zone, type ZoneNode } from './dns-server.ts';
import { startHttpServer, type LabHttpServer, type Route } from './http-server.ts';
import { createCa, issueLeaf, type LabCa, type LabCert } from './pki.ts';
import { startSmtpServer, type LabSmtpServer, type SmtpVariant } from './smtp-server.ts';

/** How a site's certificate is made: the failure modes an auditor must be shown. */
export type CertVariant = 'good' | 'expired' | 'not-yet-valid' | 'wrong-host' | 'self-signed' | 'rsa1024' | 'sha1' | 'expiring';
export type TlsProfile = {
  readonly minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly ciphers?: string;
};

/** One simulated domain: its DNS records and what its web servers answer. */
export type SiteSpec = {
  readonly domain: string;
  /** Port 443: a certificate variant, a TLS profile and routes by path; `closed` refuses connections. */
  readonly https?: { readonly cert?: CertVariant; readonly tls?: TlsProfile; readonly routes: Readonly<Record<string, Route>> } | 'closed';
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
  readonly mail?: { readonly variant?: SmtpVariant; readonly cert?: CertVariant; readonly tls?: TlsProfile; readonly dane?: boolean };
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
  close(): Promise<void>;
};

const DAY_MS = 86_400_000;

function certificate(ca: LabCa, domain: string, variant: CertVariant): LabCert {
  const now = Date.now();
  switch (variant) {
    case 'expired': return issueLeaf(ca, { hosts: [domain], notBefore: new Date(now - 100 * DAY_MS), notAfter: new Date(now - 2 * DAY_MS) });
    case 'expiring': return issueLeaf(ca, { hosts: [domain], notAfter: new Date(now + 5 * DAY_MS) });
    case 'not-yet-valid': return issueLeaf(ca, { hosts: [domain], notBefore: new Date(now + 2 * DAY_MS), notAfter: new Date(now + 90 * DAY_MS) });
    case 'wrong-host': return issueLeaf(ca, { hosts: [`other.${domain}`] });
    case 'self-signed': return issueLeaf(ca, { hosts: [domain], selfSigned: true });
    case 'rsa1024': return issueLeaf(ca, { hosts: [domain], keyType: 'rsa', rsaBits: 1024 });
    case 'sha1': return issueLeaf(ca, { hosts: [domain], keyType: 'rsa', signatureHash: 'sha1' });
    case 'good': return issueLeaf(ca, { hosts: [domain] });
  }
}

/** A port with nothing listening on it: connections are refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
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
export async function startEstate(sites: readonly SiteSpec[], options: { caName?: string; dnsDelayMs?: number } = {}): Promise<Estate> {
  const ca = createCa({ name: options.caName ?? 'Vouch Lab CA' });
  const byDomain = new Map(sites.map((s) => [s.domain, s]));
  const contexts = new Map<string, SecureContext>();
  const contextFor = (name: string) => {
    const site = byDomain.get(name.toLowerCase());
    if (!site || site.https === undefined || site.https === 'closed') return undefined;
    let ctx = contexts.get(site.domain);
    if (!ctx) {
      const cert = certificate(ca, site.domain, site.https.cert ?? 'good');
      contexts.set(site.domain, (ctx = tls.createSecureContext({ key: cert.keyPem, cert: cert.chainPem, ...profileOptions(effectiveProfile(site)) })));
    }
    return ctx;
  };
  const servers: LabHttpServer[] = [];
  const connectTo: string[] = [];
  const refused = await closedPort();

  const profiles = new Map<string, LabHttpServer>();
  for (const site of sites) {
    if (site.https === 'closed') connectTo.push(`${site.domain}:443::${refused}`);
    if (site.https === undefined || site.https === 'closed') continue;
    // OpenSSL keeps the key type of the server's own certificate when SNI switches contexts, so RSA and EC sites
    // are served by separate servers whose default certificate has the same key type.
    const keyType = rsaVariant(site.https.cert) ? 'rsa' : 'ec';
    const key = JSON.stringify([effectiveProfile(site), keyType]);
    let server = profiles.get(key);
    if (!server) {
      const fallbackCert = issueLeaf(ca, { hosts: ['unknown.invalid'], keyType });
      server = await startHttpServer({
        tls: { key: fallbackCert.keyPem, cert: fallbackCert.certPem, ...profileOptions(effectiveProfile(site)), contextFor },
        fallback: (req, res) => {
          const s = byDomain.get(hostOf(req));
          const https = s?.https;
          const routes = https && https !== 'closed' ? https.routes : {};
          serve(routes[(req.url ?? '/').split('?')[0] ?? '/'] ?? routes['*'], req, res);
        },
      });
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
  for (const site of sites) zone[site.domain] = { A: ['127.0.0.1'], ...site.records };
  for (const site of sites) Object.assign(zone, site.zone);
  const smtpServers: LabSmtpServer[] = [];
  for (const site of sites) {
    if (!site.mail) continue;
    const mx = `mx.${site.domain}`;
    const cert = certificate(ca, mx, site.mail.cert ?? 'good');
    const server = await startSmtpServer({
      key: cert.keyPem, cert: cert.chainPem, variant: site.mail.variant ?? 'good', name: mx, ...profileOptions(site.mail.tls),
    });
    smtpServers.push(server);
    connectTo.push(`${mx}:25::${server.port}`);
    zone[site.domain] = { MX: [{ preference: 10, exchange: mx }], ...zone[site.domain] };
    zone[mx] = { A: ['127.0.0.1'] };
    if (site.mail.dane) zone[`_25._tcp.${mx}`] = { TLSA: [{ usage: 3, selector: 1, matchingType: 1, certificate: spkiSha256(cert.certPem) }], ad: true };
  }
  const dns = await startDnsServer({ zone, ...(options.dnsDelayMs ? { delayMs: options.dnsDelayMs } : {}) });
  return {
    dns, ca, connectTo, allowRedirectsTo: ['loopback'], servers, smtpServers,
    async close() {
      await Promise.all([dns.close(), ...servers.map((s) => s.close()), ...smtpServers.map((s) => s.close())]);
    },
  };
}

/**
 * OpenSSL's default security level refuses weak keys and SHA-1 certificates, and a server keeps the level of the
 * context it started the handshake with even when SNI switches certificates: weak variants get a server of their own.
 */
function effectiveProfile(site: SiteSpec): TlsProfile {
  const https = site.https === 'closed' ? undefined : site.https;
  const weak = rsaVariant(https?.cert);
  return { ...https?.tls, ...(weak ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}) };
}

/** RFC 6698 2.1: selector 1 (SubjectPublicKeyInfo), matching type 1 (SHA-256), as hex. */
function spkiSha256(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

const rsaVariant = (variant: CertVariant | undefined) => variant === 'rsa1024' || variant === 'sha1';

function profileOptions(profile: TlsProfile | undefined) {
  return {
    ...(profile?.minVersion ? { minVersion: profile.minVersion } : {}),
    ...(profile?.maxVersion ? { maxVersion: profile.maxVersion } : {}),
    ...(profile?.ciphers ? { ciphers: profile.ciphers } : {}),
  };
}
