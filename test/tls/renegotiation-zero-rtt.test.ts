import { describe, expect, it } from 'vitest';
import type { RenegotiationFacts } from '../../src/probes/tls-renegotiation.ts';
import type { EarlyDataEvidence, TlsSessionFacts } from '../../src/probes/tls-session.ts';
import type { TlsEnumeration, VersionFacts } from '../../src/tls/enumerate.ts';
import { judgeClientRenegotiation } from '../../src/tls/judge/renegotiation.ts';
import { judgeZeroRtt } from '../../src/tls/judge/zero-rtt.ts';
import { builtinPolicy, type Policy } from '../../src/tls/policy.ts';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from '../../src/tls/types.ts';

// The judges of client-initiated renegotiation and 0-RTT against the profile's hygiene rules (issue 10).

const NCSC = builtinPolicy('ncsc-2025-05');
const MOZILLA = builtinPolicy('mozilla-intermediate');
const withRules = (hygiene: Policy['hygiene']): Policy => ({ ...NCSC, hygiene: { ...NCSC.hygiene, ...hygiene } });

const reneg = (o: Partial<RenegotiationFacts> = {}): RenegotiationFacts => ({
  endpoint: 'a.test (127.0.0.1):443', transport: 'tls', protocol: 'TLSv1.2', attempts: 1, accepted: 0, end: 'refused',
  detail: 'ERR_SSL_NO_RENEGOTIATION', observedAt: '2026-06-01T00:00:00.000Z', ...o,
});
const legacyless = reneg({ protocol: null, attempts: 0, detail: 'no version below TLS 1.3 is accepted' });

function enumeration(accepted: Partial<Record<ProtocolVersion, boolean | null>>): TlsEnumeration {
  const version = (v: ProtocolVersion): VersionFacts => ({
    accepted: accepted[v] === undefined ? false : accepted[v], suites: [], serverOrder: null, order: null, chachaFirst: null, splitOffer: false,
    refusal: accepted[v] === false || accepted[v] === undefined ? 'protocol_version alert' : null,
    problems: accepted[v] === null ? ['the answer is not a TLS record'] : [],
  });
  return {
    endpoint: 'a.test (127.0.0.1):443', transport: 'tls',
    versions: Object.fromEntries(PROTOCOL_VERSIONS.map((v) => [v, version(v)])) as TlsEnumeration['versions'],
    groups: null, ecdheCurves: null, dh: null, keyExchangeSignature: null, problems: [], connections: 6, observedAt: '2026-06-01T00:00:00.000Z',
  };
}

