import { describe, expect, it } from 'vitest';
import { judgeVersions, tlsProtocolVersionsCheck, type VersionResult } from '../../../checks/tls/protocol-versions.ts';
import type { Settings } from '../../../src/config/settings.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { TlsVersion } from '../../../src/probes/types.ts';
import { builtinPolicy, classifyVersion, verdictOf, type BuiltinPolicyId } from '../../../src/tls/policy.ts';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from '../../../src/tls/types.ts';
import { contextFor, endpointsFor, fakeProbes, FIXED_TIME } from '../../support/fake-probes.ts';
import { enumerationFacts } from './enumeration-facts.ts';

const NCSC = builtinPolicy('ncsc-2025-05');

/** The default (raw) engine: versions read from the enumeration facts. */
function enumerating(accepted: readonly ProtocolVersion[], unknown: Partial<Record<ProtocolVersion, readonly string[]>> = {}) {
  return fakeProbes({ endpoints: endpointsFor, tlsEnumeration: async () => enumerationFacts(accepted, unknown) });
}

/** The node engine: TLS 1.0-1.3 from the per-version probe. */
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
const NODE = { tlsVersionProbe: 'node' } as unknown as Partial<Settings>;
const withPolicy = (id: BuiltinPolicyId) => ({ tlsPolicy: builtinPolicy(id) });

describe('version classes per policy (table)', () => {
  it.each([
    ['ncsc-2025-05', { SSLv2: 'insufficient', SSLv3: 'insufficient', TLSv1: 'insufficient', 'TLSv1.1': 'insufficient', 'TLSv1.2': 'sufficient', 'TLSv1.3': 'good' }],
    ['mozilla-intermediate', { SSLv2: 'insufficient', SSLv3: 'insufficient', TLSv1: 'insufficient', 'TLSv1.1': 'insufficient', 'TLSv1.2': 'good', 'TLSv1.3': 'good' }],
    ['mozilla-modern', { SSLv2: 'insufficient', SSLv3: 'insufficient', TLSv1: 'insufficient', 'TLSv1.1': 'insufficient', 'TLSv1.2': 'insufficient', 'TLSv1.3': 'good' }],
    ['mozilla-old', { SSLv2: 'insufficient', SSLv3: 'insufficient', TLSv1: 'good', 'TLSv1.1': 'good', 'TLSv1.2': 'good', 'TLSv1.3': 'good' }],
  ] as const)('%s', (id, expected) => {
    const policy = builtinPolicy(id);
    expect(Object.fromEntries(PROTOCOL_VERSIONS.map((v) => [v, classifyVersion(policy, v).class]))).toEqual(expected);
  });
});

