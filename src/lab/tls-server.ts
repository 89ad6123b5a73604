import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { TlsVersion } from '../probes/types.ts';

/**
 * Loopback servers for tests, the demo and the benchmark. Every server listens on 127.0.0.1 port 0 unless told
 * otherwise, counts what it saw, and closes every socket it accepted on `close()` so tests never leak handles.
 */

/** What every lab server exposes. Counters only grow; `close()` is idempotent. */
export type LabServer = {
  readonly host: string;
  readonly port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
};

export type LabTlsServer = LabServer & {
  /** TLS handshakes completed so far. */
  handshakes(): number;
  readonly server: tls.Server;
};

export type TlsServerOptions = {
  readonly key: string;
  /** The leaf, or the leaf followed by intermediates (`LabCert.chainPem`). */
  readonly cert: string;
  readonly minVersion?: TlsVersion;
  readonly maxVersion?: TlsVersion;
  /** OpenSSL cipher string; defaults to `DEFAULT@SECLEVEL=0` when TLS 1.0 or 1.1 is enabled (see below). */
  readonly ciphers?: string;
  readonly host?: string;
  readonly port?: number;
  readonly alpn?: readonly string[];
  /** Key exchange groups, e.g. `P-256` to make a TLS 1.3 client holding only an x25519 share get a HelloRetryRequest. */
  readonly ecdhCurve?: string;
  /**
   * Enforce the server's cipher order (OpenSSL SSL_OP_CIPHER_SERVER_PREFERENCE, for TLS 1.3 too); Node's default is
   * false: the server takes the first suite of the client's list that it accepts.
   */
  readonly honorCipherOrder?: boolean;
  /** DH parameters (PEM `BEGIN DH PARAMETERS`) or `auto`; without them Node silently disables every DHE suite. */
  readonly dhparam?: string;
  /** Signature algorithms the server accepts/uses, OpenSSL syntax (`RSA+SHA256:ECDSA+SHA256`). */
  readonly sigalgs?: string;
  /** Handles each established connection; by default the server ends it right after the handshake. */
  readonly onSecure?: (socket: tls.TLSSocket) => void;
};

const ORDER: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * Starts a TLS server. For a server capped at one version, pass it as both `minVersion` and `maxVersion`.
 *
 * On Node 20 with OpenSSL 3.0 a TLS 1.0/1.1 server needs security level 0: at level 1 and above OpenSSL 3 refuses
 * the SHA-1/MD5 signatures those versions use (RFC 5246 7.4.3 predecessors), so the handshake fails with
 * `no shared cipher` or `unsupported protocol`. Node's own default `minVersion` is TLSv1.2, so `minVersion` defaults
 * to `maxVersion` when the cap is lower. Level 0 also lets the server load SHA-1-signed and RSA-1024 certificates.
 */
export async function startTlsServer(options: TlsServerOptions): Promise<LabTlsServer> {
  const maxVersion = options.maxVersion ?? 'TLSv1.3';
  const minVersion = options.minVersion ?? (ORDER.indexOf(maxVersion) < 2 ? maxVersion : 'TLSv1.2');
  const legacy = ORDER.indexOf(minVersion) < 2;
  const ciphers = options.ciphers ?? (legacy ? 'DEFAULT@SECLEVEL=0' : undefined);
  let handshakes = 0;
  const onSecure = options.onSecure ?? ((socket: tls.TLSSocket) => socket.end());
  const server = tls.createServer(
    {
      key: options.key, cert: options.cert, minVersion, maxVersion,
      ...(ciphers === undefined ? {} : { ciphers }),
      ...(options.alpn ? { ALPNProtocols: [...options.alpn] } : {}),
      ...(options.ecdhCurve ? { ecdhCurve: options.ecdhCurve } : {}),
      ...(options.honorCipherOrder === undefined ? {} : { honorCipherOrder: options.honorCipherOrder }),
      ...(options.dhparam === undefined ? {} : { dhparam: options.dhparam }),
      ...(options.sigalgs === undefined ? {} : { sigalgs: options.sigalgs }),
    },
    (socket) => {
      handshakes++;
      socket.on('error', () => {});
      onSecure(socket);
    },
  );
  // Failed handshakes are the point of many tests; they must not crash the process.
  server.on('tlsClientError', () => {});
  const base = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  return { ...base, handshakes: () => handshakes, server };
}

/** A TCP server that accepts connections and never sends a byte: clients must time out. */
export async function startSilentServer(options: { host?: string; port?: number } = {}): Promise<LabServer> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.resume(); // drain what the client sends, so its writes never stall
  });
  return listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
}

export type ClosingServerOptions = {
  readonly host?: string;
  readonly port?: number;
  /** Bytes to write before closing, e.g. half a ServerHello; nothing by default. */
  readonly reply?: Uint8Array;
};

/** Reads the first chunk the client sends (e.g. its ClientHello), optionally replies, then closes (FIN). */
export async function startClosingServer(options: ClosingServerOptions = {}): Promise<LabServer> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.resume();
      if (options.reply) socket.end(options.reply);
      else socket.end();
    });
  });
  return listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
}

/**
 * A TCP proxy to `target` that relays the server's bytes one byte per write, one event-loop turn apart, so a client
 * sees its reply (ServerHello, SMTP banner) split across as many reads as possible. Client bytes pass unchanged.
 */
export async function startTrickleProxy(target: { host: string; port: number }): Promise<LabServer> {
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ host: target.host, port: target.port, noDelay: true });
    const queue: number[] = [];
    let draining = false;
    let upstreamEnded = false;
    const pump = () => {
      const byte = queue.shift();
      if (byte === undefined) {
        draining = false;
        if (upstreamEnded) client.end();
        return;
      }
      if (!client.destroyed) client.write(Buffer.of(byte));
      setImmediate(pump);
    };
    upstream.on('data', (chunk: Buffer) => {
      queue.push(...chunk);
      if (!draining) { draining = true; setImmediate(pump); }
    });
    upstream.on('end', () => { upstreamEnded = true; if (!draining) client.end(); });
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => { if (!draining && !upstreamEnded) client.destroy(); });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return listen(server, target.host, 0);
}

/** Listens on `host:port` (0: any free port), counting connections and destroying every open socket on close. */
export async function listen(server: net.Server, host: string, port: number): Promise<LabServer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  server.on('connection', (socket: net.Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  let closing: Promise<void> | undefined;
  return {
    host,
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