describe('client-initiated renegotiation', () => {
  it.each<readonly [string, RenegotiationFacts, Policy, TlsEnumeration | null, object]>([
    ['refused at once', reneg(), NCSC, null, { status: 'pass', summary: expect.stringMatching(/refused .*at most 10 allowed/) }],
    ['10 then closed', reneg({ attempts: 11, accepted: 10, end: 'closed' }), NCSC, null, { status: 'pass' }],
    ['all 11 under NCSC (10)', reneg({ attempts: 11, accepted: 11, end: 'all-accepted' }), NCSC, null,
      { status: 'fail', summary: expect.stringMatching(/accepted all 11 .*at most 10 allowed \(NCSC-NL TLS guidelines 2025-05: client-initiated renegotiation: at most 10/), evidence: { limit: 10 } }],
    ['3 under a profile limit of 2', reneg({ attempts: 3, accepted: 3, end: 'closed' }),
      withRules({ clientRenegotiation: { expect: 'limited', maxPerConnection: 2, clause: 'two', source: 'unverified' } }), null, { status: 'fail', evidence: { limit: 2 } }],
    ['1 where forbidden', reneg({ attempts: 2, accepted: 1, end: 'refused' }),
      withRules({ clientRenegotiation: { expect: 'forbidden', clause: 'none', source: 'unverified', maxPerConnection: null } }), null, { status: 'fail', evidence: { limit: 0 } }],
    ['all 11 under Mozilla (no rule)', reneg({ attempts: 11, accepted: 11, end: 'all-accepted' }), MOZILLA, null,
      { status: 'pass', summary: expect.stringMatching(/accepted 11 of 11 .*the profile sets no limit/), evidence: { limit: null } }],
    ['the deadline within the limit', reneg({ attempts: 4, accepted: 3, end: 'deadline' }), NCSC, null, { status: 'error', reason: 'timeout' }],
    // No node:tls handshake below TLS 1.3: the enumeration decides.
    ['no TLS 1.0-1.2 in the enumeration', legacyless, NCSC, enumeration({ 'TLSv1.3': true }),
      { status: 'pass', summary: expect.stringMatching(/^not applicable: TLS 1.0, 1.1 and 1.2 are all refused/) }],
    ['TLS 1.2 accepted by the enumeration', legacyless, NCSC, enumeration({ 'TLSv1.2': true, 'TLSv1.3': true }),
      { status: 'error', reason: 'client-limitation', summary: expect.stringMatching(/accepts TLSv1.2 \(TLS enumeration\)/) }],
    ['garbage: the enumeration could not tell', legacyless, NCSC, enumeration({ TLSv1: null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': null }),
      { status: 'error', reason: 'protocol', summary: expect.stringMatching(/whether TLSv1, TLSv1.1, TLSv1.2 are accepted could not be told: the answer is not a TLS record/) }],
    ['SSLv3 only', legacyless, NCSC, enumeration({ SSLv3: true }), { status: 'error', reason: 'client-limitation' }],
    ['no enumeration at all', legacyless, NCSC, null, { status: 'error', reason: 'internal' }],
  ])('%s', (_name, facts, policy, e, expected) => {
    expect(judgeClientRenegotiation(facts, policy, e)).toMatchObject(expected);
  });
});

const NOT_TRIED: EarlyDataEvidence = { attempted: false, pskAccepted: null, cipherSuite: null, encryptedExtensions: null, ticketAgeMs: null, reason: 'no-offer', detail: 'no ticket allows early data' };
const session = (o: Partial<TlsSessionFacts> = {}): TlsSessionFacts => ({
  endpoint: 'a.test (127.0.0.1):443', transport: 'tls', protocol: 'TLSv1.3',
  sessions: [{ version: 0x0304, cipher: 0x1301, sessionIdBytes: 32, ticketBytes: 200, ticketLifetimeSeconds: 7200, maxEarlyData: 0 }],
  problems: [], ticketWaitMs: 500, resumption: { mechanism: 'ticket', resumed: true, protocol: 'TLSv1.3', detail: null },
  earlyDataAccepted: null, earlyData: NOT_TRIED, observedAt: '2026-06-01T00:00:00.000Z', ...o,
});
const early = session({ sessions: [{ version: 0x0304, cipher: 0x1301, sessionIdBytes: 32, ticketBytes: 200, ticketLifetimeSeconds: 7200, maxEarlyData: 16_384 }] });
/** The probe's raw resumption with early data, answered with the ticket accepted. */
const answered = (earlyDataAccepted: boolean): Partial<TlsSessionFacts> => ({
  earlyDataAccepted,
  earlyData: { attempted: true, pskAccepted: true, cipherSuite: 0x1301, encryptedExtensions: earlyDataAccepted ? [42] : [], ticketAgeMs: 10, reason: null, detail: 'answered' },
});

describe('0-RTT', () => {
  it.each<readonly [string, TlsSessionFacts, Policy, object]>([
    ['tickets without early data', session(), NCSC, { status: 'pass', summary: expect.stringMatching(/none of the 1 TLS 1.3 tickets allows early data/) }],
    ['no TLS 1.3', session({ protocol: 'TLSv1.2', sessions: [] }), NCSC, { status: 'pass' }],
    ['max_early_data announced where forbidden', early, NCSC, {
      status: 'warn', evidence: { tickets: [{ maxEarlyData: 16_384 }], rule: { expect: 'forbidden' } },
      summary: expect.stringMatching(/announce max_early_data 16384 bytes.*RFC 8446 4.6.1.*not allowed \(NCSC-NL TLS guidelines 2025-05: 0-RTT .*not allowed\); acceptance itself was not tested/),
    }],
    ['max_early_data announced under Mozilla (no rule)', early, MOZILLA, { status: 'pass', summary: expect.stringMatching(/allowed \(Mozilla.*not addressed/) }],
    ['acceptance proven where forbidden', { ...early, ...answered(true) }, NCSC,
      { status: 'fail', summary: expect.stringMatching(/accepted 0-RTT early data .*not allowed/), evidence: { earlyDataAccepted: true, earlyData: { encryptedExtensions: [42] } } }],
    ['acceptance proven under Mozilla (no rule)', { ...early, ...answered(true) }, MOZILLA, { status: 'pass' }],
    ['early data refused with the PSK', { ...early, ...answered(false) }, NCSC, { status: 'pass', summary: expect.stringMatching(/refused 0-RTT/) }],
    ['an inconclusive proof: the tickets still speak', { ...early, earlyData: { ...NOT_TRIED, attempted: true, reason: 'hello-retry', detail: 'HelloRetryRequest' } }, NCSC,
      { status: 'warn', summary: expect.stringMatching(/could not be proven \(HelloRetryRequest\)/) }],
    ['unreadable tickets: nothing can be told', session({ sessions: [], problems: ['session does not decode'] }), NCSC, { status: 'error', reason: 'client-limitation' }],
  ])('%s', (_name, facts, policy, expected) => {
    expect(judgeZeroRtt(facts, policy)).toMatchObject(expected);
  });
});
