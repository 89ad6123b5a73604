import { once } from 'node:events';
import { isIP, type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { abortReason } from '../core/deadline.ts';
import { ProbeError, toProbeError } from '../core/errors.ts';
import type { Endpoint } from '../core/types.ts';
import { SELF_TEST_CERT_PEM, SELF_TEST_KEY_PEM } from './self-test-identity.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import type { TlsVersion, TlsVersionFacts } from './types.ts';

/** The cipher string that lets OpenSSL 3 offer TLS 1.0/1.1 at all (security level 0). */
export const NODE_TLS_LEGACY_CIPHERS = 'DEFAULT@SECLEVEL=0';

const selfTests = new Map<string, Promise<boolean>>();

/**
 * Whether node:tls on this runtime completes a handshake at exactly `version` with the given cipher string (default:
 * OpenSSL's own default, which on OpenSSL 3 cannot offer TLS 1.0/1.1), tested once per process against an in-process
 * loopback server capped at that version.
 */
export function nodeTlsClientSupports(version: TlsVersion, ciphers?: string): Promise<boolean> {
  const key = `${version} ${ciphers ?? 'default'}`;
  let result = selfTests.get(key);
  if (!result) selfTests.set(key, (result = selfTest(version, ciphers)));
  return result;
}

async function selfTest(version: TlsVersion, ciphers: string | undefined): Promise<boolean> {
  // The server side offers exactly `version` at security level 0, so only the client's limits can make it fail.
  const server = tls.createServer({
    key: SELF_TEST_KEY_PEM, cert: SELF_TEST_CERT_PEM, minVersion: version, maxVersion: version, ciphers: NODE_TLS_LEGACY_CIPHERS,
  }, (socket) => socket.on('error', () => socket.destroy()));
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<boolean>((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false,
        minVersion: version, maxVersion: version, ...(ciphers ? { ciphers } : {}),
      });
      const timer = setTimeout(() => { socket.destroy(); resolve(false); }, 2000);
      const done = (ok: boolean) => { clearTimeout(timer); socket.destroy(); resolve(ok); };
      socket.once('secureConnect', () => done(socket.getProtocol() === version));
      socket.once('error', () => done(false));
    });
  } finally {
    server.close();
  }
}

/**
 * The `node` engine (config `tlsVersionProbe: node`): one real node:tls handshake capped at `version`, with OpenSSL's
 * default settings. Slower than the raw prober and limited by the local OpenSSL: when this client cannot offer the
 * version at all, the answer is `client-limitation` (an error), never "the server refused it" (sslyze does the same
 * for what its build cannot test).
 */
export async function probeTlsVersionWithNode(endpoint: Endpoint, version: TlsVersion, signal: AbortSignal): Promise<TlsVersionFacts> {
  const label = endpointLabel(endpoint);
  if (!(await nodeTlsClientSupports(version))) {
    throw new ProbeError('client-limitation', label,
      `this client (Node ${process.version}, OpenSSL ${process.versions.openssl}) cannot offer ${version} at its default security level; use tlsVersionProbe: raw`);
  }
  if (signal.aborted) throw abortReason(signal);
  return new Promise<TlsVersionFacts>((resolve, reject) => {
    let connected = false;
    const socket = tls.connect({
      host: endpoint.address, port: endpoint.dialPort, rejectUnauthorized: false, minVersion: version, maxVersion: version,
      ...(isIP(endpoint.hostname) ? {} : { servername: endpoint.hostname }),
    });
    const settle = (fn: () => void) => { signal.removeEventListener('abort', onAbort); socket.destroy(); fn(); };
    const answer = (accepted: boolean, detail: string) =>
      settle(() => resolve({ endpoint: label, version, accepted, detail, observedAt: new Date().toISOString() }));
    const onAbort = () => settle(() => reject(abortReason(signal)));
    socket.once('connect', () => { connected = true; });
    socket.once('secureConnect', () => answer(socket.getProtocol() === version, `handshake completed with ${socket.getProtocol()}`));
    // Once TCP is up, a failed handshake at a version this client can offer is the server's refusal.
    socket.once('error', (err: Error & { code?: string }) =>
      (connected ? answer(false, `handshake failed: ${err.code ?? err.message}`) : settle(() => reject(toProbeError(err, label)))));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
