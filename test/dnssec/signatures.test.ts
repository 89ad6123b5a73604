import { generateKeyPairSync } from 'node:crypto';
import { generateSigningKey, signData, type SigningKey } from '../../src/lab/dnssec/keys.ts';
import { describe, expect, it } from 'vitest';
import { algorithmStatus, publicKeyOf, verifySignature } from '../../src/dnssec/algorithms.ts';
import { canonicalRdataSet, signedData, signedOwner } from '../../src/dnssec/canonical.ts';
import { nameFromText, nameToText, nameToWire, type Name } from '../../src/dnssec/name.ts';
import { writeRrsigFields } from '../../src/dnssec/rdata.ts';
import { TYPE } from '../../src/dnssec/rr-types.ts';
import { serialLess, serialTimeToIso, signatureTime } from '../../src/dnssec/validity.ts';

/** What a signature covers (RFC 4034 3.1.8.1, 6.3; RFC 4035 5.3.2), when it is valid (RFC 4034 3.1.5) and key formats. */

const name = (text: string): Name => nameFromText(text)!;

describe('the RRSIG owner and wildcard rule (RFC 4035 5.3.2)', () => {
  it.each([
    ['www.example.', 2, 'www.example.'], ['www.example.', 1, '*.example.'], ['a.b.example.', 1, '*.example.'], ['*.example.', 1, '*.example.'], ['www.example.', 0, '*.'],
  ])('%s with %i labels signs as %s', (owner, labels, signed) => {
    expect(nameToText(signedOwner(name(owner), labels)!)).toBe(signed);
  });

  it('refuses more labels than the owner has', () => {
    expect(signedOwner(name('www.example.'), 3)).toBeUndefined();
  });
});

describe('canonical RRset order (RFC 4034 6.3)', () => {
  it('sorts RDATA as unsigned octets, a shorter prefix first, and keeps duplicates once', () => {
    const set = canonicalRdataSet(TYPE.TXT, [Buffer.from([2, 0x62, 0x61]), Buffer.from([1, 0x61]), Buffer.from([2, 0x61, 0x62]), Buffer.from([1, 0x61])]);
    expect(set?.map((b) => b.toString('hex'))).toEqual(['0161', '026162', '026261']);
  });
});

describe('signed data (RFC 4034 3.1.8.1)', () => {
  it('is the RRSIG fields with a lower-case signer, then each RR with lower-case owner and the original TTL', () => {
    const sig = { typeCovered: TYPE.A, algorithm: 13, labels: 2, originalTtl: 3600, expiration: 2, inception: 1, keyTag: 7, signer: name('Example.') };
    const rr = (address: number) => ({ owner: name('WWW.example.'), type: TYPE.A, class: 1, ttl: 5, rdata: Buffer.from([192, 0, 2, address]) });
    const fixed = (address: number) => Buffer.concat([nameToWire(name('www.example.')), Buffer.from([0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, address])]);
    expect(signedData(sig, [rr(9), rr(1)])).toEqual(Buffer.concat([writeRrsigFields({ ...sig, signer: name('example.') }, false), fixed(1), fixed(9)]));
  });

  it('uses the wildcard owner for an expanded RRset', () => {
    const sig = { typeCovered: TYPE.A, algorithm: 13, labels: 2, originalTtl: 60, expiration: 2, inception: 1, keyTag: 7, signer: name('example.') };
    const data = signedData(sig, [{ owner: name('a.b.example.'), type: TYPE.A, class: 1, ttl: 60, rdata: Buffer.from([192, 0, 2, 1]) }])!;
    expect(data.includes(nameToWire(name('*.b.example.')))).toBe(true);
  });
});

