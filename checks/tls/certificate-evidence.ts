import type { CheckContext } from '../../src/core/check.ts';
import { judgeEndpoints, type EndpointVerdict, type Verdict } from '../../src/core/endpoints.ts';
import { HTTPS_SERVED } from '../../src/core/prerequisites.ts';
import type { Endpoint, JsonObject, Outcome } from '../../src/core/types.ts';
import { MAX_CHAIN_CERTIFICATES, type CertificateFacts, type TlsFacts } from '../../src/probes/types.ts';

/**
 * The certificate facts every certificate check shows, so each verdict is readable on its own. The PEM chain is in
 * the TLS artifact the result links to, not repeated in every result.
 */
export function certificateEvidence(cert: CertificateFacts): JsonObject {
  return {
    subject: cert.subject, issuer: cert.issuer, subjectAltNames: [...cert.subjectAltNames],
    notBefore: cert.notBefore, notAfter: cert.notAfter, fingerprintSha256: cert.fingerprintSha256,
    keyType: cert.keyType, keyBits: cert.keyBits, signatureAlgorithm: cert.signatureAlgorithm,
  };
}

/** How much of the served chain was read: only present when the probe's cap cut it, so a cut is never silent. */
export function chainCut(tls: TlsFacts): JsonObject {
  return tls.chainTruncated ? { chainTruncated: true, certificatesRead: tls.chain.length, maxCertificates: MAX_CHAIN_CERTIFICATES } : {};
}

export function chainSummary(tls: TlsFacts): JsonObject {
  const [leaf] = tls.chain;
  return { leaf: leaf ? certificateEvidence(leaf) : null, chainLength: tls.chain.length, ...chainCut(tls) };
}

/**
 * For verdicts on every certificate of the chain (keys, signatures): when the probe's cap cut the chain, a pass or
 * warn would vouch for certificates nobody read, so it becomes `error` (client-limitation) with the evidence seen.
 * A fail found in the part that was read stands: the rest cannot undo it.
 */
export function unlessChainCut(tls: TlsFacts, verdict: EndpointVerdict): Verdict {
  if (!tls.chainTruncated || verdict.status === 'fail') return verdict;
  return {
    status: 'error', reason: 'client-limitation', evidence: { ...verdict.evidence, ...chainCut(tls) },
    summary: `the server sent more than ${MAX_CHAIN_CERTIFICATES} certificates; the first ${tls.chain.length} show no `
      + `problem (${verdict.summary}), the rest were not read`,
  };
}

/**
 * A web certificate check's `run`: `judge` on the TLS facts every address of the domain serves on port 443. Where
 * no handshake completes there is no certificate: that is https.available's finding, so the address is skipped.
 */
export function judgeServedCertificates(remediation: string, judge: (tls: TlsFacts, ep: Endpoint, ctx: CheckContext) => Verdict | Promise<Verdict>) {
  return (ctx: CheckContext): Promise<Outcome> =>
    judgeEndpoints(ctx, ctx.target.domain, 443, remediation, async (ep) => judge(await ctx.probes.tls(ep), ep, ctx), { prerequisite: HTTPS_SERVED });
}