describe('tls.protocol-versions (raw engine: the enumeration facts)', () => {
  it.each([
    [['TLSv1.2', 'TLSv1.3'], 'ncsc-2025-05', 'pass'],
    [['TLSv1.3'], 'ncsc-2025-05', 'pass'],
    // NCSC-NL 2025-05: TLS 1.2 is sufficient, so a TLS 1.2-only server passes (the summary notes the missing 1.3).
    [['TLSv1.2'], 'ncsc-2025-05', 'pass'],
    [['SSLv2', 'TLSv1.2', 'TLSv1.3'], 'ncsc-2025-05', 'fail'],
    [['SSLv3', 'TLSv1.2', 'TLSv1.3'], 'ncsc-2025-05', 'fail'],
    [['TLSv1', 'TLSv1.2', 'TLSv1.3'], 'ncsc-2025-05', 'fail'],
    [['TLSv1.1', 'TLSv1.2'], 'ncsc-2025-05', 'fail'],
    [[], 'ncsc-2025-05', 'fail'],
    [['TLSv1.2'], 'mozilla-intermediate', 'pass'],
    [['TLSv1.2', 'TLSv1.3'], 'mozilla-modern', 'fail'],
    [['TLSv1', 'TLSv1.2'], 'mozilla-old', 'pass'],
    [['SSLv3', 'TLSv1.2'], 'mozilla-old', 'fail'],
  ] as const)('accepting %j under %s -> %s', async (accepted, policy, status) => {
    expect((await tlsProtocolVersionsCheck.run(contextFor(enumerating(accepted), {}, withPolicy(policy)))).status).toBe(status);
  });

  it('fails SSLv2 and SSLv3 by name and class', async () => {
    const outcome = await tlsProtocolVersionsCheck.run(contextFor(enumerating(['SSLv2', 'SSLv3', 'TLSv1.2'])));
    expect(outcome).toMatchObject({ status: 'fail', summary: 'accepts SSLv2 and SSLv3 (insufficient under ncsc-2025-05)' });
  });

  it('says when no good version is offered, without failing a sufficient one', async () => {
    const outcome = await tlsProtocolVersionsCheck.run(contextFor(enumerating(['TLSv1.2'])));
    expect(outcome).toMatchObject({ status: 'pass', summary: 'accepts TLSv1.2 (sufficient) under ncsc-2025-05; TLSv1.3 (good) not offered' });
  });

  it('lists every version, SSLv2 to TLS 1.3, with its class, clause and the policy', async () => {
    const outcome = await tlsProtocolVersionsCheck.run(contextFor(enumerating(['TLSv1.2', 'TLSv1.3'])));
    expect(outcome).toMatchObject({ evidence: { addresses: [{ accepted: ['TLSv1.2', 'TLSv1.3'], source: 'tls-enumeration',
      policy: { id: 'ncsc-2025-05', version: '2025-05' },
      versions: [
        { version: 'SSLv2', accepted: false, detail: 'alert protocol_version (70)', class: 'insufficient', clause: expect.stringContaining('§3.3.1'), rule: 'versions.default' },
        { version: 'SSLv3', accepted: false, class: 'insufficient' },
        { version: 'TLSv1', accepted: false, class: 'insufficient' },
        { version: 'TLSv1.1', accepted: false, class: 'insufficient' },
        { version: 'TLSv1.2', accepted: true, detail: 'accepted: 1 suite, e.g. TLS_AES_128_GCM_SHA256', class: 'sufficient', clause: '§3.3.1 (PROTOCOLS_SUFFICIENT)' },
        { version: 'TLSv1.3', accepted: true, class: 'good', clause: '§3.3.1 (PROTOCOLS_GOOD)', rule: 'versions.rules[0]' },
      ] }] } });
  });

  it('is an error with the other versions\' evidence when one version could not be established', async () => {
    const outcome = await tlsProtocolVersionsCheck.run(contextFor(enumerating(['TLSv1.2', 'TLSv1.3'], { SSLv3: ['exchange failed (timeout): slow'] })));
    expect(outcome).toMatchObject({ status: 'error', reason: 'timeout', summary: 'could not test SSLv3: exchange failed (timeout): slow' });
    expect(outcome).toMatchObject({ evidence: { addresses: [{ accepted: ['TLSv1.2', 'TLSv1.3'],
      versions: expect.arrayContaining([{ version: 'SSLv3', accepted: null, detail: 'exchange failed (timeout): slow', reason: 'timeout', class: 'insufficient', clause: expect.any(String), rule: 'versions.default' }]) }] } });
  });

  it('a protocol problem without a reason is `protocol`', async () => {
    const outcome = await tlsProtocolVersionsCheck.run(contextFor(enumerating(['TLSv1.3'], { 'TLSv1.2': ['TLSv1.2: malformed reply at byte 5: x'] })));
    expect(outcome).toMatchObject({ status: 'error', reason: 'protocol' });
  });

  it('still fails an accepted insufficient version when another could not be tested', async () => {
    const outcome = await tlsProtocolVersionsCheck.run(contextFor(enumerating(['SSLv3', 'TLSv1.3'], { 'TLSv1.2': ['exchange failed (timeout): slow'] })));
    expect(outcome.status).toBe('fail');
  });

  it('skips an address where port 443 refuses (https.available reports it)', async () => {
    const probes = fakeProbes({ endpoints: endpointsFor, tlsEnumeration: async () => { throw new ProbeError('refused', 'x', 'refused', { stage: 'connect' }); } });
    expect(await tlsProtocolVersionsCheck.run(contextFor(probes))).toMatchObject({ status: 'skip', reason: 'prerequisite' });
  });

  it('is an error when the enumeration cannot start (timeout)', async () => {
    const probes = fakeProbes({ endpoints: endpointsFor, tlsEnumeration: async () => { throw new ProbeError('timeout', 'x', 'no answer'); } });
    expect(await tlsProtocolVersionsCheck.run(contextFor(probes))).toMatchObject({ status: 'error', reason: 'timeout' });
  });
});

