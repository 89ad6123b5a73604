import { describe, expect, it } from 'vitest';
import {
  cappedHex, describeRecord, readHeartbeat, recordLabel, splitServerRecords, type RecordFact,
} from '../../src/tls/record-reader.ts';
import { seededRandom as prng } from '../support/prng.ts';

const record = (type: number, body: Buffer, version = 0x0303) => Buffer.concat([Buffer.of(type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff), body]);
const facts = (bytes: Buffer): RecordFact[] => splitServerRecords(bytes).records.map(describeRecord);

describe('splitServerRecords (RFC 5246 6.2.1)', () => {
  it.each<[string, Buffer, { records: number; consumed: number; problem: string | null }]>([
    ['nothing', Buffer.alloc(0), { records: 0, consumed: 0, problem: null }],
    ['a header without its body', Buffer.of(21, 3, 3, 0, 2, 2), { records: 0, consumed: 0, problem: null }],
    ['one alert', record(21, Buffer.of(2, 10)), { records: 1, consumed: 7, problem: null }],
    ['two records and a partial third', Buffer.concat([record(21, Buffer.of(1, 0)), record(24, Buffer.alloc(19)), Buffer.of(22, 3)]), { records: 2, consumed: 31, problem: null }],
    ['an empty application_data record', record(23, Buffer.alloc(0)), { records: 1, consumed: 5, problem: null }],
    ['an unknown content type', record(25, Buffer.of(1)), { records: 0, consumed: 0, problem: 'unexpected record type 25' }],
    ['a version that is not TLS', record(21, Buffer.of(2, 10), 0x0203), { records: 0, consumed: 0, problem: 'record version 0203 is not TLS' }],
    ['a record above 2^14 + 2048', Buffer.of(23, 3, 3, 0x48, 0x01), { records: 0, consumed: 0, problem: 'record length 18433 exceeds 2^14 + 2048 (RFC 5246 6.2.3)' }],
    ['a good record, then text', Buffer.concat([record(21, Buffer.of(2, 40)), Buffer.from('HTTP/1.1 400')]), { records: 1, consumed: 7, problem: 'unexpected record type 72' }],
  ])('%s', (_name, bytes, expected) => {
    const split = splitServerRecords(bytes);
    expect({ records: split.records.length, consumed: split.consumed, problem: split.problem?.problem ?? null }).toEqual(expected);
  });

  it('reports offsets from the given base', () => {
    const split = splitServerRecords(Buffer.concat([record(21, Buffer.of(2, 10)), Buffer.of(99, 3, 3, 0, 0)]), 100);
    expect(split.records[0]!.offset).toBe(100);
    expect(split.problem?.offset).toBe(107);
  });
});

describe('describeRecord', () => {
  it.each<[string, Buffer, string]>([
    ['a fatal alert', record(21, Buffer.of(2, 10)), 'alert fatal unexpected_message (10)'],
    ['two alerts in one record', record(21, Buffer.of(1, 90, 2, 20)), 'alert warning user_canceled (90), alert fatal bad_record_mac (20)'],
    ['an unnamed alert', record(21, Buffer.of(2, 200)), 'alert fatal unknown (200)'],
    ['an encrypted alert', record(21, Buffer.alloc(26, 0x5a)), 'alert (26 bytes, encrypted or malformed)'],
    ['an odd-length alert', record(21, Buffer.of(2, 10, 2)), 'alert (3 bytes, encrypted or malformed)'],
    ['a heartbeat response', record(24, Buffer.concat([Buffer.of(2, 0, 4), Buffer.from('ping'), Buffer.alloc(16)])), 'heartbeat response, payload_length 4 (23 bytes)'],
    ['a heartbeat without its header', record(24, Buffer.of(2, 0)), 'heartbeat (2 bytes, no header)'],
    ['a heartbeat of type 7', record(24, Buffer.of(7, 0, 0)), 'heartbeat type 7, payload_length 0 (3 bytes)'],
    ['change_cipher_spec', record(20, Buffer.of(1)), 'change_cipher_spec'],
    ['change_cipher_spec that is not 1', record(20, Buffer.of(2, 2)), 'change_cipher_spec (2 bytes, not the byte 1)'],
    ['a handshake message', record(22, Buffer.of(14, 0, 0, 0)), 'handshake (4 bytes, type 14)'],
    ['an encrypted handshake record', record(22, Buffer.alloc(40, 0xee)), 'handshake (40 bytes)'],
    ['application data', record(23, Buffer.alloc(30)), 'application_data (30 bytes)'],
  ])('%s', (_name, bytes, label) => {
    const [fact] = facts(bytes);
    expect(recordLabel(fact!)).toBe(label);
  });

  it.each<[string, Buffer, { payloadLength: number; paddingLength: number; wellFormed: boolean; payload: string }]>([
    ['RFC 6520 4: payload and 16 bytes of padding', Buffer.concat([Buffer.of(1, 0, 2), Buffer.from('hi'), Buffer.alloc(16)]), { payloadLength: 2, paddingLength: 16, wellFormed: true, payload: 'hi' }],
    ['no room for the padding (Heartbleed\'s probe)', Buffer.concat([Buffer.of(1, 0, 2), Buffer.from('hi')]), { payloadLength: 2, paddingLength: 0, wellFormed: false, payload: 'hi' }],
    ['payload_length beyond the record', Buffer.concat([Buffer.of(2, 0x40, 0), Buffer.from('hi')]), { payloadLength: 0x4000, paddingLength: 2 - 0x4000, wellFormed: false, payload: 'hi' }],
  ])('heartbeat: %s', (_name, body, expected) => {
    const hb = readHeartbeat(body)!;
    expect({ payloadLength: hb.payloadLength, paddingLength: hb.paddingLength, wellFormed: hb.wellFormed, payload: hb.payload.toString() }).toEqual(expected);
  });

  it('caps hex and says how much there was', () => {
    expect(cappedHex(Buffer.of(1, 2, 3))).toBe('010203');
    expect(cappedHex(Buffer.alloc(100, 0xab), 4)).toBe('abababab…(100 bytes)');
  });
});

describe('record reader fuzz (seeded): every input gives a typed result, never an exception', () => {
  const vectors = [
    Buffer.concat([record(21, Buffer.of(2, 10)), record(24, Buffer.concat([Buffer.of(2, 0, 4), Buffer.from('ping'), Buffer.alloc(16)])), record(20, Buffer.of(1))]),
    Buffer.concat([record(22, Buffer.of(14, 0, 0, 0)), record(23, Buffer.alloc(40)), record(21, Buffer.alloc(26, 1))]),
  ];
  const typed = (bytes: Buffer) => {
    let labels: string[] = [];
    expect(() => {
      const split = splitServerRecords(bytes);
      expect(split.consumed).toBeLessThanOrEqual(bytes.length);
      labels = split.records.map((r) => recordLabel(describeRecord(r)));
    }).not.toThrow();
    return labels;
  };

  it('every truncation reads a prefix of the whole', () => {
    for (const bytes of vectors) {
      const whole = typed(bytes);
      for (let n = 0; n <= bytes.length; n++) expect(whole.slice(0, typed(bytes.subarray(0, n)).length)).toEqual(typed(bytes.subarray(0, n)));
    }
  });

  it('random byte flips and random strings', () => {
    const random = prng(20261203);
    for (let i = 0; i < 500; i++) {
      const copy = Buffer.from(vectors[i % vectors.length]!);
      for (let f = 0; f < 1 + Math.floor(random() * 4); f++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      typed(copy);
      const body = Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
      typed(body);
      typed(record(20 + (i % 5), body));
    }
  });
});
