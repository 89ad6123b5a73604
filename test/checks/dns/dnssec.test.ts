import { describe, expect, it } from 'vitest';
import { dnssecCheck } from '../../../checks/dns/dnssec.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { DnsAnswer, DnsType, Probes } from '../../../src/probes/types.ts';
import { contextFor, fakeProbes, zone } from '../../support/fake-probes.ts';

type Scripted = Partial<Pick<DnsAnswer, 'authenticated' | 'rrsigs' | 'dnssecOk' | 'cnames'>> | ProbeError;

/**
 * The fixture zone as answered by 127.0.0.1:53; `script` sets the DNSSEC facts (or an error) per question type,
 * `SOA+cd` for a query with CD set. The root is never in it: asking for it fails the test.
 */
function resolver(script: Partial<Record<string, Scripted>>, asked: string[] = []): Probes['dns'] {
  const dns = zone({ 'example.nl': { SOA: ['ns1.example.nl hostmaster.example.nl 1 7200 3600 1209600 300'], A: ['192.0.2.1'] } });
  return async (name, type, options) => {
    const key = `${type}${options?.checkingDisabled ? '+cd' : ''}`;
    asked.push(`${name} ${key}`);
    if (name !== 'example.nl') throw new ProbeError('dns-failure', '127.0.0.1:53', `${type} ${name}: REFUSED from 127.0.0.1:53`);
    const scripted = script[key];
    if (scripted instanceof ProbeError) throw scripted;
    return {
      ...await dns(name, type), resolver: '127.0.0.1:53', ...(options?.checkingDisabled ? { checkingDisabled: true } : {}),
      ...scripted,
    };
  };
}
const run = (dns: Probes['dns']) => dnssecCheck.run(contextFor(fakeProbes({ dns })));
const secure = { authenticated: true, rrsigs: true, dnssecOk: true };
const signedUnvalidated = { authenticated: false, rrsigs: true, dnssecOk: true };
const unsigned = { authenticated: false, rrsigs: false, dnssecOk: true };
const servfail = (type: DnsType) => new ProbeError('dns-failure', '127.0.0.1:53', `${type} example.nl: SERVFAIL from 127.0.0.1:53`);

