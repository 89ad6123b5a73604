import type { Verdict } from '../../core/endpoints.ts';
import type { JsonObject } from '../../core/types.ts';
import type { TlsFacts } from '../../probes/types.ts';
import { readPemExtensions } from '../certificate-extensions.ts';
import { assessStaple } from '../ocsp-staple.ts';

/**
 * OCSP stapling (internet.nl "OCSP stapling"; NCSC-NL 2025-05 lists it as optional): the staple of the full handshake
 * (web or after STARTTLS), judged by ocsp-staple.ts. A good, current staple signed by the issuer or its delegated
 * responder passes; none warns, and fails when the certificate demands one (must-staple, RFC 7633); revoked, stale
 * or invalid fails; a staple whose signer cannot be found is `error`, never a pass.
 */
export function judgeOcspStapling(facts: TlsFacts, now: Date): Verdict {
  const leaf = facts.chain[0];
  if (!leaf) return { status: 'error', reason: 'protocol', summary: 'the server sent no certificate, so there is nothing to staple for', evidence: {} };
  if (facts.ocspStaple === undefined) {
    return { status: 'error', reason: 'internal', summary: 'the handshake did not ask for a staple', evidence: {} };
  }
  const extensions = readPemExtensions(leaf.pem);
  const mustStaple = extensions.ok ? extensions.mustStaple : null;
  const base: JsonObject = { endpoint: facts.endpoint, protocol: facts.protocol, certificate: leaf.subject, serialNumber: leaf.serialNumber, mustStaple };
  const staple = facts.ocspStaple;
  if (staple === null) {
    if (mustStaple === true) {
      return { status: 'fail', summary: 'no OCSP staple, though the certificate demands one (must-staple, RFC 7633): browsers that honour it refuse the site', evidence: { ...base, stapled: false } };
    }
    if (mustStaple === null) {
      // Node read this certificate, so an extension our decoder cannot read is our limit (as in tls.certificate-usage).
      return { status: 'error', reason: 'client-limitation', summary: 'no OCSP staple, and whether the certificate demands one (RFC 7633 TLS Feature) cannot be read', evidence: { ...base, stapled: false, problem: extensions.ok ? extensions.problems.join('; ') : extensions.problem } };
    }
    return { status: 'warn', summary: 'no OCSP staple: clients must ask the CA themselves (or not check revocation at all)', evidence: { ...base, stapled: false } };
  }
  const a = assessStaple(Buffer.from(staple.der, 'base64'), leaf.serialNumber, staple.issuerPem, now);
  const evidence: JsonObject = {
    ...base, stapled: true, outcome: a.outcome, responseStatus: a.responseStatus, certStatus: a.certStatus, producedAt: a.producedAt,
    thisUpdate: a.thisUpdate, nextUpdate: a.nextUpdate, revocationTime: a.revocationTime, signedBy: a.signedBy,
    issuerFrom: staple.issuerFrom, stapleBytes: Buffer.from(staple.der, 'base64').length,
  };
  switch (a.outcome) {
    case 'good': return { status: 'pass', summary: `OCSP staple: ${a.detail}`, evidence };
    case 'unverifiable': return { status: 'error', reason: 'protocol', summary: `OCSP staple cannot be checked: ${a.detail}`, evidence };
    case 'revoked': return { status: 'fail', summary: `OCSP staple: ${a.detail}`, evidence };
    case 'stale': case 'invalid': case 'unknown': return { status: 'fail', summary: `invalid OCSP staple: ${a.detail}`, evidence };
  }
}
