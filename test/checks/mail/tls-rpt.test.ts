import { describe, expect, it } from 'vitest';
import { tlsRptCheck } from '../../../checks/mail/tls-rpt.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import { contextFor, fakeProbes, zone } from '../../support/fake-probes.ts';

const run = (records: readonly string[] | null) =>
  tlsRptCheck.run(contextFor(fakeProbes({ dns: zone(records ? { '_smtp._tls.example.nl': { TXT: records } } : {}) })));

describe('mail.tls-rpt', () => {
  it.each([
    { records: ['v=TLSRPTv1; rua=mailto:tlsrpt@example.nl'], status: 'pass' },
    { records: ['v=TLSRPTv1; rua=https://reports.example/tlsrpt', 'v=spf1 -all'], status: 'pass' }, // other TXT ignored
    { records: null, status: 'warn' },                                                             // NXDOMAIN
    { records: [], status: 'warn' },                                                               // NODATA
    { records: ['v=TLSRPTv1; rua=mailto:a@example.nl', 'v=TLSRPTv1; rua=mailto:b@example.nl'], status: 'fail' }, // RFC 8460 3
    { records: ['v=TLSRPTv1; rua=ftp://reports.example/'], status: 'fail' },
    { records: ['v=TLSRPTv1'], status: 'fail' },
    { records: ['v=tlsrptv1; rua=mailto:a@example.nl'], status: 'fail' },                         // mistyped, not missing
  ])('$records -> $status', async ({ records, status }) => {
    expect((await run(records)).status).toBe(status);
  });

  it('lists the report destinations as evidence', async () => {
    expect(await run(['v=TLSRPTv1; rua=mailto:a@example.nl,https://reports.example/v1'])).toEqual({
      status: 'pass',
      summary: 'TLS-RPT reports go to mailto:a@example.nl, https://reports.example/v1',
      evidence: {
        name: '_smtp._tls.example.nl', result: 'records', records: ['v=TLSRPTv1; rua=mailto:a@example.nl,https://reports.example/v1'],
        rua: ['mailto:a@example.nl', 'https://reports.example/v1'],
      },
    });
  });

  it('names the problem with an invalid record', async () => {
    expect(await run(['v=TLSRPTv1; rua=ftp://reports.example/'])).toMatchObject({ summary: expect.stringContaining('only mailto: and https:') });
  });

  it.each([{ profile: 'parked' as const }])('skips %o', async (target) => {
    expect(await tlsRptCheck.run(contextFor(fakeProbes({}), target))).toMatchObject({ status: 'skip', reason: 'not-applicable' });
  });

  it('lets a DNS ProbeError propagate', async () => {
    const error = new ProbeError('timeout', '127.0.0.1:53', 'no answer');
    await expect(tlsRptCheck.run(contextFor(fakeProbes({ dns: () => Promise.reject(error) })))).rejects.toBe(error);
  });
});