describe('dns.dnssec', () => {
  it.each([
    { script: { SOA: secure, A: secure }, status: 'pass' },
    { script: { SOA: unsigned, A: unsigned }, status: 'fail' },     // unsigned zone: insecure, a finding
    { script: { SOA: secure, A: unsigned }, status: 'fail' },       // zone signed, but the address answer is not (RFC 4035 3.2.3)
    { script: { SOA: unsigned, A: secure }, status: 'fail' },
    { script: { SOA: {}, A: {} }, status: 'fail' },                 // a resolver that reports nothing about signatures
  ])('$script -> $status', async ({ script, status }) => {
    expect((await run(resolver(script))).status).toBe(status);
  });

  it('judges from the domain\'s own answers: a resolver that refuses the root does not make the check an error', async () => {
    const asked: string[] = [];
    expect(await run(resolver({ SOA: secure, A: secure }, asked))).toMatchObject({ status: 'pass' });
    expect(asked.sort()).toEqual(['example.nl A', 'example.nl SOA']);
  });

  it('says which resolver vouched for the answers and keeps the AD flags as evidence', async () => {
    expect(await run(resolver({ SOA: secure, A: secure }))).toEqual({
      status: 'pass',
      summary: 'example.nl is DNSSEC-validated according to resolver 127.0.0.1:53 (AD set on SOA and A)',
      evidence: {
        resolver: '127.0.0.1:53', ad: { SOA: true, A: true },
        answers: [
          { name: 'example.nl', type: 'SOA', result: 'records', authenticated: true, rrsigs: true, cnames: [] },
          { name: 'example.nl', type: 'A', result: 'records', authenticated: true, rrsigs: true, cnames: [] },
        ],
      },
    });
  });

  it('names the unauthenticated answers, the CNAME chain that lost AD and the resolver on fail', async () => {
    const outcome = await run(resolver({ SOA: secure, A: { ...unsigned, cnames: ['example.nl.cdn.example'] } }));
    expect(outcome).toMatchObject({
      status: 'fail',
      summary: 'example.nl is not DNSSEC-validated according to resolver 127.0.0.1:53: no AD bit on A (A follows CNAME example.nl.cdn.example)',
      evidence: { resolver: '127.0.0.1:53', ad: { SOA: true, A: false } },
      remediation: expect.stringContaining('DS record at the parent'),
    });
  });

  it('judges an authenticated denial (NODATA) by its AD bit too', async () => {
    const dns: Probes['dns'] = async (name, type) => ({ ...await zone({ 'example.nl': {} })(name, type), authenticated: true });
    expect(await run(dns)).toMatchObject({ status: 'pass', evidence: { answers: [{ result: 'nodata' }, { result: 'nodata' }] } });
  });

  describe('SERVFAIL from a validating resolver (RFC 4035 3.2.2, 5.5)', () => {
    it('is DNSSEC-bogus, a fail, when the data comes back with CD set; both answers are the evidence', async () => {
      const asked: string[] = [];
      const outcome = await run(resolver({ SOA: servfail('SOA'), A: servfail('A'), 'SOA+cd': signedUnvalidated, 'A+cd': signedUnvalidated }, asked));
      expect(outcome).toMatchObject({
        status: 'fail',
        summary: expect.stringMatching(/^example\.nl is DNSSEC-bogus: the resolver answers SERVFAIL for SOA and A, and returns the data with checking disabled/),
        evidence: {
          resolver: '127.0.0.1:53',
          bogus: [
            { type: 'SOA', validated: '127.0.0.1:53: SOA example.nl: SERVFAIL from 127.0.0.1:53',
              checkingDisabled: { type: 'SOA', result: 'records', checkingDisabled: true, authenticated: false } },
            { type: 'A', validated: expect.stringContaining('SERVFAIL'), checkingDisabled: { type: 'A', result: 'records', checkingDisabled: true } },
          ],
        },
        remediation: expect.stringContaining('signatures do not validate'),
      });
      expect(asked.sort()).toEqual(['example.nl A', 'example.nl A+cd', 'example.nl SOA', 'example.nl SOA+cd']);
    });

    it('is bogus when only one answer fails validation, and keeps the other answer', async () => {
      const outcome = await run(resolver({ SOA: secure, A: servfail('A'), 'A+cd': { authenticated: false, rrsigs: false } }));
      expect(outcome).toMatchObject({ status: 'fail', evidence: { bogus: [{ type: 'A' }], answers: [{ type: 'SOA', authenticated: true }] } });
    });

    it('stays "could not test" with the first cause when the CD query fails too', async () => {
      const first = servfail('SOA');
      await expect(run(resolver({ SOA: first, A: secure, 'SOA+cd': servfail('SOA') }))).rejects.toBe(first);
    });

    it('never turns a timeout into anything else, and does not ask with CD for it', async () => {
      const timeout = new ProbeError('timeout', '127.0.0.1:53', 'no answer to SOA example.nl');
      const asked: string[] = [];
      await expect(run(resolver({ SOA: timeout, A: secure }, asked))).rejects.toMatchObject({ reason: 'timeout' });
      expect(asked.filter((q) => q.endsWith('+cd'))).toEqual([]);
    });
  });

  describe('signatures without AD: insecure delegation or a resolver that does not validate', () => {
    it('is an error (client-limitation) with the evidence when the DS at the parent is signed and has no AD either', async () => {
      const outcome = await run(resolver({ SOA: signedUnvalidated, A: signedUnvalidated, DS: signedUnvalidated }));
      expect(outcome).toMatchObject({
        status: 'error', reason: 'client-limitation',
        summary: expect.stringContaining('resolver 127.0.0.1:53 does not validate DNSSEC'),
        evidence: { ad: { SOA: false, A: false }, ds: { type: 'DS', rrsigs: true, authenticated: false } },
      });
    });

    it('fails a signed zone without a DS at a signed parent (authenticated denial of the DS)', async () => {
      const outcome = await run(resolver({ SOA: signedUnvalidated, A: signedUnvalidated, DS: secure }));
      expect(outcome).toMatchObject({ status: 'fail', summary: expect.stringContaining('the parent has no DS record for it') });
    });

    it('fails a signed zone under an unsigned parent', async () => {
      const outcome = await run(resolver({ SOA: signedUnvalidated, A: signedUnvalidated, DS: unsigned }));
      expect(outcome).toMatchObject({ status: 'fail', summary: expect.stringContaining('DS answer is unsigned') });
    });

    it('does not ask for the DS when AD is set on one answer (the resolver evidently validates)', async () => {
      const asked: string[] = [];
      expect(await run(resolver({ SOA: secure, A: signedUnvalidated }, asked))).toMatchObject({ status: 'fail' });
      expect(asked.some((q) => q.includes('DS'))).toBe(false);
    });

    it('is an error when the resolver is not DNSSEC-aware (no DO echoed, RFC 3225 3), not a fail', async () => {
      const blind = { authenticated: false, rrsigs: false, dnssecOk: false };
      expect(await run(resolver({ SOA: blind, A: blind }))).toMatchObject({ status: 'error', reason: 'client-limitation' });
    });
  });
});
