import { ByteQueue, ParseError, printable, reanchor } from './flight/bytes.ts';
import { parseCertificate, parseCertificateRequest, parseCertificateStatus } from './flight/messages.ts';
import { ALERT_NAMES, CONTENT_TYPES, handshakeName } from './flight/names.ts';
import { isTls13, parseServerHello } from './flight/server-hello.ts';
import { parseServerKeyExchange } from './flight/server-key-exchange.ts';
import { isSslv2Start, parseSslv2Record, sslv2Length } from './flight/sslv2.ts';
import type {
  AlertFact, CertificateList, CertificateRequestFact, CertificateStatusFact, FlightOptions, FlightReader, FlightResult,
  FlightStage, FlightState, KeyExchangeHint, ServerHelloFacts, ServerKeyExchangeFact,
} from './flight/types.ts';

export type * from './flight/types.ts';
export { dhPrimeInfo } from './dh-primes.ts';
export { HRR_RANDOM, isTls13 } from './flight/server-hello.ts';

/**
 * Reading a server's first flight in answer to a ClientHello (RFC 5246 7.3, RFC 8446 2 and 4): ServerHello or
 * HelloRetryRequest, then for TLS <= 1.2 Certificate, CertificateStatus, ServerKeyExchange, CertificateRequest and
 * ServerHelloDone; for TLS 1.3 only the ServerHello (the rest is encrypted). Also alerts and the SSLv2 SERVER-HELLO.
 *
 * Pure, total and incremental: feed chunks as they arrive, any split down to single bytes, and the same bytes give
 * the same result; every input gives a typed result, never an exception. Linear in the bytes read: records and
 * handshake messages are reassembled from queues that copy each byte a constant number of times. The reader judges
 * structure only: whether the version or suite was offered is the caller's question.
 */

export const DEFAULT_MAX_FLIGHT_BYTES = 64 * 1024;
export const DEFAULT_MAX_CERTIFICATES = 32;
/** RFC 5246 6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048 (the loosest of the record-layer caps). */
export const MAX_RECORD_LENGTH = 2 ** 14 + 2048;

/** RFC 5246 7.3 (and RFC 6066 8 for CertificateStatus): the order of the server's flight after its ServerHello. */
const RANK: ReadonlyMap<number, number> = new Map([[2, 0], [11, 1], [22, 2], [12, 3], [13, 4], [14, 5]]);
const STAGE: ReadonlyMap<number, FlightStage> = new Map([
  [2, 'ServerHello'], [11, 'Certificate'], [22, 'CertificateStatus'], [12, 'ServerKeyExchange'], [13, 'CertificateRequest'],
]);

type Segment = { readonly hs: number; readonly stream: number; readonly length: number };

