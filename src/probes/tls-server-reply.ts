import type { TlsVersion } from './types.ts';
import { DOWNGRADE, HRR_RANDOM, LEGACY_SUITES, TLS13_SUITES, WIRE } from './tls-hello.ts';

/** Reading a server's answer to a ClientHello, up to its ServerHello or alert (RFC 8446 4.1.3, 6; RFC 5246 7.4.1.3). */

/** Bytes read before giving up on a ServerHello; a real one fits in a few hundred. */
export const MAX_REPLY_BYTES = 32 * 1024;

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
export const ALERTS: Readonly<Record<number, string>> = {
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

export function describeHello(reply: Extract<ServerReply, { kind: 'hello' }>, offered: TlsVersion): string {
  if (reply.version !== WIRE[offered]) return `ServerHello selected ${versionName(reply.version)} instead of ${offered}`;
  const suite = TLS13_SUITES.get(reply.cipherSuite) ?? LEGACY_SUITES.get(reply.cipherSuite) ?? 'unoffered suite';
  const also = reply.sentinel === null ? '' : `, downgrade sentinel: server also supports ${reply.sentinel ? 'TLS 1.3' : 'TLS 1.2 or later'}`;
  return `${reply.retry ? 'HelloRetryRequest' : 'ServerHello'} ${offered} ${suite} (${hex(reply.cipherSuite)})${also}`;
}
