import { describe, expect, it } from 'vitest';
import { anchorToText, parseTrustAnchors } from '../../src/dnssec/anchors.ts';
import { nameToText } from '../../src/dnssec/name.ts';
import { ianaRootAnchors } from '../../src/dnssec/root-anchors.ts';

/** Trust-anchor files in zone-file presentation form, and the IANA root anchors shipped as data. */

const KEY = 'l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=';
const DIGEST = '3AA5AB37EFCE57F737FC1627013FEE07BDF241BD10F3B1964AB55C78E79A304B';

describe('parseTrustAnchors', () => {
  it.each([
    ['a DS record', `example.com. IN DS 3613 15 2 ${DIGEST}`, [`example.com. DS 3613 15 2 ${DIGEST}`]],
    ['a DNSKEY with TTL and class', `example.com. 3600 IN DNSKEY 257 3 15 ${KEY}`, [`example.com. DNSKEY 257 3 15 ${KEY}`]],
    ['class before TTL, mnemonics, a split digest', `example.com. IN 60 DS 3613 ED25519 2 ${DIGEST.slice(0, 20)} ${DIGEST.slice(20)}`, [`example.com. DS 3613 15 2 ${DIGEST}`]],
    ['parentheses over lines and comments', `; anchors\nexample.com. DNSKEY 257 3 15 ( ; the key\n  ${KEY.slice(0, 20)}\n  ${KEY.slice(20)} )`, [`example.com. DNSKEY 257 3 15 ${KEY}`]],
    ['$ORIGIN, @, a relative name and an inherited owner', `$ORIGIN com.\n$TTL 3600\n@ DS 1 8 2 ${DIGEST}\nexample DS 3613 15 2 ${DIGEST}\n  DNSKEY 257 3 15 ${KEY}`,
      [`com. DS 1 8 2 ${DIGEST}`, `example.com. DS 3613 15 2 ${DIGEST}`, `example.com. DNSKEY 257 3 15 ${KEY}`]],
    ['an unknown digest type, taken as it is', `. DS 1 8 9 ABCD`, ['. DS 1 8 9 ABCD']],
  ])('reads %s', (_label, text, anchors) => {
    const parsed = parseTrustAnchors(text, 'anchors.txt');
    expect(parsed.ok ? parsed.anchors.map(anchorToText) : parsed.errors).toEqual(anchors);
  });

  it.each([
    ['a type other than DS and DNSKEY', 'example. IN A 192.0.2.1', 'anchors.txt:1: type A: a trust anchor is a DS or DNSKEY record'],
    ['a digest that is not hex', '\n. DS 20326 8 2 XYZ1', 'anchors.txt:2: DS digest is not an even number of hexadecimal digits'],
    ['a digest of the wrong length', '. DS 20326 8 2 ABCD', 'anchors.txt:1: DS digest is 2 octets; SHA-256 (type 2) gives 32'],
    ['a key tag out of range', `. DS 70000 8 2 ${DIGEST}`, 'anchors.txt:1: DS key tag "70000" is not a number from 0 to 65535'],
    ['an unknown algorithm mnemonic', `. DS 1 RSAFOO 2 ${DIGEST}`, 'anchors.txt:1: DS algorithm "RSAFOO" is not a number from 0 to 255 or a known mnemonic'],
    ['protocol other than 3', `example. DNSKEY 257 2 15 ${KEY}`, 'anchors.txt:1: DNSKEY protocol "2" must be 3 (RFC 4034 2.1.2)'],
    ['a key that is no zone key', `example. DNSKEY 1 3 15 ${KEY}`, 'anchors.txt:1: DNSKEY flags 1 lack the zone key bit (256): not a zone key (RFC 4034 2.1.1)'],
    ['bad base64', 'example. DNSKEY 257 3 15 abc$', 'anchors.txt:1: DNSKEY public key is not valid base64'],
    ['a relative owner without $ORIGIN', `example DS 1 8 2 ${DIGEST}`, 'anchors.txt:1: owner name "example" is not a valid absolute name (end it with a dot, or set $ORIGIN)'],
    ['another class', `example. CH DS 1 8 2 ${DIGEST}`, 'anchors.txt:1: class CH: only IN has DNSSEC trust anchors'],
    ['a parenthesis never closed', `\n\nexample. DS 1 8 2 (\n${DIGEST}`, 'anchors.txt:3: a parenthesis opened here is never closed'],
    ['an $INCLUDE', '$INCLUDE other.txt', 'anchors.txt:1: directive $INCLUDE is not supported in a trust-anchor file'],
    ['no records at all', '; nothing here\n', 'anchors.txt: no DS or DNSKEY records'],
  ])('refuses %s, naming file and line', (_label, text, error) => {
    const parsed = parseTrustAnchors(text, 'anchors.txt');
    expect(parsed.ok ? [] : parsed.errors).toEqual([error]);
  });

  it('reports every bad line, not only the first', () => {
    const parsed = parseTrustAnchors(`. DS 1 8 2 ZZ\n. DS 20326 8 2 ${DIGEST}\nx. TXT "a"`, 'f');
    expect(parsed.ok ? [] : parsed.errors.map((e) => e.split(':').slice(0, 2).join(':'))).toEqual(['f:1', 'f:3']);
  });
});

describe('the IANA root anchors', () => {
  it('are KSK-2017 and KSK-2024 as SHA-256 DS records of algorithm 8 for the root', () => {
    expect(ianaRootAnchors().map((a) => (a.kind === 'DS' ? `${nameToText(a.zone)} ${a.ds.keyTag} ${a.ds.algorithm} ${a.ds.digestType} ${a.ds.digest.length}` : 'DNSKEY')))
      .toEqual(['. 20326 8 2 32', '. 38696 8 2 32']);
  });
});