describe('validity periods in serial number arithmetic (RFC 1982, RFC 4034 3.1.5)', () => {
  it.each([
    [1, 2, true], [2, 1, false], [0xffffffff, 0, true], [0, 0xffffffff, false], [0, 2 ** 31, false], [2 ** 31, 0, false], [5, 5, false],
  ])('%i < %i is %s', (a, b, less) => {
    expect(serialLess(a, b)).toBe(less);
  });

  const NOW = 1_700_000_000;
  it.each([
    ['inside', NOW - 10, NOW + 10, 'valid'], ['at inception', NOW, NOW + 10, 'valid'], ['at expiration', NOW - 10, NOW, 'valid'],
    ['after expiration', NOW - 10, NOW - 1, 'expired'], ['before inception', NOW + 1, NOW + 10, 'not-yet-valid'],
    // Near 2106 the fields wrap: an expiration numerically below the inception can still lie after it.
    ['across the 2^32 wrap', 2 ** 32 - 100, 50, 'valid'],
  ] as const)('%s', (_label, inception, expiration, state) => {
    const now = _label === 'across the 2^32 wrap' ? 2 ** 32 + 10 : NOW;
    expect(signatureTime(inception >>> 0, expiration >>> 0, now)).toBe(state);
  });

  it('shows a field as the calendar time nearest the clock', () => {
    expect(serialTimeToIso(1_438_207_200, 1_439_000_000)).toBe('2015-07-29T22:00:00Z');
    expect(serialTimeToIso(50, 2 ** 32 + 10)).toBe('2106-02-07T06:29:06Z');
  });
});

describe('public keys and signatures over node:crypto', () => {
  it('reads RSA keys with a one-octet and a three-octet exponent length (RFC 3110 2)', () => {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const [e, n] = [Buffer.from(jwk.e!, 'base64url'), Buffer.from(jwk.n!, 'base64url')];
    expect(publicKeyOf(8, Buffer.concat([Buffer.from([e.length]), e, n]))?.asymmetricKeyType).toBe('rsa');
    expect(publicKeyOf(8, Buffer.concat([Buffer.from([0, 0, e.length]), e, n]))?.asymmetricKeyType).toBe('rsa');
  });

  it.each([
    ['RSA without modulus', 8, Buffer.from([3, 1, 0, 1])], ['RSA with a zero exponent length', 8, Buffer.from([0, 0, 0, 1, 2, 3])],
    ['P-256 of the wrong size', 13, Buffer.alloc(63, 1)], ['P-256 not on the curve', 13, Buffer.alloc(64, 1)],
    ['Ed25519 of the wrong size', 15, Buffer.alloc(31)], ['an unsupported algorithm', 12, Buffer.alloc(64)],
  ])('gives no key for %s', (_label, algorithm, key) => {
    expect(publicKeyOf(algorithm, key)).toBeUndefined();
  });

  it('says false, never throws, for a signature of the wrong size', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const key = publicKeyOf(13, Buffer.concat([Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]))!;
    expect(verifySignature(13, key, Buffer.from('data'), Buffer.alloc(3))).toBe(false);
    expect(verifySignature(99, key, Buffer.from('data'), Buffer.alloc(64))).toBe(false);
  });

  it('verifies what the lab signs, for every algorithm (RSA: one 2048-bit key under each RSA number)', () => {
    const rsa = generateSigningKey(8, 'zsk');
    const keys: SigningKey[] = [...[5, 7, 8, 10].map((algorithm) => ({ ...rsa, algorithm })), ...[13, 14, 15, 16].map((a) => generateSigningKey(a, 'zsk'))];
    const data = Buffer.from('signed data');
    const verdicts = keys.map((key) => {
      const publicKey = publicKeyOf(key.algorithm, key.rdata.subarray(4))!;
      const signature = signData(key, data);
      return [key.algorithm, verifySignature(key.algorithm, publicKey, data, signature), verifySignature(key.algorithm, publicKey, Buffer.from('other data'), signature)];
    });
    expect(verdicts).toEqual([5, 7, 8, 10, 13, 14, 15, 16].map((a) => [a, true, false]));
  });

  it.each([[5, 'weak'], [7, 'weak'], [8, 'supported'], [10, 'supported'], [13, 'supported'], [14, 'supported'], [15, 'supported'], [16, 'supported'], [1, 'unsupported'], [3, 'unsupported'], [200, 'unsupported']])(
    'algorithm %i is %s', (algorithm, status) => {
      expect(algorithmStatus(algorithm)).toBe(status);
    });
});
