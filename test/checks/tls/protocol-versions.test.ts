import { describe, expect, it } from 'vitest';
import { tlsProtocolVersionsCheck } from '../../../checks/tls/protocol-versions.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { TlsVersion } from '../../../src/probes/types.ts';
import { contextFor, endpointsFor, fakeProbes, FIXED_TIME } from '../../support/fake-probes.ts';

function probesAccepting(accepted: readonly TlsVersion[], failing: Partial<Record<TlsVersion, ProbeError>> = {}) {
  return fakeProbes({
    endpoints: endpointsFor,
    tlsVersion: async (_ep, version) => {
      const error = failing[version];
      if (error) throw error;
      const ok = accepted.includes(version);
      return { endpoint: 'x', version, accepted: ok, detail: ok ? `ServerHello ${version}` : 'alert protocol_version (70)', observedAt: FIXED_TIME };
    },
  });
}

describe('tls.protocol-versions', () => {
  it.each([
    [['TLSv1.2', 'TLSv1.3'], 'pass'],
    [['TLSv1.3'], 'pass'],
    [['TLSv1.2'], 'warn'],
    [['TLSv1', 'TLSv1.2', 'TLSv1.3'], 'fail'],
    [['TLSv1.1', 'TLSv1.2'], 'fail'],
    [[], 'fail'],
  ] as const)('accepting %j -> %s', async (accepted, status) => {
    expect((await tlsProtocolVersionsCheck.run(contextFor(probesAccepting(accepted)))).status).toBe(status);
  });

  it('never passes a version it could not offer: client-limitation is an error', async () => {
    const limited = probesAccepting(['TLSv1.2', 'TLSv1.3'], { TLSv1: new ProbeError('client-limitation', 'x', 'cannot offer TLSv1') });
    const outcome = await tlsProtocolVersionsCheck.run(contextFor(limited));
    expect(outcome).toMatchObject({ status: 'error', reason: 'client-limitation' });
    expect(outcome.summary).toContain('could not test TLSv1');
  });

  it('still fails on a legacy version when another version could not be tested', async () => {
    const probes = probesAccepting(['TLSv1', 'TLSv1.3'], { 'TLSv1.2': new ProbeError('timeout', 'x', 'slow') });
    expect((await tlsProtocolVersionsCheck.run(contextFor(probes))).status).toBe('fail');
  });

  it('lists every version with what the server did', async () => {
    const outcome = await tlsProtocolVersionsCheck.run(contextFor(probesAccepting(['TLSv1.2'])));
    expect(outcome).toMatchObject({ evidence: { addresses: [{ accepted: ['TLSv1.2'], versions: [
      { version: 'TLSv1', accepted: false, detail: 'alert protocol_version (70)' },
      { version: 'TLSv1.1', accepted: false }, { version: 'TLSv1.2', accepted: true }, { version: 'TLSv1.3', accepted: false },
    ] }] } });
  });
});
