import { constants } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { TlsVersion } from '../probes/types.ts';
import type { LabServer } from './tls-server.ts';
import { listenAlsoOn, listenOn } from './extra-listeners.ts';

/**
 * A loopback SMTP server for tests, the demo and the benchmark: just enough RFC 5321 for EHLO/HELO, STARTTLS
 * (RFC 3207), NOOP, RSET and QUIT, plus the hostile behaviours a real MTA library cannot be made to show.
 * It never accepts mail: MAIL, RCPT and DATA get 502, and every command line is recorded so tests can prove the
 * scanner never sent one.
 */

/**
 * - `good`: STARTTLS advertised and accepted.
 * - `no-starttls`: STARTTLS not advertised (and 502 if sent anyway).
 * - `starttls-454`: advertised, but answered `454 TLS not available due to temporary reason` (RFC 3207 4).
 * - `starttls-421`: advertised, but answered `421` (too busy, closing): a temporary refusal, not a finding.
 * - `byte-by-byte`: as `good`, but every reply is written one byte per write, one event-loop turn apart.
 * - `silent`: accepts the connection and never says anything.
 * - `busy-421`: `421` at the banner, then closes (RFC 5321 3.8).
 * - `endless-line`: a banner line that never ends, streamed until the client goes away (at most 8 MB).
 * - `greylist`: `450` to EHLO (and HELO), as greylisting servers do.
 */
export type SmtpVariant =
  | 'good' | 'no-starttls' | 'starttls-454' | 'starttls-421' | 'byte-by-byte' | 'silent' | 'busy-421' | 'endless-line' | 'greylist';

export type SmtpServerOptions = {
  readonly key: string;
  /** The leaf, or the leaf followed by intermediates. */
  readonly cert: string;
  readonly variant: SmtpVariant;
  readonly host?: string;
  readonly port?: number;
  readonly minVersion?: TlsVersion;
  readonly maxVersion?: TlsVersion;
  /** OpenSSL cipher string; `DEFAULT@SECLEVEL=0` by default when TLS 1.0 or 1.1 is enabled (see startTlsServer). */
  readonly ciphers?: string;
  /** As in startTlsServer: enforce the server's cipher order, DH parameters (PEM or `auto`), key exchange groups. */
  readonly honorCipherOrder?: boolean;
  readonly dhparam?: string;
  readonly ecdhCurve?: string;
  /** Signature algorithms, OpenSSL syntax (`ECDSA+SHA256:rsa_pss_rsae_sha256`). */
  readonly sigalgs?: string;
  /** The name in the banner and EHLO greeting; `mx.test` by default. */
  readonly name?: string;
  /**
   * Client-initiated renegotiation: `refuse` (default, SSL_OP_NO_RENEGOTIATION) or `allow`, which on these sockets
   * means without limit (they swallow node:tls's ERR_TLS_SESSION_ATTACK, so its 3-per-10-minutes limit never bites).
   */
  readonly renegotiation?: 'refuse' | 'allow';
  /** The OCSP response to staple when a client asks (RFC 6066 8); null or absent: none. */
  readonly staple?: () => Buffer | null;
  /** More loopback addresses served on the same port: many MX hosts, each on an address of its own, from one server. */
  readonly alsoListenOn?: readonly string[];
  /** Keep every command line for `commands()` (default); the bench turns it off, since it would grow with every session. */
  readonly recordCommands?: boolean;
};

export type LabSmtpServer = LabServer & {
  /** The most connections that were open at the same time (politeness tests). */
  mostOpenAtOnce(): number;
  /** TLS handshakes completed after STARTTLS so far. */
  handshakes(): number;
  /** Every command line received, in order, across all connections (plaintext and over TLS). */
  commands(): readonly string[];
};

