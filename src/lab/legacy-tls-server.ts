import { randomBytes, X509Certificate } from 'node:crypto';
import net from 'node:net';
import { createCa, issueLeaf } from './pki.ts';
import { handshakeMessage, readClientHello, record as recordAt, u16, u24, u8 } from './raw-tls/wire.ts';
import { listen, type LabServer } from './tls-server.ts';

/**
 * Fake SSL 2.0 and SSL 3.0 servers for tests: OpenSSL 3 cannot serve either protocol (both are compiled out), yet
 * Vouch must see a server that still accepts them. Each answers the client's FIRST flight with hand-built bytes and
 * never completes a handshake: enough for a scanner that stops at the server's hello (Vouch's enumeration, testssl.sh
 * and sslscan all do), and no cryptography that could be mistaken for a real server.
 *
 * - SSLv2 (draft-hickman-netscape-ssl-00, "The SSL Protocol", Netscape, 1995, sections 2.5-2.6 and "SSL Record
 *   Header"; prohibited by RFC 6176): an SSLv2 CLIENT-HELLO is answered by a SERVER-HELLO listing the cipher specs
 *   both sides support, or by ERROR NO-CIPHER-ERROR when there are none. A TLS-format hello is closed without a reply,
 *   as an SSLv2-only server does.
 * - SSLv3 (RFC 6101 5.6.1.2 ServerHello, 5.6.2 Certificate, 5.6.4 ServerHelloDone; deprecated by RFC 7568): any
 *   TLS-format ClientHello whose client_version is SSL 3.0 or higher is answered at SSL 3.0 (RFC 6101 E.1: a server
 *   answers with the highest version it supports that is not above the client's), with the first of the server's
 *   own suites the client offered (server order), its certificate and ServerHelloDone; no common suite is a fatal
 *   handshake_failure alert (RFC 6101 5.4.2). An SSLv2-format hello is closed without a reply.
 *
 * Loopback only, port 0 by default, every accepted socket closed on `close()`.
 */

export type LegacyServerOptions = {
  readonly host?: string;
  readonly port?: number;
  /** DER of the certificate to send (default: a fresh self-signed RSA-2048 lab certificate for `localhost`). */
  readonly certificateDer?: Buffer;
};

export type Sslv2ServerOptions = LegacyServerOptions & {
  /** The 3-byte cipher specs this server accepts, in its order (default RC4-128-MD5 and DES-CBC3-MD5). */
  readonly cipherSpecs?: readonly number[];
};

export type Sslv3ServerOptions = LegacyServerOptions & {
  /** The suites this server accepts, in its order (default TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA). */
  readonly suites?: readonly number[];
};

/** SSL_CK_RC4_128_WITH_MD5 and SSL_CK_DES_192_EDE3_CBC_WITH_MD5 (draft-hickman-netscape-ssl-00, appendix "Cipher Kind"). */
export const DEFAULT_SSLV2_SPECS: readonly number[] = [0x010080, 0x0700c0];
/** TLS_RSA_WITH_AES_128_CBC_SHA (RFC 3268), TLS_RSA_WITH_3DES_EDE_CBC_SHA (RFC 6101 A.6 SSL_RSA_WITH_3DES_EDE_CBC_SHA). */
export const DEFAULT_SSLV3_SUITES: readonly number[] = [0x002f, 0x000a];

const SSL3 = 0x0300;

let defaultDer: Buffer | undefined;
/** SSLv2 and SSLv3 know RSA certificates only (SSLv2: SSL_X509_CERTIFICATE with RSA key exchange). */
function labCertificateDer(): Buffer {
  if (!defaultDer) {
    const ca = createCa({ name: 'Vouch Lab Legacy CA', keyType: 'rsa' });
    const leaf = issueLeaf(ca, { hosts: ['localhost'], keyType: 'rsa', rsaBits: 2048 });
    defaultDer = Buffer.from(new X509Certificate(leaf.certPem).raw);
  }
  return defaultDer;
}

/** What the client's first flight was, once enough bytes are in. */
export type FirstFlight =
  | { readonly kind: 'sslv2'; readonly version: number; readonly cipherSpecs: readonly number[] }
  | { readonly kind: 'tls'; readonly clientVersion: number; readonly suites: readonly number[] }
  | { readonly kind: 'other' }
  | { readonly kind: 'incomplete' };

/**
 * Reads an SSLv2 CLIENT-HELLO (2-byte record header with the high bit set; MSG-CLIENT-HELLO = 1, CLIENT-VERSION,
 * CIPHER-SPECS-LENGTH, SESSION-ID-LENGTH, CHALLENGE-LENGTH, then the data) or a TLS ClientHello (RFC 6101 5.2.1
 * record layer, 5.6.1.2 ClientHello; reassembled across records, by `readClientHello`), far enough to answer it.
 * Pure and total.
 */
