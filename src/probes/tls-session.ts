import type tls from 'node:tls';
import { abortReason, deadline } from '../core/deadline.ts';
import { ProbeError } from '../core/errors.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import type { Endpoint } from '../core/types.ts';
import { sniName } from '../tls/hello.ts';
import type { SessionFacts } from '../tls/openssl-session.ts';
import { planZeroRtt, proveZeroRtt, type UndeterminedReason } from '../tls/zero-rtt-proof.ts';
import { nodeTlsClient, type PlainConnect } from './tls-client.ts';

/**
 * Session resumption and the server's tickets (issue 10), with node:tls: a full handshake at the best version both
 * sides speak, the sessions the server hands out (TLS 1.2 session ID or ticket; TLS 1.3 NewSessionTickets, RFC 8446
 * 4.6.1) read from OpenSSL's serialized session, then a second handshake offering the newest one: did it resume?
 * Two connections (two SMTP sessions on an MX).
 *
 * Node cannot send early data: a ticket without the early_data extension (max_early_data 0) forbids 0-RTT (RFC 8446
 * 4.2.10), and when a ticket allows it, a third connection resumes that ticket by hand with early data
 * (tls/zero-rtt-proof.ts) to prove whether the server accepts it.
 */

export { SESSION_SPEC } from '../tls/fact-specs.ts';

export type ResumptionFacts = {
  /** What the saved session offers: a TLS 1.3 PSK ticket or TLS 1.2 ticket (`ticket`), a TLS 1.2 `session-id`, or `none`. */
  readonly mechanism: 'ticket' | 'session-id' | 'none';
  /** The second handshake resumed; null when there was nothing to offer or it failed (`detail`). */
  readonly resumed: boolean | null;
  readonly protocol: string | null;
  readonly detail: string | null;
};

/** How `earlyDataAccepted` was established, or why it was not. */
export type EarlyDataEvidence = {
  /** A hand-made resumption with early data was sent. */
  readonly attempted: boolean;
  /** The server selected the ticket (RFC 8446 4.2.11); null when no ServerHello was read. */
  readonly pskAccepted: boolean | null;
  readonly cipherSuite: number | null;
  /** Extension types of the server's EncryptedExtensions (42 = early_data); null when none was read. */
  readonly encryptedExtensions: readonly number[] | null;
  /** The ticket age the hello claimed (ms). */
  readonly ticketAgeMs: number | null;
  /**
   * null when established; else the proof's reason, `psk-refused` (a full handshake: says nothing about 0-RTT),
   * `no-offer` (not tried: no TLS 1.3 ticket allows early data), `connection` or `timeout` (the attempt failed).
   */
  readonly reason: UndeterminedReason | 'psk-refused' | 'no-offer' | null;
  readonly detail: string;
};

export type TlsSessionFacts = {
  readonly endpoint: string;
  readonly transport: 'tls' | 'smtp-starttls';
  /** The version of the full handshake. */
  readonly protocol: string | null;
  /** Every session (ticket) the server handed out on the full handshake, as OpenSSL serialized it. */
  readonly sessions: readonly SessionFacts[];
  /** Sessions that could not be read. */
  readonly problems: readonly string[];
  /** How long the probe waited for tickets after the handshake. */
  readonly ticketWaitMs: number;
  readonly resumption: ResumptionFacts;
  /**
   * Did the server accept 0-RTT early data (RFC 8446 4.2.10)? true/false only when a hand-made resumption of a ticket
   * that allows early data was answered with that ticket accepted: true = its EncryptedExtensions carried early_data.
   * null when not tried or not established (`earlyData.reason`).
   */
  readonly earlyDataAccepted: boolean | null;
  readonly earlyData: EarlyDataEvidence;
  readonly observedAt: string;
};

export type SessionProbeOptions = {
  readonly transport: 'tls' | 'smtp-starttls';
  /** The longest wait for tickets after the handshake (TLS 1.3 servers send them right after the client's Finished). */
  readonly ticketWaitMs: number;
  /** The 0-RTT attempt's own deadline (default 5 s): when it runs out, `earlyDataAccepted` is null, the other facts stand. */
  readonly earlyDataProofMs?: number;
};

/** After the first ticket, how long to wait for more from the same flight (OpenSSL sends two). */
const MORE_TICKETS_MS = 50;
const CLIENT = { minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } as const satisfies tls.ConnectionOptions;

export async function probeTlsSession(
  endpoint: Endpoint, connect: PlainConnect, options: SessionProbeOptions, signal: AbortSignal,
): Promise<TlsSessionFacts> {
  const raw: Buffer[] = [];
  const receivedAt: number[] = [];
  const onSession = (b: Buffer) => { raw.push(b); receivedAt.push(Date.now()); };
  const first = await nodeTlsClient(endpoint, await connect(signal), CLIENT, signal, (s) => s.on('session', onSession));
  const protocol = first.getProtocol();
  try {
    first.resume();
    await ticketsOrTimeout(first, raw, options.ticketWaitMs, signal);
  } finally {
    first.destroy();
  }
  const sessions: SessionFacts[] = [];
  const problems: string[] = [];
  // Loaded when a session is first read: asn1js is not needed by a run without the session checks.
  const { readOpensslSession } = await import('../tls/openssl-session.ts');
  for (const der of raw) {
    const read = readOpensslSession(der);
    if (read.ok) { const { ok: _ok, ...facts } = read; sessions.push(facts); } else problems.push(read.problem);
  }
  const newest = raw.at(-1);
  const last = sessions.at(-1);
  const mechanism: ResumptionFacts['mechanism'] = !last ? 'none'
    : last.version === 0x0304 || last.ticketBytes > 0 ? 'ticket' : last.sessionIdBytes > 0 ? 'session-id' : 'none';
  const resumption = newest && mechanism !== 'none'
    ? await resume(endpoint, connect, newest, mechanism, signal)
    : { mechanism, resumed: null, protocol: null, detail: 'the server handed out no session to resume' };
  const earlyData = protocol === 'TLSv1.3'
    ? await proveEarlyData(endpoint, connect, raw, receivedAt, options, signal)
    : notEstablished('no-offer', `0-RTT exists only in TLS 1.3 (the handshake was ${protocol ?? 'none'})`);
  return {
    endpoint: endpointLabel(endpoint), transport: options.transport, protocol, sessions, problems,
    ticketWaitMs: options.ticketWaitMs, resumption, earlyDataAccepted: earlyData.accepted, earlyData: earlyData.evidence,
    observedAt: new Date().toISOString(),
  };
}

