import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/core/errors.ts';
import { decodeMessage, MAX_CNAME_LINKS, peekQuestion, readReply, type Question } from '../../src/probes/dns-answer.ts';
import { seededRandom as random } from '../support/prng.ts';

/** The pure reply parser: bytes -> decoded message -> reading. Table tests cite the RFC clause each row follows. */

const R = '127.0.0.1:53';
const Q: Question = { name: 'www.example.test', type: 'A' };
const ns = (name: string, data: string): Answer => ({ type: 'NS', name, data });
const soa: Answer = { type: 'SOA', name: 'example.test', data: { mname: 'ns1.example.test', rname: 'h.example.test' } };
const cname = (name: string, data: string): Answer => ({ type: 'CNAME', name, data });
const a = (name: string, data: string): Answer => ({ type: 'A', name, data });
const rrsig = (name: string, typeCovered: string): Answer => ({
  type: 'RRSIG', name, data: { typeCovered, algorithm: 13, labels: 3, originalTTL: 300, expiration: 2, inception: 1, keyTag: 1, signersName: 'example.test', signature: Buffer.alloc(8) },
});

/** A reply to Q as it arrives: encoded, then decoded, so every row also goes through the wire format. */
function reply(p: Partial<dnsPacket.Packet> & { rcode?: number; aa?: boolean; ad?: boolean; edns?: 'do' | 'plain' }) {
  const flags = dnsPacket.RECURSION_AVAILABLE | (p.aa ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | (p.ad ? dnsPacket.AUTHENTIC_DATA : 0) | (p.rcode ?? 0);
  const additionals: Answer[] = p.edns
    ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: p.edns === 'do' ? dnsPacket.DNSSEC_OK : 0, flag_do: p.edns === 'do', options: [] }]
    : [];
  return decodeMessage(dnsPacket.encode({
    type: 'response', id: 7, flags, questions: [{ name: Q.name, type: 'A', class: 'IN' }],
    answers: p.answers ?? [], authorities: p.authorities ?? [], additionals,
  }), R);
}

