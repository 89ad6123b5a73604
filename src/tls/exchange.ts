import net from 'node:net';
import { abortReason, deadline } from '../core/deadline.ts';
import { ProbeError, toProbeError } from '../core/errors.ts';
import type { Endpoint } from '../core/types.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import { connectFailure } from '../net/connect-failure.ts';
import { buildClientHello, buildSslv2ClientHello, type HelloSpec } from './hello.ts';
import { suiteByCode } from './registry.ts';
import { createFlightReader, type FlightResult } from './server-flight.ts';

/**
 * ONE raw exchange (issue 9): connect, write one hand-built ClientHello, feed the reply to the server-flight reader
 * until it decides, close. No key exchange ever completes. The enumeration driver (`enumerate.ts`) asks many such
 * questions; this is the only place that touches a socket for it.
 *
 * Bounded on every side: a deadline per exchange (`timeoutMs`, under the caller's signal), the flight reader's byte
 * cap, and the socket is destroyed on every path. The outcomes:
 * - the reader's decision (`FlightResult`: flight, hello-retry, alert, SSLv2 SERVER-HELLO, malformed, too-large,
 *   truncated when the peer closed or reset mid-flight);
 * - `no-reply` when the peer closed or reset before sending a byte (how many servers refuse a version or a long hello);
 * - thrown `ProbeError`: `timeout` (no decision before the deadline), `refused` / `timeout` with stage `connect`
 *   when no connection was made, or whatever the `connect` function throws (e.g. an SMTP dialogue failure).
 */

/** What to send: a TLS ClientHello from a spec, read up to the ServerHello or the ServerHelloDone; or an SSLv2 CLIENT-HELLO. */
export type ExchangeRequest =
  | { readonly kind: 'tls'; readonly hello: HelloSpec; readonly stopAfter: 'server-hello' | 'server-hello-done' }
  | { readonly kind: 'sslv2'; readonly cipherSpecs?: readonly number[] };

/** The peer ended the connection before its first byte: `closed` (FIN) or `reset` (RST, EPIPE). */
export type NoReply = { readonly kind: 'no-reply'; readonly how: 'closed' | 'reset' };

export type ExchangeResult = FlightResult | NoReply;

/** The injected question-and-answer the driver works with: one connection per call. */
export type Exchange = (request: ExchangeRequest) => Promise<ExchangeResult>;

/** A connected plain socket ready for the hello (after SMTP STARTTLS and `220`: the caller has removed its readers). */
export type Connect = (signal: AbortSignal) => Promise<net.Socket>;

export type ExchangerOptions = {
  /** Per exchange, from the moment it starts (connect included). */
  readonly timeoutMs: number;
  /** The run's signal: when it aborts, every exchange ends with its reason. */
  readonly signal: AbortSignal;
  /** Hand over a connected socket instead of dialling `endpoint` (SMTP STARTTLS). */
  readonly connect?: Connect;
  /** Flight reader cap (default 128 KiB: a ServerHelloDone read includes the certificate chain). */
  readonly maxBytes?: number;
  /** Runs each exchange, e.g. inside a per-destination limiter; the deadline starts inside it. */
  readonly schedule?: <T>(work: () => Promise<T>) => Promise<T>;
};

export type Exchanger = {
  readonly exchange: Exchange;
  /** Connections opened (or sockets handed over) so far: one per exchange that got as far as connecting. */
  connections(): number;
};

export const DEFAULT_EXCHANGE_MAX_BYTES = 128 * 1024;

/** An `Exchange` against `endpoint` that counts its connections. */
export function createExchanger(endpoint: Endpoint, options: ExchangerOptions): Exchanger {
  let connections = 0;
  const bounded = boundedRunner(options, `tls exchange ${endpointLabel(endpoint)}`);
  const exchange: Exchange = (request) => bounded((signal) => {
    connections++;
    return exchangeOnce(endpoint, request, signal, {
      ...(options.connect ? { connect: options.connect } : {}),
      maxBytes: options.maxBytes ?? DEFAULT_EXCHANGE_MAX_BYTES,
      runSignal: options.signal,
    });
  });
  return { exchange, connections: () => connections };
}

/**
 * Runs each piece of socket work (an exchange, a conversation) inside `schedule` under its own deadline of
 * `timeoutMs`, started inside the schedule (time queued for a limiter is not spent) and under the run's signal;
 * work is not started once that deadline has passed, and the deadline is disposed however the work ends.
 */
