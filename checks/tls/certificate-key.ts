import { defineCheck } from '../../src/core/check.ts';
import type { EndpointVerdict } from '../../src/core/endpoints.ts';
import type { Thresholds } from '../../src/config/settings.ts';
import type { TlsFacts } from '../../src/probes/types.ts';
import { judgeServedCertificates, unlessChainCut } from './certificate-evidence.ts';

const REMEDIATION = 'Use an RSA key of at least 2048 bits or an EC key of at least 256 bits (P-256, P-384, Ed25519).';

/** Every certificate except a self-signed root, whose key nobody checks a signature with at this point. */
export function judgeKeys(tls: TlsFacts, t: Thresholds): EndpointVerdict {
  const certs = tls.chain.filter((c, i) => i === 0 || !c.selfSigned);
  const keys = certs.map((c) => ({ subject: c.subject, keyType: c.keyType, keyBits: c.keyBits, curve: c.curve }));
  const weak = keys.find((k) =>
    (k.keyType === 'rsa' && (k.keyBits ?? 0) < t.minRsaBits) || (k.keyType === 'ec' && (k.keyBits ?? 0) < t.minEcBits) ||
    k.keyType === 'dsa');
  const evidence = { keys, minRsaBits: t.minRsaBits, minEcBits: t.minEcBits };
  if (keys.length === 0) return { status: 'fail', summary: 'no certificate was served', evidence };
  if (weak) return { status: 'fail', summary: `weak ${weak.keyType.toUpperCase()} ${weak.keyBits ?? '?'}-bit key in "${weak.subject}"`, evidence };
  const leaf = keys[0]!;
  return { status: 'pass', summary: `${leaf.keyType.toUpperCase()} ${leaf.keyBits ?? ''}-bit key${leaf.curve ? ` (${leaf.curve})` : ''}`.replace(' -bit', ''), evidence };
}

export const certificateKeyCheck = defineCheck({
  id: 'tls.certificate-key',
  title: 'Certificate keys are strong enough',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: ['NCSC-NL TLS guidelines: RSA >= 2048 (3072 preferred), ECDSA >= 256'],

  run: judgeServedCertificates(REMEDIATION, (tls, _ep, ctx) => unlessChainCut(tls, judgeKeys(tls, ctx.settings.thresholds))),
});
