import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { rolloverScheme } from '../../checks/mail/dane-rollover.ts';
import { readSoaReply } from '../../src/probes/dns-authoritative.ts';
import { judgeNameServers } from '../../src/net-depth/name-server-verdict.ts';
import { responseDifferences } from '../../src/net-depth/same-response.ts';
import { apexCandidates, zoneNameServers } from '../../src/net-depth/zone.ts';
import type { NameServerAddress, NameServerFacts } from '../../src/probes/dns-authoritative.ts';
import { zone } from '../support/fake-probes.ts';

const serves = (address: string, serial: number): NameServerAddress =>
  ({ address, reply: { rcode: 'NOERROR', authoritative: true, serial, primary: 'ns1' }, error: null });
const answers = (address: string, rcode: string, authoritative: boolean): NameServerAddress =>
  ({ address, reply: { rcode, authoritative, serial: null, primary: null }, error: null });
const silent = (address: string, reason: 'timeout' | 'unreachable' = 'timeout'): NameServerAddress =>
  ({ address, reply: null, error: { reason, message: `${address}: no answer` } });
const ns = (nameServer: string, ...addresses: NameServerAddress[]): NameServerFacts =>
  ({ nameServer, zone: 'example.nl', resolutionError: null, addresses, observedAt: '' });
const never = () => false;

describe('judgeNameServers', () => {
  it.each([
    ['two servers, one serial', [ns('a', serves('192.0.2.1', 5)), ns('b', serves('192.0.2.2', 5), serves('2001:db8::2', 5))], 'pass', '2 name servers answer authoritatively for example.nl with SOA serial 5'],
    ['one server', [ns('a', serves('192.0.2.1', 5))], 'fail', 'only one name server (a)'],
    ['no servers', [], 'fail', 'no name servers'],
    ['REFUSED', [ns('a', serves('192.0.2.1', 5)), ns('b', answers('192.0.2.2', 'REFUSED', false))], 'fail', 'b (192.0.2.2): answers REFUSED'],
    ['no AA', [ns('a', serves('192.0.2.1', 5)), ns('b', answers('192.0.2.2', 'NOERROR', false))], 'fail', 'without the AA bit'],
    ['AA without SOA', [ns('a', serves('192.0.2.1', 5)), ns('b', answers('192.0.2.2', 'NOERROR', true))], 'fail', 'without the SOA'],
    ['one silent while another answers', [ns('a', serves('192.0.2.1', 5)), ns('b', silent('192.0.2.2'))], 'fail', 'b (192.0.2.2): no answer (timeout)'],
    ['a server without addresses', [ns('a', serves('192.0.2.1', 5)), ns('b')], 'fail', 'b: has no A or AAAA record'],
    ['all silent', [ns('a', silent('192.0.2.1')), ns('b', silent('192.0.2.2'))], 'error', 'none of the 2 address(es) answered'],
    ['serials differ', [ns('a', serves('192.0.2.1', 5)), ns('b', serves('192.0.2.2', 6))], 'warn', 'different SOA serials (5, 6)'],
  ] as const)('%s: %s', (_name, facts, status, summary) => {
    const verdict = judgeNameServers('example.nl', facts, never);
    expect(verdict.status).toBe(status);
    expect(verdict.summary).toContain(summary);
  });

  it('never holds an address this host cannot reach against the zone', () => {
    const facts = [ns('a', serves('192.0.2.1', 5), silent('2001:db8::1', 'unreachable')), ns('b', serves('192.0.2.2', 5))];
    expect(judgeNameServers('example.nl', facts, never).status).toBe('fail');
    expect(judgeNameServers('example.nl', facts, (a) => a === '2001:db8::1').status).toBe('pass');
  });

  it('is an error with the resolver failure when no address could be found', () => {
    const facts: NameServerFacts[] = [{ ...ns('a'), resolutionError: 'SERVFAIL' }, { ...ns('b'), resolutionError: 'SERVFAIL' }];
    expect(judgeNameServers('example.nl', facts, never)).toMatchObject({ status: 'error', reason: 'dns-failure' });
  });
});

describe('readSoaReply', () => {
  const reply = (flags: number, answers: dnsPacket.Answer[]) =>
    dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 1, flags, questions: [{ name: 'example.nl', type: 'SOA' }], answers }));
  const soa: dnsPacket.Answer = { type: 'SOA', name: 'example.nl', data: { mname: 'ns1.example.nl', rname: 'h.example.nl', serial: 42 } };
  it.each([
    ['authoritative', reply(dnsPacket.AUTHORITATIVE_ANSWER, [soa]), { rcode: 'NOERROR', authoritative: true, serial: 42, primary: 'ns1.example.nl' }],
    ['not authoritative', reply(0, [soa]), { rcode: 'NOERROR', authoritative: false, serial: 42, primary: 'ns1.example.nl' }],
    ['REFUSED', reply(5, []), { rcode: 'REFUSED', authoritative: false, serial: null, primary: null }],
    ['an SOA of another zone', reply(dnsPacket.AUTHORITATIVE_ANSWER, [{ ...soa, name: 'nl' }]), { rcode: 'NOERROR', authoritative: true, serial: null, primary: null }],
  ])('%s', (_name, packet, expected) => {
    expect(readSoaReply(packet, 'Example.NL.')).toEqual(expected);
  });
});

describe('responseDifferences', () => {
  it('compares status and security headers, nothing else', () => {
    const a = { status: 200, headers: { 'strict-transport-security': ['max-age=1'], date: ['Mon'], 'x-frame-options': ['DENY'] } };
    expect(responseDifferences(a, { ...a, headers: { ...a.headers, date: ['Tue'] } })).toEqual([]);
    expect(responseDifferences(a, { status: 301, headers: { location: ['https://x/'], 'x-frame-options': ['DENY'] } })).toEqual([
      'status 200 over IPv4, 301 over IPv6', 'location: (none) over IPv4, "https://x/" over IPv6',
      'strict-transport-security: "max-age=1" over IPv4, (none) over IPv6',
    ]);
  });
});

describe('rolloverScheme', () => {
  it.each([
    [[], 0, 'none'], [['3 1 1 aa'], 1, 'none'], [['3 1 1 aa', '3 1 1 AA'], 1, 'none'],
    [['3 1 1 aa', '3 1 1 bb'], 2, '2 DANE-EE records (current and next key)'], [['3 1 1 aa', '2 1 1 cc'], 2, 'DANE-EE next to DANE-TA'],
  ])('%j', (records, count, scheme) => {
    expect(rolloverScheme(records)).toMatchObject({ count, scheme });
  });
});

describe('zone apex', () => {
  it('climbs to two labels, and past aliases', async () => {
    expect(apexCandidates('www.shop.example.nl')).toEqual(['www.shop.example.nl', 'shop.example.nl', 'example.nl']);
    expect(apexCandidates('example.nl')).toEqual(['example.nl']);
    const dns = zone({ 'www.example.nl': {}, 'example.nl': { NS: ['b.ns.example', 'A.NS.example.'] } });
    expect(await zoneNameServers({ dns }, 'www.example.nl')).toEqual({ zone: 'example.nl', nameServers: ['a.ns.example', 'b.ns.example'], queried: ['www.example.nl', 'example.nl'] });
    expect(await zoneNameServers({ dns }, 'other.nl')).toEqual({ zone: null, nameServers: [], queried: ['other.nl'] });
  });
});
