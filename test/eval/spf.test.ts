import { describe, expect, it, vi } from 'vitest';
import { ProbeError } from '../../src/core/errors.ts';
import { evaluateSpf, limitedDns } from '../../src/eval/spf.ts';
import type { SpfDns } from '../../src/eval/spf.ts';
import { zone } from '../support/fake-probes.ts';

const base = { sender: 'postmaster@example.nl', helo: 'mail.example.nl' };

describe('limitedDns (RFC 7208 4.6.4)', () => {
  it('allows 10 DNS-querying terms and names the 11th', () => {
    const ldns = limitedDns(zone({}));
    for (let i = 1; i <= 10; i++) expect(ldns.charge(`a:h${i}.example`)).toBeNull();
    expect(ldns.charge('include:_spf.example')).toBe('more than 10 DNS-querying terms (RFC 7208 4.6.4); the 11th was "include:_spf.example"');
    expect(ldns.lookups).toBe(11);
  });

  it('counts NXDOMAIN and NODATA as void when asked, and the 3rd void is a permerror', async () => {
    const ldns = limitedDns(zone({ 'exists.example': { TXT: ['x'] } }));
    expect(await ldns.query('gone.example', 'A', true)).toMatchObject({ ok: true, answer: { result: 'nxdomain' } });
    expect(await ldns.query('exists.example', 'A', true)).toMatchObject({ ok: true, answer: { result: 'nodata' } });
    expect(await ldns.query('gone.example', 'A', false)).toMatchObject({ ok: true }); // exp and follow-up lookups are free
    expect(await ldns.query('exists.example', 'TXT', true)).toMatchObject({ ok: true }); // an answer is not void
    expect(ldns.voidLookups).toBe(2);
    expect(await ldns.query('gone2.example', 'A', true)).toEqual({
      ok: false, result: 'permerror', problem: 'more than 2 void lookups (RFC 7208 4.6.4); the 3rd was A gone2.example (nxdomain)',
    });
  });

  it('turns a thrown error into temperror data', async () => {
    const ldns = limitedDns(async () => {
      throw new ProbeError('timeout', '192.0.2.53:53', 'no answer within 5000 ms');
    });
    expect(await ldns.query('example.nl', 'TXT', true)).toEqual({
      ok: false, result: 'temperror', problem: 'DNS TXT lookup of example.nl failed: 192.0.2.53:53: no answer within 5000 ms',
    });
    expect(ldns.voidLookups).toBe(0);
  });

  it('honours custom limits', () => {
    const ldns = limitedDns(zone({}), { maxLookups: 1, maxVoidLookups: 0 });
    expect(ldns.charge('a')).toBeNull();
    expect(ldns.charge('mx')).toMatch(/^more than 1 DNS-querying terms/);
  });
});

