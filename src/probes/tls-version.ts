import { generateKeyPairSync, randomBytes } from 'node:crypto';
import net from 'node:net';
import { domainToASCII } from 'node:url';
import { abortReason } from '../core/deadline.ts';
import { ProbeError, toProbeError } from '../core/errors.ts';
import type { Endpoint } from '../core/types.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import type { TlsVersion, TlsVersionFacts } from './types.ts';

/**
 * Protocol support is decided here, by hand-built ClientHellos over `net` (~0.1 ms of CPU each, against ~1.3 ms for
 * a node:tls handshake), never by the full handshake of tls.ts: OpenSSL 3 may refuse to offer a version a server
 * still accepts, which would turn "TLS 1.0 enabled" into a false "refused". Below TLS 1.3 a hello's version is a
 * maximum (RFC 5246 E.1), so a version counts as accepted only when the server selects exactly it. The reply is read
 * up to the ServerHello or an alert; no key exchange is ever completed.
 */

/** Bytes read before giving up on a ServerHello; a real one fits in a few hundred. */
export const MAX_REPLY_BYTES = 32 * 1024;

/** Wire version numbers (RFC 8446 B.1; RFC 5246 A.1 for the older ones). */
const WIRE: Readonly<Record<TlsVersion, number>> = { TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };

/**
 * A broad TLS <= 1.2 offer (RFC 5246 A.5): (EC)DHE and RSA key exchange with AES-GCM, CHACHA20, AES-CBC and 3DES,
 * then RC4, CAMELLIA and DHE-DSS last, so that a server which only has legacy suites still answers with its version
 * instead of handshake_failure (which would read as "version refused").
 */
