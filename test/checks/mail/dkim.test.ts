import { describe, expect, it } from 'vitest';
import { dkimCheck } from '../../../checks/mail/dkim.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/config/defaults.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import { contextFor, fakeProbes, zone } from '../../support/fake-probes.ts';
import { ed25519Base64, rsaSpkiBase64 } from '../../parse/dkim-keys.ts';

const RSA_2048 = rsaSpkiBase64(2048);
const SELECTED = { dkimSelectors: ['sel1'] };

function withKey(...records: string[]) {
  return fakeProbes({ dns: zone({ 'sel1._domainkey.example.nl': { TXT: records } }) });
}

describe('mail.dkim', () => {
  it.each([
    { name: 'RSA 2048', records: [`v=DKIM1; k=rsa; p=${RSA_2048}`], status: 'pass' },
    { name: 'Ed25519', records: [`v=DKIM1; k=ed25519; p=${ed25519Base64()}`], status: 'pass' },
    { name: 'RSA 1024', records: [`v=DKIM1; p=${rsaSpkiBase64(1024)}`], status: 'warn' },  // at the minimum, below 2048
    { name: 'RSA 512', records: [`v=DKIM1; p=${rsaSpkiBase64(512)}`], status: 'fail' },    // RFC 8301 3.2
    { name: 'RSA 4608', records: [`v=DKIM1; p=${rsaSpkiBase64(4608)}`], status: 'warn' },  // verifiers may stop at 4096
    { name: 'revoked', records: ['v=DKIM1; k=rsa; p='], status: 'fail' },
    { name: 'testing', records: [`v=DKIM1; t=y; p=${RSA_2048}`], status: 'warn' },
    { name: 'PKCS#1 key', records: [`v=DKIM1; p=${rsaSpkiBase64(2048, 'pkcs1')}`], status: 'warn' },
    { name: 'invalid record', records: ['v=DKIM1; p=%%%'], status: 'fail' },
    { name: 'two records', records: [`v=DKIM1; p=${RSA_2048}`, `v=DKIM1; p=${RSA_2048}`], status: 'fail' }, // RFC 6376 3.6.2.2
  ])('$name -> $status', async ({ records, status }) => {
    expect((await dkimCheck.run(contextFor(withKey(...records), SELECTED))).status).toBe(status);
  });

  it('fails a configured selector without a record, naming the name queried', async () => {
    const outcome = await dkimCheck.run(contextFor(fakeProbes({ dns: zone({}) }), SELECTED));
    expect(outcome).toMatchObject({ status: 'fail', summary: expect.stringContaining('sel1._domainkey.example.nl (nxdomain)') });
  });

  it('takes the worst selector and names the ones with findings', async () => {
    const probes = fakeProbes({
      dns: zone({ 'good._domainkey.example.nl': { TXT: [`p=${RSA_2048}`] }, 'old._domainkey.example.nl': { TXT: ['p='] } }),
    });
    const outcome = await dkimCheck.run(contextFor(probes, { dkimSelectors: ['good', 'old'] }));
    expect(outcome).toMatchObject({ status: 'fail', summary: 'old: key revoked (empty p=)' });
  });

  it('uses the configured thresholds', async () => {
    const settings = { thresholds: { ...DEFAULT_THRESHOLDS, dkimWarnRsaBits: 1024 } };
    const outcome = await dkimCheck.run(contextFor(withKey(`p=${rsaSpkiBase64(1024)}`), SELECTED, settings));
    expect(outcome.status).toBe('pass');
  });

  it('records each selector\'s record, key type and size as evidence', async () => {
    const record = `v=DKIM1; k=rsa; p=${RSA_2048}`;
    const outcome = await dkimCheck.run(contextFor(withKey(record), SELECTED));
    expect(outcome).toMatchObject({
      status: 'pass',
      summary: 'DKIM keys valid: sel1 (rsa 2048 bits)',
      evidence: {
        domain: 'example.nl',
        selectors: [{ selector: 'sel1', name: 'sel1._domainkey.example.nl', records: [record], keyType: 'rsa', keyBits: 2048, status: 'pass' }],
      },
    });
  });

  it.each([
    { name: 'no selectors configured', target: {}, reason: 'not-configured' }, // never a pass from _domainkey existing
    { name: 'parked domain', target: { profile: 'parked' as const, ...SELECTED }, reason: 'not-applicable' },
  ])('skips: $name', async ({ target, reason }) => {
    expect(await dkimCheck.run(contextFor(fakeProbes({}), target))).toMatchObject({ status: 'skip', reason });
  });

  it('lets a DNS ProbeError propagate (the runner reports error, not "missing")', async () => {
    const error = new ProbeError('timeout', '127.0.0.1:53', 'no answer');
    const probes = fakeProbes({ dns: () => Promise.reject(error) });
    await expect(dkimCheck.run(contextFor(probes, SELECTED))).rejects.toBe(error);
  });
});
