import type { Verdict } from '../../core/endpoints.ts';
import type { JsonObject } from '../../core/types.ts';
import type { TlsSessionFacts } from '../../probes/tls-session.ts';
import { policyEvidence, type Policy } from '../policy.ts';

const TLS13 = 0x0304;

/**
 * 0-RTT (TLS 1.3 early data, RFC 8446 2.3 and 8: replayable; internet.nl "0-RTT"). Whether it is allowed is the
 * profile's rule (`hygiene.zeroRtt`: NCSC-NL 2025-05 forbids it; the Mozilla profiles leave it open).
 *
 * What is told, strongest first: the probe's proof (`earlyDataAccepted`: a raw resumption with early data, src/tls/
 * zero-rtt-proof.ts; the server's EncryptedExtensions carried early_data or not, RFC 8446 4.2.10) decides: accepted
 * where forbidden fails, refused passes. Without one, the tickets speak:
 * a ticket's early_data extension states max_early_data_size, "the maximum amount of 0-RTT data that the client is
 * allowed to send" (RFC 8446 4.6.1), so a server announcing more than 0 says it will take early data; where the
 * profile forbids 0-RTT that is `warn` with the tickets as evidence (announced, not seen accepted). Tickets without
 * it, no tickets or no TLS 1.3 pass. Session resumption is reported in the evidence (no profile has a rule on it).
 */
export function judgeZeroRtt(f: TlsSessionFacts, policy: Policy): Verdict {
  const rule = policy.hygiene.zeroRtt;
  const forbidden = rule?.expect === 'forbidden';
  const tickets = f.sessions.filter((s) => s.version === TLS13);
  // Older records (and fixtures) may lack the proof's facts: read as "not tried".
  const accepted = f.earlyDataAccepted ?? null;
  const proof = f.earlyData ?? null;
  const evidence: JsonObject = {
    endpoint: f.endpoint, transport: f.transport, protocol: f.protocol,
    tickets: tickets.map((t) => ({ bytes: t.ticketBytes, lifetimeSeconds: t.ticketLifetimeSeconds, maxEarlyData: t.maxEarlyData })),
    ...(f.problems.length > 0 ? { unreadSessions: [...f.problems] } : {}),
    earlyDataAccepted: accepted, ...(proof ? { earlyData: { ...proof, encryptedExtensions: proof.encryptedExtensions ? [...proof.encryptedExtensions] : null } } : {}),
    resumption: { ...f.resumption }, ticketWaitMs: f.ticketWaitMs, policy: policyEvidence(policy),
    rule: rule ? { expect: rule.expect, clause: rule.clause, source: rule.source } : null, observedAt: f.observedAt,
  };
  const clause = rule ? `${policy.title}: ${rule.clause}` : `${policy.title} has no rule on 0-RTT`;
  if (f.protocol !== 'TLSv1.3') {
    return { status: 'pass', summary: `0-RTT exists only in TLS 1.3, which the server did not negotiate (${f.protocol ?? 'none'})`, evidence };
  }
  if (accepted === true) {
    return forbidden
      ? { status: 'fail', summary: `the server accepted 0-RTT early data on a resumed TLS 1.3 session (early_data in its EncryptedExtensions, RFC 8446 4.2.10) (${clause})`, evidence }
      : { status: 'pass', summary: `the server accepts 0-RTT early data; allowed (${clause})`, evidence };
  }
  if (accepted === false) {
    return { status: 'pass', summary: 'the server refused 0-RTT early data on a resumed TLS 1.3 session (no early_data in its EncryptedExtensions)', evidence };
  }
  const offering = tickets.filter((t) => t.maxEarlyData > 0);
  if (offering.length > 0) {
    const most = Math.max(...offering.map((t) => t.maxEarlyData));
    const announced = `the server's TLS 1.3 tickets announce max_early_data ${most} bytes: it states it will accept that much 0-RTT early data (RFC 8446 4.6.1)`;
    if (!forbidden) return { status: 'pass', summary: `${announced}; allowed (${clause})`, evidence };
    const why = proof?.attempted ? `; whether it accepts it could not be proven (${proof.detail})` : '; acceptance itself was not tested';
    return { status: 'warn', summary: `${announced}, where 0-RTT is not allowed (${clause})${why}`, evidence };
  }
  if (f.problems.length > 0) {
    // The tickets we could not read may be the ones announcing early data: nothing can be told.
    return { status: 'error', reason: 'client-limitation', summary: `${f.problems.length} session ticket(s) could not be read, so whether they allow 0-RTT is unknown: ${f.problems[0]}`, evidence };
  }
  if (tickets.length === 0) {
    return { status: 'pass', summary: `no TLS 1.3 session ticket within ${f.ticketWaitMs} ms, so no client can send early data`, evidence };
  }
  return { status: 'pass', summary: `no 0-RTT: none of the ${tickets.length} TLS 1.3 tickets allows early data (${resumed(f)})`, evidence };
}

function resumed(f: TlsSessionFacts): string {
  const r = f.resumption;
  return r.resumed === true ? `resumption with a ${r.mechanism} works` : r.resumed === false ? 'the ticket did not resume' : `resumption not tested: ${r.detail ?? 'no session'}`;
}