describe('readReply', () => {
  it.each([
    ['RFC 1035 4.1.1: NOERROR with the record', { answers: [a(Q.name, '192.0.2.1')] }, { kind: 'answer', result: 'records', records: ['192.0.2.1'], next: null }],
    ['RFC 1035 2.3.3: owner names compare case-insensitively', { answers: [a('WWW.Example.TEST', '192.0.2.1')] }, { result: 'records' }],
    ['RFC 2308 2.1: NXDOMAIN (rcode 3)', { rcode: 3, authorities: [soa] }, { kind: 'answer', result: 'nxdomain', next: null }],
    ['RFC 2308 2.2 / 2.2.1 type 1: NODATA with SOA and NS in authority', { authorities: [soa, ns('example.test', 'ns1.example.test')] }, { kind: 'answer', result: 'nodata' }],
    ['RFC 2308 2.2.1 type 2: NODATA with SOA only', { authorities: [soa] }, { kind: 'answer', result: 'nodata' }],
    ['RFC 2308 2.2.1 type 3: NODATA with an empty authority section', {}, { kind: 'answer', result: 'nodata' }],
    ['RFC 2308 2.2: NS without SOA but AA set is an authoritative NODATA', { aa: true, authorities: [ns('example.test', 'ns1.example.test')] }, { kind: 'answer', result: 'nodata' }],
    ['RFC 2308 2.2: NS without SOA and without AA is a referral, not NODATA',
      { authorities: [ns('example.test', 'ns2.example.test'), ns('example.test', 'ns1.example.test')] },
      { kind: 'referral', zone: 'example.test', nameservers: ['ns1.example.test', 'ns2.example.test'] }],
    ['RFC 1035 4.1.1: SERVFAIL is an rcode, not an answer', { rcode: 2 }, { kind: 'rcode', rcode: 2, rcodeName: 'SERVFAIL' }],
    ['RFC 1035 4.1.1: REFUSED', { rcode: 5 }, { kind: 'rcode', rcodeName: 'REFUSED' }],
    ['RFC 1034 3.6.2: an alias, then the canonical name\'s records',
      { answers: [cname(Q.name, 'cdn.test'), cname('cdn.test', 'Edge.test'), a('edge.test', '192.0.2.7')] },
      { result: 'records', records: ['192.0.2.7'], cnames: ['cdn.test', 'Edge.test'], next: null }],
    ['RFC 1034 4.3.2 3a: a chain that ends on an alias without the type is to be continued there',
      { answers: [cname(Q.name, 'cdn.test')] }, { result: 'nodata', cnames: ['cdn.test'], next: 'cdn.test' }],
    ['RFC 6604 2: NXDOMAIN after a chain describes the last name; nothing to continue',
      { rcode: 3, answers: [cname(Q.name, 'gone.test')] }, { result: 'nxdomain', cnames: ['gone.test'], next: null }],
    ['RFC 4035 3.2.3: the AD bit', { ad: true, answers: [a(Q.name, '192.0.2.1')] }, { authenticated: true }],
    ['RFC 4035 3.1.1: RRSIG in the answer section', { answers: [a(Q.name, '192.0.2.1'), rrsig(Q.name, 'A')] }, { rrsigs: true, records: ['192.0.2.1'] }],
    ['RFC 4035 3.1.3: RRSIG in the authority section of a denial', { authorities: [soa, rrsig('example.test', 'SOA')] }, { result: 'nodata', rrsigs: true }],
    ['no RRSIG anywhere', { answers: [a(Q.name, '192.0.2.1')] }, { rrsigs: false, authenticated: false }],
    ['RFC 3225 3: DO echoed in OPT', { edns: 'do' as const }, { dnssecOk: true }],
    ['RFC 3225 3: OPT without DO', { edns: 'plain' as const }, { dnssecOk: false }],
    ['RFC 6891 7: no OPT at all', {}, { dnssecOk: false }],
  ])('%s', (_clause, packet, expected) => {
    expect(readReply(Q, reply(packet), R)).toMatchObject(expected);
  });

  it('RFC 6891 6.1.3: the extended rcode in OPT counts (BADVERS 16 is not NOERROR)', () => {
    const packet = dnsPacket.decode(dnsPacket.encode({
      type: 'response', id: 1, flags: 0, questions: [{ name: Q.name, type: 'A' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 1, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
    }));
    expect(readReply(Q, packet, R)).toMatchObject({ kind: 'rcode', rcode: 16 });
  });

  it('is a protocol error naming the chain for a CNAME loop inside the reply', () => {
    const packet = reply({ answers: [cname(Q.name, 'b.test'), cname('b.test', 'WWW.example.test')] });
    expect(() => readReply(Q, packet, R)).toThrow(ProbeError);
    expect(() => readReply(Q, packet, R)).toThrow('CNAME loop for A www.example.test: www.example.test -> b.test -> WWW.example.test');
  });

  it(`is a protocol error for more than ${MAX_CNAME_LINKS} links in one reply`, () => {
    const answers = Array.from({ length: MAX_CNAME_LINKS + 1 }, (_, i) => cname(i === 0 ? Q.name : `c${i}.test`, `c${i + 1}.test`));
    expect(() => readReply(Q, reply({ answers }), R)).toThrow(`longer than ${MAX_CNAME_LINKS} links`);
    expect(readReply(Q, reply({ answers: answers.slice(0, MAX_CNAME_LINKS) }), R)).toMatchObject({ next: `c${MAX_CNAME_LINKS}.test` });
  });
});

describe('peekQuestion (RFC 1035 4.1.1, 4.1.2) for replies that do not decode', () => {
  const wire = dnsPacket.encode({ type: 'response', id: 7, flags: 0, questions: [{ name: 'WWW.example.test', type: 'A' }], answers: [a(Q.name, '192.0.2.1')] });
  it.each([
    ['the same question, another case', wire, 'match'],
    ['the question, then a cut record', wire.subarray(0, wire.length - 3), 'match'],
    ['another type', wire, 'mismatch', { name: Q.name, type: 'AAAA' } as Question],
    ['another name', wire, 'mismatch', { name: 'www.example.tesu', type: 'A' } as Question],
    ['QR clear (a query, not a reply)', Buffer.concat([wire.subarray(0, 2), Buffer.from([0x01]), wire.subarray(3)]), 'mismatch'],
    ['a header only', wire.subarray(0, 12), 'unreadable'],
    ['less than a header', wire.subarray(0, 3), 'unreadable'],
  ])('%s -> %s', (_what, bytes, expected, question = Q) => {
    expect(peekQuestion(bytes, question)).toBe(expected);
  });
});

describe('the decode path is total: bytes give a reading or a ProbeError protocol, nothing else', () => {
  const typed = (bytes: Buffer, question: Question = Q): string => {
    peekQuestion(bytes, question);
    try {
      const reading = readReply(question, decodeMessage(bytes, R), R);
      return reading.kind;
    } catch (err) {
      if (err instanceof ProbeError && err.reason === 'protocol') return 'protocol';
      throw err;
    }
  };
  const sample = dnsPacket.encode({
    type: 'response', id: 7, flags: dnsPacket.AUTHENTIC_DATA, questions: [{ name: Q.name, type: 'A' }],
    answers: [cname(Q.name, 'cdn.test'), a('cdn.test', '192.0.2.1'), rrsig('cdn.test', 'A'),
      { type: 'TXT', name: 'cdn.test', data: ['v=spf1', ' -all'] }, { type: 'MX', name: 'cdn.test', data: { preference: 10, exchange: 'mx.test' } },
      { type: 'CAA', name: 'cdn.test', data: { flags: 0, tag: 'issue', value: 'ca.test' } }],
    authorities: [soa, ns('example.test', 'ns1.example.test')],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: dnsPacket.DNSSEC_OK, flag_do: true, options: [] }],
  });

  it('every truncation of a real reply', () => {
    const kinds = new Set<string>();
    for (let length = 0; length <= sample.length; length++) kinds.add(typed(sample.subarray(0, length)));
    expect(kinds).toContain('protocol');
    expect(kinds).toContain('answer');
  });

  it('single-byte corruptions of a real reply, for every question type', () => {
    const next = random(8);
    for (let i = 0; i < 600; i++) {
      const bytes = Buffer.from(sample);
      bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      for (const type of ['A', 'TXT', 'MX', 'CAA', 'SPF'] as const) typed(bytes, { name: 'cdn.test', type });
    }
  });

  it('random byte strings, with and without a plausible header', () => {
    const next = random(2026);
    for (let i = 0; i < 400; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256)));
      typed(bytes);
      if (bytes.length > 12) {
        bytes.writeUInt16BE(0x8180, 2);
        bytes.writeUInt16BE(1, 4);
        typed(bytes);
      }
    }
  });
});
