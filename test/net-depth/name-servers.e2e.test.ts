import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Zone, ZoneNode } from '../../src/lab/dns-server.ts';
import { startEstate, type Estate, type SiteSpec } from '../../src/lab/estate.ts';
import { startNameServers, type LabNameServers } from '../../src/lab/name-servers.ts';
import type { ReportResult } from '../../reports/types.ts';
import { scanLab, type LabScan } from '../support/lab-scan.ts';
import { undocumentedFields } from './documented.ts';

/**
 * dns.name-servers, dns.ipv6-name-servers and mail.dane-rollover end to end: one estate whose resolver delegates
 * each domain to lab authoritative servers (127.0.0.1 and ::1), one scan through the CLI.
 */

const soa = (serial: number): ZoneNode => ({ SOA: [{ mname: 'ns1.example', rname: 'hostmaster.example', serial }] });
/** A name server's own zone: the SOA of each zone it serves (or a behaviour: refused, silent). */
const serving = (zones: Record<string, ZoneNode>): Zone => zones;

/** Name servers, with the addresses the resolver gives them. */
const NS_ADDRESSES: Record<string, ZoneNode> = {
  'ns1.good.test': { A: ['127.0.0.1'], AAAA: ['::1'] }, 'ns2.good.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
  'ns1.lame.test': { A: ['127.0.0.1'] }, 'ns2.lame.test': { A: ['127.0.0.1'] },
  'ns1.single.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
  'ns1.silent.test': { A: ['127.0.0.1'] }, 'ns2.silent.test': { A: ['127.0.0.1'] },
  'ns1.serial.test': { A: ['127.0.0.1'] }, 'ns2.serial.test': { A: ['127.0.0.1'] },
};
const AUTHORITIES: Record<string, Zone> = {
  'ns1.good.test': serving({ 'good.test': soa(7) }), 'ns2.good.test': serving({ 'good.test': soa(7) }),
  'ns1.lame.test': serving({ 'lame.test': soa(3) }), 'ns2.lame.test': serving({ 'lame.test': { refused: true } }),
  'ns1.single.test': serving({ 'single.test': soa(1) }),
  'ns1.silent.test': serving({ 'silent.test': { silent: true } }), 'ns2.silent.test': serving({ 'silent.test': { silent: true } }),
  'ns1.serial.test': serving({ 'serial.test': soa(10) }), 'ns2.serial.test': serving({ 'serial.test': soa(11) }),
};

const delegated = (domain: string, servers: string[], extra: ZoneNode = {}): SiteSpec =>
  ({ domain, records: { NS: servers, ...extra }, zone: Object.fromEntries(servers.map((s) => [s, NS_ADDRESSES[s]!])) });

const tlsa = (hex: string, usage = 3) => ({ usage, selector: 1, matchingType: 1, certificate: hex.repeat(64).slice(0, 64) });
const withMx = (domain: string, tlsaNode: ZoneNode | undefined): SiteSpec => ({
  domain, records: { MX: [{ preference: 10, exchange: `mx.${domain}` }] },
  zone: { [`mx.${domain}`]: { A: ['127.0.0.1'] }, ...(tlsaNode ? { [`_25._tcp.mx.${domain}`]: tlsaNode } : {}) },
});

let estate: Estate;
let authorities: LabNameServers;
let scan: LabScan;
const result = (domain: string, check: string): ReportResult => scan.result(domain, check);

beforeAll(async () => {
  authorities = await startNameServers(AUTHORITIES);
  estate = await startEstate([
    delegated('good.test', ['ns1.good.test', 'ns2.good.test']),
    delegated('lame.test', ['ns1.lame.test', 'ns2.lame.test']),
    delegated('single.test', ['ns1.single.test']),
    delegated('silent.test', ['ns1.silent.test', 'ns2.silent.test']),
    delegated('serial.test', ['ns1.serial.test', 'ns2.serial.test']),
    withMx('dane2.test', { TLSA: [tlsa('a'), tlsa('b')], ad: true }),
    withMx('dane1.test', { TLSA: [tlsa('c')], ad: true }),
    withMx('nodane.test', undefined),
    withMx('danefail.test', { servfail: true }),
  ]);
  scan = await scanLab(estate, {
    domains: ['good.test', 'lame.test', 'single.test', 'silent.test', 'serial.test', 'dane2.test', 'dane1.test', 'nodane.test', 'danefail.test'],
    checks: ['dns.name-servers', 'dns.ipv6-name-servers', 'mail.dane-rollover'],
    servers: authorities.ports, timeoutMs: 800,
  });
}, 30_000);

afterAll(async () => {
  await estate?.close();
  await authorities?.close();
});

describe('dns.name-servers', () => {
  it('passes two authoritative servers with one serial, asked over IPv4 and IPv6', () => {
    const r = result('good.test', 'dns.name-servers');
    expect(r.status, r.summary).toBe('pass');
    const ns = (r.evidence as { nameServers: { addresses: { address: string; state: string; serial: number }[] }[] }).nameServers;
    expect(ns.flatMap((n) => n.addresses.map((a) => [a.address, a.state, a.serial]))).toEqual([
      ['127.0.0.1', 'serves', 7], ['::1', 'serves', 7], ['127.0.0.1', 'serves', 7], ['::1', 'serves', 7]]);
  });

  it('fails a lame delegation (REFUSED), a single name server, and warns on differing serials', () => {
    expect(result('lame.test', 'dns.name-servers')).toMatchObject({ status: 'fail', summary: expect.stringContaining('ns2.lame.test (127.0.0.1): answers REFUSED') });
    expect(result('single.test', 'dns.name-servers')).toMatchObject({ status: 'fail', summary: expect.stringContaining('only one name server') });
    expect(result('serial.test', 'dns.name-servers')).toMatchObject({ status: 'warn', summary: expect.stringContaining('10, 11') });
  });

  it('is an error, not a finding, when no name server answers at all', () => {
    expect(result('silent.test', 'dns.name-servers')).toMatchObject({ status: 'error', reason: 'timeout' });
  });
});

describe('dns.ipv6-name-servers', () => {
  it('passes two name servers that answer over IPv6, fails one without AAAA', () => {
    expect(result('good.test', 'dns.ipv6-name-servers')).toMatchObject({ status: 'pass' });
    expect(result('lame.test', 'dns.ipv6-name-servers')).toMatchObject({ status: 'fail', summary: expect.stringContaining('No name server') });
    expect(result('single.test', 'dns.ipv6-name-servers')).toMatchObject({ status: 'fail', summary: expect.stringContaining('Only one') });
  });
});

it('documents every evidence field in docs/evidence.md', () => {
  expect(undocumentedFields(scan.report)).toEqual([]);
});

describe('mail.dane-rollover', () => {
  it('passes two TLSA records, warns on one, skips without DANE, and is an error when TLSA cannot be asked', () => {
    expect(result('dane2.test', 'mail.dane-rollover')).toMatchObject({ status: 'pass', summary: expect.stringContaining('2 TLSA records') });
    expect(result('dane1.test', 'mail.dane-rollover')).toMatchObject({ status: 'warn', summary: expect.stringContaining('only one TLSA record') });
    expect(result('nodane.test', 'mail.dane-rollover')).toMatchObject({ status: 'skip', reason: 'not-applicable' });
    expect(result('danefail.test', 'mail.dane-rollover')).toMatchObject({ status: 'error', reason: 'dns-failure' });
  });
});
