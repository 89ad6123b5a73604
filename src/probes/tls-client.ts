import type net from 'node:net';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { abortReason } from '../core/deadline.ts';
import { ProbeError, toProbeError } from '../core/errors.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import type { Endpoint } from '../core/types.ts';

/** Opens a connected plain socket to the endpoint: a TCP dial on the web, an SMTP session up to STARTTLS's 220 on an MX. */
export type PlainConnect = (signal: AbortSignal) => Promise<net.Socket>;

/**
 * A node:tls client handshake over `plain` for the issue-10 measurements that need a real TLS stack (renegotiation,
 * resumption, session tickets): nothing is verified (the certificate checks do that on their own handshake), SNI is
 * the host name. Resolves with the connected TLS socket, which the caller owns and must destroy; it carries a no-op
 * 'error' listener so a late reset cannot crash the process. Destroying the TLS socket destroys `plain`.
 * @throws ProbeError (`tls-handshake` and the reasons of `toProbeError`); on abort the signal's reason.
 */
export function nodeTlsClient(
  endpoint: Endpoint, plain: net.Socket, options: tls.ConnectionOptions, signal: AbortSignal, before?: (socket: tls.TLSSocket) => void,
): Promise<tls.TLSSocket> {
  const label = endpointLabel(endpoint);
  if (signal.aborted) {
    plain.destroy();
    return Promise.reject(abortReason(signal));
  }
  const socket = tls.connect({
    ...options, socket: plain, rejectUnauthorized: false, checkServerIdentity: () => undefined,
    ...(isIP(endpoint.hostname) ? {} : { servername: endpoint.hostname.replace(/\.$/, '') }),
  });
  socket.setNoDelay(true);
  plain.once('close', () => socket.destroy()); // see tlsHandshake: destroying both in one tick crashes Node 20.20
  socket.on('error', () => {});
  before?.(socket);
  return new Promise<tls.TLSSocket>((resolve, reject) => {
    const settle = (outcome: () => void) => {
      socket.off('secureConnect', onSecure).off('error', onError).off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const onSecure = () => settle(() => resolve(socket));
    const onError = (err: Error & { code?: string }) => settle(() => {
      socket.destroy();
      reject(err.code === 'ECONNRESET' ? new ProbeError('tls-handshake', label, err.message, { cause: err }) : toProbeError(err, label));
    });
    const onClose = () => settle(() => reject(new ProbeError('tls-handshake', label, 'connection closed during the TLS handshake')));
    const onAbort = () => settle(() => { socket.destroy(); reject(abortReason(signal)); });
    socket.once('secureConnect', onSecure).once('error', onError).once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * OpenSSL's ways of saying "not this protocol version" (an alert from the server, or its ServerHello's version). A
 * hint, not proof: WRONG_VERSION_NUMBER is also what any non-TLS answer gives, and UNSUPPORTED_PROTOCOL what a
 * version Node will not offer gives. Judges conclude "version refused" only from the TLS enumeration's refusals
 * (src/tls/judge/renegotiation.ts).
 */
export function isVersionRefusal(err: unknown): boolean {
  const cause = err instanceof ProbeError ? err.cause : err;
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_VERSION_NUMBER|NO_PROTOCOLS_AVAILABLE/.test(code);
}
