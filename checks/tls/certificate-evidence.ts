import type { CheckContext } from '../../src/core/check.ts';
import { judgeEndpoints, type EndpointVerdict } from '../../src/core/endpoints.ts';
import type { Endpoint, JsonObject, Outcome } from '../../src/core/types.ts';
import type { CertificateFacts, TlsFacts } from '../../src/probes/types.ts';

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

export function chainSummary(tls: TlsFacts): JsonObject {
  const [leaf] = tls.chain;
  return { leaf: leaf ? certificateEvidence(leaf) : null, chainLength: tls.chain.length };
}

/** A web certificate check's `run`: `judge` on the TLS facts every address of the domain serves on port 443. */
export function judgeServedCertificates(remediation: string, judge: (tls: TlsFacts, ep: Endpoint, ctx: CheckContext) => EndpointVerdict) {
  return (ctx: CheckContext): Promise<Outcome> =>
    judgeEndpoints(ctx, ctx.target.domain, 443, remediation, async (ep) => judge(await ctx.probes.tls(ep), ep, ctx));
}
