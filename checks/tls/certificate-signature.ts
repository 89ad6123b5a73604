import { defineCheck } from '../../src/core/check.ts';
import type { EndpointVerdict } from '../../src/core/endpoints.ts';
import type { TlsFacts } from '../../src/probes/types.ts';
import { judgeServedCertificates, unlessChainCut } from './certificate-evidence.ts';

const REMEDIATION = 'Reissue the certificate (and any intermediate) with a SHA-256 or stronger signature.';
const WEAK = /(md2|md4|md5|sha1)(?!\d)|sha-1(?!\d)/i;

/** The root's own signature is never verified by clients, so a SHA-1 self-signed root is not a finding. */
export function judgeSignatures(tls: TlsFacts): EndpointVerdict {
  const signed = tls.chain.filter((c, i) => i === 0 || !c.selfSigned)
    .map((c) => ({ subject: c.subject, signatureAlgorithm: c.signatureAlgorithm }));
  const weak = signed.find((s) => WEAK.test(s.signatureAlgorithm));
  const evidence = { signatures: signed };
  if (signed.length === 0) return { status: 'fail', summary: 'no certificate was served', evidence };
  if (weak) return { status: 'fail', summary: `"${weak.subject}" is signed with ${weak.signatureAlgorithm}`, evidence };
  return { status: 'pass', summary: `signed with ${signed[0]!.signatureAlgorithm}`, evidence };
}

export const certificateSignatureCheck = defineCheck({
  id: 'tls.certificate-signature',
  title: 'Certificates are signed with a secure hash (not SHA-1 or MD5)',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: ['CA/Browser Forum Baseline Requirements 7.1.3', 'NCSC-NL TLS guidelines: SHA-1 insufficient'],

  run: judgeServedCertificates(REMEDIATION, (tls) => unlessChainCut(tls, judgeSignatures(tls))),
});
