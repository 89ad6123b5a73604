import { describe, expect, it } from 'vitest';
import { verifySignature, publicKeyOf } from '../../src/dnssec/algorithms.ts';
import { signedData } from '../../src/dnssec/canonical.ts';
import { dsDigest, keyTag } from '../../src/dnssec/keys.ts';
import { nameFromText, nameToWire, type Name } from '../../src/dnssec/name.ts';
import { base32hexDecode, base32hexEncode, nsec3Hash } from '../../src/dnssec/nsec3-hash.ts';
import { writeDnskey, type Rrsig } from '../../src/dnssec/rdata.ts';
import { TYPE } from '../../src/dnssec/rr-types.ts';

/** Published test vectors: if one of these values were mistyped, its test would fail, not pass. */

const name = (text: string): Name => nameFromText(text)!;
const dnskey = (flags: number, algorithm: number, base64: string) => writeDnskey({ flags, protocol: 3, algorithm, publicKey: Buffer.from(base64, 'base64') });

// RFC 4034 5.4 (SHA-1) and RFC 4509 2.3 (SHA-256): the same key, its tag and two DS digests.
const RFC4034_KEY = dnskey(256, 5, 'AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==');
// The root zone's KSK-2017 as BIND's bind.keys carries it; its SHA-256 DS is the IANA anchor for tag 20326.
const ROOT_KSK_2017 = dnskey(257, 8, 'AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=');

describe('key tag (RFC 4034 Appendix B) and DS digest (RFC 4034 5.1.4)', () => {
  it.each([
    ['RFC 4034 5.4 dskey.example.com.', RFC4034_KEY, 'dskey.example.com.', 60485, 1, '2bb183af5f22588179a53b0a98631fad1a292118'],
    ['RFC 4509 2.3 dskey.example.com.', RFC4034_KEY, 'dskey.example.com.', 60485, 2, 'd4b7d520e7bb5f0f67674a0cceb1e3e0614b93c4f9e99b8383f6a1e4469da50a'],
    ['IANA root KSK-2017', ROOT_KSK_2017, '.', 20326, 2, 'e06d44b80b8f1d39a95c0b0d7c65d08458e880409bbc683457104237c7f8ec8d'],
    ['RFC 8080 6.1 example.com. key 1', dnskey(257, 15, 'l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4='), 'example.com.', 3613, 2, '3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b'],
  ])('%s', (_label, rdata, owner, tag, digestType, digest) => {
    expect(keyTag(rdata)).toBe(tag);
    expect(dsDigest(name(owner), rdata, digestType)?.toString('hex')).toBe(digest);
  });

  it('uses the modulus bits for algorithm 1 (Appendix B.1), and knows no digest type 3', () => {
    expect(keyTag(Buffer.from([1, 0, 3, 1, 0xaa, 0xbb, 0x12, 0x34, 0x56]))).toBe(0x1234);
    expect(dsDigest(name('example.'), RFC4034_KEY, 3)).toBeUndefined();
  });
});

describe('NSEC3 hash (RFC 5155 5, Appendix A: salt aabbccdd, 12 iterations)', () => {
  it.each([
    ['example.', '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom'], ['a.example.', '35mthgpgcu1qg68fab165klnsnk3dpvl'],
    ['ai.example.', 'gjeqe526plbf1g8mklp59enfd789njgi'], ['ns1.example.', '2t7b4g4vsa5smi47k61mv5bv1a22bojr'],
    ['ns2.example.', 'q04jkcevqvmu85r014c7dkba38o0ji5r'], ['w.example.', 'k8udemvp1j2f7eg6jebps17vp3n8i58h'],
    ['*.w.example.', 'r53bq7cc2uvmubfu5ocmm6pers9tk9en'], ['x.w.example.', 'b4um86eghhds6nea196smvmlo4ors995'],
    ['y.w.example.', 'ji6neoaepv8b5o6k4ev33abha8ht9fgc'], ['x.y.w.example.', '2vptu5timamqttgl4luu9kg21e0aor3s'],
    ['xx.example.', 't644ebqk9bibcna874givr6joj62mlhv'], ['A.EXAMPLE.', '35mthgpgcu1qg68fab165klnsnk3dpvl'],
  ])('H(%s) = %s', (owner, hash) => {
    expect(base32hexEncode(nsec3Hash(name(owner), Buffer.from('aabbccdd', 'hex'), 12)!)).toBe(hash);
  });

  it('matches knsec3hash c01dcafe 1 10 knot-dns.cz (Knot DNS manual)', () => {
    expect(base32hexEncode(nsec3Hash(name('knot-dns.cz.'), Buffer.from('c01dcafe', 'hex'), 10)!).toUpperCase()).toBe('7PTVGE7QV67EM61ROS9238P5RAKR2DM7');
  });

  it('knows only hash algorithm 1', () => {
    expect(nsec3Hash(name('example.'), Buffer.alloc(0), 0, 2)).toBeUndefined();
  });

  it.each([
    ['', ''], ['f', 'co'], ['fo', 'cpng'], ['foo', 'cpnmu'], ['foob', 'cpnmuog'], ['fooba', 'cpnmuoj1'], ['foobar', 'cpnmuoj1e8'],
  ])('base32hex of "%s" is "%s" (RFC 4648 10, lower case, no padding)', (text, encoded) => {
    expect(base32hexEncode(Buffer.from(text))).toBe(encoded);
    expect(base32hexDecode(encoded.toUpperCase())?.toString()).toBe(text);
  });

  it.each(['c', 'cpn', 'cpnmuo', 'cw', 'cp=n', 'cp'])('base32hex refuses "%s" (bad length, character or leftover bits)', (text) => {
    expect(base32hexDecode(text)).toBeUndefined();
  });
});

