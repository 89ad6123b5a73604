import type { Probes } from '../probes/types.ts';
import { parseMtaStsPolicy, type MtaStsPolicy } from '../parse/mta-sts.ts';

/** The certificate facts that decide whether a sender may use the policy host (RFC 8461 3.3). */
export type MtaStsCertificateFacts = {
  readonly chainTrusted: boolean;
  readonly hostnameMatches: boolean;
  readonly authorizationError: string | null;
};

/** What fetching `https://mta-sts.<domain>/.well-known/mta-sts.txt` showed. JSON-only, so it can be evidence. */
export type MtaStsPolicyFacts = {
  readonly url: string;
  readonly host: string;
  /** `host:port (address)` of the endpoint used, or null when the host has no address. */
  readonly endpoint: string | null;
  readonly certificate: MtaStsCertificateFacts | null;
  readonly status: number | null;
  readonly contentType: string | null;
  /** The body as received, capped at BODY_EVIDENCE_CHARS. */
  readonly body: string | null;
  /** Why a sender could not use the policy; null exactly when `policy` is set. */
  readonly problem: string | null;
  readonly policy: MtaStsPolicy | null;
};

const BODY_EVIDENCE_CHARS = 4096;

/**
 * Fetches and validates a domain's MTA-STS policy the way a sending MTA would (RFC 8461 3.3), on the first address
 * of `mta-sts.<domain>`: the certificate must chain to a trusted root and match the host, the answer must be a
 * 200 (redirects are not followed), Content-Type text/plain, and the body a valid policy (3.2).
 * A sender only looks for the policy after finding the `_mta-sts` TXT record (3.1); callers check that first.
 * A ProbeError (timeout, refused, DNS failure) is thrown, not folded into `problem`: it means "could not test".
 * @example
 *   const facts = await fetchMtaStsPolicy(ctx.probes, 'example.nl');
 *   const enforced = facts.policy?.mode === 'enforce';
 */
export async function fetchMtaStsPolicy(probes: Probes, domain: string): Promise<MtaStsPolicyFacts> {
  const host = `mta-sts.${domain.toLowerCase().replace(/\.$/, '')}`;
  const url = `https://${host}/.well-known/mta-sts.txt`;
  const facts: MtaStsPolicyFacts = {
    url, host, endpoint: null, certificate: null, status: null, contentType: null, body: null, problem: null, policy: null,
  };
  const endpoint = (await probes.endpoints(host, 443)).endpoints[0];
  if (endpoint === undefined) return { ...facts, problem: `${host} has no A or AAAA record` };
  const tls = await probes.tls(endpoint);
  const { chainTrusted, hostnameMatches, authorizationError } = tls;
  const certificate = { chainTrusted, hostnameMatches, authorizationError };
  const withTls = { ...facts, endpoint: tls.endpoint, certificate };
  if (!tls.chainTrusted) {
    const why = tls.authorizationError ?? 'unknown reason';
    return { ...withTls, problem: `certificate of ${host} is not trusted (${why}); senders must not use the policy` };
  }
  if (!tls.hostnameMatches) return { ...withTls, problem: `certificate is not valid for ${host}; senders must not use the policy` };
  const hop = await probes.http(endpoint, { url });
  const contentType = hop.headers['content-type']?.[0] ?? null;
  const seen = { ...withTls, status: hop.status, contentType, body: hop.body.slice(0, BODY_EVIDENCE_CHARS) };
  if (hop.status !== 200) {
    return { ...seen, problem: `HTTP ${hop.status}: senders accept only 200 and do not follow redirects (RFC 8461 3.3)` };
  }
  // RFC 8461 3.3: senders SHOULD check the media type, to ignore files that untrusted users managed to upload.
  if (contentType?.split(';')[0]?.trim().toLowerCase() !== 'text/plain') {
    return { ...seen, problem: `Content-Type is ${contentType ?? 'missing'}, not text/plain (RFC 8461 3.3)` };
  }
  if (hop.bodyTruncated) return { ...seen, problem: `policy body was cut off after ${hop.bodyBytes} bytes` };
  const parsed = parseMtaStsPolicy(hop.body);
  if (!parsed.ok) return { ...seen, problem: `invalid policy: ${parsed.problem}` };
  return { ...seen, policy: parsed.policy };
}
