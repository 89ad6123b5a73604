import type { EndpointVerdict } from '../../core/endpoints.ts';
import { ProbeError } from '../../core/errors.ts';
import type { TlsFacts } from '../../probes/types.ts';
import { readPemExtensions } from '../certificate-extensions.ts';
import { parseSctList, type Sct } from '../sct.ts';

/**
 * Certificate Transparency as browsers require it, counted from the SCTs the certificate embeds (RFC 6962 3.3).
 *
 * Policy: Chrome's Certificate Transparency policy (googlechrome.github.io/CertificateTransparency/ct_policy.html,
 * the version in force since 2022-04-15) and Apple's (support.apple.com/103214) agree on the count for embedded
 * SCTs: at least 2 SCTs from distinct logs for a certificate valid 180 days or less, 3 for a longer one. Both also
 * demand distinct log operators and logs that are qualified at check time; that needs the browsers' log lists,
 * which Vouch does not ship, so logs are told apart by log id only. SCT signatures need each log's key: SCTs are
 * counted, never verified, and the evidence says so.
 *
 * SCTs may also come in the TLS signed_certificate_timestamp extension or in an OCSP staple; the handshake facts
 * carry neither today (Node's TLS client cannot ask for the extension), so only embedded SCTs count, and the
 * evidence says which sources were not read.
 *
 * Verdicts: enough SCTs passes. CT is enforced for publicly trusted certificates only (Chrome and Apple exempt
 * roots a user or administrator added), so too few SCTs fails when the chain ends at a bundled (public) root; it
 * also fails when the certificate carries SCTs at all, since its CA then takes part in CT and got it wrong. A
 * certificate without SCTs under a private or unknown root warns: browsers do not require them there.
 */

const DAY_MS = 86_400_000;
export const CT_POLICY = 'Chrome CT policy (2022-04-15) / Apple CT policy: 2 SCTs from distinct logs up to 180 days of validity, 3 beyond';
const NOT_READ = {
  tlsExtension: 'not requested: Node\'s TLS client cannot ask for signed_certificate_timestamp (RFC 6962 3.3.1)',
  ocspStaple: 'not read: the handshake facts do not carry the stapled response\'s SCT extension',
};

/** SCTs needed for a certificate of this lifetime (notBefore to notAfter). */
export function requiredScts(lifetimeDays: number): number {
  return lifetimeDays <= 180 ? 2 : 3;
}

export function judgeTransparency(tls: TlsFacts): EndpointVerdict {
  const leaf = tls.chain[0];
  if (!leaf) return { status: 'fail', summary: 'no certificate was served', evidence: {} };
  const read = readPemExtensions(leaf.pem);
  if (!read.ok) throw new ProbeError('client-limitation', tls.endpoint, `the leaf's extensions could not be decoded: ${read.problem}`);
  // One decimal: an exactly 180-day certificate stays at 180 (X.509 validity is inclusive, a second either way).
  const lifetimeDays = Math.round((Date.parse(leaf.notAfter) - Date.parse(leaf.notBefore)) / DAY_MS * 10) / 10;
  const required = requiredScts(lifetimeDays);
  const parsed = read.sctList ? parseSctList(read.sctList) : null;
  const scts: readonly Sct[] = parsed?.ok ? parsed.scts : [];
  const distinctLogs = new Set(scts.map((s) => s.logId)).size;
  const anchor = tls.chainPath.anchor;
  const publiclyTrusted = anchor?.source === 'bundled';
  const evidence = {
    policy: CT_POLICY, lifetimeDays, required, embedded: scts.length, distinctLogs, verified: false,
    verification: 'counted, not verified: checking SCT signatures needs the logs\' public keys, which Vouch does not ship',
    scts: scts.map((s) => ({ logId: s.logId, timestamp: s.timestamp, hashAlgorithm: s.hashAlgorithm, signatureAlgorithm: s.signatureAlgorithm })),
    unknownVersions: parsed?.ok ? parsed.unknown.length : 0, sctListProblem: parsed && !parsed.ok ? parsed.problem : null,
    precertificate: read.precertificate, anchor: anchor ? { subject: anchor.subject, source: anchor.source } : null, publiclyTrusted,
    otherSources: NOT_READ,
  };
  const counted = `${scts.length} embedded SCT${scts.length === 1 ? '' : 's'} from ${distinctLogs} distinct log${distinctLogs === 1 ? '' : 's'}`;
  const need = `${required} needed for a ${lifetimeDays}-day certificate`;
  if (read.precertificate) return { status: 'fail', summary: 'the server sends a precertificate (CT poison extension, RFC 6962 3.1), which no client accepts', evidence };
  if (distinctLogs >= required) return { status: 'pass', summary: `${counted} (${need}; counted, not verified)`, evidence };
  const unreadable = parsed && !parsed.ok ? ` (the SCT list does not parse: ${parsed.problem})` : '';
  if (publiclyTrusted) return { status: 'fail', summary: `${counted}${unreadable}; ${need}: browsers reject this publicly trusted certificate`, evidence };
  if (read.sctList) return { status: 'fail', summary: `${counted}${unreadable}; ${need}: the CA takes part in CT but the certificate does not meet the policy`, evidence };
  const root = anchor ? `a configured root (${anchor.subject})` : 'a root that is not trusted';
  return { status: 'warn', summary: `no embedded SCTs; browsers require them only for publicly trusted certificates, and this chain ends at ${root}`, evidence };
}
