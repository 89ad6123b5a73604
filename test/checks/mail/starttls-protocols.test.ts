import { describe, expect, it } from 'vitest';
import { starttlsProtocolsCheck } from '../../../checks/mail/starttls-protocols.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { Probes, TlsVersion } from '../../../src/probes/types.ts';
import { contextFor, FIXED_TIME } from '../../support/fake-probes.ts';
import { HANDSHAKE_FAILED, mailProbes, NOT_ADVERTISED } from './smtp-facts.ts';

/** smtpTlsVersion answering from a per-host list of accepted versions, or throwing a scripted error. */
function versions(byHost: Record<string, readonly TlsVersion[]>, failing: Partial<Record<TlsVersion, ProbeError>> = {}): Partial<Probes> {
  return {
    smtpTlsVersion: async (ep, version) => {
      const error = failing[version];
      if (error) throw error;
      const accepted = (byHost[ep.hostname] ?? []).includes(version);
      return { endpoint: ep.hostname, version, accepted, detail: accepted ? `ServerHello ${version}` : 'alert protocol_version (70)', observedAt: FIXED_TIME };
    },
  };
}

const run = (probes: Probes) => starttlsProtocolsCheck.run(contextFor(probes));
const MODERN: readonly TlsVersion[] = ['TLSv1.2', 'TLSv1.3'];

describe('mail.starttls-protocols', () => {
  it.each([
    { name: '1.2 and 1.3 on both MX', accepted: { 'mx1.example.nl': MODERN, 'mx2.example.nl': MODERN }, status: 'pass' },
    { name: '1.2 without 1.3 on the backup', accepted: { 'mx1.example.nl': MODERN, 'mx2.example.nl': ['TLSv1.2'] }, status: 'warn' },
    { name: 'TLS 1.0 on the backup', accepted: { 'mx1.example.nl': MODERN, 'mx2.example.nl': ['TLSv1', ...MODERN] }, status: 'fail' },
    { name: 'TLS 1.1 accepted', accepted: { 'mx1.example.nl': ['TLSv1.1', 'TLSv1.2'], 'mx2.example.nl': MODERN }, status: 'fail' },
    { name: 'nothing accepted', accepted: { 'mx1.example.nl': [], 'mx2.example.nl': MODERN }, status: 'fail' },
  ] as const)('$name -> $status', async ({ accepted, status }) => {
    const probes = mailProbes({ 'mx1.example.nl': {}, 'mx2.example.nl': {} }, { extra: versions(accepted) });
    expect((await run(probes)).status).toBe(status);
  });

  it('skips an MX without STARTTLS without probing versions: mail.starttls reports that fail, once', async () => {
    const outcome = await run(mailProbes({ 'mx1.example.nl': NOT_ADVERTISED }));
    expect(outcome).toMatchObject({ status: 'skip', reason: 'prerequisite', summary: expect.stringContaining('STARTTLS is not advertised') });
  });

  it('still probes versions when STARTTLS got 220 but the full handshake failed (a legacy-only server)', async () => {
    const probes = mailProbes({ 'mx1.example.nl': HANDSHAKE_FAILED }, { extra: versions({ 'mx1.example.nl': ['TLSv1'] }) });
    expect(await run(probes)).toMatchObject({ status: 'fail', summary: 'mx1.example.nl: accepts TLSv1' });
  });

  it('is an error, never a pass, when a version could not be tested', async () => {
    const probes = mailProbes({ 'mx1.example.nl': {} }, {
      extra: versions({ 'mx1.example.nl': MODERN }, { TLSv1: new ProbeError('client-limitation', 'x', 'cannot offer TLSv1') }),
    });
    expect(await run(probes)).toMatchObject({ status: 'error', reason: 'client-limitation' });
  });

  it('keeps the versions it did establish in the evidence of an inconclusive result', async () => {
    const probes = mailProbes({ 'mx1.example.nl': {} }, {
      extra: versions({ 'mx1.example.nl': MODERN }, { TLSv1: new ProbeError('client-limitation', 'x', 'cannot offer TLSv1') }),
    });
    const outcome = await run(probes);
    expect(outcome).toMatchObject({ status: 'error', evidence: { mx: [{ addresses: [{ accepted: ['TLSv1.2', 'TLSv1.3'],
      versions: expect.arrayContaining([{ version: 'TLSv1', accepted: null, detail: 'x: cannot offer TLSv1', reason: 'client-limitation' }]) }] }] } });
  });

  it('judges the MX that offers STARTTLS and skips the one that does not (mail.starttls fails that one)', async () => {
    const probes = mailProbes({ 'mx1.example.nl': NOT_ADVERTISED, 'mx2.example.nl': {} }, { extra: versions({ 'mx2.example.nl': MODERN }) });
    expect(await run(probes)).toMatchObject({ status: 'pass', evidence: { mx: [{ status: 'skip' }, { status: 'pass' }] } });
  });

  it('turns a ProbeError from the SMTP session into error', async () => {
    const outcome = await run(mailProbes({ 'mx1.example.nl': new ProbeError('timeout', 'mx1', 'no answer') }));
    expect(outcome).toMatchObject({ status: 'error', reason: 'timeout' });
  });

  it('lists each version result per MX address as evidence', async () => {
    const outcome = await run(mailProbes({ 'mx1.example.nl': {} }, { extra: versions({ 'mx1.example.nl': ['TLSv1.2'] }) }));
    expect(outcome.status).toBe('warn');
    if (outcome.status !== 'warn') return;
    expect(outcome.evidence).toMatchObject({
      mx: [{ host: 'mx1.example.nl', addresses: [{ address: '192.0.2.1', accepted: ['TLSv1.2'],
        versions: expect.arrayContaining([{ version: 'TLSv1.3', accepted: false, detail: 'alert protocol_version (70)' }]) }] }],
    });
  });
});
