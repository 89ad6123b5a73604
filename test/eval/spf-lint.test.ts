import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/core/errors.ts';
import { lintSpf } from '../../src/eval/spf-lint.ts';
import type { SpfDns } from '../../src/eval/spf-dns.ts';
import type { DnsType } from '../../src/probes/types.ts';
import { zone } from '../support/fake-probes.ts';

type Zone = Record<string, Partial<Record<DnsType, readonly string[]>>>;

/** The domain's own record plus whatever else the test needs. */
function lint(record: string | readonly string[] | null, extra: Zone = {}) {
  const txt = record === null ? [] : typeof record === 'string' ? [record] : record;
  return lintSpf('example.nl', zone({
    'example.nl': { TXT: txt, A: ['192.0.2.1'], MX: ['10 mx.example.nl'] },
    'mx.example.nl': { A: ['192.0.2.25'] },
    ...extra,
  }));
}

const messages = (result: Awaited<ReturnType<typeof lint>>) => result.problems.map((p) => `${p.severity}: ${p.message}`);

describe('lintSpf: finding the record (RFC 7208 4.5)', () => {
  it('passes a good record with its tree and counts', async () => {
    const root = 'v=spf1 include:_spf.mail.example mx a -all';
    const provider = 'v=spf1 ip4:198.51.100.0/24 include:_spf2.mail.example ~all';
    const result = await lint(root, {
      '_spf.mail.example': { TXT: [provider] },
      '_spf2.mail.example': { TXT: ['v=spf1 ip6:2001:db8::/32 ~all'] },
    });
    expect(result).toMatchObject({ records: [root], lookups: 4, lookupLimit: 10, voidLookups: 0, voidLookupLimit: 2, problems: [] });
    const node = { voidLookups: 0, note: null };
    expect(result.tree).toEqual({
      ...node, domain: 'example.nl', via: 'root', term: null, record: root, lookups: 3, totalLookups: 4,
      children: [{
        ...node, domain: '_spf.mail.example', via: 'include', term: 'include:_spf.mail.example', record: provider,
        lookups: 1, totalLookups: 1,
        children: [{
          ...node, domain: '_spf2.mail.example', via: 'include', term: 'include:_spf2.mail.example',
          record: 'v=spf1 ip6:2001:db8::/32 ~all', lookups: 0, totalLookups: 0, children: [],
        }],
      }],
    });
  });

  it.each([
    ['no TXT at all', null],
    ['only other TXT records', ['google-site-verification=abc', 'v=spf10 -all']],
  ])('reports a missing record (%s)', async (_label, record) => {
    const result = await lint(record);
    expect(result).toMatchObject({ records: [], tree: null });
    expect(messages(result)).toEqual(['fail: example.nl: no SPF record (a TXT record starting with "v=spf1", RFC 7208 4.5)']);
  });

  it('reports a missing record for NXDOMAIN too', async () => {
    const result = await lintSpf('example.nl', zone({}));
    expect(result.records).toEqual([]);
    expect(result.problems[0]?.severity).toBe('fail');
  });

  it('fails two records, even identical ones', async () => {
    const result = await lint(['v=spf1 -all', 'V=SPF1 -all']);
    expect(result.tree).toBeNull();
    expect(messages(result)).toEqual(['fail: example.nl: 2 SPF records; receivers return permerror unless there is exactly one (RFC 7208 4.5)']);
  });
});

