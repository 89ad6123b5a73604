import { ALERT_NAMES, CONTENT_TYPES } from './flight/names.ts';
import type { AlertFact } from './flight/types.ts';

/**
 * Reading what a server sends AFTER its first flight (issue 10: the known-weakness probes talk on after the
 * ServerHelloDone): TLS records (RFC 5246 6.2.1: type, version, length, fragment), alerts (RFC 5246 7.2), the
 * ChangeCipherSpec (7.1) and heartbeat messages (RFC 6520 4). The server-flight reader (server-flight.ts) reads the
 * flight itself; this one only frames records and names what is in them, since after our own odd records the server
 * may answer with anything.
 *
 * Pure and total: every input gives a typed result, never an exception. `splitServerRecords` takes whole records off
 * the front of a buffer and reports where framing failed; `describeRecord` names one record's content.
 */

/** RFC 5246 6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048. */
export const MAX_RECORD_BODY = 2 ** 14 + 2048;

/** One framed record; `offset` is where its header starts in the bytes read after the flight. */
export type TlsRecord = { readonly type: number; readonly version: number; readonly body: Buffer; readonly offset: number };

export type RecordSplit = {
  readonly records: readonly TlsRecord[];
  /** Bytes taken (whole records); the rest is an incomplete record, or unframeable when `problem` is set. */
  readonly consumed: number;
  readonly problem: { readonly problem: string; readonly offset: number } | null;
};

/**
 * Whole records from the front of `bytes` (RFC 5246 6.2.1). A header with an unknown content type (not 20-24), a
 * major version other than 3, or a length above 2^14 + 2048 stops the split with a problem at that offset.
 */
export function splitServerRecords(bytes: Buffer, baseOffset = 0): RecordSplit {
  const records: TlsRecord[] = [];
  let at = 0;
  while (bytes.length - at >= 5) {
    const type = bytes[at]!;
    const offset = baseOffset + at;
    if (type < 20 || type > 24) return { records, consumed: at, problem: { problem: `unexpected record type ${type}`, offset } };
    if (bytes[at + 1] !== 3) {
      return { records, consumed: at, problem: { problem: `record version ${bytes.readUInt16BE(at + 1).toString(16).padStart(4, '0')} is not TLS`, offset: offset + 1 } };
    }
    const length = bytes.readUInt16BE(at + 3);
    if (length > MAX_RECORD_BODY) return { records, consumed: at, problem: { problem: `record length ${length} exceeds 2^14 + 2048 (RFC 5246 6.2.3)`, offset: offset + 3 } };
    if (bytes.length - at < 5 + length) break;
    records.push({ type, version: bytes.readUInt16BE(at + 1), body: bytes.subarray(at + 5, at + 5 + length), offset });
    at += 5 + length;
  }
  return { records, consumed: at, problem: null };
}

/**
 * RFC 6520 4: HeartbeatMessage { type (1 request, 2 response); uint16 payload_length; payload; padding (>= 16) }.
 * `payload` holds at most `payloadLength` bytes of what the record carries (fewer when the record is too short);
 * `paddingLength` is what follows the payload, negative when the record ends before payload_length bytes.
 */
export type HeartbeatFact = {
  readonly messageType: number;
  readonly payloadLength: number;
  readonly payload: Buffer;
  readonly paddingLength: number;
  /** RFC 6520 4: 3 + payload_length + at least 16 bytes of padding fit in the record. */
  readonly wellFormed: boolean;
};

/** RFC 6520 4: the least padding a HeartbeatMessage carries. */
export const HEARTBEAT_MIN_PADDING = 16;