export function boundedRunner(
  options: Pick<ExchangerOptions, 'timeoutMs' | 'signal' | 'schedule'>, what: string,
): <T>(work: (signal: AbortSignal) => Promise<T>) => Promise<T> {
  const schedule = options.schedule ?? (<T>(work: () => Promise<T>) => work());
  return (work) => schedule(async () => {
    const own = deadline(options.signal, options.timeoutMs, what);
    try {
      if (own.signal.aborted) throw abortReason(own.signal);
      return await work(own.signal);
    } finally {
      own.dispose();
    }
  });
}

/** Dial `endpoint` (plain TCP, no delay); a failure before the connection exists is a connect-stage ProbeError. */
export function dial(endpoint: Endpoint, signal: AbortSignal, runSignal: AbortSignal = signal): Promise<net.Socket> {
  const label = endpointLabel(endpoint);
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<net.Socket>((resolve, reject) => {
    let socket: net.Socket;
    try {
      socket = net.connect({ host: endpoint.address, port: endpoint.dialPort, noDelay: true });
    } catch (err) {
      reject(err); // ERR_SOCKET_BAD_PORT and the like: our bug or config, not a fact about the server
      return;
    }
    const settle = (outcome: () => void) => {
      socket.off('connect', onConnect).off('error', onError);
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const onConnect = () => settle(() => resolve(socket));
    const onError = (err: Error) => settle(() => { socket.destroy(); reject(connectFailure(err, label, runSignal)); });
    const onAbort = () => settle(() => {
      socket.on('error', () => {});
      socket.destroy();
      const reason = abortReason(signal);
      // Our own deadline ran out while connecting: nothing answered the SYN (a connect-stage fact).
      reject(reason instanceof ProbeError && reason.reason === 'timeout' && !runSignal.aborted
        ? new ProbeError('timeout', label, 'no connection within the deadline', { stage: 'connect', cause: reason })
        : reason);
    });
    socket.once('connect', onConnect).once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** One exchange under `signal` (the caller's deadline). The socket is destroyed on every path. */
export async function exchangeOnce(
  endpoint: Endpoint, request: ExchangeRequest, signal: AbortSignal,
  options: { connect?: Connect; maxBytes?: number; runSignal?: AbortSignal } = {},
): Promise<ExchangeResult> {
  const label = endpointLabel(endpoint);
  const bytes = request.kind === 'tls' ? buildClientHello(request.hello) : buildSslv2ClientHello(request.cipherSpecs);
  const socket = options.connect ? await options.connect(signal) : await dial(endpoint, signal, options.runSignal ?? signal);
  const reader = createFlightReader({
    maxBytes: options.maxBytes ?? DEFAULT_EXCHANGE_MAX_BYTES,
    stopAfter: request.kind === 'tls' ? request.stopAfter : 'server-hello',
    keyExchangeOf: suiteByCode,
    maxCertificates: 4,
  });
  let received = 0;
  return new Promise<ExchangeResult>((resolve, reject) => {
    const finish = (outcome: () => void) => {
      socket.off('data', onData).off('error', onError).off('close', onClose).off('end', onEnd);
      signal.removeEventListener('abort', onAbort);
      socket.on('error', () => {}); // nothing may surface from a socket we have finished with
      socket.destroy();
      outcome();
    };
    const done = (result: ExchangeResult) => finish(() => resolve(result));
    const ended = (how: 'closed' | 'reset') => done(received === 0 ? { kind: 'no-reply', how } : reader.end().result);
    function onData(chunk: Buffer) {
      received += chunk.length;
      const state = reader.push(chunk);
      if (state.done) done(state.result);
    }
    function onError(err: Error & { code?: string }) {
      // A reset (or a write into a closed socket) is how many stacks refuse: a typed outcome, not an error.
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') ended('reset');
      else finish(() => reject(toProbeError(err, label)));
    }
    function onEnd() {
      ended('closed');
    }
    function onClose() {
      ended('closed');
    }
    function onAbort() {
      finish(() => reject(abortReason(signal)));
    }
    if (signal.aborted) return onAbort();
    socket.on('data', onData).on('error', onError).once('end', onEnd).once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.resume();
    socket.write(bytes);
  });
}