export function createFlightReader(options: FlightOptions = {}): FlightReader {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FLIGHT_BYTES;
  const maxCertificates = options.maxCertificates ?? DEFAULT_MAX_CERTIFICATES;
  const stopAfter = options.stopAfter ?? 'server-hello-done';

  const input = new ByteQueue();
  /** Stream bytes consumed so far. */
  let pos = 0;
  let mode: 'start' | 'tls' | 'sslv2' = 'start';
  let record: { readonly type: number; readonly length: number; readonly start: number } | null = null;
  let recordVersion: number | null = null;

  // Handshake reassembly (RFC 5246 6.2.1: messages span records, records hold several messages). `segments` maps
  // handshake-stream offsets back to reply offsets, so problems point at the byte in the reply.
  const hs = new ByteQueue();
  let hsPos = 0;
  let hsEnd = 0;
  let segments: Segment[] = [];
  let alertPending: Buffer = Buffer.alloc(0);

  let serverHello: ServerHelloFacts | null = null;
  let tls13 = false;
  let awaitingAfterTls13 = false;
  let rank = -1;
  let stage: FlightStage = 'nothing';
  let certificates: CertificateList | null = null;
  let certificateStatus: CertificateStatusFact | null = null;
  let serverKeyExchange: ServerKeyExchangeFact | null = null;
  let certificateRequest: CertificateRequestFact | null = null;
  const warnings: AlertFact[] = [];
  let result: FlightResult | null = null;

  const fail = (problem: string, offset: number): never => { throw new ParseError(problem, offset); };

  const streamOffset = (hsOffset: number): number => {
    for (const s of segments) if (hsOffset < s.hs + s.length) return s.stream + Math.max(0, hsOffset - s.hs);
    const last = segments[segments.length - 1];
    return last ? last.stream + last.length : pos;
  };

  const flight = (rest: { helloDone?: boolean; encrypted?: boolean; abbreviated?: boolean; compatibilityCcs?: boolean | null }): FlightResult => ({
    kind: 'flight', version: serverHello!.version, recordVersion: recordVersion ?? 0, serverHello: serverHello!,
    certificates, certificateStatus, serverKeyExchange, certificateRequest, helloDone: rest.helloDone ?? false,
    encrypted: rest.encrypted ?? false, abbreviated: rest.abbreviated ?? false,
    compatibilityCcs: rest.compatibilityCcs ?? null, warnings: [...warnings], bytes: pos,
  });
  const tooLarge = (bytes: number): FlightResult => ({ kind: 'too-large', bytes, limit: maxBytes });

  const hintFor = (suite: number): KeyExchangeHint | null => {
    try {
      return options.keyExchangeOf?.(suite) ?? null;
    } catch {
      return null; // a failing lookup is an unknown key exchange, parsed by the heuristic
    }
  };

  /** RFC 5246 7.3 / 7.4: which message may come now; checked as soon as its 4-byte header is in. */
  const checkOrder = (type: number, at: number): void => {
    if (type === 0) return; // HelloRequest may come at any time and is ignored (RFC 5246 7.4.1.1)
    if (type === 2) {
      if (serverHello) fail('a second ServerHello', at);
      return;
    }
    const name = handshakeName(type);
    if (!serverHello) fail(`${name} before the ServerHello`, at);
    const r = RANK.get(type);
    if (r === undefined) fail(`unexpected ${name} in the server's first flight`, at);
    if (r! <= rank) fail(`${name} after ${stage} (RFC 5246 7.3 order)`, at);
    if (type === 22 && !certificates) fail('CertificateStatus without a Certificate (RFC 6066 8)', at);
  };

  const onMessage = (type: number, body: Buffer): FlightResult | null => {
    switch (type) {
      case 0:
        if (body.length > 0) fail('HelloRequest: must be empty (RFC 5246 7.4.1.1)', 0);
        return null;
      case 2: {
        const parsed = parseServerHello(body);
        if (parsed.retry) {
          const { retry: _, ...facts } = parsed;
          return { kind: 'hello-retry', ...facts, bytes: pos };
        }
        serverHello = parsed.hello;
        tls13 = isTls13(serverHello.version);
        if (tls13) {
          // RFC 8446 5.1: messages that precede a key change must end at a record boundary.
          if (hs.length > 0) fail('handshake data after the TLS 1.3 ServerHello in its record (RFC 8446 5.1)', body.length);
          if (stopAfter === 'server-hello') return flight({ encrypted: true });
          awaitingAfterTls13 = true;
        } else if (stopAfter === 'server-hello') {
          return flight({});
        }
        break;
      }
      case 11: certificates = parseCertificate(body, maxCertificates); break;
      case 22: certificateStatus = parseCertificateStatus(body); break;
      case 12:
        serverKeyExchange = parseServerKeyExchange(body, { version: serverHello!.version, hint: hintFor(serverHello!.cipherSuite) });
        break;
      case 13: certificateRequest = parseCertificateRequest(body, serverHello!.version >= 0x0303); break;
      case 14:
        if (body.length > 0) fail('ServerHelloDone: must be empty (RFC 5246 7.4.5)', 0);
        return flight({ helloDone: true });
    }
    rank = RANK.get(type)!;
    stage = STAGE.get(type)!;
    return null;
  };

  const drainHandshake = (): FlightResult | null => {
    for (;;) {
      const header = hs.peek(4);
      if (!header) return null;
      const type = header[0]!;
      const length = header.readUIntBE(1, 3);
      checkOrder(type, streamOffset(hsPos));
      const missing = 4 + length - hs.length;
      if (missing > 0) return pos + missing > maxBytes ? tooLarge(pos + missing) : null; // each missing byte is still to come
      const message = hs.take(4 + length)!;
      const bodyAt = hsPos + 4;
      hsPos += 4 + length;
      let outcome: FlightResult | null;
      try {
        outcome = onMessage(type, message.subarray(4));
      } catch (error) {
        throw error instanceof ParseError ? new ParseError(error.problem, streamOffset(bodyAt + error.at)) : error;
      }
      segments = segments.filter((s) => s.hs + s.length > hsPos);
      if (outcome) return outcome;
      if (awaitingAfterTls13) return null;
    }
  };

  const onAlert = (body: Buffer): FlightResult | null => {
    // RFC 5246 6.2.1 lets TLS <= 1.2 fragment an alert across records; RFC 8446 6: two bytes, level and description.
    const bytes = alertPending.length > 0 ? Buffer.concat([alertPending, body]) : body;
    let i = 0;
    for (; i + 2 <= bytes.length; i += 2) {
      const fact: AlertFact = { level: bytes[i]!, description: bytes[i + 1]!, name: ALERT_NAMES.get(bytes[i + 1]!) ?? null };
      // A warning (RFC 5246 7.2), e.g. unrecognized_name before the ServerHello (RFC 6066 3), does not end the flight;
      // close_notify does, and so does every fatal alert.
      if (fact.level === 1 && fact.description !== 0) { warnings.push(fact); continue; }
      return { kind: 'alert', ...fact, after: stage, serverHello, bytes: pos };
    }
    alertPending = Buffer.from(bytes.subarray(i));
    return null;
  };

  const onRecord = (type: number, body: Buffer, start: number): FlightResult | null => {
    if (alertPending.length > 0 && type !== 21) fail(`${CONTENT_TYPES.get(type)} record inside a fragmented alert`, start);
    switch (type) {
      case 22:
        hs.push(body);
        segments.push({ hs: hsEnd, stream: start + 5, length: body.length });
        hsEnd += body.length;
        return drainHandshake();
      case 21:
        return onAlert(body);
      case 20:
        // RFC 5246 7.1 / RFC 8446 5: a single byte of value 1.
        if (body.length !== 1 || body[0] !== 1) fail('change_cipher_spec: must be the single byte 1 (RFC 5246 7.1)', start + 5);
        if (!serverHello) fail('change_cipher_spec before the ServerHello', start);
        if (hs.length > 0) fail('change_cipher_spec inside a handshake message', start);
        if (tls13) return flight({ encrypted: true, compatibilityCcs: true }); // RFC 8446 D.4 middlebox compatibility
        return flight({ encrypted: true, abbreviated: true }); // RFC 5246 7.3: a resumed session's abbreviated handshake
      default:
        return fail('application_data before the handshake completed', start);
    }
  };

  const pump = (): FlightResult | null => {
    for (;;) {
      if (mode === 'start') {
        const first = input.peek(1);
        if (!first) return null;
        if (isSslv2Start(first[0]!)) mode = 'sslv2';
        else if (first[0]! >= 20 && first[0]! <= 24) mode = 'tls';
        else return input.length < 5 ? null : fail(`not a TLS reply: starts with ${printable(input.peek(5)!)}`, 0);
      }
      if (mode === 'sslv2') {
        const header = input.peek(2);
        if (!header) return null;
        const length = sslv2Length(header);
        if (length === 0) fail('empty SSLv2 record', 0);
        if (2 + length > maxBytes) return tooLarge(2 + length);
        const all = input.take(2 + length);
        if (!all) return null;
        pos = 2 + length;
        try {
          return parseSslv2Record(all.subarray(2), pos);
        } catch (error) {
          throw error instanceof ParseError ? reanchor(error, 2 + error.at) : error;
        }
      }
      if (!record) {
        const header = input.take(5);
        if (!header) return null;
        const start = pos;
        pos += 5;
        const type = header[0]!;
        const length = header.readUInt16BE(3);
        // RFC 5246 6.2.1 / RFC 8446 5.1: ContentType, ProtocolVersion {3, x}, uint16 length.
        if (type < 20 || type > 23) fail(`unexpected record type ${type} (${CONTENT_TYPES.get(type) ?? 'unknown'})`, start);
        if (header[1] !== 3) fail(`record version ${header.readUInt16BE(1).toString(16).padStart(4, '0')} is not TLS`, start + 1);
        if (length > MAX_RECORD_LENGTH) fail(`record length ${length} exceeds 2^14 + 2048 (RFC 5246 6.2.3)`, start + 3);
        if (awaitingAfterTls13) {
          // RFC 8446 5 and 2: after the ServerHello everything but change_cipher_spec and alerts is encrypted.
          if (type === 23) return flight({ encrypted: true, compatibilityCcs: false });
          if (type === 22) fail('plaintext handshake record after the TLS 1.3 ServerHello (RFC 8446 5)', start);
        }
        // RFC 5246 6.2.1: no zero-length handshake, alert or change_cipher_spec fragments.
        if (length === 0 && type !== 23) fail(`empty ${CONTENT_TYPES.get(type)} record (RFC 5246 6.2.1)`, start + 3);
        if (start + 5 + length > maxBytes) return tooLarge(start + 5 + length);
        recordVersion ??= header.readUInt16BE(1);
        record = { type, length, start };
      }
      const body = input.take(record.length);
      if (!body) return null;
      const { type, start } = record;
      record = null;
      pos += body.length;
      const outcome = onRecord(type, body, start);
      if (outcome) return outcome;
    }
  };

  const settle = (step: () => FlightResult | null): FlightState => {
    if (!result) {
      try {
        result = step();
      } catch (error) {
        if (!(error instanceof ParseError)) throw error;
        result = { kind: 'malformed', problem: error.problem, offset: error.at };
      }
    }
    return result ? { done: true, result } : { done: false };
  };

  return {
    push: (chunk) => settle(() => {
      input.push(chunk);
      return pump();
    }),
    end: () => settle(() => {
      if (mode === 'start' && input.length > 0) return fail(`not a TLS reply: starts with ${printable(input.peek(input.length)!)}`, 0);
      if (awaitingAfterTls13) return flight({ encrypted: true });
      return { kind: 'truncated', after: stage, bytes: pos + input.length, serverHello, warnings: [...warnings] };
    }) as FlightState & { done: true },
  };
}