async function resume(
  endpoint: Endpoint, connect: PlainConnect, session: Buffer, mechanism: ResumptionFacts['mechanism'], signal: AbortSignal,
): Promise<ResumptionFacts> {
  let socket: tls.TLSSocket;
  try {
    socket = await nodeTlsClient(endpoint, await connect(signal), { ...CLIENT, session }, signal);
  } catch (err) {
    if (signal.aborted || !(err instanceof ProbeError)) throw err;
    return { mechanism, resumed: null, protocol: null, detail: `the second handshake failed: ${err.message}` };
  }
  try {
    return { mechanism, resumed: socket.isSessionReused(), protocol: socket.getProtocol(), detail: null };
  } finally {
    socket.destroy();
  }
}

type EarlyDataOutcome = { readonly accepted: boolean | null; readonly evidence: EarlyDataEvidence };

const notEstablished = (reason: EarlyDataEvidence['reason'], detail: string, attempted = false, ticketAgeMs: number | null = null): EarlyDataOutcome => ({
  accepted: null,
  evidence: { attempted, pskAccepted: null, cipherSuite: null, encryptedExtensions: null, ticketAgeMs, reason, detail },
});

/**
 * Resumes, by hand and with early data, a TLS 1.3 ticket that allows it: the oldest such ticket, so that the one
 * the resumption step used (the newest) is not offered twice (a server with anti-replay accepts a ticket once). A
 * failed or timed-out attempt leaves `earlyDataAccepted` null; the other facts stand.
 */
async function proveEarlyData(
  endpoint: Endpoint, connect: PlainConnect, raw: readonly Buffer[], receivedAt: readonly number[], options: SessionProbeOptions, signal: AbortSignal,
): Promise<EarlyDataOutcome> {
  const { readResumptionSession } = await import('../tls/resumption-session.ts');
  const offers = raw.map((der, i) => ({ session: readResumptionSession(der), receivedAtMs: receivedAt[i]!, newest: i === raw.length - 1 }))
    .filter((t) => t.session?.version === 0x0304 && t.session.maxEarlyData > 0);
  const pick = offers.find((t) => !t.newest) ?? offers[0];
  if (!pick) return notEstablished('no-offer', 'no TLS 1.3 ticket allows early data (max_early_data 0 or absent), so no client may send it');
  const plan = planZeroRtt(pick.session!, { serverName: sniName(endpoint.hostname), receivedAtMs: pick.receivedAtMs });
  if (!('bytes' in plan)) return notEstablished(plan.reason, plan.detail);
  const own = deadline(signal, options.earlyDataProofMs ?? 5000, `0-RTT attempt ${endpointLabel(endpoint)}`);
  try {
    const proof = await proveZeroRtt(endpoint, connect, plan, own.signal);
    if (proof.kind === 'undetermined') return notEstablished(proof.reason, proof.detail, true, plan.ticketAgeMs);
    const answered = proof.kind === 'answered';
    return {
      accepted: proof.earlyDataAccepted,
      evidence: {
        attempted: true, pskAccepted: proof.pskAccepted, cipherSuite: proof.cipherSuite,
        encryptedExtensions: answered ? proof.encryptedExtensions : null, ticketAgeMs: plan.ticketAgeMs,
        reason: answered ? null : 'psk-refused',
        detail: !answered ? proof.detail : proof.earlyDataAccepted
          ? 'the server resumed the ticket and its EncryptedExtensions carried early_data: it accepted the 0-RTT data'
          : 'the server resumed the ticket without early_data in its EncryptedExtensions: it rejected the 0-RTT data',
      },
    };
  } catch (err) {
    if (signal.aborted) throw abortReason(signal);
    if (!(err instanceof ProbeError)) throw err;
    return notEstablished(own.signal.aborted ? 'timeout' : 'connection', `the 0-RTT attempt failed: ${err.message}`, true, plan.ticketAgeMs);
  } finally {
    own.dispose();
  }
}

/** Waits until `waitMs` passed, the connection closed, or shortly after the first ticket arrived. */
function ticketsOrTimeout(socket: tls.TLSSocket, raw: Buffer[], waitMs: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const done = () => {
      for (const t of timers) clearTimeout(t);
      socket.off('session', onSession).off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const onSession = () => { timers.push(setTimeout(done, MORE_TICKETS_MS)); };
    if (raw.length > 0) onSession();
    socket.on('session', onSession).once('close', done);
    signal.addEventListener('abort', done, { once: true });
    timers.push(setTimeout(done, waitMs));
  });
}
