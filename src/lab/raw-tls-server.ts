import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import net from 'node:net';
import { createCa, issueLeaf } from './pki.ts';
import { createAfterFlight } from './raw-tls/after-flight.ts';
import { answerHello, DEFAULT_RAW_SUITES, RAW_TLS_WIRE, type RawTlsVersion } from './raw-tls/answer-hello.ts';
import { readClientHello, splitRecords } from './raw-tls/wire.ts';
import { listen, type LabServer } from './tls-server.ts';

export { CKE_ALERT, CKE_BAD_PADDING_ALERT, pkcs1v15WellFormed } from './raw-tls/after-flight.ts';
export { DEFAULT_RAW_SUITES, ECDHE_RSA_SUITES, type RawTlsVersion } from './raw-tls/answer-hello.ts';

/**
 * A raw TLS 1.0-1.2 lab server built from hand-made bytes (issue 10), so that every TLS hygiene and known-weakness
 * check has a real fail case: OpenSSL 3 can no longer be made to misbehave in these ways. It answers a ClientHello
 * with ServerHello, Certificate (an RSA lab certificate), ServerKeyExchange (ECDHE-RSA suites only) and
 * ServerHelloDone, then reads the client's records and reacts to heartbeats, ChangeCipherSpec and ClientKeyExchange.
 * It never completes a handshake and never encrypts anything. Every option defaults to the correct behaviour:
 *
 * - `renegotiationInfo` (RFC 5746 3.6): echo an empty renegotiation_info to the extension or the SCSV 0x00ff;
 *   `renegotiatedConnection` (default empty): put these bytes in it instead, a violation on an initial handshake (3.4).
 * - `extendedMasterSecret` (RFC 7627 5.2): echo extended_master_secret when offered.
 * - `acceptCompression` (default false): choose DEFLATE (RFC 3749) when offered (CRIME, CVE-2012-4929).
 * - `versions` (default TLS 1.0-1.2; SSLv3 may be added: same flight, no extensions) and `acceptFallback` (default false: RFC 7507 3, TLS_FALLBACK_SCSV 0x5600 in a
 *   hello below the highest supported version gets a fatal inappropriate_fallback(86)).
 * - `heartbleed` (CVE-2014-0160), `acceptEarlyCcs` (CVE-2014-0224), `paddingOracle` (ROBOT): see raw-tls/after-flight.ts.
 *   Without `paddingOracle` every ClientKeyExchange gets handshake_failure(40); with it, a premaster secret whose
 *   PKCS#1 v1.5 padding is malformed gets decrypt_error(51) instead. `oracleWithoutCcs`: a malformed one is refused at
 *   once with handshake_failure(40), a well-formed one waits for ChangeCipherSpec and Finished and is then refused the
 *   same way, so the oracle shows only to a client that sends no ChangeCipherSpec and Finished.
 *   `heartbeatIgnoresPadding`: heartbeats are bounds-checked against the record but the 16 bytes of padding are not
 *   required (RFC 6520 4 says they must be): a stack that is not Heartbleed.
 * - `ticketbleed` (CVE-2016-9244): a hello with a non-empty SessionTicket and a 1-31 byte session id is "resumed"
 *   with a 32-byte session id padded from memory.
 * Leaks come from `memory`, a fake buffer (default a recognisable text pattern), never from real process memory.
 * TLS 1.3 is not spoken: a TLS 1.3 hello is answered at TLS 1.2, as a TLS 1.2 server does.
 *
 * Loopback only, port 0 by default, every accepted socket closed on `close()`. `rawTlsHandler` serves one accepted
 * socket, e.g. after an SMTP STARTTLS dialogue (starttls-front.ts).
 */

export type RawTlsOptions = {
  readonly host?: string;
  readonly port?: number;
  /** An RSA key and certificate (default: a lab RSA-2048 leaf for `localhost`). */
  readonly cert?: { readonly keyPem: string; readonly certPem: string };
  /** Suites in the server's order (default DEFAULT_RAW_SUITES; add ECDHE_RSA_SUITES for a signed ServerKeyExchange). */
  readonly suites?: readonly number[];
  readonly versions?: readonly RawTlsVersion[];
  readonly renegotiationInfo?: boolean;
  readonly renegotiatedConnection?: Buffer;
  readonly extendedMasterSecret?: boolean;
  readonly acceptCompression?: boolean;
  readonly acceptFallback?: boolean;
  readonly heartbleed?: boolean;
  readonly acceptEarlyCcs?: boolean;
  readonly paddingOracle?: boolean;
  readonly oracleWithoutCcs?: boolean;
  readonly heartbeatIgnoresPadding?: boolean;
  readonly ticketbleed?: boolean;
  /** RFC 6962 3.3.1: the SignedCertificateTimestampList (TLS-encoded) to send to a client that asks; default none. */
  readonly sctList?: Buffer;
  /** The fake memory leaks are read from. */
  readonly memory?: Buffer;
};

