/**
 * Byte helpers for the lab's hand-built TLS servers (the SSLv3 fake in legacy-tls-server.ts and the raw TLS 1.0-1.2
 * server in raw-tls-server.ts): record and handshake framing (RFC 5246 6.2.1, 7.4), alerts (7.2), and a reader for
 * the client's side of the conversation. Lab code: it reads only what a test client sends and gives up (returns
 * `other`) on anything it does not understand, rather than being a general parser.
 */

export const u8 = (n: number): Buffer => Buffer.of(n & 0xff);
export const u16 = (n: number): Buffer => Buffer.of((n >> 8) & 0xff, n & 0xff);
export const u24 = (n: number): Buffer => Buffer.of((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
export const vec8 = (body: Buffer): Buffer => Buffer.concat([u8(body.length), body]);
export const vec16 = (body: Buffer): Buffer => Buffer.concat([u16(body.length), body]);
export const vec24 = (body: Buffer): Buffer => Buffer.concat([u24(body.length), body]);

/** RFC 5246 6.2.1 TLSPlaintext: ContentType, ProtocolVersion, uint16 length, fragment (one record; lab flights are small). */
export const record = (type: number, version: number, body: Buffer): Buffer => Buffer.concat([u8(type), u16(version), u16(body.length), body]);

/** RFC 5246 7.4: HandshakeType, uint24 length, body. */
export const handshakeMessage = (type: number, body: Buffer): Buffer => Buffer.concat([u8(type), u24(body.length), body]);

/** RFC 5246 7.2: a fatal (level 2) alert record. */
export const fatalAlert = (version: number, description: number): Buffer => record(21, version, Buffer.of(2, description));

/** RFC 5246 7.4.1.4: an extension (type, opaque data<0..2^16-1>). */
export const extension = (type: number, data: Buffer): Buffer => Buffer.concat([u16(type), vec16(data)]);

/** Content types (RFC 5246 6.2.1, RFC 6520 3 for heartbeat). */
export const CONTENT = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23, heartbeat: 24 } as const;

/** Alert descriptions used by the lab servers (RFC 5246 7.2.2, RFC 7507 2). */
export const ALERT = {
  unexpectedMessage: 10, badRecordMac: 20, handshakeFailure: 40, decodeError: 50, decryptError: 51, protocolVersion: 70,
  inappropriateFallback: 86,
} as const;

/** One client record, split off the front of a buffer. */
export type ClientRecord = { readonly type: number; readonly version: number; readonly body: Buffer };

/** Splits whole records off `buf`; `rest` is an incomplete tail (or an unframeable remainder when `bad`). */
export function splitRecords(buf: Buffer): { records: ClientRecord[]; rest: Buffer; bad: boolean } {
  const records: ClientRecord[] = [];
  let at = 0;
  while (buf.length >= at + 5) {
    const type = buf[at]!;
    if (type < 20 || type > 24 || buf[at + 1] !== 3) return { records, rest: buf.subarray(at), bad: true };
    const length = buf.readUInt16BE(at + 3);
    if (buf.length < at + 5 + length) break;
    records.push({ type, version: buf.readUInt16BE(at + 1), body: buf.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return { records, rest: buf.subarray(at), bad: false };
}

/** The parts of a TLS ClientHello (RFC 5246 7.4.1.2) the lab servers answer from. */
export type ClientHello = {
  readonly clientVersion: number;
  readonly random: Buffer;
  readonly sessionId: Buffer;
  readonly suites: readonly number[];
  readonly compressionMethods: readonly number[];
  /** Extensions in the order sent (type and data); empty when the hello has no extensions block. */
  readonly extensions: ReadonlyMap<number, Buffer>;
};

export type HelloRead =
  | { readonly kind: 'hello'; readonly hello: ClientHello; readonly consumed: number }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'other' };

/**
 * Reads a TLS-format ClientHello from the start of `buf`, reassembled across handshake records (RFC 5246 6.2.1);
 * `consumed` is where the client's next record starts. SSLv2-format hellos and anything malformed are `other`.
 */
export function readClientHello(buf: Buffer): HelloRead {
  let handshake = Buffer.alloc(0);
  let at = 0;
  for (;;) {
    if (buf.length < at + 5) return { kind: 'incomplete' };
    if (buf[at] !== CONTENT.handshake || buf[at + 1] !== 3) return { kind: 'other' };
    const length = buf.readUInt16BE(at + 3);
    if (buf.length < at + 5 + length) return { kind: 'incomplete' };
    handshake = Buffer.concat([handshake, buf.subarray(at + 5, at + 5 + length)]);
    at += 5 + length;
    if (handshake.length >= 4) {
      if (handshake[0] !== 1) return { kind: 'other' };
      if (handshake.length >= 4 + handshake.readUIntBE(1, 3)) break;
    }
  }
  const hello = parseHelloBody(handshake.subarray(4, 4 + handshake.readUIntBE(1, 3)));
  return hello ? { kind: 'hello', hello, consumed: at } : { kind: 'other' };
}

function parseHelloBody(body: Buffer): ClientHello | null {
  let p = 0;
  const need = (n: number) => body.length >= p + n;
  if (!need(35)) return null;
  const clientVersion = body.readUInt16BE(0);
  const random = body.subarray(2, 34);
  p = 34;
  const sessionLength = body[p]!;
  if (sessionLength > 32 || !need(1 + sessionLength + 2)) return null;
  const sessionId = body.subarray(p + 1, p + 1 + sessionLength);
  p += 1 + sessionLength;
  const suitesLength = body.readUInt16BE(p);
  p += 2;
  if (suitesLength % 2 !== 0 || !need(suitesLength + 1)) return null;
  const suites: number[] = [];
  for (let i = 0; i < suitesLength; i += 2) suites.push(body.readUInt16BE(p + i));
  p += suitesLength;
  const methodsLength = body[p]!;
  p += 1;
  if (!need(methodsLength)) return null;
  const compressionMethods = [...body.subarray(p, p + methodsLength)];
  p += methodsLength;
  const extensions = new Map<number, Buffer>();
  if (p < body.length) {
    if (!need(2)) return null;
    const end = p + 2 + body.readUInt16BE(p);
    if (end !== body.length) return null;
    p += 2;
    while (p < end) {
      if (end < p + 4) return null;
      const type = body.readUInt16BE(p);
      const length = body.readUInt16BE(p + 2);
      if (end < p + 4 + length) return null;
      extensions.set(type, body.subarray(p + 4, p + 4 + length));
      p += 4 + length;
    }
  }
  return { clientVersion, random, sessionId, suites, compressionMethods, extensions };
}