describe('evaluateSpf', () => {
  const dns = zone({
    'example.nl': { TXT: ['google-site-verification=x', 'v=spf1 include:_spf.x.example mx -all'], MX: ['10 mx.example.nl'] },
    '_spf.x.example': { TXT: ['v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all'] },
    'mx.example.nl': { A: ['198.51.100.25'], AAAA: ['2001:db8:25::1'] },
  });

  it('reports the deciding term and the path through includes', async () => {
    expect(await evaluateSpf({ ...base, ip: '192.0.2.10', domain: 'example.nl', dns })).toEqual({
      result: 'pass', mechanism: 'include:_spf.x.example', explanation: null, problem: null, lookups: 1, voidLookups: 0,
      path: [
        'example.nl: v=spf1 include:_spf.x.example mx -all',
        '_spf.x.example: v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all',
        '_spf.x.example: ip4:192.0.2.0/24 matched',
      ],
    });
  });

  it.each([
    ['198.51.100.25', 'pass', 'mx'],
    ['::ffff:198.51.100.25', 'pass', 'mx'], // IPv4-mapped: evaluated as IPv4 (RFC 7208 5)
    ['2001:db8:25::1', 'pass', 'include:_spf.x.example'], // the include's ip6 covers it first
    ['203.0.113.9', 'fail', '-all'], // the include's ~all is no match (5.2), so -all decides
  ])('%s -> %s via %s', async (ip, result, mechanism) => {
    expect(await evaluateSpf({ ...base, ip, domain: 'example.nl', dns })).toMatchObject({ result, mechanism });
  });

  it('expands exp= on fail only, with the deciding record\'s macros (6.2)', async () => {
    const expDns = zone({
      'example.nl': { TXT: ['v=spf1 ip4:192.0.2.1 -all exp=why.%{d}'] },
      'why.example.nl': { TXT: ['%{i} may not send for %{d} (sender %{l}) at %{t}'] },
    });
    const now = new Date('2026-06-01T00:00:00Z');
    const failed = await evaluateSpf({ ...base, ip: '203.0.113.9', domain: 'example.nl', dns: expDns, now });
    expect(failed.explanation).toBe('203.0.113.9 may not send for example.nl (sender postmaster) at 1780272000');
    expect((await evaluateSpf({ ...base, ip: '192.0.2.1', domain: 'example.nl', dns: expDns })).explanation).toBeNull();
  });

  it('treats a thrown DNS error as temperror and says where', async () => {
    const throwing: SpfDns = async (name, type) => {
      if (name === '_spf.x.example') throw new ProbeError('dns-failure', '192.0.2.53:53', 'SERVFAIL');
      return dns(name, type);
    };
    const evaluation = await evaluateSpf({ ...base, ip: '203.0.113.9', domain: 'example.nl', dns: throwing });
    expect(evaluation).toMatchObject({
      result: 'temperror', mechanism: 'include:_spf.x.example',
      problem: 'DNS TXT lookup of _spf.x.example failed: 192.0.2.53:53: SERVFAIL',
    });
    expect(evaluation.path.at(-1)).toBe('_spf.x.example: DNS TXT lookup of _spf.x.example failed: 192.0.2.53:53: SERVFAIL');
  });

  it('returns none for a domain without a record, and permerror for an include without one (5.2)', async () => {
    const none = zone({ 'example.nl': { TXT: ['v=spf1 include:gone.example -all'] } });
    expect(await evaluateSpf({ ...base, ip: '192.0.2.1', domain: 'other.example', dns: none }))
      .toMatchObject({ result: 'none', problem: 'no SPF record at other.example' });
    expect(await evaluateSpf({ ...base, ip: '192.0.2.1', domain: 'example.nl', dns: none })).toMatchObject({
      result: 'permerror', voidLookups: 1,
      problem: 'include:gone.example: no SPF record at gone.example (RFC 7208 5.2: permerror)',
    });
  });

  it('reports a syntax error anywhere in the record as permerror (4.6)', async () => {
    const bad = zone({ 'example.nl': { TXT: ['v=spf1 ip4:192.0.2.1 -all ip4:192.0.2.1/33'] } });
    expect(await evaluateSpf({ ...base, ip: '192.0.2.1', domain: 'example.nl', dns: bad }))
      .toMatchObject({ result: 'permerror', problem: 'SPF record at example.nl: invalid ip4 cidr /33' });
  });

  it('rejects an unusable client address without asking DNS', async () => {
    const spy = vi.fn(zone({}));
    expect(await evaluateSpf({ ...base, ip: '300.1.1.1', domain: 'example.nl', dns: spy }))
      .toMatchObject({ result: 'permerror', problem: 'invalid client IP address "300.1.1.1"' });
    expect(spy).not.toHaveBeenCalled();
  });

  it('substitutes postmaster for a missing local-part and the domain for a null sender (4.3, 2.4)', async () => {
    const macro = zone({
      'example.nl': { TXT: ['v=spf1 exists:%{l}.%{o}.allow.example -all'] },
      'postmaster.example.nl.allow.example': { A: ['127.0.0.2'] },
    });
    for (const sender of ['', '@example.nl', 'example.nl']) {
      expect((await evaluateSpf({ ip: '192.0.2.1', domain: 'example.nl', sender, helo: 'h.example', dns: macro })).result).toBe('pass');
    }
  });

  it('asks for PTR data only when the p macro or ptr is used (5.5, 7.3)', async () => {
    const spy = vi.fn(dns);
    await evaluateSpf({ ...base, ip: '203.0.113.9', domain: 'example.nl', dns: spy });
    expect(spy.mock.calls.map(([name, type]) => `${type} ${name}`)).toEqual([
      'TXT example.nl', 'TXT _spf.x.example', 'MX example.nl', 'A mx.example.nl',
    ]);
  });

  it('stops at 10 MX names with a permerror (4.6.4)', async () => {
    const many = zone({
      'example.nl': { TXT: ['v=spf1 mx -all'], MX: Array.from({ length: 11 }, (_, i) => `${i} mx${i}.example.nl`) },
    });
    expect(await evaluateSpf({ ...base, ip: '192.0.2.1', domain: 'example.nl', dns: many })).toMatchObject({
      result: 'permerror', mechanism: 'mx', problem: 'example.nl has 11 MX records; "mx" allows at most 10 (RFC 7208 4.6.4)',
    });
  });
});