/** Longest command line the server reads (RFC 5321 4.5.3.1.4 says 512); a longer one ends the connection. */
const MAX_COMMAND_BYTES = 4096;
/** The endless line stops here even if the client never closes, so a broken client cannot fill the disk or RAM. */
const ENDLESS_LIMIT_BYTES = 8 * 1024 * 1024;
const ORDER: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Starts the server on 127.0.0.1 port 0 unless told otherwise. `close()` destroys every open connection. */
export async function startSmtpServer(options: SmtpServerOptions): Promise<LabSmtpServer> {
  const maxVersion = options.maxVersion ?? 'TLSv1.3';
  const minVersion = options.minVersion ?? (ORDER.indexOf(maxVersion) < 2 ? maxVersion : 'TLSv1.2');
  const ciphers = options.ciphers ?? (ORDER.indexOf(minVersion) < 2 ? 'DEFAULT@SECLEVEL=0' : undefined);
  const secureContext = tls.createSecureContext({
    key: options.key, cert: options.cert, minVersion, maxVersion, ...(ciphers === undefined ? {} : { ciphers }),
    ...(options.dhparam === undefined ? {} : { dhparam: options.dhparam }),
    ...(options.ecdhCurve === undefined ? {} : { ecdhCurve: options.ecdhCurve }),
    ...(options.sigalgs === undefined ? {} : { sigalgs: options.sigalgs }),
    // tls.createServer turns honorCipherOrder into this flag; a bare secure context needs it spelled out.
    secureOptions: (options.honorCipherOrder ? constants.SSL_OP_CIPHER_SERVER_PREFERENCE : 0)
      | (options.renegotiation === 'allow' ? 0 : constants.SSL_OP_NO_RENEGOTIATION),
  });
  // node:tls emits 'OCSPRequest' only on a socket's owning tls.Server (with credentials of its own); this one never
  // listens, it only carries the staple callback for the upgraded sockets.
  const owner = tls.createServer({ key: options.key, cert: options.cert, ...(ciphers === undefined ? {} : { ciphers }) });
  const staple = options.staple;
  if (staple) owner.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer | null, done: (err: Error | null, response?: Buffer) => void) => done(null, staple() ?? undefined));
  const sockets = new Set<net.Socket>();
  const commands: string[] = [];
  let connections = 0;
  const live = new Set<net.Socket>();
  let mostOpen = 0;
  let handshakes = 0;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };
  const server = net.createServer((socket) => {
    connections++;
    // A client that closes one session and opens the next may have its FIN read after the new accept: the overlap is
    // measured 20 ms later, when the earlier socket's end has been read (its FIN reached this socket before the next
    // SYN did, so it is read in the same poll or an earlier one). A socket handed to TLS for STARTTLS reports its end
    // through the TLS socket: its own 'end' and 'close' wait for the TLS socket to shut down, which can take longer
    // than 20 ms under load (the whole suite on two cores once counted 2 here, with the client's sessions one at a
    // time). A client that really keeps two sessions open for longer is still counted.
    live.add(socket);
    const gone = () => live.delete(socket);
    socket.once('end', gone).once('close', gone);
    setTimeout(() => { if (live.has(socket)) mostOpen = Math.max(mostOpen, live.size); }, 20);
    track(socket);
    socket.setNoDelay(true);
    serve(socket, {
      variant: options.variant, name: options.name ?? 'mx.test', commands, recordCommands: options.recordCommands ?? true,
      upgrade: (raw) => {
        const secure = new tls.TLSSocket(raw, { isServer: true, secureContext, server: owner });
        track(secure);
        secure.once('end', gone).once('close', gone);
        secure.once('secure', () => handshakes++);
        return secure;
      },
    });
  });
  await listenOn(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const port = (server.address() as AddressInfo).port;
  const extra = await listenAlsoOn(server, port, options.alsoListenOn ?? []);
  let closing: Promise<void> | undefined;
  return {
    host: options.host ?? '127.0.0.1',
    port,
    connections: () => connections,
    mostOpenAtOnce: () => mostOpen,
    handshakes: () => handshakes,
    commands: () => [...commands],
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const listener of extra) listener.close();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

type Session = {
  readonly variant: SmtpVariant;
  readonly name: string;
  readonly commands: string[];
  readonly recordCommands: boolean;
  readonly upgrade: (raw: net.Socket) => tls.TLSSocket;
};

function serve(raw: net.Socket, session: Session): void {
  const { variant, name } = session;
  if (variant === 'silent') {
    raw.resume(); // drain what the client sends, so its writes never stall
    return;
  }
  if (variant === 'endless-line') {
    streamEndlessLine(raw);
    return;
  }
  if (variant === 'busy-421') {
    raw.end(`421 4.3.2 ${name} Service not available, too busy; try again later\r\n`);
    return;
  }
  let stream: net.Socket = raw;
  let secure = false;
  let buffered = '';
  const queue: string[] = [];
  let busy = false;
  const write = (lines: readonly string[]): Promise<void> => {
    const bytes = Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');
    return variant === 'byte-by-byte' ? trickle(stream, bytes) : new Promise((resolve) => stream.write(bytes, () => resolve()));
  };
  const startTlsAccepted = () => !secure && variant !== 'no-starttls' && variant !== 'starttls-454' && variant !== 'starttls-421';
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline).replace(/\r$/, '');
      buffered = buffered.slice(newline + 1);
      queue.push(line);
      if (/^starttls$/i.test(line.trim()) && startTlsAccepted()) {
        // RFC 3207 5: anything the client pipelined after STARTTLS is discarded, never run after the upgrade.
        stream.off('data', onData);
        stream.pause();
        buffered = '';
        break;
      }
    }
    if (buffered.length > MAX_COMMAND_BYTES) stream.destroy();
    else void drain();
  };
  const drain = async () => {
    if (busy) return;
    busy = true;
    try {
      for (let line = queue.shift(); line !== undefined; line = queue.shift()) {
        if (session.recordCommands) session.commands.push(line);
        const verb = (line.split(' ')[0] ?? '').toUpperCase();
        if (verb === 'STARTTLS' && startTlsAccepted()) {
          await write(['220 2.0.0 Ready to start TLS']);
          stream = session.upgrade(raw);
          secure = true;
          stream.on('data', onData);
          return;
        }
        await write(replyTo(verb, line));
        if (verb === 'QUIT') {
          stream.end();
          return;
        }
      }
    } finally {
      busy = false;
    }
  };
  const replyTo = (verb: string, line: string): string[] => {
    switch (verb) {
      case 'EHLO': {
        if (variant === 'greylist') return ['450 4.7.1 Greylisted, please try again later'];
        const offerTls = !secure && variant !== 'no-starttls';
        // RFC 3207 4.2: STARTTLS is not advertised again once TLS is active.
        return [`250-${name} greets ${line.slice(5).trim() || 'you'}`, '250-PIPELINING', '250-SIZE 10240000',
          ...(offerTls ? ['250-STARTTLS'] : []), '250-ENHANCEDSTATUSCODES', '250 8BITMIME'];
      }
      case 'HELO': return [variant === 'greylist' ? '450 4.7.1 Greylisted, please try again later' : `250 ${name}`];
      case 'STARTTLS':
        if (secure) return ['503 5.5.1 TLS already active'];
        if (variant === 'starttls-421') return ['421 4.7.0 Too many TLS sessions, try again later'];
        return [variant === 'starttls-454' ? '454 4.7.0 TLS not available due to temporary reason' : '502 5.5.1 Command not implemented'];
      case 'NOOP': case 'RSET': return ['250 2.0.0 OK'];
      case 'QUIT': return [`221 2.0.0 ${name} closing connection`];
      default: return ['502 5.5.1 Command not implemented (this lab server accepts no mail)'];
    }
  };
  stream.on('data', onData);
  void write([`220 ${name} ESMTP Vouch lab`]);
}

/** Writes one byte per write, each after the previous was flushed and a turn of the event loop. */
async function trickle(socket: net.Socket, bytes: Buffer): Promise<void> {
  for (const byte of bytes) {
    if (socket.destroyed) return;
    await new Promise<void>((resolve) => socket.write(Buffer.of(byte), () => setImmediate(resolve)));
  }
}

/** `220 ` and then `x` without end, honouring back-pressure, until the client closes or the limit is reached. */
function streamEndlessLine(socket: net.Socket): void {
  const chunk = Buffer.alloc(16 * 1024, 'x');
  let sent = 0;
  socket.resume();
  const pump = () => {
    while (!socket.destroyed && sent < ENDLESS_LIMIT_BYTES) {
      sent += chunk.length;
      if (!socket.write(chunk)) {
        socket.once('drain', pump);
        return;
      }
    }
    if (!socket.destroyed) socket.end();
  };
  socket.write('220 ');
  pump();
}
