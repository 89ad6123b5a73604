/** http.hsts: a policy browsers would ignore or that is too short is not a pass (RFC 6797 8.1; thresholds). */
import { describe, expect, it } from 'vitest';
import { hstsCheck } from '../../../checks/http/hsts.ts';
import type { TlsFacts } from '../../../src/probes/types.ts';
import { contextFor, endpointsFor, fakeProbes, httpHop, tlsFacts } from '../../support/fake-probes.ts';

const ONE_YEAR = 'max-age=31536000; includeSubDomains';
const run = (header: string, tls: Partial<TlsFacts> = {}) => hstsCheck.run(contextFor(fakeProbes({
  endpoints: endpointsFor,
  tls: async () => tlsFacts(tls),
  http: async () => httpHop({ headers: { 'strict-transport-security': [header] } }),
})));

describe('http.hsts over a connection with certificate errors (RFC 6797 8.1)', () => {
  it('fails a one-year policy sent with an untrusted chain: browsers ignore it', async () => {
    const outcome = await run(ONE_YEAR, { chainTrusted: false, authorizationError: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toBe('browsers ignore this HSTS header: the certificate chain is not trusted (SELF_SIGNED_CERT_IN_CHAIN) (RFC 6797 8.1)');
    expect(outcome).toMatchObject({ evidence: { addresses: [{ chainTrusted: false, authorizationError: 'SELF_SIGNED_CERT_IN_CHAIN', maxAge: 31536000 }] } });
  });

  it('fails a one-year policy sent with a certificate for another name', async () => {
    const outcome = await run(ONE_YEAR, { hostnameMatches: false });
    expect(outcome).toMatchObject({ status: 'fail', summary: expect.stringContaining('not valid for example.nl') });
  });

  it('passes the same policy over a trusted connection', async () => {
    expect((await run(ONE_YEAR)).status).toBe('pass');
  });
});

describe('http.hsts max-age against thresholds.hstsMinMaxAgeSeconds (one year by default)', () => {
  it.each([
    ['max-age=31535999', 'fail'],   // one second short of a year
    ['max-age=15552000', 'fail'],   // six months: the Observatory's bar, below Vouch's (internet.nl's) year
    ['max-age=31536000', 'pass'],
  ] as const)('%s -> %s', async (header, status) => {
    const outcome = await run(header);
    expect(outcome.status).toBe(status);
    if (status === 'fail') expect(outcome).toMatchObject({ summary: expect.stringContaining('is below the required 31536000 s'), remediation: expect.any(String) });
  });
});
