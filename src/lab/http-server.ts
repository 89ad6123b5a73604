import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { SecureContext } from 'node:tls';
import { listenAlsoOn, listenOn } from './extra-listeners.ts';

/** A canned response. Header values given as an array are sent as that many header lines. */
export type RouteSpec = {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string;
};

/** Full control over one response (streaming, stalling, echoing the request). */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void;

export type Route = RouteSpec | RouteHandler;

export type HttpServerOptions = {
  /** Serve HTTPS with this key and certificate chain (PEM); plain HTTP without. */
  readonly tls?: {
    readonly key: string; readonly cert: string;
    /** Protocol range and cipher string, for legacy-TLS variants (TLS 1.0/1.1 need `DEFAULT@SECLEVEL=0`). */
    readonly minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
    readonly maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
    readonly ciphers?: string;
    /** Server cipher order, key exchange groups and DH parameters (PEM), as in startTlsServer. */
    readonly honorCipherOrder?: boolean;
    readonly ecdhCurve?: string;
    readonly dhparam?: string;
    /** Signature algorithms, OpenSSL syntax (`ECDSA+SHA256:rsa_pss_rsae_sha256`). */
    readonly sigalgs?: string;
    /** Virtual hosting: the certificate for each SNI name (undefined falls back to `key`/`cert`). */
    readonly contextFor?: (servername: string) => SecureContext | undefined;
    /** OpenSSL option flags of the server (e.g. SSL_OP_NO_RENEGOTIATION); SNI contexts keep the server's. */
    readonly secureOptions?: number;
    /** The OCSP response to staple for the certificate served (DER), when a client asks (RFC 6066 8); null: none. */
    readonly staple?: (certificate: Buffer) => Buffer | null;
  };
  /** Loopback only by default; tests and the demo never listen on anything else. */
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /**
   * More loopback addresses served on the same port (e.g. `127.1.0.1`): a shared-hosting platform whose names
   * resolve to many addresses, for scanners that limit connections per address. The port must be free on all of them.
   */
  readonly alsoListenOn?: readonly string[];
  /**
   * Keyed by path without the query string. A key ending in `*` matches every path with that prefix; exact keys
   * win over prefixes, and longer prefixes over shorter ones.
   */
  readonly routes?: Readonly<Record<string, Route>>;
  /** For paths no route matches; default `404` with an empty body. */
  readonly fallback?: Route;
};

/** A running lab server with the counters tests assert on. */
export type LabHttpServer = {
  readonly host: string;
  readonly port: number;
  readonly scheme: 'http' | 'https';
  /** TCP connections accepted so far (a keep-alive client reusing its connection adds none). */
  connections(): number;
  /** HTTP requests received so far. */
  requests(): number;
  /** Stops listening and destroys every open socket, idle keep-alive ones included, so close never waits. */
  close(): Promise<void>;
};

const NOT_FOUND: RouteSpec = { status: 404 };

/**
 * Starts an HTTP or HTTPS server on loopback for tests, the demo and the benchmark.
 * @example
 * const server = await startHttpServer({ routes: { '/': { status: 200, headers: { 'x-frame-options': 'DENY' } } } });
 * // ... request http://127.0.0.1:${server.port}/ ...
 * await server.close();
 */
export async function startHttpServer(options: HttpServerOptions): Promise<LabHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const pick = routeMatcher(options.routes ?? {}, options.fallback ?? NOT_FOUND);
  let connections = 0;
  let requests = 0;
  const sockets = new Set<Socket>();

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = pick(path);
    if (typeof route === 'function') return route(req, res);
    for (const [name, value] of Object.entries(route.headers ?? {})) res.setHeader(name, value);
    res.statusCode = route.status;
    res.end(route.body ?? '');
  };
  const server = options.tls
    ? https.createServer({
      key: options.tls.key, cert: options.tls.cert,
      ...(options.tls.minVersion ? { minVersion: options.tls.minVersion } : {}),
      ...(options.tls.maxVersion ? { maxVersion: options.tls.maxVersion } : {}),
      ...(options.tls.ciphers ? { ciphers: options.tls.ciphers } : {}),
      ...(options.tls.honorCipherOrder === undefined ? {} : { honorCipherOrder: options.tls.honorCipherOrder }),
      ...(options.tls.ecdhCurve ? { ecdhCurve: options.tls.ecdhCurve } : {}),
      ...(options.tls.dhparam ? { dhparam: options.tls.dhparam } : {}),
      ...(options.tls.sigalgs ? { sigalgs: options.tls.sigalgs } : {}),
      ...(options.tls.contextFor ? { SNICallback: sniCallback(options.tls.contextFor) } : {}),
      ...(options.tls.secureOptions === undefined ? {} : { secureOptions: options.tls.secureOptions }),
    }, onRequest)
    : http.createServer(onRequest);
  const staple = options.tls?.staple;
  if (staple) {
    server.on('OCSPRequest', (certificate: Buffer, _issuer: Buffer | null, done: (err: Error | null, response?: Buffer) => void) =>
      done(null, staple(certificate) ?? undefined));
  }

  // 'connection' is the raw TCP socket for both HTTP and HTTPS, so it counts TCP connections, not TLS sessions.
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // clients that hang up mid-response are the point of hostile tests
  });
  server.on('tlsClientError', () => undefined);
  server.on('clientError', (_err, socket) => socket.destroy());

  await listenOn(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  const extra = await listenAlsoOn(server, port, options.alsoListenOn ?? []);

  return {
    host,
    port,
    scheme: options.tls ? 'https' : 'http',
    connections: () => connections,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => {
      for (const listener of extra) listener.close();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}

function sniCallback(contextFor: (servername: string) => SecureContext | undefined) {
  return (servername: string, done: (err: Error | null, ctx?: SecureContext) => void) => done(null, contextFor(servername));
}

/** Exact path first, then the longest matching `prefix*` key, then the fallback. */
function routeMatcher(routes: Readonly<Record<string, Route>>, fallback: Route): (path: string) => Route {
  const exact = new Map(Object.entries(routes).filter(([key]) => !key.endsWith('*')));
  const prefixes = Object.entries(routes)
    .filter(([key]) => key.endsWith('*'))
    .map(([key, route]) => [key.slice(0, -1), route] as const)
    .sort(([a], [b]) => b.length - a.length);
  return (path) => exact.get(path) ?? prefixes.find(([prefix]) => path.startsWith(prefix))?.[1] ?? fallback;
}
