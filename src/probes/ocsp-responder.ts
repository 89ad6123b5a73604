import { X509Certificate } from 'node:crypto';
import type { Endpoint } from '../core/types.ts';
import { refusedAddress, type AddressAllowList } from '../net/special-addresses.ts';
import { OCSP_REQUEST_SPEC } from '../tls/ocsp-request-spec.ts';
import { stapleIssuer } from './staple-issuer.ts';
import type { EndpointSet, HttpHop, TlsFacts } from './types.ts';

/**
 * Asks a leaf certificate's own OCSP responder about it (RFC 6960 4.1, A.1: an OCSPRequest POSTed over HTTP as
 * application/ocsp-request), when the configuration allows it (`ocsp.queryResponder`). The responder is named by the
 * certificate (AIA id-ad-ocsp), so it is a destination the scanned site chose: like a redirect target it is refused
 * on a private, loopback or other special address unless `allowRedirectsTo` names that network. Only `http://`
 * responders are asked (OCSP over HTTPS would need revocation checking to check itself). The answer's bytes are kept
 * for the judge (src/tls/judge/ocsp-stapling.ts), which reads them with the staple's assessment.
 */

export const OCSP_RESPONDER_SPEC = `ocsp-responder-v1:${OCSP_REQUEST_SPEC}`;

/**
 * `answered`: HTTP 200 with a body (whatever it holds; the judge reads it); `no-responder`: the certificate names no
 * http:// OCSP URL; `no-issuer`: its issuer is neither served nor trusted, so no CertID can be made; `refused`: the
 * responder resolves only to special addresses not allowed; `unreachable`: no HTTP answer (DNS, connect, timeout);
 * `bad-answer`: an HTTP answer that is not one (another status, or a body beyond the cap).
 */
export type OcspResponderOutcome = 'answered' | 'no-responder' | 'no-issuer' | 'refused' | 'unreachable' | 'bad-answer';

export type OcspResponderFacts = {
  /** The OCSP URL asked (the certificate's first http:// one), or null when none could be. */
  readonly url: string | null;
  readonly outcome: OcspResponderOutcome;
  /** In words, for evidence: what was asked and what happened. */
  readonly detail: string;
  /** The address the request went to, when one was dialled. */
  readonly address: string | null;
  readonly httpStatus: number | null;
  readonly contentType: string | null;
  /** The body of a 200 answer (an OCSPResponse, if the responder is sound), base64; null otherwise. */
  readonly der: string | null;
  /** The issuer the CertID names (PEM), which must also have signed (or delegated) the answer. */
  readonly issuerPem: string | null;
  readonly observedAt: string;
};

export type OcspResponderDeps = {
  /** Addresses of `hostname:port` (DNS or connect-to), as for every other destination. */
  endpoints(hostname: string, port: number): Promise<EndpointSet>;
  /** POSTs `body` to `url` at `endpoint` (bounded, body capped, one at a time per responder host by the caller). */
  post(endpoint: Endpoint, url: string, body: Buffer): Promise<HttpHop>;
  /** Special networks a responder may sit in (config `allowRedirectsTo`). */
  readonly allow: AddressAllowList;
  /** Configured CAs, where a leaf's issuer may be found when the server did not send it. */
  readonly trustedCa: readonly string[];
};

/** Never throws for anything the network or the certificate does: every outcome is a fact. */
export async function queryOcspResponder(facts: TlsFacts, deps: OcspResponderDeps): Promise<OcspResponderFacts> {
  const started = { url: null, address: null, httpStatus: null, contentType: null, der: null, issuerPem: null };
  const done = (outcome: OcspResponderOutcome, detail: string, more: Partial<OcspResponderFacts> = {}): OcspResponderFacts =>
    ({ ...started, outcome, detail, ...more, observedAt: new Date().toISOString() });
  const leaf = facts.chain[0];
  if (!leaf) return done('no-responder', 'the server sent no certificate');
  // Loaded when first asked (`ocsp.queryResponder` is off by default): the ASN.1 libraries cost ~0.1 s at start-up.
  const [{ readPemExtensions }, { buildOcspRequest }] = await Promise.all([import('../tls/certificate-extensions.ts'), import('../tls/ocsp-request.ts')]);
  const extensions = readPemExtensions(leaf.pem);
  const urls = extensions.ok ? extensions.ocspUrls : [];
  const url = urls.find((u) => /^http:\/\//i.test(u));
  if (!url) {
    return done('no-responder', urls.length > 0
      ? `the certificate names only OCSP responders Vouch does not ask over plain HTTP (${urls.join(', ')})`
      : 'the certificate names no OCSP responder (Authority Information Access)');
  }
  const issuerPem = facts.ocspStaple?.issuerPem ?? issuerOf(facts, deps.trustedCa);
  if (!issuerPem) return done('no-issuer', 'the certificate\'s issuer is neither in the served chain nor trusted, so no OCSP request can name it', { url });
  let request: Buffer;
  let target: URL;
  try {
    request = buildOcspRequest(leaf.pem, issuerPem);
    target = new URL(url);
  } catch (err) {
    return done('no-issuer', `no OCSP request could be made: ${(err as Error).message}`, { url, issuerPem });
  }
  const asked = { url, issuerPem };
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = target.port === '' ? 80 : Number(target.port);
  let set: EndpointSet;
  try {
    set = await deps.endpoints(host, port);
  } catch (err) {
    return done('unreachable', `the responder's name did not resolve: ${(err as Error).message}`, asked);
  }
  const allowed = set.endpoints.filter((ep) => refusedAddress(ep.address, deps.allow) === null);
  if (allowed.length === 0) {
    const first = set.endpoints[0];
    const special = first ? refusedAddress(first.address, deps.allow) : null;
    return done('refused', first && special
      ? `the responder ${host} is at ${first.address}, ${/^[aeiou]/i.test(special.description) ? 'an' : 'a'} ${special.description}; not asked (see allowRedirectsTo)`
      : `the responder ${host} has no address`, asked);
  }
  const failures: string[] = [];
  for (const ep of allowed) {
    let hop: HttpHop;
    try {
      hop = await deps.post(ep, target.href, request);
    } catch (err) {
      failures.push((err as Error).message);
      continue;
    }
    const seen = { ...asked, address: ep.address, httpStatus: hop.status, contentType: hop.headers['content-type']?.[0] ?? null };
    if (hop.bodyTruncated) return done('bad-answer', `the responder's answer exceeds the body cap of ${hop.bodyBytes} bytes`, seen);
    if (hop.status !== 200) return done('bad-answer', `the responder answered HTTP ${hop.status}`, seen);
    return done('answered', `the responder answered ${hop.bodyBytes} bytes`, { ...seen, der: (hop.bytes ?? Buffer.alloc(0)).toString('base64') });
  }
  return done('unreachable', `the responder could not be reached: ${failures.join('; ')}`, asked);
}

function issuerOf(facts: TlsFacts, trustedCa: readonly string[]): string | null {
  try {
    return stapleIssuer(facts.chain.map((c) => new X509Certificate(c.pem)), trustedCa).issuerPem;
  } catch {
    return null;
  }
}
