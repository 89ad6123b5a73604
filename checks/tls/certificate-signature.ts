import { defineCheck } from '../../src/core/check.ts';
import type { EndpointVerdict } from '../../src/core/endpoints.ts';
import type { CertificateFacts, TlsFacts } from '../../src/probes/types.ts';
import { classifySignatureHash, verdictOf, type Classification, type Policy } from '../../src/tls/policy.ts';
import type { HashName } from '../../src/tls/policy-schema.ts';
import { judgeServedCertificates, unlessChainCut } from './certificate-evidence.ts';

const REMEDIATION = 'Reissue the certificate (and any intermediate) with a signature hash the TLS profile accepts (SHA-256 or stronger; '
  + 'SHA-1 and MD5 are insufficient).';

/** The policy as the evidence cites it. */
const policyRef = (p: Policy) => ({ id: p.id, version: p.version, title: p.title });

/** RFC 4055 / RFC 5754 hash algorithm OIDs, for the parameters of an RSASSA-PSS signature. */
const HASH_OIDS: Readonly<Record<string, HashName>> = {
  '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.4': 'sha224', '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512', '1.2.840.113549.2.5': 'md5',
};

type Tlv = { readonly tag: number; readonly start: number; readonly end: number };
/** One DER TLV at `at` (X.690 8.1; definite lengths only), or null when the bytes do not hold one. */
function tlv(der: Buffer, at: number, limit = der.length): Tlv | null {
  if (at + 2 > limit) return null;
  const tag = der[at]!;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return null;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[start + i]!;
    start += n;
  }
  return start + length > limit ? null : { tag, start, end: start + length };
}
function oidText(bytes: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
    else arcs.push(value);
    value = 0;
  }
  return arcs.join('.');
}

/**
 * The hash of an RSASSA-PSS certificate signature, from the outer signatureAlgorithm's RSASSA-PSS-params (RFC 4055
 * 3.1: `hashAlgorithm [0] HashAlgorithm DEFAULT sha1`): absent means SHA-1. Null when the DER cannot be walked.
 */
export function pssHash(pem: string): HashName | null {
  const der = Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64');
  const certificate = tlv(der, 0);
  const tbs = certificate && tlv(der, certificate.start, certificate.end);
  const algorithm = tbs && tlv(der, tbs.end, certificate.end);
  const oid = algorithm && tlv(der, algorithm.start, algorithm.end);
  if (!algorithm || !oid || oid.tag !== 0x06) return null;
  const params = tlv(der, oid.end, algorithm.end);
  if (!params || params.tag !== 0x30) return oid.end === algorithm.end ? 'sha1' : null;
  const first = params.start < params.end ? tlv(der, params.start, params.end) : null;
  if (!first || first.tag !== 0xa0) return 'sha1'; // no [0]: the DEFAULT
  const hashAlg = tlv(der, first.start, first.end);
  const hashOid = hashAlg && tlv(der, hashAlg.start, hashAlg.end);
  if (!hashOid || hashOid.tag !== 0x06) return null;
  return HASH_OIDS[oidText(der.subarray(hashOid.start, hashOid.end))] ?? null;
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
  const evidence = { signatures: signed, policy: policyRef(policy) };
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
