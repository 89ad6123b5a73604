import { describe, expect, it } from 'vitest';
import { spfSendersCheck } from '../../../checks/mail/spf-senders.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { Target } from '../../../src/core/types.ts';
import type { DnsAnswer, DnsType } from '../../../src/probes/types.ts';
import { contextFor, fakeProbes, zone } from '../../support/fake-probes.ts';

const records = zone({
  'example.nl': { TXT: ['v=spf1 ip4:192.0.2.0/24 include:_spf.provider.example ~all'] },
  '_spf.provider.example': { TXT: ['v=spf1 ip6:2001:db8::/32 -all'] },
});

function run(sendingIps: readonly string[], target: Partial<Target> = {}, dns: (name: string, type: DnsType) => Promise<DnsAnswer> = records) {
  return spfSendersCheck.run(contextFor(fakeProbes({ dns }), { sendingIps, ...target }));
}

describe('mail.spf-senders', () => {
  it.each([
    { ips: ['192.0.2.10'], status: 'pass' },
    { ips: ['192.0.2.10', '2001:db8::25'], status: 'pass' }, // the second passes through the include
    { ips: ['192.0.2.10', '203.0.113.9'], status: 'fail' }, // softfail is not pass
    { ips: ['not-an-ip'], status: 'fail' }, // permerror
  ])('$ips -> $status', async ({ ips, status }) => {
    expect((await run(ips)).status).toBe(status);
  });

  it('fails when the domain has no SPF record at all (none)', async () => {
    expect(await run(['192.0.2.10'], {}, zone({}))).toMatchObject({ status: 'fail', summary: 'Not authorised by SPF: 192.0.2.10: none (no SPF record at example.nl)' });
  });

  it('skips without configured IPs, with a hint', async () => {
    expect(await run([])).toEqual({
      status: 'skip', reason: 'not-configured',
      summary: 'No sending IPs configured; list the addresses that send mail for this domain as sendingIps',
    });
  });

  it('reports each IP\'s result and path as evidence', async () => {
    const outcome = await run(['192.0.2.10', '203.0.113.9']);
    expect(outcome).toMatchObject({
      status: 'fail',
      summary: 'Not authorised by SPF: 203.0.113.9: softfail (~all)',
      evidence: {
        domain: 'example.nl', sender: 'postmaster@example.nl',
        results: [
          {
            ip: '192.0.2.10', result: 'pass', mechanism: 'ip4:192.0.2.0/24',
            path: ['example.nl: v=spf1 ip4:192.0.2.0/24 include:_spf.provider.example ~all', 'example.nl: ip4:192.0.2.0/24 matched'],
          },
          { ip: '203.0.113.9', result: 'softfail', mechanism: '~all' },
        ],
      },
    });
  });

  it('is an error with the DNS cause when an IP evaluates to temperror: a timeout stays a timeout (issue 8)', async () => {
    const dns = async (name: string, type: DnsType) => {
      if (name === '_spf.provider.example') throw new ProbeError('timeout', '192.0.2.53:53', 'no answer within 5000 ms');
      return records(name, type);
    };
    const servfail = async (name: string, type: DnsType) => {
      if (name === '_spf.provider.example') throw new ProbeError('dns-failure', '192.0.2.53:53', 'TXT _spf.provider.example: SERVFAIL');
      return records(name, type);
    };
    expect(await run(['192.0.2.10', '2001:db8::25'], {}, servfail)).toMatchObject({ status: 'error', reason: 'dns-failure' });
    expect(await run(['192.0.2.10', '2001:db8::25'], {}, dns)).toMatchObject({
      status: 'error', reason: 'timeout',
      summary: 'SPF could not be evaluated: 2001:db8::25: temperror (DNS TXT lookup of _spf.provider.example failed: 192.0.2.53:53: no answer within 5000 ms)',
    });
  });

  it('still fails when one IP is refused and another hit a temperror: the refusal is evidence enough', async () => {
    const dns = async (name: string, type: DnsType) => {
      if (name === '_spf.provider.example') throw new ProbeError('timeout', '192.0.2.53:53', 'no answer');
      return zone({ 'example.nl': { TXT: ['v=spf1 ip4:192.0.2.0/24 -ip4:203.0.113.0/24 include:_spf.provider.example ~all'] } })(name, type);
    };
    expect((await run(['203.0.113.9', '2001:db8::25'], {}, dns)).status).toBe('fail');
  });

  it('declares its metadata', () => {
    expect(spfSendersCheck).toMatchObject({ id: 'mail.spf-senders', scope: 'mail', promises: ['mail-anti-spoofing'], needs: ['dns'] });
  });
});