describe('lintSpf: verdicts per record', () => {
  it.each([
    ['v=spf1 mx -all', []],
    ['v=spf1 mx ~all', []],
    ['v=spf1 +all', ['fail: example.nl: "+all" lets every host on the internet pass (RFC 7208 5.1)']],
    ['v=spf1 a all', ['fail: example.nl: "all" lets every host on the internet pass (RFC 7208 5.1)']],
    ['v=spf1 mx ?all', ['warn: example.nl: "?all" gives unlisted senders neutral, which receivers treat like no policy (RFC 7208 8.2)']],
    ['v=spf1 mx', ['warn: example.nl: no "all" and no "redirect=": unlisted senders get the default neutral (RFC 7208 4.7)']],
    ['v=spf1 ptr -all', ['warn: example.nl: "ptr" is slow and unreliable; RFC 7208 5.5 says it SHOULD NOT be used']],
    ['v=spf1 -all mx', ['warn: example.nl: terms after "-all" are never evaluated (RFC 7208 5.1)']],
    ['v=spf1 -all redirect=_spf.example.nl', ['warn: example.nl: "redirect=_spf.example.nl" is ignored because the record has "-all" (RFC 7208 6.1)']],
    ['v=spf1 ip4:192.0.2.0/33 foo -all', [
      'fail: example.nl: invalid ip4 cidr /33 (receivers return permerror, RFC 7208 4.6)',
      'fail: example.nl: unknown mechanism "foo" (receivers return permerror, RFC 7208 4.6)',
    ]],
  ])('%j', async (record, expected) => {
    expect(messages(await lint(record))).toEqual(expected);
  });

  it('warns about a record over 512 bytes (RFC 7208 3.4)', async () => {
    const record = `v=spf1 ${Array.from({ length: 40 }, (_, i) => `ip4:198.51.100.${i}`).join(' ')} -all`;
    expect(messages(await lint(record))).toEqual([`warn: example.nl: the record is ${record.length} bytes; over 512 it may not fit a UDP DNS answer (RFC 7208 3.4)`]);
  });

  it('judges ?all and a missing all only where the domain\'s own evaluation ends, following redirect', async () => {
    const result = await lint('v=spf1 include:_spf.provider.example redirect=_spf.example.nl', {
      '_spf.provider.example': { TXT: ['v=spf1 ip4:198.51.100.0/24'] }, // an include without all is normal
      '_spf.example.nl': { TXT: ['v=spf1 ip4:192.0.2.0/24 ?all'] },
    });
    expect(messages(result)).toEqual(['warn: _spf.example.nl: "?all" gives unlisted senders neutral, which receivers treat like no policy (RFC 7208 8.2)']);
    expect(result.lookups).toBe(2);
  });

  it('fails +all inside an include: it makes the include pass for everyone', async () => {
    const result = await lint('v=spf1 include:open.example -all', { 'open.example': { TXT: ['v=spf1 +all'] } });
    expect(messages(result)).toEqual(['fail: open.example: "+all" lets every host on the internet pass (RFC 7208 5.1)']);
  });
});

