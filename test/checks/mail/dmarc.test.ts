import { describe, expect, it } from 'vitest';
import { dmarcCheck } from '../../../checks/mail/dmarc.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { Target } from '../../../src/core/types.ts';
import { contextFor, fakeProbes, zone } from '../../support/fake-probes.ts';

const RUA = 'rua=mailto:dmarc@example.nl';

function run(records: Record<string, readonly string[]>, target: Partial<Target> = {}) {
  const dns = zone(Object.fromEntries(Object.entries(records).map(([name, txt]) => [name, { TXT: txt }])));
  return dmarcCheck.run(contextFor(fakeProbes({ dns }), target));
}

describe('mail.dmarc on the organizational domain', () => {
  it.each([
    { record: `v=DMARC1; p=reject; ${RUA}`, status: 'pass' },
    { record: `v=DMARC1; p=quarantine; ${RUA}`, status: 'pass' },
    { record: `v=DMARC1; p=none; ${RUA}`, status: 'fail' },                  // monitoring does not stop forged mail
    { record: `v=DMARC1; ${RUA}`, status: 'fail' },                          // 6.6.3 step 6: treated as p=none
    { record: `v=DMARC1; p=reject; sp=bogus; ${RUA}`, status: 'fail' },      // idem for an invalid sp
    { record: 'v=DMARC1; p=reject; p=none', status: 'fail' },                // ambiguous
    { record: `v=DMARC1; p=reject; pct=50; ${RUA}`, status: 'warn' },
    { record: 'v=DMARC1; p=reject', status: 'warn' },                        // no aggregate reports
    { record: 'v=DMARC1; p=reject; rua=dmarc@example.nl', status: 'warn' },  // rua not a usable URI
    { record: `v=DMARC1; p=reject; t=y; ${RUA}`, status: 'warn' },           // RFC 9989: one level less strict
    { record: `v=DMARC1; p=reject; sp=none; ${RUA}`, status: 'warn' },
    { record: `v=DMARC1; p=reject; np=none; ${RUA}`, status: 'warn' },       // RFC 9091
    { record: `v=DMARC1; p=reject; adkim=x; ${RUA}`, status: 'warn' },       // invalid tag value, default used
    { record: `V=DMARC1; p=reject; ${RUA}`, status: 'pass' },                // RFC 7489 6.4: "v" is case-insensitive
    { record: `v=DMARC1; P=Reject; RUA=mailto:dmarc@example.nl`, status: 'pass' }, // names and keyword values too
  ])('$record -> $status', async ({ record, status }) => {
    expect((await run({ '_dmarc.example.nl': [record] })).status).toBe(status);
  });

  it('fails without a record, naming the name queried', async () => {
    expect(await run({})).toMatchObject({ status: 'fail', summary: 'No DMARC record at _dmarc.example.nl' });
  });

  it('fails with two DMARC records (RFC 7489 6.6.3) but ignores other TXT records there', async () => {
    expect((await run({ '_dmarc.example.nl': [`v=DMARC1; p=reject; ${RUA}`, 'v=DMARC1; p=none'] })).status).toBe('fail');
    expect((await run({ '_dmarc.example.nl': [`v=DMARC1; p=reject; ${RUA}`, 'google-site-verification=x'] })).status).toBe('pass');
  });

  it('shows a near-miss record that receivers discard', async () => {
    const outcome = await run({ '_dmarc.example.nl': ['v=dmarc1; p=reject'] });
    expect(outcome).toMatchObject({ status: 'fail', summary: expect.stringContaining('ignored, not starting with exactly v=DMARC1: v=dmarc1; p=reject') });
  });

  it.each([
    { record: `v=DMARC1; p=reject; ${RUA}`, status: 'pass' },
    { record: `v=DMARC1; p=quarantine; ${RUA}`, status: 'fail' },            // parked domains must reject
  ])('parked: $record -> $status', async ({ record, status }) => {
    expect((await run({ '_dmarc.example.nl': [record] }, { profile: 'parked' })).status).toBe(status);
  });

  it('records what was judged as evidence', async () => {
    const record = `v=DMARC1; p=reject; pct=100; ${RUA}; ruf=mailto:f@example.nl; x=1`;
    expect(await run({ '_dmarc.example.nl': [record] })).toEqual({
      status: 'pass',
      summary: 'DMARC policy reject (_dmarc.example.nl)',
      evidence: {
        domain: 'example.nl', organizationalDomain: 'example.nl', queried: ['_dmarc.example.nl'], source: 'domain',
        recordDomain: 'example.nl', records: [record], discarded: [], record, effectivePolicy: 'reject',
        policy: 'reject', subdomainPolicy: null, nonExistentPolicy: null, pct: 100, testing: false,
        rua: ['mailto:dmarc@example.nl'], ruf: ['mailto:f@example.nl'], unknownTags: ['x'], notes: [], problem: null,
      },
    });
  });
});

describe('mail.dmarc on a subdomain', () => {
  const target = { domain: 'mail.example.nl' };

  it.each([
    { org: `v=DMARC1; p=reject; ${RUA}`, status: 'pass' },                 // inherits p
    { org: `v=DMARC1; p=reject; sp=none; ${RUA}`, status: 'fail' },        // sp governs existing subdomains
    { org: `v=DMARC1; p=none; sp=quarantine; ${RUA}`, status: 'pass' },
  ])('falls back to the organizational domain: $org -> $status', async ({ org, status }) => {
    const outcome = await run({ '_dmarc.example.nl': [org] }, target);
    expect(outcome.status).toBe(status);
    expect(outcome).toMatchObject({ evidence: { source: 'organizational-domain', queried: ['_dmarc.mail.example.nl', '_dmarc.example.nl'] } });
  });

  it('prefers its own record', async () => {
    const outcome = await run({ '_dmarc.mail.example.nl': [`v=DMARC1; p=reject; ${RUA}`], '_dmarc.example.nl': ['v=DMARC1; p=none'] }, target);
    expect(outcome).toMatchObject({ status: 'pass', evidence: { source: 'domain', recordDomain: 'mail.example.nl' } });
  });

  it('does not fall back when its own name has several records (6.6.3 step 5)', async () => {
    const own = ['v=DMARC1; p=reject', 'v=DMARC1; p=quarantine'];
    const outcome = await run({ '_dmarc.mail.example.nl': own, '_dmarc.example.nl': [`v=DMARC1; p=reject; ${RUA}`] }, target);
    expect(outcome).toMatchObject({ status: 'fail', evidence: { queried: ['_dmarc.mail.example.nl'] } });
  });

  it('names both names when neither has a record', async () => {
    expect(await run({}, target)).toMatchObject({ status: 'fail', summary: 'No DMARC record at _dmarc.mail.example.nl or _dmarc.example.nl' });
  });
});

describe('mail.dmarc applicability and errors', () => {
  it('skips domains without mail', async () => {
    expect(await dmarcCheck.run(contextFor(fakeProbes({}), { mail: false }))).toMatchObject({ status: 'skip', reason: 'not-applicable' });
  });

  it('lets a DNS ProbeError propagate', async () => {
    const error = new ProbeError('dns-failure', '127.0.0.1:53', 'SERVFAIL');
    await expect(dmarcCheck.run(contextFor(fakeProbes({ dns: () => Promise.reject(error) })))).rejects.toBe(error);
  });
});
