import { describe, expect, it } from 'vitest';
import { starttlsProtocolsCheck } from '../../../checks/mail/starttls-protocols.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { Probes } from '../../../src/probes/types.ts';
import { builtinPolicy } from '../../../src/tls/policy.ts';
import type { ProtocolVersion } from '../../../src/tls/types.ts';
import { contextFor } from '../../support/fake-probes.ts';
import { enumerationFacts } from '../tls/enumeration-facts.ts';
import { HANDSHAKE_FAILED, mailProbes, NOT_ADVERTISED } from './smtp-facts.ts';

/** smtpTlsEnumeration answering from a per-host list of accepted versions, with scripted untested versions. */
function versions(byHost: Record<string, readonly ProtocolVersion[]>, unknown: Partial<Record<ProtocolVersion, readonly string[]>> = {}): Partial<Probes> {
  return {
    smtpTlsEnumeration: async (ep) => ({ ...enumerationFacts(byHost[ep.hostname] ?? [], unknown, `${ep.hostname}:25 (${ep.address})`), transport: 'smtp-starttls' }),
  };
}

const run = (probes: Probes) => starttlsProtocolsCheck.run(contextFor(probes));
const MODERN: readonly ProtocolVersion[] = ['TLSv1.2', 'TLSv1.3'];

describe('mail.starttls-protocols', () => {
  it.each([
    { name: '1.2 and 1.3 on both MX', accepted: { 'mx1.example.nl': MODERN, 'mx2.example.nl': MODERN }, status: 'pass' },
    // NCSC-NL 2025-05: TLS 1.2 is sufficient, so 1.2 without 1.3 passes (today's warn came from a hard-coded rule).
    { name: '1.2 without 1.3 on the backup', accepted: { 'mx1.example.nl': MODERN, 'mx2.example.nl': ['TLSv1.2'] }, status: 'pass' },
    { name: 'SSLv2 on the backup', accepted: { 'mx1.example.nl': MODERN, 'mx2.example.nl': ['SSLv2', ...MODERN] }, status: 'fail' },
    { name: 'SSLv3 on the primary', accepted: { 'mx1.example.nl': ['SSLv3', ...MODERN], 'mx2.example.nl': MODERN }, status: 'fail' },
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
    expect(await run(probes)).toMatchObject({ status: 'fail', summary: 'mx1.example.nl: accepts TLSv1 (insufficient under ncsc-2025-05)' });
  });

  it('is an error, never a pass, when a version could not be tested', async () => {
    const probes = mailProbes({ 'mx1.example.nl': {} }, {
      extra: versions({ 'mx1.example.nl': MODERN }, { SSLv2: ['exchange failed (timeout): no answer'] }),
    });
    expect(await run(probes)).toMatchObject({ status: 'error', reason: 'timeout' });
  });

  it('keeps the versions it did establish in the evidence of an inconclusive result', async () => {
    const probes = mailProbes({ 'mx1.example.nl': {} }, {
      extra: versions({ 'mx1.example.nl': MODERN }, { TLSv1: ['exchange failed (timeout): no answer'] }),
    });
    const outcome = await run(probes);
    expect(outcome).toMatchObject({ status: 'error', evidence: { mx: [{ addresses: [{ accepted: ['TLSv1.2', 'TLSv1.3'], smtpSessions: 7,
      source: 'smtp-tls-enumeration', policy: { id: 'ncsc-2025-05' },
      versions: expect.arrayContaining([{ version: 'TLSv1', accepted: null, detail: 'exchange failed (timeout): no answer', reason: 'timeout',
        class: 'insufficient', clause: expect.stringContaining('§3.3.1'), rule: 'versions.default' }]) }] }] } });
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
    expect(outcome.status).toBe('pass');
    if (outcome.status !== 'pass') return;
    expect(outcome.evidence).toMatchObject({
      mx: [{ host: 'mx1.example.nl', addresses: [{ address: '192.0.2.1', accepted: ['TLSv1.2'],
        versions: expect.arrayContaining([expect.objectContaining({ version: 'TLSv1.3', accepted: false, detail: 'alert protocol_version (70)', class: 'good' }),
          expect.objectContaining({ version: 'SSLv2', accepted: false, class: 'insufficient' })]) }] }],
    });
  });

  it('judges by the configured profile: TLS 1.2 alone fails under mozilla-modern', async () => {
    const probes = mailProbes({ 'mx1.example.nl': {} }, { extra: versions({ 'mx1.example.nl': ['TLSv1.2'] }) });
    const outcome = await starttlsProtocolsCheck.run(contextFor(probes, {}, { tlsPolicy: builtinPolicy('mozilla-modern') }));
    expect(outcome).toMatchObject({ status: 'fail', summary: 'mx1.example.nl: accepts TLSv1.2 (insufficient under mozilla-modern)' });
  });
});
