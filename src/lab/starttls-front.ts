import net from 'node:net';
import type { SocketHandler } from './raw-tls-server.ts';
import { listen, type LabServer } from './tls-server.ts';

/**
 * A minimal SMTP front (RFC 5321 4.1.1, RFC 3207 4) that answers EHLO with STARTTLS, says 220 to STARTTLS, and then
 * hands the socket to a TLS-side handler that is not node:tls: the raw TLS lab server (`rawTlsHandler`) or
 * `garbageHandler`, so that the mail twins of the raw-TLS checks have fail and error cases on an MX.
 * Never accepts mail. Loopback only, port 0 by default, every socket closed on `close()`.
 */

export type StarttlsFrontOptions = {
  readonly host?: string;
  readonly port?: number;
  /** The name in the banner and EHLO greeting (default `mx.test`). */
  readonly name?: string;
  /** Takes over the socket after `220` to STARTTLS, with any bytes the client sent after its command line. */
  readonly onTls: SocketHandler;
};

const MAX_LINE_BYTES = 4096;

export function startStarttlsFront(options: StarttlsFrontOptions): Promise<LabServer> {
  const name = options.name ?? 'mx.test';
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      let nl: number;
      while ((nl = buffered.indexOf(0x0a)) >= 0) {
        const line = buffered.subarray(0, nl).toString('latin1').trim().toUpperCase();
        buffered = buffered.subarray(nl + 1);
        if (line.startsWith('EHLO')) socket.write(`250-${name}\r\n250 STARTTLS\r\n`);
        else if (line.startsWith('HELO')) socket.write(`250 ${name}\r\n`);
        else if (line === 'STARTTLS') {
          socket.write('220 2.0.0 ready to start TLS\r\n');
          socket.off('data', onData);
          options.onTls(socket, buffered);
          return;
        } else if (line === 'QUIT') { socket.end('221 2.0.0 bye\r\n'); return; }
        else if (line.startsWith('NOOP') || line.startsWith('RSET')) socket.write('250 2.0.0 ok\r\n');
        else socket.write('502 5.5.1 not implemented\r\n');
      }
      if (buffered.length > MAX_LINE_BYTES) socket.destroy();
    };
    socket.on('data', onData);
    socket.write(`220 ${name} ESMTP lab\r\n`);
  });
  return listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
}

/** A TLS side that answers the client's first bytes with text that is not TLS, then closes (an error case). */
export const garbageHandler: SocketHandler = (socket) => {
  socket.on('error', () => {});
  socket.once('data', () => socket.end('garbage, not a ServerHello\r\n'));
};
