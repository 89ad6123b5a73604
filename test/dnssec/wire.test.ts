import { describe, expect, it } from 'vitest';
import { canonicalRdata } from '../../src/dnssec/canonical.ts';
import { encodeMessage, parseMessage, type Rr } from '../../src/dnssec/message.ts';
import { commonAncestor, compareNames, isAtOrBelow, nameFromText, nameToText, nameToWire, type Name } from '../../src/dnssec/name.ts';
import { presentRdata } from '../../src/dnssec/present.ts';
import { readDnskey, readDs, readNsec, readNsec3, readRrsig, readTypeBitmap, writeTypeBitmap } from '../../src/dnssec/rdata.ts';
import { TYPE } from '../../src/dnssec/rr-types.ts';
import { seededRandom } from '../support/prng.ts';

/** Names (RFC 1035, RFC 4034 6.1), messages on the wire (RFC 1035 4.1) and the DNSSEC RDATA readers. */

const name = (text: string): Name => nameFromText(text)!;

describe('names', () => {
  it.each([
    ['www.Example.', 'www.Example.'], ['www.example', 'www.example.'], ['.', '.'], ['', '.'],
    ['a\\.b.example.', 'a\\.b.example.'], ['\\065bc.', 'Abc.'], ['\\000\\255.', '\\000\\255.'], ['*.example.', '*.example.'],
  ])('%j reads and prints as %j', (text, printed) => {
    expect(nameToText(name(text))).toBe(printed);
  });

  it.each(['..', 'a..b.', '.a.', 'a\\', '\\256.', `${'a'.repeat(64)}.`, `${'a'.repeat(63)}.`.repeat(4)])('%j is no name', (text) => {
    expect(nameFromText(text)).toBeUndefined();
  });

  it('takes a name of 255 octets on the wire, not 256', () => {
    const label61 = `${'a'.repeat(61)}.`;
    expect(nameToWire(name(`${'a'.repeat(63)}.`.repeat(3) + label61)).length).toBe(255);
    expect(nameFromText(`${'a'.repeat(63)}.`.repeat(3) + `${'a'.repeat(62)}.`)).toBeUndefined();
  });

  it('orders names canonically (the RFC 4034 6.1 example)', () => {
    const ordered = ['example.', 'a.example.', 'yljkjljk.a.example.', 'Z.a.example.', 'zABC.a.EXAMPLE.', 'z.example.', '\\001.z.example.', '*.z.example.', '\\200.z.example.'];
    const shuffled = [...ordered.slice(4), ...ordered.slice(0, 4)].reverse().map(name);
    expect([...shuffled].sort(compareNames).map(nameToText)).toEqual(ordered);
  });

  it('knows ancestors, case-insensitively', () => {
    expect(isAtOrBelow(name('www.Example.'), name('example.'))).toBe(true);
    expect(isAtOrBelow(name('example.'), name('www.example.'))).toBe(false);
    expect(isAtOrBelow(name('badexample.'), name('example.'))).toBe(false);
    expect(nameToText(commonAncestor(name('a.b.example.'), name('c.B.example.')))).toBe('b.example.');
    expect(nameToText(commonAncestor(name('a.'), name('b.')))).toBe('.');
  });
});

/** A reply for `example.` MX whose answer owner and MX exchange use compression pointers (RFC 1035 4.1.4). */
function compressedReply(): Buffer {
  const header = Buffer.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
  const question = Buffer.concat([nameToWire(name('example.')), Buffer.from([0, 15, 0, 1])]);
  const mxRdata = Buffer.from([0, 10, 4, ...Buffer.from('Mail'), 0xc0, 12]);
  const answer = Buffer.concat([Buffer.from([0xc0, 12, 0, 15, 0, 1, 0, 0, 0x0e, 0x10, 0, mxRdata.length]), mxRdata]);
  return Buffer.concat([header, question, answer]);
}

describe('messages', () => {
  it('decompresses owners and names inside RDATA, keeping their case', () => {
    const parsed = parseMessage(compressedReply());
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const [mx] = parsed.message.answer;
    expect([nameToText(mx!.owner), mx!.ttl, presentRdata(mx!.type, mx!.rdata)]).toEqual(['example.', 3600, '10 Mail.example.']);
    expect(parsed.message.id).toBe(0x1234);
  });

  it.each([
    ['a pointer to itself', (b: Buffer) => { b.writeUInt16BE(0xc000 | 44, 44); }],
    ['a pointer forwards', (b: Buffer) => { b.writeUInt16BE(0xc000 | 40, 25); }],
    ['an RDATA length past the end', (b: Buffer) => { b.writeUInt16BE(200, 35); }],
    ['a label type 0x40 (RFC 6891 5)', (b: Buffer) => { b[12] = 0x47; }],
  ])('refuses %s', (_label, damage) => {
    const bytes = compressedReply();
    damage(bytes);
    expect(parseMessage(bytes).ok).toBe(false);
  });

  it('reads back what it writes, with the extended rcode and DO in OPT (RFC 6891 6.1.3)', () => {
    const rr: Rr = { owner: name('Www.example.'), type: TYPE.A, class: 1, ttl: 60, rdata: Buffer.from([192, 0, 2, 1]) };
    const bytes = encodeMessage({ id: 7, flags: 0x8180, rcode: 0x15, questions: [{ name: name('www.example.'), type: TYPE.A, class: 1 }],
      answer: [rr], authority: [rr], edns: { udpPayloadSize: 1232, dnssecOk: true, version: 0 } });
    const parsed = parseMessage(bytes);
    expect(parsed.ok && { rcode: parsed.message.rcode, edns: parsed.message.edns, answer: parsed.message.answer, authority: parsed.message.authority.length })
      .toEqual({ rcode: 0x15, edns: { udpPayloadSize: 1232, dnssecOk: true, version: 0 }, answer: [rr], authority: 1 });
  });
});

