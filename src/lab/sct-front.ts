import net from 'node:net';
import { rawTlsHandler } from './raw-tls-server.ts';
import { readClientHello } from './raw-tls/wire.ts';
import { listen, startTlsServer, type LabServer } from './tls-server.ts';

/**
 * A lab server that sends SCTs only in the TLS signed_certificate_timestamp extension (RFC 6962 3.3.1), for
 * tls.certificate-transparency's TLS-extension source. node:tls servers cannot send that extension, so each
 * connection is routed on its ClientHello: a hello that asks for SCTs (extension 18; Vouch's raw TLS <= 1.2 hellos)
 * gets the raw lab server's TLS 1.2 flight with the list in its ServerHello; any other (Node's TLS client, TLS 1.3
 * hellos) is passed through to a real node:tls server with the same certificate, so full handshakes complete.
 * Loopback only; the raw path never completes a handshake.
 */

export type SctFrontOptions = {
  /** An RSA certificate and key (the raw server signs with RSA); `cert` may be a chain. */
  readonly keyPem: string;
  readonly certPem: string;
  /** The TLS-encoded SignedCertificateTimestampList the raw path sends. */
  readonly sctList: Buffer;
};

const SCT_EXTENSION = 18;
const MAX_HELLO_BYTES = 64 * 1024;

export async function startSctExtensionFront(options: SctFrontOptions): Promise<LabServer> {
  const real = await startTlsServer({ key: options.keyPem, cert: options.certPem });
  const leafPem = options.certPem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/)![0];
  const raw = rawTlsHandler({ cert: { keyPem: options.keyPem, certPem: leafPem }, versions: ['TLSv1.2'], sctList: options.sctList });
  const front = await listen(net.createServer((socket) => {
    socket.on('error', () => {});
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const read = readClientHello(head);
      if (read.kind === 'incomplete' && head.length < MAX_HELLO_BYTES) return;
      socket.off('data', onData);
      if (read.kind === 'hello' && read.hello.extensions.has(SCT_EXTENSION)) return raw(socket, head);
      const upstream = net.connect(real.port, real.host);
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    };
    socket.on('data', onData);
  }), '127.0.0.1', 0);
  return {
    host: front.host, port: front.port, connections: front.connections,
    async close() { await Promise.all([front.close(), real.close()]); },
  };
}