const LEGACY_SUITES: ReadonlyMap<number, string> = new Map([
  [0xc02b, 'ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'], [0xc02f, 'ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0xc02c, 'ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'], [0xc030, 'ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0xcca9, 'ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'], [0xcca8, 'ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0x009e, 'DHE_RSA_WITH_AES_128_GCM_SHA256'], [0x009f, 'DHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0xccaa, 'DHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xc023, 'ECDHE_ECDSA_WITH_AES_128_CBC_SHA256'], [0xc027, 'ECDHE_RSA_WITH_AES_128_CBC_SHA256'],
  [0xc024, 'ECDHE_ECDSA_WITH_AES_256_CBC_SHA384'], [0xc028, 'ECDHE_RSA_WITH_AES_256_CBC_SHA384'],
  [0xc009, 'ECDHE_ECDSA_WITH_AES_128_CBC_SHA'], [0xc013, 'ECDHE_RSA_WITH_AES_128_CBC_SHA'],
  [0xc00a, 'ECDHE_ECDSA_WITH_AES_256_CBC_SHA'], [0xc014, 'ECDHE_RSA_WITH_AES_256_CBC_SHA'],
  [0x0067, 'DHE_RSA_WITH_AES_128_CBC_SHA256'], [0x006b, 'DHE_RSA_WITH_AES_256_CBC_SHA256'],
  [0x0033, 'DHE_RSA_WITH_AES_128_CBC_SHA'], [0x0039, 'DHE_RSA_WITH_AES_256_CBC_SHA'],
  [0x009c, 'RSA_WITH_AES_128_GCM_SHA256'], [0x009d, 'RSA_WITH_AES_256_GCM_SHA384'],
  [0x003c, 'RSA_WITH_AES_128_CBC_SHA256'], [0x003d, 'RSA_WITH_AES_256_CBC_SHA256'],
  [0x002f, 'RSA_WITH_AES_128_CBC_SHA'], [0x0035, 'RSA_WITH_AES_256_CBC_SHA'],
  [0xc008, 'ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA'], [0xc012, 'ECDHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x0016, 'DHE_RSA_WITH_3DES_EDE_CBC_SHA'], [0x000a, 'RSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc011, 'ECDHE_RSA_WITH_RC4_128_SHA'], [0xc007, 'ECDHE_ECDSA_WITH_RC4_128_SHA'],
  [0x0005, 'RSA_WITH_RC4_128_SHA'], [0x0004, 'RSA_WITH_RC4_128_MD5'],
  [0x0041, 'RSA_WITH_CAMELLIA_128_CBC_SHA'], [0x0084, 'RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0032, 'DHE_DSS_WITH_AES_128_CBC_SHA'], [0x0038, 'DHE_DSS_WITH_AES_256_CBC_SHA'],
  [0x0013, 'DHE_DSS_WITH_3DES_EDE_CBC_SHA'],
].map(([code, name]) => [code as number, `TLS_${name as string}`]));

/** RFC 8446 B.4. */
const TLS13_SUITES: ReadonlyMap<number, string> = new Map([
  [0x1301, 'TLS_AES_128_GCM_SHA256'], [0x1302, 'TLS_AES_256_GCM_SHA384'], [0x1303, 'TLS_CHACHA20_POLY1305_SHA256'],
  [0x1304, 'TLS_AES_128_CCM_SHA256'], [0x1305, 'TLS_AES_128_CCM_8_SHA256'],
]);

/**
 * x25519, secp256r1/384r1/521r1, x448 (RFC 8422 5.1.1, RFC 8446 4.2.7). FFDHE groups only in the TLS 1.3 offer:
 * in TLS 1.2 they would restrict DHE to RFC 7919 groups that legacy servers lack.
 */
const EC_GROUPS = [0x001d, 0x0017, 0x0018, 0x0019, 0x001e];
const TLS13_GROUPS = [...EC_GROUPS, 0x0100, 0x0101];
/** RFC 8446 4.2.3: ECDSA, EdDSA, RSA-PSS, PKCS#1; SHA-1 last so legacy-only servers can still answer. */
const SIGNATURE_SCHEMES = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b,
  0x0401, 0x0501, 0x0601, 0x0203, 0x0201,
];

/** RFC 8446 4.1.3: SHA-256 of "HelloRetryRequest". */
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
const DOWNGRADE = Buffer.from('DOWNGRD', 'latin1');

const u8 = (n: number) => Buffer.of(n);
const u16 = (n: number) => Buffer.of(n >> 8, n & 0xff);
const u16s = (list: readonly number[]) => Buffer.concat(list.map(u16));
const vec8 = (body: Buffer) => Buffer.concat([u8(body.length), body]);
const vec16 = (body: Buffer) => Buffer.concat([u16(body.length), body]);
const extension = (type: number, body: Buffer) => Buffer.concat([u16(type), vec16(body)]);

let x25519Public: Buffer | undefined;
/** The key share is never used (no key exchange completes), so one process-wide key is enough. */
function x25519Share(): Buffer {
  x25519Public ??= generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
  return x25519Public;
}

/** RFC 6066 3: a DNS name in ASCII without the trailing dot; no SNI for IP literals. */
function sniName(hostname: string): string | null {
  if (net.isIP(hostname)) return null;
  return domainToASCII(hostname.replace(/\.$/, '')) || null;
}

const staticParts = new Map<TlsVersion, { readonly suites: Buffer; readonly extensions: Buffer }>();

/** Everything but the random, session id and SNI is the same for every hello of a version: built once. */
function partsFor(version: TlsVersion): { readonly suites: Buffer; readonly extensions: Buffer } {
  let parts = staticParts.get(version);
  if (parts) return parts;
  const tls13 = version === 'TLSv1.3';
  const extensions = [
    extension(10, vec16(u16s(tls13 ? TLS13_GROUPS : EC_GROUPS))),
    ...(tls13 ? [] : [extension(11, vec8(u8(0)))]), // ec_point_formats: uncompressed (RFC 8422 5.1.2)
    // RFC 5246 7.4.1.4.1: signature_algorithms exists from TLS 1.2 on.
    ...(version === 'TLSv1.2' || tls13 ? [extension(13, vec16(u16s(SIGNATURE_SCHEMES)))] : []),
    ...(tls13
      ? [
        extension(43, vec8(u16(0x0304))),
        extension(51, vec16(Buffer.concat([u16(0x001d), vec16(x25519Share())]))),
        extension(45, vec8(u8(1))), // psk_dhe_ke
      ]
      : [extension(0xff01, vec8(Buffer.alloc(0)))]), // empty renegotiation_info (RFC 5746 3.4)
  ];
  parts = { suites: vec16(u16s([...(tls13 ? TLS13_SUITES : LEGACY_SUITES).keys()])), extensions: Buffer.concat(extensions) };
  staticParts.set(version, parts);
  return parts;
}

/**
 * A ClientHello record offering exactly `version` (RFC 5246 7.4.1.2; RFC 8446 4.1.2 with supported_versions
 * [0x0304] and legacy_version 0x0303). The record layer says 0x0301, as the initial hello should (RFC 8446 5.1).
 */
export function buildClientHello(version: TlsVersion, serverName: string | null): Buffer {
  const tls13 = version === 'TLSv1.3';
  const { suites, extensions } = partsFor(version);
  // RFC 8446 D.4: a non-empty legacy_session_id keeps middleboxes treating the 1.3 handshake as a resumption.
  const random = randomBytes(tls13 ? 64 : 32);
  const head = Buffer.concat([
    u16(tls13 ? 0x0303 : WIRE[version]), random.subarray(0, 32), vec8(random.subarray(32)), suites, vec8(u8(0)),
  ]);
  const sni = serverName ? extension(0, vec16(Buffer.concat([u8(0), vec16(Buffer.from(serverName, 'ascii'))]))) : Buffer.alloc(0);
  let extensionBytes = sni.length + extensions.length;
  // RFC 7685: some load balancers hang on hellos of 256-511 bytes; pad those to 512, as OpenSSL does.
  const unpadded = 4 + head.length + 2 + extensionBytes;
  const padding = unpadded > 0xff && unpadded < 0x200 ? extension(21, Buffer.alloc(Math.max(0x200 - unpadded - 4, 0))) : Buffer.alloc(0);
  extensionBytes += padding.length;
  const length = head.length + 2 + extensionBytes;
  return Buffer.concat([
    Buffer.of(22, 3, 1, (length + 4) >> 8, (length + 4) & 0xff, 1, length >> 16, (length >> 8) & 0xff, length & 0xff),
    head, u16(extensionBytes), sni, extensions, padding,
  ]);
}

/** What the server's first flight said, as far as the version question goes. */
export type ServerReply =
  | { readonly kind: 'hello'; readonly version: number; readonly cipherSuite: number; readonly retry: boolean;
      /** RFC 8446 4.1.3 downgrade sentinel: 1 = server also does TLS 1.3, 0 = also TLS 1.2 or later. */
      readonly sentinel: 0 | 1 | null }
  | { readonly kind: 'alert'; readonly level: number; readonly description: number }
  | { readonly kind: 'malformed'; readonly problem: string };

/**
 * An incremental reader of the server's reply: feed it chunks as they arrive (any split, down to single bytes) and it
 * returns the decision once a complete ServerHello or alert is in, else null. Linear in the bytes received.
 */
export function createReplyReader(limit = MAX_REPLY_BYTES): (chunk: Buffer) => ServerReply | null {
  const chunks: Buffer[] = [];
  let buffered = 0;
  let total = 0;
  let record: { type: number; length: number } | null = null;
  let handshake = Buffer.alloc(0);
  let alert = Buffer.alloc(0);
  const take = (n: number): Buffer | null => {
    if (buffered < n) return null;
    const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    chunks.length = 0;
    if (all.length > n) chunks.push(all.subarray(n));
    buffered -= n;
    return all.subarray(0, n);
  };
  const malformed = (problem: string): ServerReply => ({ kind: 'malformed', problem });
  const onHandshake = (fragment: Buffer): ServerReply | null => {
    handshake = Buffer.concat([handshake, fragment]);
    while (handshake.length >= 4) {
      const type = handshake[0]!;
      const length = handshake.readUIntBE(1, 3);
      if (type === 0 && length === 0) { handshake = handshake.subarray(4); continue; } // HelloRequest (RFC 5246 7.4.1.1)
      if (type !== 2) return malformed(`expected a ServerHello, got handshake message type ${type}`);
      if (length > limit) return malformed(`ServerHello of ${length} bytes`);
      return handshake.length < 4 + length ? null : parseServerHello(handshake.subarray(4, 4 + length));
    }
    return null;
  };
  return (chunk) => {
    total += chunk.length;
    chunks.push(chunk);
    buffered += chunk.length;
    for (;;) {
      if (!record) {
        const header = take(5);
        if (!header) break;
        const problem = recordProblem(header);
        if (problem) return malformed(problem);
        record = { type: header[0]!, length: header.readUInt16BE(3) };
      }
      const fragment = take(record.length);
      if (!fragment) break;
      const isAlert = record.type === 21;
      record = null;
      if (isAlert) alert = Buffer.concat([alert, fragment]); // TLS <= 1.2 may fragment an alert (RFC 5246 6.2.1)
      const reply = isAlert
        ? alert.length >= 2 ? { kind: 'alert' as const, level: alert[0]!, description: alert[1]! } : null
        : onHandshake(fragment);
      if (reply) return reply;
    }
    return total > limit ? malformed(`no ServerHello within ${limit} bytes`) : null;
  };
}

/** RFC 5246 6.2.1 / RFC 8446 5.1: type, ProtocolVersion {3, x}, length <= 2^14 (+2048 leeway, 6.2.3). */
function recordProblem(header: Buffer): string | null {
  const type = header[0]!;
  if (header[1] !== 3 || type < 20 || type > 23) {
    const text = header.toString('latin1').replace(/[^\x20-\x7e]/g, '.');
    return `not a TLS reply: starts with ${header.toString('hex')} "${text}"`;
  }
  if (type !== 21 && type !== 22) return `unexpected record type ${type} before the ServerHello`;
  const length = header.readUInt16BE(3);
  return length === 0 || length > 16384 + 2048 ? `invalid record length ${length}` : null;
}

/** RFC 5246 7.4.1.3 / RFC 8446 4.1.3; the selected version is supported_versions' when present. */
function parseServerHello(body: Buffer): ServerReply {
  const bad: ServerReply = { kind: 'malformed', problem: 'truncated or malformed ServerHello' };
  if (body.length < 38 || body[34]! > 32) return bad;
  let at = 35 + body[34]!;
  if (at + 3 > body.length) return bad;
  const cipherSuite = body.readUInt16BE(at);
  at += 3;
  let version = body.readUInt16BE(0);
  if (at + 2 <= body.length) { // extensions are optional before TLS 1.3
    const end = at + 2 + body.readUInt16BE(at);
    if (end > body.length) return bad;
    for (at += 2; at + 4 <= end;) {
      const type = body.readUInt16BE(at);
      const length = body.readUInt16BE(at + 2);
      at += 4;
      if (at + length > end || (type === 43 && length !== 2)) return bad;
      if (type === 43) version = body.readUInt16BE(at);
      at += length;
    }
  }
  const random = body.subarray(2, 34);
  const tail = random.subarray(24);
  const sentinel = tail.subarray(0, 7).equals(DOWNGRADE) && tail[7]! <= 1 ? (tail[7] as 0 | 1) : null;
  return { kind: 'hello', version, cipherSuite, retry: random.equals(HRR_RANDOM), sentinel };
}

/** RFC 8446 6 and RFC 5246 7.2. */
const ALERTS: Readonly<Record<number, string>> = {
  0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 21: 'decryption_failed', 22: 'record_overflow',
  30: 'decompression_failure', 40: 'handshake_failure', 41: 'no_certificate', 42: 'bad_certificate',
  43: 'unsupported_certificate', 44: 'certificate_revoked', 45: 'certificate_expired', 46: 'certificate_unknown',
  47: 'illegal_parameter', 48: 'unknown_ca', 49: 'access_denied', 50: 'decode_error', 51: 'decrypt_error',
  60: 'export_restriction', 70: 'protocol_version', 71: 'insufficient_security', 80: 'internal_error',
  86: 'inappropriate_fallback', 90: 'user_canceled', 100: 'no_renegotiation', 109: 'missing_extension',
  110: 'unsupported_extension', 112: 'unrecognized_name', 113: 'bad_certificate_status_response',
  115: 'unknown_psk_identity', 116: 'certificate_required', 120: 'no_application_protocol',
};

const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
const versionName = (wire: number) =>
  (Object.keys(WIRE) as TlsVersion[]).find((v) => WIRE[v] === wire) ?? (wire === 0x0300 ? 'SSLv3' : hex(wire));

function describeHello(reply: Extract<ServerReply, { kind: 'hello' }>, offered: TlsVersion): string {
  if (reply.version !== WIRE[offered]) return `ServerHello selected ${versionName(reply.version)} instead of ${offered}`;
  const suite = TLS13_SUITES.get(reply.cipherSuite) ?? LEGACY_SUITES.get(reply.cipherSuite) ?? 'unoffered suite';
  const also = reply.sentinel === null ? '' : `, downgrade sentinel: server also supports ${reply.sentinel ? 'TLS 1.3' : 'TLS 1.2 or later'}`;
  return `${reply.retry ? 'HelloRetryRequest' : 'ServerHello'} ${offered} ${suite} (${hex(reply.cipherSuite)})${also}`;
}

/**
 * Whether the server accepts a ClientHello offering exactly `version`. A ServerHello (or, for 1.3, a
 * HelloRetryRequest) selecting that version is `accepted`; an alert, a ServerHello for another version, or a close
 * or reset before any reply byte is a refusal with `detail`. A close after part of a reply, or bytes that are not
 * TLS, are a `protocol` ProbeError: the server said something we cannot read as either answer.
 *
 * With `options.socket` (a connected plain socket, e.g. after SMTP `STARTTLS` and `220`) the hello is written on it;
 * the caller must have removed its own `data` listeners. The socket is always destroyed afterwards.
 *
 * @throws ProbeError `refused`, `timeout`, `unreachable` when no TCP connection was made, `protocol` as above; on
 *   abort, the signal's reason.
 */
export function probeTlsVersion(
  endpoint: Endpoint, version: TlsVersion, signal: AbortSignal, options: { socket?: net.Socket } = {},
): Promise<TlsVersionFacts> {
  const label = endpointLabel(endpoint);
  if (signal.aborted) {
    options.socket?.destroy();
    return Promise.reject(abortReason(signal));
  }
  const hello = buildClientHello(version, sniName(endpoint.hostname));
  let socket: net.Socket;
  try {
    socket = options.socket ?? net.connect({ host: endpoint.address, port: endpoint.dialPort, noDelay: true });
  } catch (err) {
    return Promise.reject(err); // e.g. ERR_SOCKET_BAD_PORT: our bug or config, not a fact about the server
  }
  const read = createReplyReader();
  let sent = false;
  let received = 0;
  return new Promise<TlsVersionFacts>((resolve, reject) => {
    const finish = (outcome: () => void) => {
      socket.off('connect', send).off('data', onData).off('error', onError).off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      socket.on('error', () => {}); // nothing may surface from a socket we have finished with
      socket.destroy();
      outcome();
    };
    const answer = (accepted: boolean, detail: string) => finish(() =>
      resolve({ endpoint: label, version, accepted, detail, observedAt: new Date().toISOString() }));
    const fail = (err: Error) => finish(() => reject(err));
    function send() {
      sent = true;
      socket.write(hello);
    }
    function onData(chunk: Buffer) {
      received += chunk.length;
      const reply = read(chunk);
      if (reply?.kind === 'hello') answer(reply.version === WIRE[version], describeHello(reply, version));
      else if (reply?.kind === 'alert') answer(false, `alert ${ALERTS[reply.description] ?? 'unknown'} (${reply.description})`);
      else if (reply) fail(new ProbeError('protocol', label, reply.problem));
    }
    function onError(err: Error & { code?: string }) {
      // Some stacks refuse an unwanted version with a TCP reset instead of an alert.
      if (sent && received === 0 && err.code === 'ECONNRESET') answer(false, 'connection reset without reply');
      else fail(toProbeError(err, label));
    }
    function onClose() {
      if (sent && received === 0) answer(false, 'closed without reply');
      else if (sent) fail(new ProbeError('protocol', label, `connection closed after ${received} bytes, before a complete ServerHello`));
      else fail(new ProbeError('unreachable', label, 'connection closed before it was established'));
    }
    function onAbort() {
      fail(abortReason(signal));
    }
    socket.on('data', onData).on('error', onError).once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    if (options.socket) {
      socket.resume();
      send();
    } else {
      socket.once('connect', send);
    }
  });
}
