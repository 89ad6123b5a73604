import type { Verdict } from '../../core/endpoints.ts';
import type { JsonObject } from '../../core/types.ts';
import type { TlsSessionFacts } from '../../probes/tls-session.ts';

const TLS13 = 0x0304;

/**
 * 0-RTT (TLS 1.3 early data, RFC 8446 2.3 and 8: replayable; NCSC-NL 2025-05 forbids it; internet.nl "0-RTT").
 * What node:tls can establish: a client may send early data only with a ticket that carries the early_data
 * extension (RFC 8446 4.2.10), so tickets without it (max_early_data 0), or no tickets, or no TLS 1.3, pass. A ticket
 * that allows early data is an offer; whether the server accepts what a client sends cannot be tested from Node,
 * which has no early-data client: that is `error` client-limitation, never a pass. Session resumption is reported
 * in the evidence (informational: no profile has a rule on it).
 */
export function judgeZeroRtt(f: TlsSessionFacts): Verdict {
  const tickets = f.sessions.filter((s) => s.version === TLS13);
  const evidence: JsonObject = {
    endpoint: f.endpoint, transport: f.transport, protocol: f.protocol,
    tickets: tickets.map((t) => ({ bytes: t.ticketBytes, lifetimeSeconds: t.ticketLifetimeSeconds, maxEarlyData: t.maxEarlyData })),
    ...(f.problems.length > 0 ? { unreadSessions: [...f.problems] } : {}),
    resumption: { ...f.resumption }, ticketWaitMs: f.ticketWaitMs, observedAt: f.observedAt,
  };
  if (f.protocol !== 'TLSv1.3') {
    return { status: 'pass', summary: `0-RTT exists only in TLS 1.3, which the server did not negotiate (${f.protocol ?? 'none'})`, evidence };
  }
  const offering = tickets.filter((t) => t.maxEarlyData > 0);
  if (offering.length > 0) {
    const most = Math.max(...offering.map((t) => t.maxEarlyData));
    return {
      status: 'error', reason: 'client-limitation',
      summary: `the server's tickets allow 0-RTT (up to ${most} bytes of early data); whether it accepts early data cannot be tested: node:tls cannot send it`,
      evidence,
    };
  }
  if (f.problems.length > 0) {
    return { status: 'error', reason: 'internal', summary: `${f.problems.length} session ticket(s) could not be read: ${f.problems[0]}`, evidence };
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