describe('presentation for evidence', () => {
  it.each([
    [TYPE.AAAA, '20010db8000000000000000000000001', '2001:db8::1'], [TYPE.AAAA, '00000000000000000000000000000001', '::1'],
    [TYPE.AAAA, '20010db8000100000001000000000000', '2001:db8:1:0:1::'], [TYPE.AAAA, '20010db8000100010001000100010001', '2001:db8:1:1:1:1:1:1'],
    [TYPE.TXT, '0568656c6c6f02225c', String.raw`"hello" "\"\\"`], [TYPE.A, '7f000001', '127.0.0.1'],
    [TYPE.A, '7f00', String.raw`\# 2 7f00`], [TYPE.SRV, '', String.raw`\# 0`],
  ])('type %i %s reads %s', (type, hex, text) => {
    expect(presentRdata(type, Buffer.from(hex, 'hex'))).toBe(text);
  });
});

describe('type bitmaps (RFC 4034 4.1.2)', () => {
  it('writes and reads the RFC 4034 4.3 example: A MX RRSIG NSEC TYPE1234', () => {
    const bitmap = writeTypeBitmap([TYPE.A, TYPE.MX, TYPE.RRSIG, TYPE.NSEC, 1234]);
    expect(bitmap.toString('hex')).toBe(`0006400100000003041b${'00'.repeat(26)}20`);
    expect([...readTypeBitmap(bitmap)!].sort((a, b) => a - b)).toEqual([1, 15, 46, 47, 1234]);
  });

  it.each([
    ['windows out of order', '040120000101'], ['a zero length', '0000'], ['a length over 32', `0021${'00'.repeat(33)}`],
    ['a window cut short', '000340'], ['a lone octet', '00'],
  ])('refuses %s', (_label, hex) => {
    expect(readTypeBitmap(Buffer.from(hex, 'hex'))).toBeUndefined();
  });
});

describe('canonical RDATA (RFC 4034 6.2, RFC 6840 5.1)', () => {
  it.each([
    ['MX exchange lower-cased', TYPE.MX, Buffer.concat([Buffer.from([0, 10]), nameToWire(name('Mail.EXAMPLE.'))]), Buffer.concat([Buffer.from([0, 10]), nameToWire(name('mail.example.'))])],
    ['NSEC next name kept', TYPE.NSEC, Buffer.concat([nameToWire(name('B.example.')), Buffer.from([0, 1, 0x40])]), Buffer.concat([nameToWire(name('B.example.')), Buffer.from([0, 1, 0x40])])],
    ['TXT untouched', TYPE.TXT, Buffer.from('\x03ABC', 'latin1'), Buffer.from('\x03ABC', 'latin1')],
  ])('%s', (_label, type, rdata, canonical) => {
    expect(canonicalRdata(type, rdata)).toEqual(canonical);
  });

  it('gives undefined for an MX too short for its layout', () => {
    expect(canonicalRdata(TYPE.MX, Buffer.from([0]))).toBeUndefined();
  });
});

describe('fuzz: the readers are total', () => {
  const random = seededRandom(13);
  const bytes = (max: number) => Buffer.from(Array.from({ length: Math.floor(random() * max) }, () => Math.floor(random() * 256)));
  const readers: [string, (b: Buffer) => unknown][] = [
    ['parseMessage', parseMessage], ['readDnskey', readDnskey], ['readDs', readDs], ['readRrsig', readRrsig], ['readNsec', readNsec],
    ['readNsec3', readNsec3], ['readTypeBitmap', readTypeBitmap],
    ...[TYPE.A, TYPE.MX, TYPE.SOA, TYPE.TXT, TYPE.DS, TYPE.DNSKEY, TYPE.RRSIG, TYPE.NSEC, TYPE.NSEC3, TYPE.NAPTR].map((type): [string, (b: Buffer) => unknown] =>
      [`canonical and presented type ${type}`, (b) => [canonicalRdata(type, b), presentRdata(type, b)]]),
  ];

  it.each(readers)('%s never throws on random bytes or on damaged real replies', (_label, read) => {
    const real = compressedReply();
    const thrown: string[] = [];
    const attempt = (input: Buffer) => {
      try { read(input); } catch (err) { thrown.push(`${input.toString('hex')}: ${String(err)}`); }
    };
    for (let i = 0; i < 1000; i++) {
      attempt(bytes(80));
      const damaged = Buffer.from(real.subarray(0, Math.floor(random() * (real.length + 1))));
      if (damaged.length > 0) damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      attempt(damaged);
    }
    expect(thrown.slice(0, 3)).toEqual([]);
  });

  it('still parses the undamaged reply (so the fuzz above exercises real parsing)', () => {
    expect(parseMessage(compressedReply()).ok).toBe(true);
  });
});
