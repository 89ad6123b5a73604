/**
 * RFC 6962 3.3 SignedCertificateTimestampList parser: table tests for well-formed and malformed lists, and a seeded
 * fuzz test (random bytes, truncations and byte flips) showing it is total: a result, never an exception.
 */
import { describe, expect, it } from 'vitest';
import { encodeSctList, parseSctList } from '../../src/tls/sct.ts';
import { seededRandom } from '../support/prng.ts';

const LOG_A = Buffer.alloc(32, 0xa1);
const LOG_B = Buffer.alloc(32, 0xb2);
const SIG = Buffer.from('3045022100' + 'ab'.repeat(32) + '0220' + 'cd'.repeat(32), 'hex');
const T = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
const u16 = (n: number) => Buffer.of(n >> 8, n & 0xff);
const vec = (b: Buffer) => Buffer.concat([u16(b.length), b]);
const TWO = encodeSctList([{ logId: LOG_A, timestampMs: T, signature: SIG }, { logId: LOG_B, timestampMs: T + 1, extensions: Buffer.of(1, 2), hash: 4, signatureAlgorithm: 1, signature: SIG }]);
const oneSct = (body: Buffer) => vec(vec(body));

describe('parseSctList (RFC 6962 3.3)', () => {
  it('reads version, log id, timestamp, extensions and the signature of each SCT', () => {
    const r = parseSctList(TWO);
    expect(r).toEqual({
      ok: true, unknown: [], scts: [
        { version: 0, logId: LOG_A.toString('base64'), timestamp: new Date(T).toISOString(), extensionsHex: '', hashAlgorithm: 4, signatureAlgorithm: 3, signatureBytes: SIG.length },
        { version: 0, logId: LOG_B.toString('base64'), timestamp: new Date(T + 1).toISOString(), extensionsHex: '0102', hashAlgorithm: 4, signatureAlgorithm: 1, signatureBytes: SIG.length },
      ],
    });
  });

  it('keeps an SCT of an unknown version aside, uncounted', () => {
    const r = parseSctList(oneSct(Buffer.of(7, 1, 2, 3)));
    expect(r).toEqual({ ok: true, scts: [], unknown: [{ version: 7, bytes: 4 }] });
  });

  it.each<readonly [string, Buffer, RegExp]>([
    ['empty input', Buffer.alloc(0), /sct_list length needs 2 bytes/],
    ['an empty list (RFC 6962: <1..2^16-1>)', vec(Buffer.alloc(0)), /sct_list length 0 outside 1\.\./],
    ['a list longer than the bytes', Buffer.concat([u16(50), Buffer.alloc(10)]), /exceeds the 10 bytes left/],
    ['trailing bytes after the list', Buffer.concat([TWO, Buffer.of(0)]), /1 trailing byte/],
    ['an empty SerializedSCT', vec(u16(0)), /SerializedSCT length 0 outside 1\.\./],
    ['a log id cut short', oneSct(Buffer.concat([Buffer.of(0), Buffer.alloc(20)])), /LogID needs 32 bytes/],
    ['no signature', oneSct(Buffer.concat([Buffer.of(0), LOG_A, Buffer.alloc(8), u16(0), Buffer.of(4, 3), u16(0)])), /signature length 0 outside/],
    ['bytes after the signature', oneSct(Buffer.concat([Buffer.of(0), LOG_A, Buffer.alloc(8), u16(0), Buffer.of(4, 3), vec(SIG), Buffer.of(9)])), /SCT: 1 trailing byte/],
    ['a timestamp that is no date', oneSct(Buffer.concat([Buffer.of(0), LOG_A, Buffer.alloc(8, 0xff), u16(0), Buffer.of(4, 3), vec(SIG)])), /is not a date/],
  ])('rejects %s', (_name, bytes, problem) => {
    const r = parseSctList(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });
});

describe('parseSctList fuzz (seeded): every input gives a typed result, never an exception', () => {
  const check = (bytes: Buffer) => {
    const r = parseSctList(bytes);
    expect(typeof r.ok).toBe('boolean');
    if (r.ok) for (const s of r.scts) expect(Number.isNaN(Date.parse(s.timestamp))).toBe(false);
  };

  it('every truncation of a valid list', () => {
    for (let n = 0; n < TWO.length; n++) {
      const r = parseSctList(TWO.subarray(0, n));
      expect(r.ok, `prefix ${n}`).toBe(false);
    }
  });

  it('random byte flips of a valid list', () => {
    const random = seededRandom(6962);
    for (let i = 0; i < 2000; i++) {
      const copy = Buffer.from(TWO);
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      check(copy);
    }
  });

  it('random strings, raw and behind plausible length prefixes', () => {
    const random = seededRandom(33);
    for (let i = 0; i < 2000; i++) {
      const body = Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
      check(body);
      check(oneSct(body));
    }
  });
});
