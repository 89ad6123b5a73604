import { describe, expect, it } from 'vitest';
import { PROBE_KINDS } from '../../src/runner/probe-kinds/index.ts';
import { lifetimeOf as lifetimeOfCall, type AnyProbeKind } from '../../src/runner/probe-kinds/kind.ts';
import { SharedHosts } from '../../src/runner/shared-hosts.ts';
import type { DnsAnswer } from '../../src/probes/types.ts';

// Which answers describe a destination many domains share (kept for the whole run, src/runner/cache.ts) and which
// describe one domain (kept only for the domains soon after). Issue 11: an MX host is probed once per run, and that
// includes finding it (its addresses) and its DANE records, not only its SMTP sessions.
const lifetimeOf = (kind: AnyProbeKind, ...args: unknown[]) => lifetimeOfCall(kind, args);

describe('probe lifetimes', () => {
  it('an MX host\'s addresses and TLSA records are kept for the run; a domain\'s own names are not', () => {
    expect(lifetimeOf(PROBE_KINDS.endpoints, 'mx1.hoster.example', 25)).toBe('run');
    expect(lifetimeOf(PROBE_KINDS.endpoints, 'www.example.nl', 443)).toBe('domain');
    expect(lifetimeOf(PROBE_KINDS.dns, '_25._tcp.MX1.hoster.example', 'TLSA')).toBe('run');
    expect(lifetimeOf(PROBE_KINDS.dns, '_443._tcp.www.example.nl', 'TLSA')).toBe('domain');
    expect(lifetimeOf(PROBE_KINDS.dns, 'example.nl', 'TXT')).toBe('domain');
    expect(lifetimeOf(PROBE_KINDS.dns, '_25._tcp.mx1.hoster.example', 'TXT')).toBe('domain');
  });

  it('every SMTP kind is kept for the run, and no web kind is', () => {
    const kinds = Object.values(PROBE_KINDS) as AnyProbeKind[];
    const constant = kinds.filter((k) => typeof k.lifetime !== 'function');
    // Issue 13: a name server, a route and this host's IPv6 route to an address are shared by many domains too.
    const sharedDestinations = ['nameServerSoa', 'rpkiValidity', 'ipv6Client'];
    expect(constant.filter((k) => k.lifetime === 'run').map((k) => k.name).sort()).toEqual(
      constant.filter((k) => k.name.startsWith('smtp') || sharedDestinations.includes(k.name)).map((k) => k.name).sort());
  });

  it('a question about an MX host named in an MX answer is kept for the run, whoever asks it', () => {
    const shared = new SharedHosts();
    const mxAnswer: DnsAnswer = { name: 'example.nl', type: 'MX', resolver: '127.0.0.1:53', result: 'records', records: ['10 MX1.Hoster.example', '20 mx2.hoster.example'],
      authenticated: false, cnames: [], observedAt: '2026-12-04T00:00:00.000Z' };
    expect(lifetimeOfCall(PROBE_KINDS.dns, ['mx1.hoster.example', 'AAAA'], shared)).toBe('domain'); // not known yet
    shared.note(PROBE_KINDS.dns.sharedHostsIn!(mxAnswer));
    expect(lifetimeOfCall(PROBE_KINDS.dns, ['mx1.hoster.example.', 'AAAA'], shared)).toBe('run');
    expect(lifetimeOfCall(PROBE_KINDS.dns, ['MX2.hoster.example', 'A', { checkingDisabled: true }], shared)).toBe('run');
    expect(lifetimeOfCall(PROBE_KINDS.dnssec, ['mx1.hoster.example.', 'A'], shared)).toBe('run');
    expect(lifetimeOfCall(PROBE_KINDS.dnssecQuestion, ['mx1.hoster.example.', 'A'], shared)).toBe('run');
    expect(lifetimeOfCall(PROBE_KINDS.dns, ['example.nl', 'TXT'], shared)).toBe('domain');
    expect(lifetimeOfCall(PROBE_KINDS.dns, ['www.hoster.example', 'A'], shared)).toBe('domain');
    // Only MX answers name shared hosts; a null MX ("."), a TXT answer name none.
    expect(PROBE_KINDS.dns.sharedHostsIn!({ ...mxAnswer, records: ['0 .'] })).toEqual([]);
    expect(PROBE_KINDS.dns.sharedHostsIn!({ ...mxAnswer, type: 'TXT', records: ['v=spf1 -all'] })).toEqual([]);
  });

  it('remembers the most recently named hosts, up to its capacity', () => {
    const shared = new SharedHosts(2);
    shared.note(['a.example', 'b.example']);
    shared.note(['a.example']); // named again: now the most recent
    shared.note(['c.example', '.', '']);
    expect(['a.example', 'b.example', 'c.example'].filter((h) => shared.has(h))).toEqual(['a.example', 'c.example']);
    expect(shared.size).toBe(2);
  });
});
