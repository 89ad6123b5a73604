import net from 'node:net';
import { abortReason } from '../core/deadline.ts';
import { ProbeError, toProbeError } from '../core/errors.ts';
import type { Endpoint } from '../core/types.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import type { TlsVersion, TlsVersionFacts } from './types.ts';
import { buildClientHello, sniName, WIRE } from './tls-hello.ts';
import { ALERTS, createReplyReader, describeHello } from './tls-server-reply.ts';

/**
 * Protocol support is decided here, by hand-built ClientHellos over `net` (~0.1 ms of CPU each, against ~1.3 ms for
 * a node:tls handshake), never by the full handshake of tls.ts: OpenSSL 3 may refuse to offer a version a server
 * still accepts, which would turn "TLS 1.0 enabled" into a false "refused". Below TLS 1.3 a hello's version is a
 * maximum (RFC 5246 E.1), so a version counts as accepted only when the server selects exactly it. The reply is read
 * up to the ServerHello or an alert; no key exchange is ever completed.
 */

/**
 * Whether the server accepts a ClientHello offering exactly `version`. A ServerHello (or, for 1.3, a
 * HelloRetryRequest) selecting that version is `accepted`; an alert, a ServerHello for another version, or a close
 * or reset before any reply byte is a refusal with `detail`. A close after part of a reply, or bytes that are not
 * TLS, are a `protocol` ProbeError: the server said something we cannot read as either answer.
 *
 * With `options.socket` (a connected plain socket, e.g. after SMTP `STARTTLS` and `220`) the hello is written on it;
 * the caller must have removed its own `data` listeners. The socket is always destroyed afterwards.
 *
 * @throws ProbeError `refused`, `timeout`, `unreachable` when no TCP connection was made, `protocol` as above; on
 *   abort, the signal's reason.
 */
export function probeTlsVersion(
  endpoint: Endpoint, version: TlsVersion, signal: AbortSignal, options: { socket?: net.Socket } = {},
): Promise<TlsVersionFacts> {
  const label = endpointLabel(endpoint);
  if (signal.aborted) {
    options.socket?.destroy();
    return Promise.reject(abortReason(signal));
  }
  const hello = buildClientHello(version, sniName(endpoint.hostname));
  let socket: net.Socket;
  try {
    socket = options.socket ?? net.connect({ host: endpoint.address, port: endpoint.dialPort, noDelay: true });
  } catch (err) {
    return Promise.reject(err); // e.g. ERR_SOCKET_BAD_PORT: our bug or config, not a fact about the server
  }
  const read = createReplyReader();
  let sent = false;
  let received = 0;
  return new Promise<TlsVersionFacts>((resolve, reject) => {
    const finish = (outcome: () => void) => {
      socket.off('connect', send).off('data', onData).off('error', onError).off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      socket.on('error', () => {}); // nothing may surface from a socket we have finished with
      socket.destroy();
      outcome();
    };
    const answer = (accepted: boolean, detail: string) => finish(() =>
      resolve({ endpoint: label, version, accepted, detail, observedAt: new Date().toISOString() }));
    const fail = (err: Error) => finish(() => reject(err));
    function send() {
      sent = true;
      socket.write(hello);
    }
    function onData(chunk: Buffer) {
      received += chunk.length;
      const reply = read(chunk);
      if (reply?.kind === 'hello') answer(reply.version === WIRE[version], describeHello(reply, version));
      else if (reply?.kind === 'alert') answer(false, `alert ${ALERTS[reply.description] ?? 'unknown'} (${reply.description})`);
      else if (reply) fail(new ProbeError('protocol', label, reply.problem));
    }
    function onError(err: Error & { code?: string }) {
      // Some stacks refuse an unwanted version with a TCP reset instead of an alert.
      if (sent && received === 0 && err.code === 'ECONNRESET') answer(false, 'connection reset without reply');
      else fail(toProbeError(err, label));
    }
    function onClose() {
      if (sent && received === 0) answer(false, 'closed without reply');
      else if (sent) fail(new ProbeError('protocol', label, `connection closed after ${received} bytes, before a complete ServerHello`));
      else fail(new ProbeError('unreachable', label, 'connection closed before it was established'));
    }
    function onAbort() {
      fail(abortReason(signal));
    }
    socket.on('data', onData).on('error', onError).once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    if (options.socket) {
      socket.resume();
      send();
    } else {
      socket.once('connect', send);
    }
  });
}
