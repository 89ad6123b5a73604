import { defineCheck } from '../../src/core/check.ts';
import type { EndpointVerdict } from '../../src/core/endpoints.ts';
import type { Thresholds } from '../../src/config/settings.ts';
import type { CertificateFacts, TlsFacts } from '../../src/probes/types.ts';
import { classifyCertificateKey, policyEvidence, verdictOf, type Classification, type Policy } from '../../src/tls/policy.ts';
import type { CertificateKeyType } from '../../src/tls/policy-schema.ts';
import { judgeServedCertificates, unlessChainCut } from './certificate-evidence.ts';

const REMEDIATION = 'Use a key the TLS profile classes good (NCSC-NL 2025-05: ECDSA on P-256, P-384 or P-521, Ed25519, or RSA '
  + 'of at least 3072 bits; RSA 2048-3071 is phase-out) for the certificate and every intermediate.';

/** The probe's key type as the policy names it (`ec` is ECDSA in a server certificate); null when not recognised. */
const POLICY_KEY_TYPE: Readonly<Record<string, CertificateKeyType>> = { rsa: 'rsa', ec: 'ecdsa', ed25519: 'ed25519', ed448: 'ed448', dsa: 'dsa' };

/**
 * One certificate's key, classed by the TLS policy (`classifyCertificateKey`), then held to the configured floor
 * (`thresholds.minRsaBits`, `thresholds.minEcBits` for ECDSA): the policy decides, the floor can only make the verdict
 * stricter (a key below it is insufficient whatever the policy says), never more lenient. A key type Vouch cannot
 * read gets the policy's default (NCSC and Mozilla: insufficient, as every key type they do not list).
 */
export function classifyKey(cert: CertificateFacts, policy: Policy, t: Thresholds): Classification {
  const type = POLICY_KEY_TYPE[cert.keyType];
  const bits = cert.keyBits ?? 0;
  if (!type) {
    const d = policy.certificates.keys.default;
    return { class: d.class, clause: `${d.clause} (key type ${cert.keyType} not recognised)`, rule: 'certificates.keys.default', source: d.source };
  }
  const byPolicy = classifyCertificateKey(policy, { type, bits, curve: cert.curve });
  if (byPolicy.class === 'insufficient') return byPolicy;
  if (type === 'rsa' && bits < t.minRsaBits) {
    return { class: 'insufficient', clause: `below the configured floor thresholds.minRsaBits = ${t.minRsaBits}`, rule: 'thresholds.minRsaBits', source: 'config' };
  }
  if (type === 'ecdsa' && bits < t.minEcBits) {
    return { class: 'insufficient', clause: `below the configured floor thresholds.minEcBits = ${t.minEcBits}`, rule: 'thresholds.minEcBits', source: 'config' };
  }
  return byPolicy;
}


const describeKey = (k: { keyType: string; keyBits: number | null; curve: string | null }) =>
  `${k.keyType.toUpperCase()} ${k.keyBits ?? '?'}-bit key${k.keyType === 'ec' && k.curve ? ` (${k.curve})` : ''}`;

/**
 * Every certificate except a self-signed root, whose key nobody checks a signature with at this point. An
 * insufficient key fails, a phase-out key warns (NCSC-NL 2025-05: RSA 2048-3071), good and sufficient keys pass.
 * Each key's class, clause and deciding rule are in the evidence.
 */
export function judgeKeys(tls: TlsFacts, t: Thresholds, policy: Policy): EndpointVerdict {
  const certs = tls.chain.filter((c, i) => i === 0 || !c.selfSigned);
  const keys = certs.map((c) => {
    const cls = classifyKey(c, policy, t);
    return { subject: c.subject, keyType: c.keyType, keyBits: c.keyBits, curve: c.curve, class: cls.class, clause: cls.clause, rule: cls.rule, source: cls.source };
  });
  const evidence = { keys, policy: policyEvidence(policy), minRsaBits: t.minRsaBits, minEcBits: t.minEcBits };
  if (keys.length === 0) return { status: 'fail', summary: 'no certificate was served', evidence };
  const weak = keys.find((k) => verdictOf(k.class) === 'fail');
  if (weak) return { status: 'fail', summary: `weak ${describeKey(weak)} in "${weak.subject}"`, evidence };
  const phaseOut = keys.filter((k) => verdictOf(k.class) === 'warn');
  const first = phaseOut[0];
  if (first) {
    const more = phaseOut.length > 1 ? ` and ${phaseOut.length - 1} more` : '';
    return { status: 'warn', summary: `${describeKey(first)} in "${first.subject}"${more} is phase-out under ${policy.id} (${first.clause})`, evidence };
  }
  const leaf = keys[0]!;
  return { status: 'pass', summary: `${describeKey(leaf)} (${leaf.class} under ${policy.id})`.replace(' ?-bit', ''), evidence };
}

export const certificateKeyCheck = defineCheck({
  id: 'tls.certificate-key',
  title: 'Certificate keys are strong enough (by the TLS profile)',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: ['the configured TLS profile (tls.profile): NCSC-NL TLS guidelines 2025-05 §3.3.2.1 by default (RSA >= 3072 and ECDSA P-256/P-384/P-521 good, RSA 2048-3071 phase-out, smaller insufficient)',
    'thresholds.minRsaBits / minEcBits: an extra floor that can only make the verdict stricter'],

  run: judgeServedCertificates(REMEDIATION, (tls, _ep, ctx) => unlessChainCut(tls, judgeKeys(tls, ctx.settings.thresholds, ctx.settings.tlsPolicy))),
});