describe('tls.protocol-versions (tlsVersionProbe: node)', () => {
  it('never passes: SSLv2 and SSLv3 are client-limitation under the node engine', async () => {
    const outcome = await tlsProtocolVersionsCheck.run(contextFor(probesAccepting(['TLSv1.2', 'TLSv1.3']), {}, NODE));
    expect(outcome).toMatchObject({ status: 'error', reason: 'client-limitation', evidence: { addresses: [{ source: 'tls-version-node' }] } });
    expect(outcome.summary).toMatch(/^could not test SSLv2 and SSLv3: the node engine/);
  });

  it('names a TLS version this client cannot offer too', async () => {
    const limited = probesAccepting(['TLSv1.2', 'TLSv1.3'], { TLSv1: new ProbeError('client-limitation', 'x', 'cannot offer TLSv1') });
    const outcome = await tlsProtocolVersionsCheck.run(contextFor(limited, {}, NODE));
    expect(outcome).toMatchObject({ status: 'error', reason: 'client-limitation' });
    expect(outcome.summary).toContain('TLSv1: x: cannot offer TLSv1');
  });

  it('still fails an accepted TLS 1.0', async () => {
    const outcome = await tlsProtocolVersionsCheck.run(contextFor(probesAccepting(['TLSv1', 'TLSv1.3']), {}, NODE));
    expect(outcome).toMatchObject({ status: 'fail', summary: 'accepts TLSv1 (insufficient under ncsc-2025-05)' });
  });

  it('skips when every TLS version is refused at connect', async () => {
    const refused = new ProbeError('refused', 'x', 'refused', { stage: 'connect' });
    const probes = probesAccepting([], { TLSv1: refused, 'TLSv1.1': refused, 'TLSv1.2': refused, 'TLSv1.3': refused });
    expect(await tlsProtocolVersionsCheck.run(contextFor(probes, {}, NODE))).toMatchObject({ status: 'skip', reason: 'prerequisite' });
  });
});

describe('judgeVersions with a phase-out version (a user profile)', () => {
  const custom = {
    ...NCSC,
    versions: { rules: [...NCSC.versions.rules, { match: { versions: ['TLSv1.1'] as const }, class: 'phase-out' as const, clause: 'custom', source: 'unverified' }], default: NCSC.versions.default },
  };
  const rows = (accepted: readonly ProtocolVersion[]): VersionResult[] =>
    PROTOCOL_VERSIONS.map((version) => ({ version, accepted: accepted.includes(version), detail: '' }));

  it('warns on an accepted phase-out version', () => {
    expect(verdictOf(classifyVersion(custom, 'TLSv1.1').class)).toBe('warn');
    expect(judgeVersions(rows(['TLSv1.1', 'TLSv1.3']), custom, 'tls-enumeration')).toMatchObject({ status: 'warn', summary: 'accepts TLSv1.1 (phase-out under ncsc-2025-05)' });
  });
});
