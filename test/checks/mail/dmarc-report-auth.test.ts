import { describe, expect, it } from 'vitest';
import { dmarcReportAuthCheck } from '../../../checks/mail/dmarc-report-auth.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { Target } from '../../../src/core/types.ts';
import { contextFor, fakeProbes, zone } from '../../support/fake-probes.ts';

const AUTH_NAME = 'example.nl._report._dmarc.reports.example';

function run(records: Record<string, readonly string[]>, target: Partial<Target> = {}) {
  const dns = zone(Object.fromEntries(Object.entries(records).map(([name, txt]) => [name, { TXT: txt }])));
  return dmarcReportAuthCheck.run(contextFor(fakeProbes({ dns }), target));
}

describe('mail.dmarc-report-authorization', () => {
  it.each([
    { name: 'no rua or ruf', record: 'v=DMARC1; p=reject', auth: null, status: 'pass' },
    { name: 'own domain only', record: 'v=DMARC1; p=reject; rua=mailto:d@example.nl', auth: null, status: 'pass' },
    { name: 'own organization', record: 'v=DMARC1; p=reject; rua=mailto:d@reports.example.nl', auth: null, status: 'pass' },
    { name: 'external, authorized', record: 'v=DMARC1; p=reject; rua=mailto:d@reports.example', auth: ['v=DMARC1'], status: 'pass' },
    { name: 'external, not authorized', record: 'v=DMARC1; p=reject; rua=mailto:d@reports.example', auth: null, status: 'fail' },
    { name: 'external, wrong record', record: 'v=DMARC1; p=reject; rua=mailto:d@reports.example', auth: ['ok'], status: 'fail' },
    { name: 'external ruf', record: 'v=DMARC1; p=reject; ruf=mailto:f@reports.example', auth: null, status: 'fail' },
    { name: 'V=DMARC1 policy record (RFC 7489 6.4)', record: 'V=DMARC1; P=reject; RUA=mailto:d@reports.example', auth: null, status: 'fail' },
    { name: 'V=DMARC1 authorization (RFC 7489 6.4, 7.1)', record: 'v=DMARC1; p=reject; rua=mailto:d@reports.example', auth: ['V=DMARC1'], status: 'pass' },
    { name: 'v=dmarc1 authorization (6.4: DMARC1 is case-sensitive)', record: 'v=DMARC1; p=reject; rua=mailto:d@reports.example', auth: ['v=dmarc1'], status: 'fail' },
  ])('$name -> $status', async ({ record, auth, status }) => {
    const records = { '_dmarc.example.nl': [record], ...(auth ? { [AUTH_NAME]: auth } : {}) };
    expect((await run(records)).status).toBe(status);
  });

  it('fails naming the exact name queried (RFC 7489 7.1)', async () => {
    const outcome = await run({ '_dmarc.example.nl': ['v=DMARC1; p=reject; rua=mailto:d@reports.example,mailto:x@example.nl'] });
    expect(outcome).toMatchObject({ status: 'fail', summary: `No v=DMARC1 authorization at ${AUTH_NAME}: receivers will not send those reports` });
  });

  it('asks on behalf of the domain the policy came from when it was inherited', async () => {
    const records = { '_dmarc.example.nl': ['v=DMARC1; p=reject; rua=mailto:d@reports.example'], [AUTH_NAME]: ['v=DMARC1;'] };
    const outcome = await run(records, { domain: 'mail.example.nl' });
    expect(outcome).toMatchObject({ status: 'pass', evidence: { policyDomain: 'example.nl' } });
  });

  it('records every destination as evidence', async () => {
    const record = 'v=DMARC1; p=reject; rua=mailto:d@example.nl,mailto:d@reports.example!10m';
    expect(await run({ '_dmarc.example.nl': [record], [AUTH_NAME]: ['v=DMARC1'] })).toEqual({
      status: 'pass',
      summary: 'External DMARC report destinations are authorized: reports.example',
      evidence: {
        policyDomain: 'example.nl', record,
        destinations: [
          {
            tag: 'rua', uri: 'mailto:d@example.nl', host: 'example.nl', external: false,
            authorizationName: null, records: [], authorized: true,
          },
          {
            tag: 'rua', uri: 'mailto:d@reports.example!10m', host: 'reports.example', external: true,
            authorizationName: AUTH_NAME, records: ['v=DMARC1'], authorized: true,
          },
        ],
      },
    });
  });

  it.each([
    { name: 'no DMARC record', records: {} },
    { name: 'two DMARC records', records: { '_dmarc.example.nl': ['v=DMARC1; p=reject', 'v=DMARC1; p=none'] } },
  ])('skips as not applicable: $name', async ({ records }) => {
    expect(await run(records)).toMatchObject({ status: 'skip', reason: 'not-applicable' });
  });

  it('skips domains without mail', async () => {
    expect(await dmarcReportAuthCheck.run(contextFor(fakeProbes({}), { mail: false }))).toMatchObject({ status: 'skip', reason: 'not-applicable' });
  });

  it('lets a ProbeError on the authorization lookup propagate', async () => {
    const error = new ProbeError('timeout', '127.0.0.1:53', 'no answer');
    const records = zone({ '_dmarc.example.nl': { TXT: ['v=DMARC1; p=reject; rua=mailto:d@reports.example'] } });
    const dns = (name: string, type: 'TXT') => (name === AUTH_NAME ? Promise.reject(error) : records(name, type));
    await expect(dmarcReportAuthCheck.run(contextFor(fakeProbes({ dns })))).rejects.toBe(error);
  });
});
