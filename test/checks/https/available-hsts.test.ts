import { describe, expect, it } from 'vitest';
import { httpsAvailableCheck } from '../../../checks/https/available.ts';
import { hstsCheck } from '../../../checks/http/hsts.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import { contextFor, endpointsFor, fakeProbes, httpHop, tlsFacts } from '../../support/fake-probes.ts';

describe('https.available', () => {
  it.each([
    [null, 'pass'],
    [new ProbeError('refused', 'x', 'ECONNREFUSED'), 'fail'],
    [new ProbeError('tls-handshake', 'x', 'alert handshake_failure'), 'fail'],
    [new ProbeError('timeout', 'x', 'no answer'), 'error'],
  ] as const)('%s -> %s', async (error, status) => {
    const probes = fakeProbes({
      endpoints: endpointsFor,
      tls: async () => { if (error) throw error; return tlsFacts(); },
      http: async () => httpHop(),
    });
    expect((await httpsAvailableCheck.run(contextFor(probes))).status).toBe(status);
  });
});

describe('http.hsts', () => {
  const run = (values?: string[]) => hstsCheck.run(contextFor(fakeProbes({
    endpoints: endpointsFor, tls: async () => tlsFacts(),
    http: async () => httpHop(values ? { headers: { 'strict-transport-security': values } } : {}),
  })));

  it.each([
    [['max-age=31536000; includeSubDomains'], 'pass'],
    [['max-age=63072000; includeSubDomains; preload'], 'pass'],
    [['max-age=15552000'], 'fail'],                // six months: valid, below the one-year minimum
    [['max-age=0'], 'fail'],                       // RFC 6797 6.1.1: zero means "forget this host"
    [['includeSubDomains'], 'fail'],
    [['max-age=1; max-age=2'], 'fail'],
    [undefined, 'fail'],
  ] as const)('%j -> %s', async (values, status) => {
    expect((await run(values ? [...values] : undefined)).status).toBe(status);
  });

  it('shows the header, the parsed policy and the threshold', async () => {
    expect(await run(['max-age=31536000; preload'])).toMatchObject({ evidence: { addresses: [{
      header: ['max-age=31536000; preload'], maxAge: 31536000, includeSubDomains: false, preload: true, minMaxAge: 31536000,
    }] } });
  });

  it('uses the configured threshold', async () => {
    const ctx = contextFor(fakeProbes({ endpoints: endpointsFor, tls: async () => tlsFacts(), http: async () => httpHop({ headers: { 'strict-transport-security': ['max-age=100'] } }) }));
    const strict = await hstsCheck.run(ctx);
    const lenient = await hstsCheck.run({ ...ctx, settings: { ...ctx.settings, thresholds: { ...ctx.settings.thresholds, hstsMinMaxAgeSeconds: 60 } } });
    expect([strict.status, lenient.status]).toEqual(['fail', 'pass']);
  });
});
