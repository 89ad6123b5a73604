import type { JsonObject } from '../../src/core/types.ts';
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
