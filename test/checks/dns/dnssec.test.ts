import { describe, expect, it } from 'vitest';
import { dnssecCheck } from '../../../checks/dns/dnssec.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { DnsType, Probes } from '../../../src/probes/types.ts';
import { contextFor, fakeProbes, zone } from '../../support/fake-probes.ts';

/** The fixture zone, answered by 127.0.0.1:53 with AD set on the question types in `ad`. */
const ROOT_SOA = 'a.root-servers.net nstld.verisign-grs.com 2026112500 1800 900 604800 86400';
const resolverWith = (ad: readonly DnsType[], cnames: readonly string[] = [], validating = true): Probes['dns'] => {
  const dns = zone({ 'example.nl': { SOA: ['ns1.example.nl hostmaster.example.nl 1 7200 3600 1209600 300'], A: ['192.0.2.1'] }, '': { SOA: [ROOT_SOA] } });
  return async (name, type) => {
    const answer = { ...await dns(name, type), resolver: '127.0.0.1:53' };
    if (name === '.') return { ...answer, authenticated: validating };
    return { ...answer, authenticated: ad.includes(type), cnames: type === 'A' ? cnames : [] };
  };
};
const run = (dns: Probes['dns']) => dnssecCheck.run(contextFor(fakeProbes({ dns })));

describe('dns.dnssec', () => {
  it.each([
    { ad: ['SOA', 'A'] as const, status: 'pass' },
    { ad: [] as const, status: 'fail' },         // unsigned zone, or a resolver that does not validate
    { ad: ['SOA'] as const, status: 'fail' },    // zone signed, but the address answer is not (RFC 4035 3.2.3)
    { ad: ['A'] as const, status: 'fail' },
  ])('AD on $ad -> $status', async ({ ad, status }) => {
    expect((await run(resolverWith(ad))).status).toBe(status);
  });

  it('says which resolver vouched for the answers and keeps the AD flags as evidence', async () => {
    expect(await run(resolverWith(['SOA', 'A']))).toEqual({
      status: 'pass',
      summary: 'example.nl is DNSSEC-validated according to resolver 127.0.0.1:53 (AD set on SOA and A)',
      evidence: {
        resolver: '127.0.0.1:53', ad: { SOA: true, A: true },
        answers: [
          { name: 'example.nl', type: 'SOA', result: 'records', authenticated: true, cnames: [] },
          { name: 'example.nl', type: 'A', result: 'records', authenticated: true, cnames: [] },
        ],
      },
    });
  });

  it('names the unauthenticated answers, the CNAME chain that lost AD and the resolver on fail', async () => {
    const outcome = await run(resolverWith(['SOA'], ['example.nl.cdn.example']));
    expect(outcome).toMatchObject({
      status: 'fail',
      summary: 'example.nl is not DNSSEC-validated according to resolver 127.0.0.1:53: no AD bit on A (A follows CNAME example.nl.cdn.example)',
      evidence: { resolver: '127.0.0.1:53', ad: { SOA: true, A: false } },
      remediation: expect.stringContaining('DS record at the parent'),
    });
  });

  it('judges an authenticated denial (NODATA) by its AD bit too', async () => {
    const dns: Probes['dns'] = async (name, type) => ({ ...await zone({ 'example.nl': {}, '': {} })(name, type), authenticated: true });
    expect(await run(dns)).toMatchObject({ status: 'pass', evidence: { answers: [{ result: 'nodata' }, { result: 'nodata' }] } });
  });

  it('is an error, not a fail, when the resolver does not validate (no AD bit on the signed root)', async () => {
    await expect(run(resolverWith([], [], false))).rejects.toMatchObject({ reason: 'client-limitation' });
  });

  it('lets a DNS ProbeError (a bogus zone gets SERVFAIL) propagate', async () => {
    const error = new ProbeError('dns-failure', '127.0.0.1:53', 'SOA example.nl: SERVFAIL from 127.0.0.1:53');
    await expect(run(() => Promise.reject(error))).rejects.toBe(error);
  });
});