export type RecordFact =
  /** Two-byte alerts; `encrypted` when the body is not a sequence of (level 1|2, description) pairs. */
  | { readonly kind: 'alert'; readonly version: number; readonly alerts: readonly AlertFact[]; readonly encrypted: boolean; readonly length: number }
  | { readonly kind: 'heartbeat'; readonly version: number; readonly heartbeat: HeartbeatFact | null; readonly length: number }
  /** RFC 5246 7.1: the single byte 1; anything else is `valid: false` (or an encrypted record). */
  | { readonly kind: 'change-cipher-spec'; readonly version: number; readonly valid: boolean; readonly length: number }
  /** The first message's type when the body starts with a plausible header (it may be encrypted). */
  | { readonly kind: 'handshake'; readonly version: number; readonly firstType: number | null; readonly length: number }
  | { readonly kind: 'application-data'; readonly version: number; readonly length: number };

/** What one record carries. */
export function describeRecord(record: TlsRecord): RecordFact {
  const { type, version, body } = record;
  const length = body.length;
  switch (type) {
    case 21: {
      const pairs = length > 0 && length % 2 === 0 && [...Array(length / 2).keys()].every((i) => body[2 * i] === 1 || body[2 * i] === 2);
      const alerts: AlertFact[] = pairs
        ? [...Array(length / 2).keys()].map((i) => ({ level: body[2 * i]!, description: body[2 * i + 1]!, name: ALERT_NAMES.get(body[2 * i + 1]!) ?? null }))
        : [];
      return { kind: 'alert', version, alerts, encrypted: !pairs, length };
    }
    case 24: return { kind: 'heartbeat', version, heartbeat: readHeartbeat(body), length };
    case 20: return { kind: 'change-cipher-spec', version, valid: length === 1 && body[0] === 1, length };
    case 22: {
      const declared = length >= 4 ? body.readUIntBE(1, 3) : -1;
      return { kind: 'handshake', version, firstType: declared >= 0 && declared <= length - 4 ? body[0]! : null, length };
    }
    default: return { kind: 'application-data', version, length };
  }
}

/** RFC 6520 4; null when the body is shorter than the 3-byte header. */
export function readHeartbeat(body: Buffer): HeartbeatFact | null {
  if (body.length < 3) return null;
  const payloadLength = body.readUInt16BE(1);
  const payload = body.subarray(3, 3 + payloadLength);
  const paddingLength = body.length - 3 - payloadLength;
  return { messageType: body[0]!, payloadLength, payload, paddingLength, wellFormed: paddingLength >= HEARTBEAT_MIN_PADDING };
}

/** A short human name for a record fact, for evidence: `alert fatal unexpected_message (10)`, `heartbeat response (51 bytes)`. */
export function recordLabel(fact: RecordFact): string {
  switch (fact.kind) {
    case 'alert':
      if (fact.encrypted) return `alert (${fact.length} bytes, encrypted or malformed)`;
      return fact.alerts.map((a) => `alert ${a.level === 2 ? 'fatal' : 'warning'} ${a.name ?? 'unknown'} (${a.description})`).join(', ');
    case 'heartbeat': {
      const hb = fact.heartbeat;
      if (!hb) return `heartbeat (${fact.length} bytes, no header)`;
      const kind = hb.messageType === 1 ? 'request' : hb.messageType === 2 ? 'response' : `type ${hb.messageType}`;
      return `heartbeat ${kind}, payload_length ${hb.payloadLength} (${fact.length} bytes)`;
    }
    case 'change-cipher-spec': return fact.valid ? 'change_cipher_spec' : `change_cipher_spec (${fact.length} bytes, not the byte 1)`;
    case 'handshake': return `handshake (${fact.length} bytes${fact.firstType === null ? '' : `, type ${fact.firstType}`})`;
    default: return `${CONTENT_TYPES.get(23)} (${fact.length} bytes)`;
  }
}

/** At most `max` bytes as hex, with the total when cut: evidence quotes bytes, never without a bound. */
export function cappedHex(bytes: Buffer, max = 64): string {
  return bytes.length <= max ? bytes.toString('hex') : `${bytes.subarray(0, max).toString('hex')}…(${bytes.length} bytes)`;
}
