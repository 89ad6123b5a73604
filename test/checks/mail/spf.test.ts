import { describe, expect, it } from 'vitest';
import { spfCheck } from '../../../checks/mail/spf.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { Target } from '../../../src/core/types.ts';
import { contextFor, fakeProbes, zone } from '../../support/fake-probes.ts';

function run(txt: readonly string[] | null, target: Partial<Target> = {}) {
  const dns = zone({
    ...(txt ? { 'example.nl': { TXT: txt, MX: ['10 mx.example.nl'] } } : {}),
    'mx.example.nl': { A: ['192.0.2.25'] },
    '_spf.provider.example': { TXT: ['v=spf1 ip4:198.51.100.0/24 ~all'] },
  });
  return spfCheck.run(contextFor(fakeProbes({ dns }), target));
}

describe('mail.spf', () => {
  it.each([
    { txt: ['v=spf1 mx include:_spf.provider.example -all'], status: 'pass' },
    { txt: ['v=spf1 mx ~all'], status: 'pass' }, // softfail is an accepted ending
    { txt: ['v=spf1 mx ?all'], status: 'warn' }, // RFC 7208 8.2: neutral protects nothing
    { txt: ['v=spf1 mx'], status: 'warn' }, // no all, no redirect: default neutral (4.7)
    { txt: ['v=spf1 ptr -all'], status: 'warn' }, // 5.5: ptr SHOULD NOT be used
    { txt: ['v=spf1 +all'], status: 'fail' }, // anyone passes
    { txt: ['v=spf1 mx -all', 'v=spf1 -all'], status: 'fail' }, // 4.5: two records = permerror
    { txt: ['v=spf1 ip4:192.0.2.0/33 -all'], status: 'fail' }, // syntax error = permerror
    { txt: ['v=spf1 include:gone.example -all'], status: 'fail' }, // 5.2: include without record = permerror
    { txt: ['google-site-verification=abc'], status: 'fail' }, // TXT records, none of them SPF
    { txt: null, status: 'fail' }, // NXDOMAIN: no record
  ])('$txt -> $status', async ({ txt, status }) => {
    expect((await run(txt)).status).toBe(status);
  });

  it.each([
    { txt: ['v=spf1 -all'], status: 'pass' },
    { txt: ['V=SPF1  -ALL '], status: 'pass' }, // the same policy: case and spaces do not matter (4.5, 4.6.1)
    { txt: ['v=spf1 mx -all'], status: 'fail' }, // a parked domain authorises no host
    { txt: ['v=spf1 ~all'], status: 'fail' },
    { txt: ['v=spf1 -all', 'v=spf1 -all'], status: 'fail' },
    { txt: null, status: 'fail' },
  ])('parked: $txt -> $status', async ({ txt, status }) => {
    expect((await run(txt, { profile: 'parked' })).status).toBe(status);
  });

  it('names the missing record and the fix', async () => {
    expect(await run(null)).toMatchObject({ status: 'fail', summary: 'No SPF record at example.nl', remediation: expect.stringContaining('v=spf1') });
  });

  it('puts the record, the tree with counts and the problems in the evidence', async () => {
    const outcome = await run(['v=spf1 mx include:_spf.provider.example ?all']);
    expect(outcome).toMatchObject({
      status: 'warn',
      summary: 'example.nl: "?all" gives unlisted senders neutral, which receivers treat like no policy (RFC 7208 8.2)',
      evidence: {
        domain: 'example.nl', profile: 'standard', records: ['v=spf1 mx include:_spf.provider.example ?all'],
        lookups: 2, lookupLimit: 10, voidLookups: 0, voidLookupLimit: 2,
        tree: { domain: 'example.nl', lookups: 2, totalLookups: 2, children: [{ domain: '_spf.provider.example', term: 'include:_spf.provider.example', lookups: 0 }] },
        problems: [{ severity: 'warn', message: 'example.nl: "?all" gives unlisted senders neutral, which receivers treat like no policy (RFC 7208 8.2)' }],
      },
    });
  });

  it('rejects with the ProbeError when DNS fails, so the runner reports error and not "missing"', async () => {
    const error = new ProbeError('timeout', '192.0.2.53:53', 'no answer within 5000 ms');
    const probes = fakeProbes({ dns: async () => { throw error; } });
    await expect(spfCheck.run(contextFor(probes))).rejects.toBe(error);
  });

  it('declares its metadata', () => {
    expect(spfCheck).toMatchObject({ id: 'mail.spf', scope: 'mail', promises: ['mail-anti-spoofing'], needs: ['dns'] });
  });
});
