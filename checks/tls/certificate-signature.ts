import { defineCheck } from '../../src/core/check.ts';
import type { EndpointVerdict } from '../../src/core/endpoints.ts';
import type { CertificateFacts, TlsFacts } from '../../src/probes/types.ts';
import { classifySignatureHash, policyEvidence, verdictOf, type Classification, type Policy } from '../../src/tls/policy.ts';
import type { HashName } from '../../src/tls/policy-schema.ts';
import { decodeOid, readTlv } from '../../src/parse/der.ts';
import { judgeServedCertificates, unlessChainCut } from './certificate-evidence.ts';

const REMEDIATION = 'Reissue the certificate (and any intermediate) with a signature hash the TLS profile accepts (SHA-256 or stronger; '
  + 'SHA-1 and MD5 are insufficient).';


/** RFC 4055 / RFC 5754 hash algorithm OIDs, for the parameters of an RSASSA-PSS signature. */
const HASH_OIDS: Readonly<Record<string, HashName>> = {
  '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.4': 'sha224', '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512', '1.2.840.113549.2.5': 'md5',
};

/**
 * The hash of an RSASSA-PSS certificate signature, from the outer signatureAlgorithm's RSASSA-PSS-params (RFC 4055
 * 3.1: `hashAlgorithm [0] HashAlgorithm DEFAULT sha1`): absent means SHA-1. Null when the DER cannot be walked.
 */
export function pssHash(pem: string): HashName | null {
  const der = Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64');
  const certificate = readTlv(der, 0, 0x30);
  const tbs = certificate && readTlv(der, certificate.contentStart, 0x30);
  const algorithm = tbs && readTlv(der, tbs.end, 0x30);
  const oid = algorithm && readTlv(der, algorithm.contentStart, 0x06);
  if (!algorithm || !oid) return null;
  if (oid.end === algorithm.end) return 'sha1'; // no parameters at all: the DEFAULT
  const params = readTlv(der, oid.end, 0x30);
  if (!params || params.end > algorithm.end) return null;
  const first = params.contentStart < params.end ? readTlv(der, params.contentStart, 0xa0) : null;
  if (!first || first.end > params.end) return 'sha1'; // no [0] hashAlgorithm: the DEFAULT
  const hashAlg = readTlv(der, first.contentStart, 0x30);
  const hashOid = hashAlg && readTlv(der, hashAlg.contentStart, 0x06);
  if (!hashOid || hashOid.end > first.end) return null;
  return HASH_OIDS[decodeOid(der.subarray(hashOid.contentStart, hashOid.end)) ?? ''] ?? null;
}

/** The hash of a signature algorithm as the TLS probe names it (OpenSSL's names); null when it cannot be told. */
export function signatureHash(cert: Pick<CertificateFacts, 'signatureAlgorithm' | 'pem'>): HashName | null {
  const name = cert.signatureAlgorithm.toLowerCase();
  if (name === 'ed25519' || name === 'ed448') return 'intrinsic';
  if (name === 'rsassapss') return pssHash(cert.pem);
  const m = /(md5|sha-?1|sha224|sha256|sha384|sha512)(?!\d)/.exec(name);
  if (!m) return null;
  return (m[1] === 'sha-1' ? 'sha1' : m[1]) as HashName;
}

/** A certificate signature classed by the policy; a hash that cannot be told (MD2, an unknown OID) gets its default. */
export function classifySignature(cert: CertificateFacts, policy: Policy): Classification & { hash: HashName | null } {
  const hash = signatureHash(cert);
  if (hash) return { ...classifySignatureHash(policy, hash), hash };
  const d = policy.certificates.signatureHashes.default;
  return { class: d.class, clause: `${d.clause} (hash of ${cert.signatureAlgorithm} not recognised)`, rule: 'certificates.signatureHashes.default', source: d.source, hash: null };
}

/**
 * Every signature a client verifies, classed by the TLS policy (`classifySignatureHash`): insufficient fails (SHA-1,
 * MD5 under every built-in profile), phase-out warns. The root's own signature is never verified by clients, so a
 * self-signed root's signature is not judged (nor listed).
 */
export function judgeSignatures(tls: TlsFacts, policy: Policy): EndpointVerdict {
  const signed = tls.chain.filter((c, i) => i === 0 || !c.selfSigned).map((c) => {
    const cls = classifySignature(c, policy);
    return { subject: c.subject, signatureAlgorithm: c.signatureAlgorithm, hash: cls.hash, class: cls.class, clause: cls.clause, rule: cls.rule, source: cls.source };
  });
  const evidence = { signatures: signed, policy: policyEvidence(policy) };
  if (signed.length === 0) return { status: 'fail', summary: 'no certificate was served', evidence };
  const weak = signed.find((s) => verdictOf(s.class) === 'fail');
  if (weak) return { status: 'fail', summary: `"${weak.subject}" is signed with ${weak.signatureAlgorithm} (insufficient under ${policy.id})`, evidence };
  const phaseOut = signed.find((s) => verdictOf(s.class) === 'warn');
  if (phaseOut) return { status: 'warn', summary: `"${phaseOut.subject}" is signed with ${phaseOut.signatureAlgorithm} (phase-out under ${policy.id})`, evidence };
  return { status: 'pass', summary: `signed with ${signed[0]!.signatureAlgorithm} (${signed[0]!.class} under ${policy.id})`, evidence };
}

export const certificateSignatureCheck = defineCheck({
  id: 'tls.certificate-signature',
  title: 'Certificates are signed with a secure hash (by the TLS profile: not SHA-1 or MD5)',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: ['CA/Browser Forum Baseline Requirements 7.1.3',
    'the configured TLS profile (tls.profile): NCSC-NL TLS guidelines 2025-05 §3.3.2, §3.3.5 by default (SHA-256/384/512 and Ed25519/Ed448 sufficient, SHA-1 and MD5 insufficient)'],

  run: judgeServedCertificates(REMEDIATION, (tls, _ep, ctx) => unlessChainCut(tls, judgeSignatures(tls, ctx.settings.tlsPolicy))),
});