/** A record as signedData wants it. */
const rr = (owner: string, type: number, rdata: Buffer) => ({ owner: name(owner), type, class: 1, ttl: 3600, rdata });
const a = (owner: string, address: string) => rr(owner, TYPE.A, Buffer.from(address.split('.').map(Number)));
const mx = (owner: string, preference: number, exchange: string) => rr(owner, TYPE.MX, Buffer.concat([Buffer.from([preference >> 8, preference & 255]), nameToWire(name(exchange))]));

describe('signature verification against published examples', () => {
  const cases: { label: string; key: Buffer; rrset: ReturnType<typeof rr>[]; sig: Omit<Rrsig, 'signer'> & { signer: string } }[] = [
    { label: 'RFC 6605 6.1 ECDSAP256SHA256', key: dnskey(257, 13, 'GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=='),
      rrset: [a('www.example.net.', '192.0.2.1')],
      sig: { typeCovered: TYPE.A, algorithm: 13, labels: 3, originalTtl: 3600, expiration: 1284026679, inception: 1281607479, keyTag: 55648, signer: 'example.net.',
        signature: Buffer.from('qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==', 'base64') } },
    { label: 'RFC 6605 6.2 ECDSAP384SHA384', key: dnskey(257, 14, 'xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40'),
      rrset: [a('www.example.net.', '192.0.2.1')],
      sig: { typeCovered: TYPE.A, algorithm: 14, labels: 3, originalTtl: 3600, expiration: 1284027625, inception: 1281608425, keyTag: 10771, signer: 'example.net.',
        signature: Buffer.from('/L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuzWTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm', 'base64') } },
    // RFC 8080 6 as corrected by erratum 4935 (the published RRSIGs had the wrong labels field).
    { label: 'RFC 8080 6.1 ED25519', key: dnskey(257, 15, 'l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4='),
      rrset: [mx('example.com.', 10, 'mail.example.com.')],
      sig: { typeCovered: TYPE.MX, algorithm: 15, labels: 2, originalTtl: 3600, expiration: 1440021600, inception: 1438207200, keyTag: 3613, signer: 'example.com.',
        signature: Buffer.from('oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==', 'base64') } },
    { label: 'RFC 8080 6.2 ED448', key: dnskey(257, 16, '3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA'),
      rrset: [mx('example.com.', 10, 'mail.example.com.')],
      sig: { typeCovered: TYPE.MX, algorithm: 16, labels: 2, originalTtl: 3600, expiration: 1440021600, inception: 1438207200, keyTag: 9713, signer: 'example.com.',
        signature: Buffer.from('3cPAHkmlnxcDHMyg7vFC34l0blBhuG1qpwLmjInI8w1CMB29FkEAIJUA0amxWndkmnBZ6SKiwZSAxGILn/NBtOXft0+Gj7FSvOKxE/07+4RQvE581N3Aj/JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA', 'base64') } },
  ];

  it.each(cases)('$label verifies, and fails on changed data', ({ key, rrset, sig }) => {
    const rrsig = { ...sig, signer: name(sig.signer) };
    expect(keyTag(key)).toBe(sig.keyTag);
    const publicKey = publicKeyOf(key[3]!, key.subarray(4))!;
    expect(verifySignature(sig.algorithm, publicKey, signedData(rrsig, rrset)!, sig.signature)).toBe(true);
    const tampered = rrset.map((r) => ({ ...r, rdata: Buffer.concat([r.rdata.subarray(0, -1), Buffer.from([r.rdata.at(-1)! ^ 1])]) }));
    expect(verifySignature(sig.algorithm, publicKey, signedData(rrsig, tampered)!, sig.signature)).toBe(false);
  });
});