export function readFirstFlight(buf: Buffer): FirstFlight {
  if (buf.length < 2) return { kind: 'incomplete' };
  if ((buf[0]! & 0x80) !== 0) {
    const length = ((buf[0]! & 0x7f) << 8) | buf[1]!;
    if (buf.length < 2 + length) return { kind: 'incomplete' };
    const body = buf.subarray(2, 2 + length);
    if (body.length < 9 || body[0] !== 1) return { kind: 'other' };
    const version = body.readUInt16BE(1);
    const specsLength = body.readUInt16BE(3);
    if (specsLength % 3 !== 0 || body.length < 9 + specsLength) return { kind: 'other' };
    const cipherSpecs: number[] = [];
    for (let i = 0; i < specsLength; i += 3) cipherSpecs.push(body.readUIntBE(9 + i, 3));
    return { kind: 'sslv2', version, cipherSpecs };
  }
  // A TLS-format ClientHello, reassembled across records: the raw TLS lab server's reader.
  const read = readClientHello(buf);
  return read.kind === 'hello' ? { kind: 'tls', clientVersion: read.hello.clientVersion, suites: read.hello.suites } : read;
}

/**
 * SSLv2 SERVER-HELLO (draft-hickman-netscape-ssl-00 2.6): MSG-SERVER-HELLO (4), SESSION-ID-HIT (0), CERTIFICATE-TYPE
 * (1, SSL_X509_CERTIFICATE), SERVER-VERSION (0x0002), CERTIFICATE-LENGTH, CIPHER-SPECS-LENGTH, CONNECTION-ID-LENGTH,
 * then the certificate, the 3-byte cipher specs and a 16-byte connection id; in a record with a 2-byte header.
 */
export function sslv2ServerHello(certificateDer: Buffer, cipherSpecs: readonly number[], connectionId: Buffer = randomBytes(16)): Buffer {
  const specs = Buffer.concat(cipherSpecs.map(u24));
  const message = Buffer.concat([
    u8(4), u8(0), u8(1), u16(0x0002), u16(certificateDer.length), u16(specs.length), u16(connectionId.length),
    certificateDer, specs, connectionId,
  ]);
  return Buffer.concat([u16(0x8000 | message.length), message]);
}

/** SSLv2 ERROR (draft-hickman-netscape-ssl-00 2.7): MSG-ERROR (0), ERROR-CODE; NO-CIPHER-ERROR is 0x0001. */
export const SSLV2_NO_CIPHER_ERROR = Buffer.from([0x80, 0x03, 0x00, 0x00, 0x01]);

const record = (type: number, body: Buffer) => recordAt(type, SSL3, body);

/**
 * The SSL 3.0 server flight (RFC 6101 5.6.1.2, 5.6.2, 5.6.4): ServerHello (version 3.0, 32-byte random, empty
 * session id, the suite, compression null, no extensions), Certificate (one certificate), ServerHelloDone.
 */
export function sslv3ServerFlight(certificateDer: Buffer, suite: number, random: Buffer = randomBytes(32)): Buffer {
  const serverHello = handshakeMessage(2, Buffer.concat([u16(SSL3), random, u8(0), u16(suite), u8(0)]));
  const certificate = handshakeMessage(11, Buffer.concat([u24(certificateDer.length + 3), u24(certificateDer.length), certificateDer]));
  const done = handshakeMessage(14, Buffer.alloc(0));
  return record(22, Buffer.concat([serverHello, certificate, done]));
}

/** A fatal handshake_failure alert at SSL 3.0 (RFC 6101 5.4: level 2, description 40). */
export const SSLV3_HANDSHAKE_FAILURE = record(21, Buffer.of(2, 40));

/** Accepts connections; `answer` decides from the first flight what to send (null: close without a reply). */
async function startFirstFlightServer(options: LegacyServerOptions, answer: (flight: FirstFlight) => Buffer | null): Promise<LabServer> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const flight = readFirstFlight(buf);
      if (flight.kind === 'incomplete' && buf.length < 64 * 1024) return;
      socket.off('data', onData);
      const reply = flight.kind === 'incomplete' ? null : answer(flight);
      if (reply) socket.end(reply);
      else socket.end();
    };
    socket.on('data', onData);
  });
  return listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
}

/** An SSLv2-only server (see the module note): SERVER-HELLO to an SSLv2 CLIENT-HELLO, silence to anything else. */
export function startSslv2Server(options: Sslv2ServerOptions = {}): Promise<LabServer> {
  const der = options.certificateDer ?? labCertificateDer();
  const own = options.cipherSpecs ?? DEFAULT_SSLV2_SPECS;
  return startFirstFlightServer(options, (flight) => {
    if (flight.kind !== 'sslv2') return null;
    const common = own.filter((spec) => flight.cipherSpecs.includes(spec));
    return common.length > 0 ? sslv2ServerHello(der, common) : SSLV2_NO_CIPHER_ERROR;
  });
}

/** An SSLv3-only server (see the module note): every TLS-format hello of version 3.0 or higher is answered at 3.0. */
export function startSslv3Server(options: Sslv3ServerOptions = {}): Promise<LabServer> {
  const der = options.certificateDer ?? labCertificateDer();
  const own = options.suites ?? DEFAULT_SSLV3_SUITES;
  return startFirstFlightServer(options, (flight) => {
    if (flight.kind !== 'tls' || flight.clientVersion < SSL3) return null;
    const suite = own.find((s) => flight.suites.includes(s));
    return suite === undefined ? SSLV3_HANDSHAKE_FAILURE : sslv3ServerFlight(der, suite);
  });
}
