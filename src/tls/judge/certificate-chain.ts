import type { EndpointVerdict, Verdict } from '../../core/endpoints.ts';
import type { Thresholds } from '../../config/settings.ts';
import { MAX_CHAIN_CERTIFICATES, type CertificateFacts, type TlsFacts } from '../../probes/types.ts';
import { readPemExtensions } from '../certificate-extensions.ts';

/**
 * The chain as served (issue 10, "Certificate depth"), judged from `TlsFacts.chainPath`: complete up to a trusted
 * root, in the order TLS 1.2 requires, and with no intermediate expired or about to expire. Keys and signatures of
 * every certificate are judged by tls.certificate-key and tls.certificate-signature (they already walk the chain).
 */

const DAY_MS = 86_400_000;

const describe = (c: CertificateFacts) => `"${c.subject}"`;

/** A compact row per served certificate: its place on the path a client builds, and why it is there. */
function servedRows(tls: TlsFacts, now: Date): Record<string, string | number | boolean | null>[] {
  const { path, issuedByNext } = tls.chainPath;
  return tls.chain.map((c, i) => ({
    position: i, subject: c.subject, issuer: c.issuer, notAfter: c.notAfter, fingerprintSha256: c.fingerprintSha256,
    // Not `daysLeft`: the report's expiry table reads that key as a leaf's expiry (reports/certificates.ts).
    daysUntilExpiry: Math.floor((Date.parse(c.notAfter) - now.getTime()) / DAY_MS),
    onPath: path.includes(i), issuedByNext: i < issuedByNext.length ? issuedByNext[i]! : null,
  }));
}

/**
 * Order and completeness. Complete: the certificates served lead from the leaf to a certificate issued by a root
 * the client trusts (the root itself need not be sent, RFC 5246 7.4.2 and RFC 8446 4.4.2). A missing intermediate
 * fails, as in clients that do not fetch AIA (Firefox, most non-browser clients). Order: each certificate is
 * followed by its issuer (RFC 5246 7.4.2 MUST; RFC 8446 4.4.2 SHOULD; clients such as older Java and embedded
 * stacks reject other orders). Extra certificates and a sent root are noted, not judged.
 */
export function judgeChainStructure(tls: TlsFacts): EndpointVerdict {
  const { path, anchor } = tls.chainPath;
  const notes: string[] = [];
  const unused = tls.chain.map((_, i) => i).filter((i) => !path.includes(i));
  if (unused.length > 0) notes.push(`${unused.length} served certificate${unused.length === 1 ? ' is' : 's are'} not needed for the path (positions ${unused.join(', ')})`);
  if (anchor?.served) notes.push(`the root ${JSON.stringify(anchor.subject)} was sent, which is allowed but unnecessary`);
  const evidence = { pathPositions: [...path], anchor, notes };
  const leaf = tls.chain[0];
  if (!leaf) return { status: 'fail', summary: 'no certificate was served', evidence };
  // The probe's path always starts at the leaf; facts without one (older records) are read as the leaf alone.
  const top = tls.chain[path[path.length - 1] ?? 0] ?? leaf;
  if (!anchor) {
    if (top.selfSigned) {
      return { status: 'fail', summary: `the chain ends at ${describe(top)}, a self-signed certificate that is not a trusted root`, evidence };
    }
    const read = readPemExtensions(top.pem);
    const aia = read.ok ? read.caIssuersUrls : [];
    const where = aia.length > 0 ? `; a client that fetches AIA would look at ${aia.join(', ')}` : '; the certificate names no AIA caIssuers URL';
    const summary = `incomplete chain: the issuer of ${describe(top)} ("${top.issuer}") was not sent and is not a trusted root${where}`;
    return { status: 'fail', summary, evidence: { ...evidence, missingIssuer: top.issuer, caIssuersUrls: aia } };
  }
  const inOrder = path.every((position, i) => position === i);
  const root = `${anchor.source === 'bundled' ? 'a bundled' : 'a configured'} root ${JSON.stringify(anchor.subject)}`;
  if (!inOrder) {
    const served = tls.chain.map((c) => `"${c.subject}"`).join(', ');
    return { status: 'fail', summary: `certificates sent out of order (each must be followed by its issuer): ${served}`, evidence };
  }
  const intermediates = path.slice(1).filter((i) => tls.chain[i]!.fingerprintSha256 !== anchor.fingerprintSha256).length;
  const shape = `${intermediates} intermediate${intermediates === 1 ? '' : 's'}`;
  return { status: 'pass', summary: `complete chain in order: the leaf and ${shape} up to ${root}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`, evidence };
}