describe('lintSpf: the expanded tree (RFC 7208 4.6.4, 5.2, 6.1)', () => {
  it('counts every DNS-querying term across includes and fails above 10', async () => {
    const host = { A: ['192.0.2.1'] };
    const result = await lint('v=spf1 include:a.example include:b.example mx a -all', {
      'a.example': { TXT: ['v=spf1 a:h1.a.example a:h2.a.example a:h3.a.example exists:%{i}.a.example ~all'] },
      'h1.a.example': host, 'h2.a.example': host, 'h3.a.example': host, 'h.b.example': host,
      'b.example': { TXT: ['v=spf1 mx:b.example mx:b.example a:h.b.example ~all'], MX: ['10 mx.b.example'] },
    });
    expect(result.tree).toMatchObject({ lookups: 4, totalLookups: 11 });
    expect(result.tree?.children.map((c) => [c.domain, c.lookups, c.totalLookups])).toEqual([['a.example', 4, 4], ['b.example', 3, 3]]);
    expect(messages(result)).toEqual(['fail: 11 DNS-querying terms in the expanded policy; receivers return permerror after 10 (RFC 7208 4.6.4)']);
  });

  it('fails an include or redirect target without exactly one SPF record', async () => {
    const result = await lint('v=spf1 include:gone.example include:two.example redirect=none.example', {
      'two.example': { TXT: ['v=spf1 -all', 'v=spf1 ~all'] }, 'none.example': { TXT: ['not spf'] },
    });
    expect(messages(result)).toEqual([
      'fail: example.nl: "include:gone.example": no SPF record at gone.example; receivers return permerror (RFC 7208 5.2)',
      'fail: example.nl: "include:two.example": 2 SPF records at two.example; receivers return permerror (RFC 7208 5.2)',
      'fail: example.nl: "redirect=none.example": no SPF record at none.example; receivers return permerror (RFC 7208 6.1)',
    ]);
    expect(result.tree?.children.map((c) => c.note)).toEqual([
      'not expanded: no SPF record at gone.example', 'not expanded: 2 SPF records at two.example', 'not expanded: no SPF record at none.example',
    ]);
    expect(result.voidLookups).toBe(1); // gone.example is NXDOMAIN; the others answered
  });

  it('fails more than 2 void lookups', async () => {
    const result = await lint('v=spf1 a:old1.example.nl a:old2.example.nl mx:old3.example.nl -all');
    expect(result.voidLookups).toBe(3);
    expect(messages(result)).toEqual(['fail: 3 void lookups (names that do not exist or have no records); receivers return permerror after 2 (RFC 7208 4.6.4)']);
  });

  it.each([
    ['include loop', 'v=spf1 include:loop.example -all', { 'loop.example': { TXT: ['v=spf1 include:example.nl'] } },
      'fail: loop.example: "include:example.nl" loops back (example.nl -> loop.example -> example.nl); receivers return permerror (RFC 7208 4.6.4)'],
    ['redirect to itself', 'v=spf1 redirect=EXAMPLE.nl', {},
      'fail: example.nl: "redirect=EXAMPLE.nl" loops back (example.nl -> example.nl); receivers return permerror (RFC 7208 4.6.4)'],
  ])('detects an %s', async (_label, record, extra, expected) => {
    expect(messages(await lint(record, extra))).toContain(expected);
  });

  it('fails an mx target with more than 10 MX records', async () => {
    const result = await lint('v=spf1 mx:big.example -all', { 'big.example': { MX: Array.from({ length: 11 }, (_, i) => `${i} mx${i}.big.example`) } });
    expect(messages(result)).toEqual(['fail: example.nl: "mx:big.example": big.example has 11 MX records; receivers return permerror above 10 (RFC 7208 4.6.4)']);
  });

  it('expands %{d} but not sender-dependent macros', async () => {
    const result = await lint('v=spf1 include:_spf.%{d} include:%{l}._u.example -all', { '_spf.example.nl': { TXT: ['v=spf1 ip4:192.0.2.0/24'] } });
    expect(result.tree?.children.map((c) => [c.domain, c.record, c.note])).toEqual([
      ['_spf.example.nl', 'v=spf1 ip4:192.0.2.0/24', null],
      ['%{l}._u.example', null, 'not expanded: the target uses sender-dependent macros'],
    ]);
    expect(messages(result)).toEqual(['warn: example.nl: "include:%{l}._u.example" depends on the sender (macros), so its lookups are not counted here']);
  });
});

describe('lintSpf: DNS failures are thrown, never reported as missing', () => {
  const timeout = new ProbeError('timeout', '192.0.2.53:53', 'no answer within 5000 ms');

  it('rejects when the domain\'s own TXT lookup fails', async () => {
    await expect(lintSpf('example.nl', async () => { throw timeout; })).rejects.toBe(timeout);
  });

  it('rejects when an include target times out (a receiver would return temperror)', async () => {
    const records = zone({ 'example.nl': { TXT: ['v=spf1 include:slow.example -all'] } });
    const dns: SpfDns = async (name, type) => {
      if (name === 'slow.example') throw timeout;
      return records(name, type);
    };
    await expect(lintSpf('example.nl', dns)).rejects.toBe(timeout);
  });
});
