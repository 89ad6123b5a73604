import type tls from 'node:tls';
import { ProbeError } from '../core/errors.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import type { Endpoint } from '../core/types.ts';
import { readOpensslSession, type SessionFacts } from '../tls/openssl-session.ts';
import { nodeTlsClient, type PlainConnect } from './tls-client.ts';

/**
 * Session resumption and the server's tickets (issue 10), with node:tls: a full handshake at the best version both
 * sides speak, the sessions the server hands out (TLS 1.2 session ID or ticket; TLS 1.3 NewSessionTickets, RFC 8446
 * 4.6.1) read from OpenSSL's serialized session, then a second handshake offering the newest one: did it resume?
 * Two connections (two SMTP sessions on an MX).
 *
 * Node cannot send early data, so 0-RTT is established only as far as the tickets say: a ticket without the
 * early_data extension (max_early_data 0) forbids it (RFC 8446 4.2.10); a ticket that allows it says nothing about
 * whether the server would accept what a client sends.
 */

export const SESSION_SPEC = 'session-v1';

export type ResumptionFacts = {
  /** What the saved session offers: a TLS 1.3 PSK ticket or TLS 1.2 ticket (`ticket`), a TLS 1.2 `session-id`, or `none`. */
  readonly mechanism: 'ticket' | 'session-id' | 'none';
  /** The second handshake resumed; null when there was nothing to offer or it failed (`detail`). */
  readonly resumed: boolean | null;
  readonly protocol: string | null;
  readonly detail: string | null;
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
  readonly observedAt: string;
};

export type SessionProbeOptions = {
  readonly transport: 'tls' | 'smtp-starttls';
  /** The longest wait for tickets after the handshake (TLS 1.3 servers send them right after the client's Finished). */
  readonly ticketWaitMs: number;
};

/** After the first ticket, how long to wait for more from the same flight (OpenSSL sends two). */
const MORE_TICKETS_MS = 50;
const CLIENT = { minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } as const satisfies tls.ConnectionOptions;

export async function probeTlsSession(
  endpoint: Endpoint, connect: PlainConnect, options: SessionProbeOptions, signal: AbortSignal,
): Promise<TlsSessionFacts> {
  const raw: Buffer[] = [];
  const first = await nodeTlsClient(endpoint, await connect(signal), CLIENT, signal, (s) => s.on('session', (b: Buffer) => raw.push(b)));
  const protocol = first.getProtocol();
  try {
    first.resume();
    await ticketsOrTimeout(first, raw, options.ticketWaitMs, signal);
  } finally {
    first.destroy();
  }
  const sessions: SessionFacts[] = [];
  const problems: string[] = [];
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
  return {
    endpoint: endpointLabel(endpoint), transport: options.transport, protocol, sessions, problems,
    ticketWaitMs: options.ticketWaitMs, resumption, observedAt: new Date().toISOString(),
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
