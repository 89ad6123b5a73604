import net from 'node:net';
import tls from 'node:tls';
import { createCa, issueLeaf } from './pki.ts';
import { rawTlsHandler, type RawTlsOptions, type SocketHandler } from './raw-tls-server.ts';
import { readClientHello } from './raw-tls/wire.ts';
import { listen, type LabServer } from './tls-server.ts';

/**
 * Ticketbleed's fail case (CVE-2016-9244) needs a server that issues REAL session tickets, so that Vouch's full
 * node:tls handshake completes and yields one, and then resumes a ticket the flawed way. The raw lab server cannot
 * complete a handshake, and OpenSSL 3 cannot be made to leak. This front reads the first ClientHello of a
 * connection: one that carries a non-empty SessionTicket (RFC 5077 3.2, type 35) and a 1-31 byte session ID goes to
 * the raw lab server with `ticketbleed` (a 32-byte session ID padded from its fake memory); every other connection
 * goes to a real node:tls server, which issues the tickets. Loopback only; lab code.
 */

const SESSION_TICKET = 35;
const MAX_HELLO_BYTES = 64 * 1024;

/** A socket handler that splits connections between `tlsServer` and the raw lab server's ticketbleed answer. */
export function ticketbleedFront(tlsServer: tls.Server, options: RawTlsOptions = {}): SocketHandler {
  return (socket, head) => {
    socket.on('error', () => {});
    let buf = head ?? Buffer.alloc(0);
    const decide = () => {
      const read = readClientHello(buf);
      if (read.kind === 'incomplete' && buf.length < MAX_HELLO_BYTES) return;
      socket.off('data', onData);
      socket.pause();
      const hello = read.kind === 'hello' ? read.hello : null;
      const resumption = hello !== null && (hello.extensions.get(SESSION_TICKET)?.length ?? 0) > 0
        && hello.sessionId.length > 0 && hello.sessionId.length < 32;
      if (resumption) {
        // "Resume" with the suite the client asks for, whatever the real server had chosen.
        rawTlsHandler({ ...options, ticketbleed: true, suites: hello.suites.filter((code) => code !== 0x00ff && code !== 0x5600) })(socket, buf);
        socket.resume();
        return;
      }
      socket.unshift(buf);
      tlsServer.emit('connection', socket);
    };
    function onData(chunk: Buffer) {
      buf = Buffer.concat([buf, chunk]);
      decide();
    }
    socket.on('data', onData);
    if (buf.length > 0) decide();
  };
}

/** A node:tls server (TLS 1.2, tickets on) for `ticketbleedFront`, with a lab certificate for `localhost`. */
export function ticketIssuingServer(): tls.Server {
  const leaf = issueLeaf(createCa({ name: 'Vouch Lab Ticketbleed CA' }), { hosts: ['localhost'] });
  const server = tls.createServer({ key: leaf.keyPem, cert: leaf.chainPem, maxVersion: 'TLSv1.2' }, (s) => { s.on('error', () => {}); s.resume(); });
  server.on('tlsClientError', () => {});
  return server;
}

/** A web-side Ticketbleed lab server on loopback (see `ticketbleedFront`). */
export function startTicketbleedServer(options: RawTlsOptions & { host?: string; port?: number } = {}): Promise<LabServer> {
  const handle = ticketbleedFront(ticketIssuingServer(), options);
  return listen(net.createServer((socket) => handle(socket)), options.host ?? '127.0.0.1', options.port ?? 0);
}