/**
 * Every intermediate on the path, against the same thresholds as the leaf (thresholds.certExpiryWarnDays,
 * certExpiryFailDays): a chain is only as current as its shortest-lived certificate. A served root is skipped: the
 * client's own copy of it decides, not the one sent.
 */
export function judgeIntermediateExpiry(tls: TlsFacts, now: Date, t: Thresholds): EndpointVerdict {
  const { path, anchor } = tls.chainPath;
  const intermediates = path.slice(1).filter((i) => !(anchor?.served && tls.chain[i]?.fingerprintSha256 === anchor.fingerprintSha256))
    .map((i) => tls.chain[i]!);
  const rows = intermediates.map((c) => ({ subject: c.subject, notBefore: c.notBefore, notAfter: c.notAfter, daysUntilExpiry: Math.floor((Date.parse(c.notAfter) - now.getTime()) / DAY_MS) }));
  const evidence = { intermediates: rows, warnDays: t.certExpiryWarnDays, failDays: t.certExpiryFailDays, observedAt: now.toISOString() };
  const notYet = rows.find((r) => Date.parse(r.notBefore) > now.getTime());
  if (notYet) return { status: 'fail', summary: `intermediate "${notYet.subject}" is not valid until ${notYet.notBefore}`, evidence };
  const soonest = [...rows].sort((a, b) => a.daysUntilExpiry - b.daysUntilExpiry)[0];
  if (!soonest) return { status: 'pass', summary: 'no intermediate certificates', evidence };
  const what = `intermediate "${soonest.subject}"`;
  if (Date.parse(soonest.notAfter) < now.getTime()) return { status: 'fail', summary: `${what} expired on ${soonest.notAfter}`, evidence };
  if (soonest.daysUntilExpiry < t.certExpiryFailDays) return { status: 'fail', summary: `${what} expires in ${soonest.daysUntilExpiry} days (${soonest.notAfter})`, evidence };
  if (soonest.daysUntilExpiry < t.certExpiryWarnDays) return { status: 'warn', summary: `${what} expires in ${soonest.daysUntilExpiry} days (${soonest.notAfter})`, evidence };
  return { status: 'pass', summary: `intermediates valid for ${soonest.daysUntilExpiry} more days at least`, evidence };
}

/**
 * "Incomplete" needs the whole chain: when the probe's cap cut it, the missing issuer may be among the certificates
 * left unread, so that finding becomes `error` (client-limitation). Not seen is not missing.
 */
export function unlessIssuerUnread(tls: TlsFacts, structure: EndpointVerdict): Verdict {
  const missingIssuer = structure.evidence['missingIssuer'];
  if (!tls.chainTruncated || structure.status !== 'fail' || typeof missingIssuer !== 'string') return structure;
  const top = tls.chain[tls.chainPath.path[tls.chainPath.path.length - 1] ?? 0];
  return {
    status: 'error', reason: 'client-limitation',
    evidence: { ...structure.evidence, chainTruncated: true, certificatesRead: tls.chain.length, maxCertificates: MAX_CHAIN_CERTIFICATES },
    summary: `the issuer of ${top ? describe(top) : 'the last certificate read'} ("${missingIssuer}") is not among the first ${tls.chain.length} certificates read; the server sent more than ${MAX_CHAIN_CERTIFICATES}, the rest were not read`,
  };
}

/**
 * Structure and intermediate expiry together: the worst of the two (fail > error > warn > pass), both in the
 * evidence. `error` only where the probe's cap cut the chain before the missing issuer could be seen.
 */
export function judgeChain(tls: TlsFacts, now: Date, t: Thresholds): Verdict {
  const structure = unlessIssuerUnread(tls, judgeChainStructure(tls));
  const expiry = judgeIntermediateExpiry(tls, now, t);
  const rank = { skip: -1, pass: 0, warn: 1, error: 2, fail: 3 } as const;
  const problems = [structure, expiry].filter((v) => v.status !== 'pass');
  const worst = rank[expiry.status] > rank[structure.status] ? expiry : structure;
  const evidence = { served: servedRows(tls, now), ...structure.evidence, ...expiry.evidence };
  const summary = problems.length > 0 ? problems.map((p) => p.summary).join('; ') : structure.summary;
  return { ...worst, summary, evidence };
}
