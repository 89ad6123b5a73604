import { describe, expect, it } from 'vitest';
import { starttlsCheck } from '../../../checks/mail/starttls.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import { contextFor } from '../../support/fake-probes.ts';
import { HANDSHAKE_FAILED, mailProbes, NOT_ADVERTISED, REFUSED_454 } from './smtp-facts.ts';

const run = (probes: Parameters<typeof contextFor>[0]) => starttlsCheck.run(contextFor(probes));

describe('mail.starttls', () => {
  it.each([
    { name: 'STARTTLS on every MX', hosts: { 'mx1.example.nl': {}, 'mx2.example.nl': {} }, status: 'pass' },
    { name: 'not advertised on the backup MX', hosts: { 'mx1.example.nl': {}, 'mx2.example.nl': NOT_ADVERTISED }, status: 'fail' },
    { name: '454 to STARTTLS', hosts: { 'mx1.example.nl': REFUSED_454 }, status: 'fail' }, // RFC 3207 4
    { name: 'handshake failed after 220', hosts: { 'mx1.example.nl': HANDSHAKE_FAILED }, status: 'fail' },
    { name: 'greylisted (could not test)', hosts: { 'mx1.example.nl': new ProbeError('refused', 'mx1', '450 4.7.1 Greylisted') }, status: 'error' },
  ])('$name -> $status', async ({ hosts, status }) => {
    expect((await run(mailProbes(hosts))).status).toBe(status);
  });

  it('ranks a fail on one MX above an error on another (fail > error > warn > pass)', async () => {
    const outcome = await run(mailProbes({ 'mx1.example.nl': new ProbeError('timeout', 'mx1', 'no answer'), 'mx2.example.nl': NOT_ADVERTISED }));
    expect(outcome).toMatchObject({ status: 'fail', summary: 'mx2.example.nl: STARTTLS is not advertised: mail arrives unencrypted' });
  });

  it.each([
    { name: 'agree', hosts: { 'mx1.example.nl': NOT_ADVERTISED, 'mx2.example.nl': NOT_ADVERTISED, 'mx3.example.nl': {} },
      summary: 'STARTTLS is not advertised: mail arrives unencrypted (mx1.example.nl, mx2.example.nl)' },
    { name: 'differ', hosts: { 'mx1.example.nl': NOT_ADVERTISED, 'mx2.example.nl': REFUSED_454 },
      summary: 'mx1.example.nl: STARTTLS is not advertised: mail arrives unencrypted; mx2.example.nl: STARTTLS is refused: 454 4.7.0 TLS not available' },
  ])('names every MX host with the worst verdict when they $name', async ({ hosts, summary }) => {
    expect(await run(mailProbes(hosts))).toMatchObject({ status: 'fail', summary });
  });

  it('reports a timeout as error: timeout, never as "no STARTTLS"', async () => {
    const outcome = await run(mailProbes({ 'mx1.example.nl': new ProbeError('timeout', 'mx1.example.nl:25', 'no answer within 5000 ms') }));
    expect(outcome).toMatchObject({ status: 'error', reason: 'timeout' });
  });

  it('judges every address of an MX host', async () => {
    const probes = mailProbes(
      { 'mx1.example.nl': {}, 'mx1.example.nl@2001:db8::25': REFUSED_454 },
      { addresses: { 'mx1.example.nl': ['192.0.2.1', '2001:db8::25'] } },
    );
    const outcome = await run(probes);
    expect(outcome).toMatchObject({ status: 'fail', summary: 'mx1.example.nl: STARTTLS is refused: 454 4.7.0 TLS not available (2001:db8::25)' });
  });

  it('skips a null MX or no MX, pointing at mail.mx', async () => {
    for (const mx of [['0 .'], []]) {
      const outcome = await run(mailProbes({}, { mx }));
      expect(outcome).toMatchObject({ status: 'skip', reason: 'not-applicable', summary: expect.stringContaining('mail.mx') });
    }
  });

  it('shows the transcript and the negotiated TLS per MX host and address', async () => {
    const outcome = await run(mailProbes({ 'mx1.example.nl': {} }));
    expect(outcome.status).toBe('pass');
    if (outcome.status !== 'pass') return;
    expect(outcome.evidence).toMatchObject({
      domain: 'example.nl',
      mx: [{
        host: 'mx1.example.nl', preference: 10, status: 'pass', port: 25,
        addresses: [{
          address: '192.0.2.1', status: 'pass', starttlsAdvertised: true, starttlsReply: '220 Ready to start TLS',
          protocol: 'TLSv1.3', banner: '220 mx1.example.nl ESMTP', transcript: expect.arrayContaining(['C: STARTTLS', 'S: 220 Ready to start TLS']),
        }],
      }],
    });
  });

  it('propagates a DNS failure of the MX lookup as a ProbeError', async () => {
    const probes = mailProbes({}, { extra: { dns: async () => { throw new ProbeError('dns-failure', 'resolver', 'SERVFAIL'); } } });
    await expect(run(probes)).rejects.toMatchObject({ reason: 'dns-failure' });
  });
});
