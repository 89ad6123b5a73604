import type { EndpointVerdict } from '../../core/endpoints.ts';
import { ProbeError } from '../../core/errors.ts';
import type { TlsFacts } from '../../probes/types.ts';
import { ANY_EXTENDED_KEY_USAGE, purposeName, readPemExtensions, SERVER_AUTH } from '../certificate-extensions.ts';

/**
 * Extended key usage (RFC 5280 4.2.1.12) as TLS clients apply it to a server: the leaf lists serverAuth, or has no
 * EKU at all (any purpose). anyExtendedKeyUsage alone warns: RFC 5280 allows it, but OpenSSL's server-purpose check
 * rejects it and the CA/Browser Forum Baseline Requirements 7.1.2.7.10 forbid it in server certificates.
 * Intermediates on the path constrain what they issue (EKU chaining, enforced by Chrome, Firefox and Apple): one
 * whose EKU lacks serverAuth (and anyExtendedKeyUsage) fails. Must-staple (RFC 7633) is reported, not judged here:
 * the OCSP stapling check judges it against the staple.
 */
export function judgeUsage(tls: TlsFacts): EndpointVerdict {
  const leaf = tls.chain[0];
  if (!leaf) return { status: 'fail', summary: 'no certificate was served', evidence: {} };
  const read = readPemExtensions(leaf.pem);
  // Node read this certificate, so a decoder that cannot is our limit, not the server's fault.
  if (!read.ok) throw new ProbeError('client-limitation', tls.endpoint, `the leaf's extensions could not be decoded: ${read.problem}`);
  const purposes = read.extendedKeyUsage;
  const intermediates = tls.chainPath.path.slice(1).map((i) => tls.chain[i]!).filter((c) => !c.selfSigned).map((c) => {
    const ext = readPemExtensions(c.pem);
    const ekuProblems = ext.ok ? ext.problems.filter((p) => p.startsWith('extendedKeyUsage')) : [];
    const problem = !ext.ok ? ext.problem : ekuProblems.length > 0 ? ekuProblems.join('; ') : null;
    return { subject: c.subject, extendedKeyUsage: ext.ok && ext.extendedKeyUsage ? ext.extendedKeyUsage.map(purposeName) : null, problem };
  });
  const evidence = {
    subject: leaf.subject, extendedKeyUsage: purposes ? purposes.map(purposeName) : null, extendedKeyUsageCritical: read.extendedKeyUsageCritical,
    mustStaple: read.mustStaple, tlsFeatures: read.tlsFeatures, intermediates, problems: [...read.problems],
  };
  const staple = read.mustStaple ? '; must-staple (RFC 7633) is set' : '';
  if (read.problems.some((p) => p.startsWith('extendedKeyUsage'))) {
    throw new ProbeError('client-limitation', tls.endpoint, `the leaf's extended key usage could not be decoded: ${read.problems.join('; ')}`);
  }
  const constraining = intermediates.find((c) => c.extendedKeyUsage && !c.extendedKeyUsage.some((p) => p === 'serverAuth' || p === 'anyExtendedKeyUsage'));
  if (constraining) {
    return { status: 'fail', summary: `intermediate "${constraining.subject}" may not issue server certificates (extended key usage: ${constraining.extendedKeyUsage!.join(', ')})`, evidence };
  }
  // An intermediate we cannot read may constrain what it issues: "unconstrained" would vouch for what nobody read.
  // Node parsed it, so the decoder is our limit, as for the leaf above (client-limitation, not the server's fault).
  const unreadable = intermediates.find((c) => c.problem !== null);
  if (unreadable) {
    throw new ProbeError('client-limitation', tls.endpoint, `the extended key usage of intermediate "${unreadable.subject}" could not be decoded: ${unreadable.problem}`);
  }
  if (purposes === null) return { status: 'pass', summary: `no extended key usage extension: valid for any purpose (RFC 5280 4.2.1.12)${staple}`, evidence };
  if (purposes.includes(SERVER_AUTH)) return { status: 'pass', summary: `extended key usage includes serverAuth${staple}`, evidence };
  const listed = purposes.map(purposeName).join(', ') || 'none';
  if (purposes.includes(ANY_EXTENDED_KEY_USAGE)) {
    return { status: 'warn', summary: `extended key usage is ${listed} without serverAuth: OpenSSL-based clients reject it${staple}`, evidence };
  }
  return { status: 'fail', summary: `extended key usage (${listed}) does not include serverAuth: not valid for a TLS server${staple}`, evidence };
}
