import { stableOpenSslMessage } from '../tls/openssl-error.ts';
import type tls from 'node:tls';
import { abortReason } from '../core/deadline.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import type { Endpoint } from '../core/types.ts';
import { isVersionRefusal, nodeTlsClient, type PlainConnect } from './tls-client.ts';

/**
 * Client-initiated renegotiation (RFC 5246 7.4.1.2; internet.nl and NCSC-NL 2025-05 score it): one TLS 1.2 (or
 * older) handshake with node:tls, then `renegotiate()` again and again on the same connection, counting the ones
 * the server completes, up to RENEGOTIATION_ATTEMPTS. One connection (an SMTP session on an MX).
 *
 * How servers say no, as measured on Node 20.20 / OpenSSL 3.0: with SSL_OP_NO_RENEGOTIATION OpenSSL answers a
 * no_renegotiation alert (the client sees ERR_SSL_NO_RENEGOTIATION); a node:tls server allows 3 per 10 minutes
 * (`tls.CLIENT_RENEG_LIMIT`) and then emits ERR_TLS_SESSION_ATTACK on the server socket, whose owner decides: the
 * lab's https.Server closes the connection, a bare https.Server was seen to leave the renegotiation unanswered, and a
 * socket whose 'error' listener swallows it renegotiates without limit. A renegotiation left unanswered within the attempt's time was not accepted.
 */

/** One more than NCSC-NL 2025-05's limit (10), so "more than allowed" is seen, not inferred. */
export const RENEGOTIATION_ATTEMPTS = 11;
export { RENEGOTIATION_SPEC } from '../tls/fact-specs.ts';

export type RenegotiationEnd =
  /** The server refused with an alert or error (`detail` has OpenSSL's code). */
  | 'refused'
  /** The server closed the connection. */
  | 'closed'
  /** No answer within the attempt's time. */
  | 'unanswered'
  /** Every attempt was accepted. */
  | 'all-accepted'
  /** The run's deadline ended the measurement: what followed is unknown. */
  | 'deadline';

export type RenegotiationFacts = {
  readonly endpoint: string;
  readonly transport: 'tls' | 'smtp-starttls';
  /** The version of the handshake renegotiated; null when the server accepts no version below TLS 1.3 (no renegotiation there). */
  readonly protocol: string | null;
  readonly attempts: number;
  readonly accepted: number;
  readonly end: RenegotiationEnd;
  readonly detail: string;
  readonly observedAt: string;
};

export type RenegotiationOptions = {
  readonly transport: 'tls' | 'smtp-starttls';
  /** How long one renegotiation may take before it counts as unanswered. */
  readonly attemptMs: number;
};

export async function probeClientRenegotiation(
  endpoint: Endpoint, connect: PlainConnect, options: RenegotiationOptions, signal: AbortSignal,
): Promise<RenegotiationFacts> {
  const base = { endpoint: endpointLabel(endpoint), transport: options.transport };
  let socket: tls.TLSSocket;
  try {
    // Up to TLS 1.2 (renegotiation does not exist in 1.3), down to TLS 1.0 with any suite: a legacy-only server is tested too.
    socket = await nodeTlsClient(endpoint, await connect(signal), { minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: 'DEFAULT:@SECLEVEL=0' }, signal);
  } catch (err) {
    if (!signal.aborted && isVersionRefusal(err)) {
      return { ...base, protocol: null, attempts: 0, accepted: 0, end: 'refused', detail: 'no version below TLS 1.3 is accepted', observedAt: new Date().toISOString() };
    }
    throw err;
  }
  const protocol = socket.getProtocol();
  socket.resume(); // an SMTP or HTTP server may write nothing, but whatever it writes must not stall the connection
  let accepted = 0;
  let attempts = 0;
  let end: RenegotiationEnd = 'all-accepted';
  let detail = `all ${RENEGOTIATION_ATTEMPTS} renegotiations completed`;
  try {
    while (attempts < RENEGOTIATION_ATTEMPTS) {
      attempts++;
      const outcome = await renegotiateOnce(socket, options.attemptMs, signal);
      if (outcome.ok) { accepted++; continue; }
      end = outcome.end;
      detail = outcome.detail;
      break;
    }
  } finally {
    socket.destroy();
  }
  return { ...base, protocol, attempts, accepted, end, detail, observedAt: new Date().toISOString() };
}

type Attempt = { ok: true } | { ok: false; end: Exclude<RenegotiationEnd, 'all-accepted'>; detail: string };

/**
 * One `renegotiate()`. Node calls back only on success or a local error: a refusal arrives as an 'error' event on
 * the socket (the callback is never called), a hang-up as 'close', so all three are awaited along with a timer.
 */
function renegotiateOnce(socket: tls.TLSSocket, attemptMs: number, signal: AbortSignal): Promise<Attempt> {
  return new Promise<Attempt>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (attempt: Attempt) => {
      clearTimeout(timer);
      socket.off('error', onError).off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      resolve(attempt);
    };
    const describe = (err: Error & { code?: string }) => `${err.code ?? 'error'}: ${stableOpenSslMessage(err.message.split('\n')[0] ?? '')}`.slice(0, 200);
    const onError = (err: Error & { code?: string }) => finish({ ok: false, end: 'refused', detail: describe(err) });
    const onClose = () => finish({ ok: false, end: 'closed', detail: 'the server closed the connection' });
    const onAbort = () => finish({ ok: false, end: 'deadline', detail: abortReason(signal).message });
    if (signal.aborted) { onAbort(); return; }
    if (socket.destroyed) { onClose(); return; }
    socket.once('error', onError).once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => finish({ ok: false, end: 'unanswered', detail: `no answer within ${attemptMs} ms` }), attemptMs);
    const started = socket.renegotiate({ rejectUnauthorized: false }, (err) => {
      finish(err ? { ok: false, end: 'refused', detail: describe(err) } : { ok: true });
    });
    if (!started) finish({ ok: false, end: 'refused', detail: 'node:tls could not start a renegotiation on this connection' });
  });
}
