import { describe, expect, it } from 'vitest';
import { mxCheck } from '../../../checks/mail/mx.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { Target } from '../../../src/core/types.ts';
import type { Probes } from '../../../src/probes/types.ts';
import { contextFor, endpointsFor, fakeProbes, zone } from '../../support/fake-probes.ts';

/** Hosts named here resolve to nothing; every other host gets one address from endpointsFor. */
function probesFor(mx: readonly string[] | null, unresolved: readonly string[] = []): Probes {
  return fakeProbes({
    dns: zone(mx ? { 'example.nl': { MX: mx } } : {}),
    endpoints: (hostname, port) => (unresolved.includes(hostname)
      ? Promise.resolve({ hostname, port, source: 'dns' as const, endpoints: [], answers: [] })
      : endpointsFor(hostname, port)),
  });
}

const run = (mx: readonly string[] | null, target: Partial<Target> = {}, unresolved: readonly string[] = []) =>
  mxCheck.run(contextFor(probesFor(mx, unresolved), target));

describe('mail.mx', () => {
  it.each([
    { name: 'two resolving MX hosts', mx: ['10 mx1.example.nl', '20 mx2.example.nl'], status: 'pass' },
    { name: 'null MX', mx: ['0 .'], status: 'fail' },                                  // RFC 7505: accepts no mail
    { name: 'no MX (NODATA)', mx: [], status: 'fail' },                                // implicit MX not counted
    { name: 'no MX (NXDOMAIN)', mx: null, status: 'fail' },
    { name: 'null MX next to a real one', mx: ['0 .', '10 mx1.example.nl'], status: 'fail' }, // RFC 7505 3
    { name: 'malformed record', mx: ['mx1.example.nl'], status: 'fail' },
  ])('standard: $name -> $status', async ({ mx, status }) => {
    expect((await run(mx)).status).toBe(status);
  });

  it.each([
    { name: 'null MX', mx: ['0 .'], status: 'pass' },
    { name: 'no MX', mx: [], status: 'pass' },
    { name: 'real MX hosts', mx: ['10 mx1.example.nl'], status: 'warn' },
  ])('parked: $name -> $status', async ({ mx, status }) => {
    expect((await run(mx, { profile: 'parked' })).status).toBe(status);
  });

  it('fails an MX host without addresses, naming it', async () => {
    const outcome = await run(['10 mx1.example.nl', '20 gone.example.nl'], {}, ['gone.example.nl']);
    expect(outcome).toMatchObject({ status: 'fail', summary: 'MX host(s) without A or AAAA records: gone.example.nl' });
  });

  it('explains that the A-record fallback is not counted', async () => {
    expect((await run([])).summary).toMatch(/RFC 5321 5\.1 would fall back to the domain's A record/);
  });

  it('lists every MX host with its addresses as evidence', async () => {
    expect(await run(['20 mx2.example.nl', '10 mx1.example.nl'])).toEqual({
      status: 'pass',
      summary: '2 MX host(s): 10 mx1.example.nl (192.0.2.1); 20 mx2.example.nl (192.0.2.1)',
      evidence: {
        domain: 'example.nl', profile: 'standard', result: 'records', records: ['20 mx2.example.nl', '10 mx1.example.nl'], nullMx: false,
        hosts: [
          { preference: 10, host: 'mx1.example.nl', source: 'dns', addresses: ['192.0.2.1'] },
          { preference: 20, host: 'mx2.example.nl', source: 'dns', addresses: ['192.0.2.1'] },
        ],
      },
    });
  });

  it('lets a ProbeError from the MX lookup or an address lookup propagate', async () => {
    const error = new ProbeError('dns-failure', '127.0.0.1:53', 'SERVFAIL');
    await expect(mxCheck.run(contextFor(fakeProbes({ dns: () => Promise.reject(error) })))).rejects.toBe(error);
    const probes = fakeProbes({ dns: zone({ 'example.nl': { MX: ['10 mx1.example.nl'] } }), endpoints: () => Promise.reject(error) });
    await expect(mxCheck.run(contextFor(probes))).rejects.toBe(error);
  });
});
