import type { CheckContext } from '../../core/check.ts';
import type { Verdict } from '../../core/endpoints.ts';
import type { JsonObject } from '../../core/types.ts';
import type { OcspResponderFacts } from '../../probes/ocsp-responder.ts';
import type { TlsFacts } from '../../probes/types.ts';
import { readPemExtensions } from '../certificate-extensions.ts';
import { assessStaple, type StapleAssessment } from '../ocsp-staple.ts';

/**
 * OCSP stapling (internet.nl "OCSP stapling"; NCSC-NL 2025-05 lists it as optional): the staple of the full handshake
 * (web or after STARTTLS), judged by ocsp-staple.ts. A good, current staple signed by the issuer or its delegated
 * responder passes; none warns, and fails when the certificate demands one (must-staple, RFC 7633); revoked, stale
 * or invalid fails; a staple whose signer cannot be found is `error`, never a pass.
 *
 * With `ocsp.queryResponder` the certificate's own responder was asked too (`responder`): its outcome is in the
 * evidence, and a verified `revoked` answer fails whatever the staple says (the CA's word is the newer). Any other
 * answer, or none, is only noted: the staple decides, so an unreachable or confused responder never turns a pass
 * into a fail (nor a missing staple's warn into anything else).
 */
export function judgeOcspStapling(facts: TlsFacts, now: Date, responder: OcspResponderFacts | null = null): Verdict {
  const verdict = judgeStaple(facts, now);
  if (responder === null || !facts.chain[0]) return verdict;
  const asked = assessResponder(responder, facts.chain[0].serialNumber, now);
  const evidence = { ...verdict.evidence, responder: asked.evidence };
  if (asked.revoked) return { status: 'fail', summary: `the certificate's OCSP responder says: ${asked.detail}`, evidence };
  return { ...verdict, summary: `${verdict.summary}; ${asked.note}`, evidence } as Verdict;
}

/** The verdict for one handshake's facts, asking the leaf's responder first when the configuration says so. */
export async function judgeOcspStaplingOf(ctx: Pick<CheckContext, 'probes' | 'settings'>, facts: TlsFacts): Promise<Verdict> {
  const responder = ctx.settings.ocspQueryResponder && facts.chain[0] ? await ctx.probes.ocspResponder(facts) : null;
  return judgeOcspStapling(facts, ctx.settings.now(), responder);
}

type ResponderView = { readonly revoked: boolean; readonly detail: string; readonly note: string; readonly evidence: JsonObject };

/** The responder's answer judged like a staple (same CertID, signer and freshness rules). */
function assessResponder(responder: OcspResponderFacts, serial: string, now: Date): ResponderView {
  const base: JsonObject = {
    url: responder.url, outcome: responder.outcome, detail: responder.detail, address: responder.address,
    httpStatus: responder.httpStatus, contentType: responder.contentType, observedAt: responder.observedAt,
  };
  if (responder.outcome !== 'answered' || responder.der === null) {
    const note = responder.outcome === 'no-responder' ? `not asked: ${responder.detail}` : `could not be asked: ${responder.detail}`;
    return { revoked: false, detail: responder.detail, note: `OCSP responder ${note}`, evidence: base };
  }
  const der = Buffer.from(responder.der, 'base64');
  const a: StapleAssessment = assessStaple(der, serial, responder.issuerPem, now);
  const evidence: JsonObject = {
    ...base, assessment: a.outcome, assessmentDetail: a.detail, responseStatus: a.responseStatus, certStatus: a.certStatus,
    producedAt: a.producedAt, thisUpdate: a.thisUpdate, nextUpdate: a.nextUpdate, revocationTime: a.revocationTime,
    signedBy: a.signedBy, responseBytes: der.length,
  };
  const where = responder.url ?? 'the responder';
  if (a.outcome === 'revoked') return { revoked: true, detail: a.detail, note: '', evidence };
  if (a.outcome === 'good') return { revoked: false, detail: a.detail, note: `OCSP responder ${where} says good`, evidence };
  return { revoked: false, detail: a.detail, note: `OCSP responder ${where} gave no usable answer (${a.outcome}: ${a.detail})`, evidence };
}

function judgeStaple(facts: TlsFacts, now: Date): Verdict {
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