/** Serves one accepted socket; `head` holds client bytes already read (e.g. pipelined after STARTTLS). */
export type SocketHandler = (socket: net.Socket, head?: Buffer) => void;

export const FAKE_MEMORY_TEXT = 'VOUCH-LAB-FAKE-MEMORY;';
const MAX_HELLO_BYTES = 64 * 1024;

let defaultCert: { keyPem: string; certPem: string } | undefined;
function labRsaCert(): { keyPem: string; certPem: string } {
  defaultCert ??= issueLeaf(createCa({ name: 'Vouch Lab Raw TLS CA', keyType: 'rsa' }), { hosts: ['localhost'], keyType: 'rsa', rsaBits: 2048 });
  return defaultCert;
}

/** The connection handler: one state machine per socket (hello, then records after the flight, or deaf). */
export function rawTlsHandler(options: RawTlsOptions = {}): SocketHandler {
  const cert = options.cert ?? labRsaCert();
  const certificateDer = Buffer.from(new X509Certificate(cert.certPem).raw);
  const privateKey: KeyObject = createPrivateKey(cert.keyPem);
  const memory = options.memory ?? Buffer.from(FAKE_MEMORY_TEXT.repeat(Math.ceil(65_536 / FAKE_MEMORY_TEXT.length)), 'latin1');
  const helloConfig = {
    certificateDer, privateKey, memory,
    suites: options.suites ?? DEFAULT_RAW_SUITES,
    versions: (options.versions ?? ['TLSv1', 'TLSv1.1', 'TLSv1.2']).map((v) => RAW_TLS_WIRE[v]),
    renegotiationInfo: options.renegotiationInfo ?? true,
    renegotiatedConnection: options.renegotiatedConnection ?? Buffer.alloc(0),
    extendedMasterSecret: options.extendedMasterSecret ?? true,
    acceptCompression: options.acceptCompression ?? false,
    acceptFallback: options.acceptFallback ?? false,
    ticketbleed: options.ticketbleed ?? false,
    sctList: options.sctList ?? null,
  };
  if (helloConfig.versions.length === 0) throw new RangeError('raw TLS server: no versions');

  return (socket, head) => {
    socket.on('error', () => {});
    let buf = head ?? Buffer.alloc(0);
    let afterFlight: ReturnType<typeof createAfterFlight> | null = null;
    let deaf = false;
    const close = () => { socket.off('data', onData); socket.resume(); socket.end(); };
    const step = () => {
      if (deaf) { buf = Buffer.alloc(0); return; }
      if (!afterFlight) {
        const read = readClientHello(buf);
        if (read.kind === 'incomplete' && buf.length < MAX_HELLO_BYTES) return;
        if (read.kind !== 'hello') return close();
        buf = buf.subarray(read.consumed);
        const answer = answerHello(read.hello, helloConfig);
        socket.write(answer.bytes);
        if (answer.kind === 'fatal') return close();
        if (answer.kind === 'resumed') { deaf = true; return; }
        afterFlight = createAfterFlight({
          version: answer.version, heartbeatOffered: answer.heartbeatOffered, privateKey, memory,
          heartbleed: options.heartbleed ?? false, acceptEarlyCcs: options.acceptEarlyCcs ?? false,
          paddingOracle: options.paddingOracle ?? false, oracleWithoutCcs: options.oracleWithoutCcs ?? false,
          heartbeatIgnoresPadding: options.heartbeatIgnoresPadding ?? false,
        });
      }
      const { records, rest, bad } = splitRecords(buf);
      buf = rest;
      for (const rec of records) {
        const reaction = afterFlight(rec);
        if (reaction.write.length > 0) socket.write(reaction.write);
        if (reaction.next === 'close') return close();
        if (reaction.next === 'deaf') { deaf = true; buf = Buffer.alloc(0); return; }
      }
      if (bad || buf.length > MAX_HELLO_BYTES) close();
    };
    function onData(chunk: Buffer) {
      buf = Buffer.concat([buf, chunk]);
      step();
    }
    socket.on('data', onData);
    if (buf.length > 0) step();
  };
}

/** A raw TLS lab server (see the module note). */
export function startRawTlsServer(options: RawTlsOptions = {}): Promise<LabServer> {
  const handle = rawTlsHandler(options);
  return listen(net.createServer((socket) => handle(socket)), options.host ?? '127.0.0.1', options.port ?? 0);
}
