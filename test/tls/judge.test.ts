import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/core/endpoints.ts';
import type { GroupFact, Named, TlsEnumeration, VersionFacts } from '../../src/tls/enumerate.ts';
import { judgeCipherOrder } from '../../src/tls/judge/cipher-order.ts';
import { judgeCipherSuites } from '../../src/tls/judge/cipher-suites.ts';
import { judgeKeyExchange } from '../../src/tls/judge/key-exchange.ts';
import { builtinPolicy } from '../../src/tls/policy.ts';
import { groupByName, suiteByName } from '../../src/tls/registry.ts';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from '../../src/tls/types.ts';

// Pure table tests of the issue-9 judges: enumeration facts in, one endpoint's verdict out.

const NCSC = builtinPolicy('ncsc-2025-05');
const MOZ_INTERMEDIATE = builtinPolicy('mozilla-intermediate');
const MOZ_OLD = builtinPolicy('mozilla-old');

const suite = (name: string): Named => {
  const info = suiteByName(name);
  if (!info) throw new Error(`no suite ${name}`);
  return { code: info.code, name: info.name };
};
const group = (name: string): GroupFact => {
  const info = groupByName(name);
  if (!info) throw new Error(`no group ${name}`);
  return { code: info.code, name: info.name, kind: info.kind, bits: info.bits };
};

const REFUSED: VersionFacts = { accepted: false, suites: [], serverOrder: null, order: null, chachaFirst: null, splitOffer: false, refusal: 'alert protocol_version (70)', problems: [] };

type VersionSpec = { suites: string[]; order?: 'server' | 'client' | null; serverOrder?: string[] | null; problems?: string[] } | 'unknown';

function version(spec: VersionSpec): VersionFacts {
  if (spec === 'unknown') return { ...REFUSED, accepted: null, refusal: null, problems: ['exchange failed (timeout): no reply'] };
  const suites = spec.suites.map(suite);
  const serverOrder = spec.order !== undefined ? spec.order : suites.length > 1 ? 'server' : null;
  const order = spec.serverOrder !== undefined ? spec.serverOrder?.map(suite) ?? null : serverOrder === 'server' ? suites : null;
  return {
    accepted: true, suites, serverOrder, order, chachaFirst: order ? order[0]!.name.includes('CHACHA20') : null,
    splitOffer: false, refusal: null, problems: spec.problems ?? [],
  };
}

const AEAD12 = ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'];
const TLS13 = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'];
const SIG_SHA256 = { version: 'TLSv1.2' as const, suite: suite(AEAD12[0]!), scheme: { code: 0x0403, name: 'ecdsa_secp256r1_sha256' }, hash: 'sha256' };

function enumeration(spec: {
  versions?: Partial<Record<ProtocolVersion, VersionSpec>>;
  groups?: string[] | null;
  curves?: string[] | null;
  dh?: { bits: number; wellKnown: string | null } | null;
  sig?: TlsEnumeration['keyExchangeSignature'];
  problems?: string[];
} = {}): TlsEnumeration {
  const versions = spec.versions ?? { 'TLSv1.2': { suites: AEAD12 }, 'TLSv1.3': { suites: TLS13 } };
  const curves = spec.curves === undefined ? ['x25519', 'secp256r1'] : spec.curves;
  const dh = spec.dh ?? null;
  return {
    endpoint: '127.0.0.1:443', transport: 'tls',
    versions: Object.fromEntries(PROTOCOL_VERSIONS.map((v) => [v, versions[v] ? version(versions[v]) : REFUSED])) as unknown as TlsEnumeration['versions'],
    groups: spec.groups === undefined ? ['x25519', 'secp256r1', 'secp384r1'].map(group) : spec.groups?.map(group) ?? null,
    ecdheCurves: curves ? { version: 'TLSv1.2', suite: suite(AEAD12[0]!), curves: curves.map(group) } : null,
    dh: dh ? { version: 'TLSv1.2', suite: suite('TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'), bits: dh.bits, wellKnown: dh.wellKnown, source: null, rfc7919: /^ffdhe/.test(dh.wellKnown ?? ''), pHex: '', gHex: '' } : null,
    keyExchangeSignature: spec.sig === undefined ? SIG_SHA256 : spec.sig,
    problems: spec.problems ?? [],
    connections: 30,
    observedAt: '2026-01-01T00:00:00.000Z',
  };
}

const statusOf = (v: Verdict) => (v.status === 'error' ? `error/${v.reason}` : v.status);

describe('every judge', () => {
  it.each([['suites', judgeCipherSuites], ['order', judgeCipherOrder], ['key exchange', judgeKeyExchange]] as const)(
    '%s: no version accepted is a prerequisite skip naming the protocol-version check, not a pass on nothing', (_label, judge) => {
      const none = enumeration({ versions: {}, groups: null, curves: null, sig: null });
      expect(judge(none, NCSC)).toMatchObject({ status: 'skip', reason: 'prerequisite', summary: expect.stringContaining('see tls.protocol-versions') });
      expect(judge({ ...none, transport: 'smtp-starttls' }, NCSC).summary).toContain('see mail.starttls-protocols');
      // ... but with a version unknown it is an error.
      const unknown = enumeration({ versions: { 'TLSv1.2': 'unknown' }, groups: null, curves: null, sig: null });
      expect(judge(unknown, NCSC).status).toBe('error');
    });
});

describe('judgeCipherSuites', () => {
  it.each<[string, Parameters<typeof enumeration>[0], string, RegExp]>([
    ['AEAD only, TLS 1.2 and 1.3', {}, 'pass', /all 6 accepted suites are good or sufficient/],
    ['CBC with SHA-1 and static RSA', { versions: { 'TLSv1.2': { suites: [...AEAD12, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_AES_128_GCM_SHA256'] } } },
      'fail', /accepts 2 insufficient suites: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA \(TLSv1.2\), TLS_RSA_WITH_AES_128_GCM_SHA256 \(TLSv1.2\)/],
    ['phase-out only (DHE, CBC-SHA256)', { versions: { 'TLSv1.2': { suites: [...AEAD12, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'] } } },
      'warn', /accepts 2 phase-out suites/],
    ['the same suite in three versions is named once, with each version', {
      versions: { TLSv1: { suites: ['TLS_RSA_WITH_AES_128_CBC_SHA'] }, 'TLSv1.1': { suites: ['TLS_RSA_WITH_AES_128_CBC_SHA'] }, 'TLSv1.2': { suites: ['TLS_RSA_WITH_AES_128_CBC_SHA'] } },
    }, 'fail', /accepts 1 insufficient suite: TLS_RSA_WITH_AES_128_CBC_SHA \(TLSv1, TLSv1.1, TLSv1.2\)/],
    ['TLS 1.2 unknown: never a pass', { versions: { 'TLSv1.2': 'unknown', 'TLSv1.3': { suites: TLS13 } } }, 'error/timeout', /could not test everything: TLSv1.2/],
    ['TLS 1.2 unknown but an insufficient suite in TLS 1.3 seen: the fail stands',
      { versions: { 'TLSv1.2': 'unknown', 'TLSv1.3': { suites: ['TLS_AES_128_CCM_8_SHA256'] } } }, 'fail', /insufficient/],
    ['a suite not offered (problem) leaves the version incomplete: error/protocol',
      { versions: { 'TLSv1.2': { suites: AEAD12, problems: ['TLSv1.2 suites: the server chose TLS_RSA_WITH_NULL_MD5, which was not offered'] } } }, 'error/protocol', /not offered/],
    ['the connection budget spent: error/client-limitation',
      { versions: { 'TLSv1.2': { suites: AEAD12, problems: ['TLSv1.2 suites: not tried: connection budget of 400 spent'] } } }, 'error/client-limitation', /budget/],
    ['a problem of the order job does not make the suites incomplete',
      { versions: { 'TLSv1.2': { suites: AEAD12, order: null, problems: ['TLSv1.2 order: alert handshake_failure (40) to a hello of suites it accepted before'] } } }, 'pass', /good or sufficient/],
    ['a phase-out warn with a gap is an error (a warn is not a verdict on what was not seen)',
      { versions: { 'TLSv1.2': { suites: ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'] }, 'TLSv1.1': 'unknown' } }, 'error/timeout', /so far: accepts 1 phase-out suite/],
  ])('%s', (_label, spec, status, summary) => {
    const verdict = judgeCipherSuites(enumeration(spec), NCSC);
    expect(statusOf(verdict)).toBe(status);
    expect(verdict.summary).toMatch(summary);
  });

  it('names each offending suite with its version, class, clause and rule, and the policy', () => {
    const verdict = judgeCipherSuites(enumeration({ versions: { 'TLSv1.2': { suites: ['TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'] } } }), NCSC);
    expect(verdict.evidence['policy']).toMatchObject({ id: 'ncsc-2025-05', version: '2025-05' });
    expect(verdict.evidence['offending']).toEqual([
      expect.objectContaining({ name: 'TLS_RSA_WITH_AES_128_CBC_SHA', version: 'TLSv1.2', class: 'insufficient', rule: 'suites.default', clause: expect.stringContaining('appendix B') }),
      expect.objectContaining({ name: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', version: 'TLSv1.2', class: 'phase-out', rule: 'suites.rules[2]' }),
    ]);
  });

  it('classes an accepted SSLv2 cipher spec by the suites default (insufficient)', () => {
    const e = enumeration();
    const sslv2: VersionFacts = { ...REFUSED, accepted: true, refusal: null, suites: [{ code: 0x010080, name: 'SSL_CK_RC4_128_WITH_MD5' }] };
    const verdict = judgeCipherSuites({ ...e, versions: { ...e.versions, SSLv2: sslv2 } }, NCSC);
    expect(verdict.status).toBe('fail');
    expect(verdict.summary).toContain('SSL_CK_RC4_128_WITH_MD5 (SSLv2)');
  });

  it('under Mozilla intermediate, CBC suites are not listed: insufficient', () => {
    expect(judgeCipherSuites(enumeration({ versions: { 'TLSv1.2': { suites: [...AEAD12, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'] } } }), MOZ_INTERMEDIATE).status).toBe('fail');
    expect(judgeCipherSuites(enumeration(), MOZ_INTERMEDIATE).status).toBe('pass');
  });
});

describe('judgeCipherOrder', () => {
  const mixed = ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'];
  it.each<[string, Parameters<typeof enumeration>[0], string, RegExp]>([
    ['server order, one level', {}, 'pass', /TLSv1.2: the server enforces its own order; every accepted suite is of one level \(TLS 1.3 order informational\)/],
    ['server order, sufficient before phase-out', { versions: { 'TLSv1.2': { suites: mixed } } }, 'pass', /stronger suites first/],
    ['server order, phase-out before sufficient', { versions: { 'TLSv1.2': { suites: [...mixed].reverse() } } },
      'fail', /prefers TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 \(phase-out\) over TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 \(sufficient\)/],
    ['server order, insufficient before phase-out', { versions: { 'TLSv1.2': { suites: ['TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'] } } }, 'fail', /prefers TLS_RSA_WITH_AES_128_CBC_SHA \(insufficient\)/],
    ['client order where NCSC requires the server\'s', { versions: { 'TLSv1.2': { suites: AEAD12, order: 'client' } } }, 'fail', /follows the client's order; ncsc-2025-05 B2-5/],
    ['one suite: nothing to order', { versions: { 'TLSv1.2': { suites: [AEAD12[0]!] } } }, 'pass', /only one suite \(TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\) accepted: nothing to order/],
    ['TLS 1.3 only: informational', { versions: { 'TLSv1.3': { suites: TLS13, order: 'client' } } }, 'pass', /TLS 1.3 only: its order is informational/],
    ['TLS 1.3 client order does not decide', { versions: { 'TLSv1.2': { suites: AEAD12 }, 'TLSv1.3': { suites: TLS13, order: 'client' } } }, 'pass', /informational/],
    ['ChaCha20 first is noted', { versions: { 'TLSv1.2': { suites: [AEAD12[1]!, AEAD12[0]!] } } }, 'pass', /ChaCha20 preferred/],
    ['server order unknown: error', { versions: { 'TLSv1.2': { suites: AEAD12, order: null, problems: ['TLSv1.2 order: garbage to a hello of suites it accepted before'] } } }, 'error/protocol', /whether the server enforces its own order is unknown/],
    ['order not read with mixed levels: error', { versions: { 'TLSv1.2': { suites: mixed, serverOrder: null, problems: ['TLSv1.2 order: alert decode_error (50)'] } } }, 'error/protocol', /the server's order is unknown/],
    ['a fail in TLS 1.2 stands over an unknown TLS 1.1', { versions: { 'TLSv1.2': { suites: AEAD12, order: 'client' }, 'TLSv1.1': 'unknown' } }, 'fail', /client's order/],
    ['TLS 1.1 unknown: never a pass', { versions: { 'TLSv1.2': { suites: AEAD12 }, 'TLSv1.1': 'unknown' } }, 'error/timeout', /TLSv1.1/],
  ])('%s', (_label, spec, status, summary) => {
    const verdict = judgeCipherOrder(enumeration(spec), NCSC);
    expect(statusOf(verdict)).toBe(status);
    expect(verdict.summary).toMatch(summary);
  });

  it('Mozilla intermediate does not require the server\'s order', () => {
    const verdict = judgeCipherOrder(enumeration({ versions: { 'TLSv1.2': { suites: AEAD12, order: 'client' } } }), MOZ_INTERMEDIATE);
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toContain('which this policy allows');
  });

  it('keeps the order with classes, the rule and the TLS 1.3 row marked informational', () => {
    const verdict = judgeCipherOrder(enumeration(), NCSC);
    expect(verdict.evidence['rule']).toMatchObject({ serverPreferenceRequired: true, preferHigherClass: true });
    const rows = verdict.evidence['versions'] as { version: string; verdict: string; order: { name: string; class: string }[] }[];
    expect(rows.map((r) => [r.version, r.verdict])).toEqual([['TLSv1.2', 'pass'], ['TLSv1.3', 'informational']]);
    expect(rows[0]!.order[0]).toEqual({ name: AEAD12[0], class: 'sufficient' });
  });
});

describe('judgeKeyExchange', () => {
  it.each<[string, Parameters<typeof enumeration>[0], string, RegExp]>([
    ['good groups and curves, SHA-256 signature', {}, 'pass', /x25519, secp256r1, secp384r1, key exchange signed with ecdsa_secp256r1_sha256/],
    ['ffdhe2048 among the TLS 1.3 groups', { groups: ['x25519', 'ffdhe2048'] }, 'fail', /insufficient: ffdhe2048/],
    ['secp224r1 curve: phase-out', { curves: ['secp224r1', 'x25519'] }, 'warn', /phase-out: secp224r1/],
    ['DHE with a 1024-bit prime', { versions: { 'TLSv1.2': { suites: ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'] } }, groups: null, curves: null, dh: { bits: 1024, wellKnown: 'modp1024' } },
      'fail', /insufficient: DHE prime of 1024 bits \(modp1024\)/],
    ['DHE with ffdhe3072: phase-out', { versions: { 'TLSv1.2': { suites: ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'] } }, groups: null, curves: null, dh: { bits: 3072, wellKnown: 'ffdhe3072' } },
      'warn', /phase-out: DHE prime of 3072 bits \(ffdhe3072\)/],
    ['DHE with a custom 4096-bit prime: NCSC allows only RFC 7919 groups', { versions: { 'TLSv1.2': { suites: ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'] } }, groups: null, curves: null, dh: { bits: 4096, wellKnown: null } },
      'fail', /DHE prime of 4096 bits \(not a well-known group\)/],
    ['SHA-1 key exchange signature', { sig: { ...SIG_SHA256, scheme: { code: 0x0203, name: 'ecdsa_sha1' }, hash: 'sha1' } }, 'fail', /insufficient: key exchange signed with ecdsa_sha1/],
    ['SHA-224 key exchange signature', { sig: { ...SIG_SHA256, scheme: { code: 0x0303, name: 'ecdsa_sha224' }, hash: 'sha224' } }, 'warn', /phase-out: key exchange signed with ecdsa_sha224/],
    ['TLS 1.0 MD5+SHA-1 signature', { sig: { ...SIG_SHA256, version: 'TLSv1', scheme: null, hash: 'md5-sha1' } }, 'fail', /insufficient/],
    ['ECDHE accepted but no curves read: error', { curves: null, problems: ['TLSv1.2 ECDHE curves: garbage'] }, 'error/protocol', /ECDHE curves: garbage/],
    ['DHE accepted but no prime read: error', { versions: { 'TLSv1.2': { suites: ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'] } }, groups: null, curves: null, problems: ['TLSv1.2 DHE: no DHE ServerKeyExchange'] }, 'error/protocol', /DHE/],
    ['a 1024-bit prime fails even with a key-exchange problem', { versions: { 'TLSv1.2': { suites: ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'] } }, groups: null, curves: null, dh: { bits: 1024, wellKnown: 'modp1024' }, problems: ['TLSv1.2 ECDHE curves: garbage'] },
      'fail', /1024/],
    ['TLS 1.3 groups not read: error', { groups: [], problems: ['TLSv1.3 groups: alert decode_error (50) to a hello without key shares'] }, 'error/protocol', /TLSv1.3 groups/],
    ['a version unknown: error', { versions: { 'TLSv1.2': { suites: AEAD12 }, 'TLSv1.3': 'unknown' } }, 'error/timeout', /TLSv1.3/],
    ['static RSA only: nothing ephemeral to judge, said so', { versions: { 'TLSv1.2': { suites: ['TLS_RSA_WITH_AES_128_GCM_SHA256'] } }, groups: null, curves: null, sig: null },
      'pass', /no ephemeral \(EC\)DHE key exchange/],
  ])('%s', (_label, spec, status, summary) => {
    const verdict = judgeKeyExchange(enumeration(spec), NCSC);
    expect(statusOf(verdict)).toBe(status);
    expect(verdict.summary).toMatch(summary);
  });

  it('a 1024-bit prime is insufficient even where the policy allows it (Mozilla old), by Vouch\'s floor', () => {
    const verdict = judgeKeyExchange(enumeration({ versions: { 'TLSv1.2': { suites: ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'] } }, groups: null, curves: null, dh: { bits: 1024, wellKnown: 'modp1024' } }), MOZ_OLD);
    expect(verdict.status).toBe('fail');
    expect(verdict.evidence['classified']).toEqual([expect.objectContaining({ rule: 'vouch.dh-floor', class: 'insufficient' })]);
  });

  it('Mozilla does not judge the key exchange hash: noted, not classed', () => {
    const verdict = judgeKeyExchange(enumeration({ sig: { ...SIG_SHA256, scheme: { code: 0x0203, name: 'ecdsa_sha1' }, hash: 'sha1' } }), MOZ_INTERMEDIATE);
    expect(verdict.status).toBe('pass');
    expect(verdict.evidence['notes']).toEqual(['the key exchange signature hash (sha1) is not judged by mozilla-intermediate']);
  });

  it('names the policy and each classed item with its clause', () => {
    const verdict = judgeKeyExchange(enumeration({ groups: ['x25519', 'ffdhe2048'] }), NCSC);
    expect(verdict.evidence['policy']).toMatchObject({ id: 'ncsc-2025-05' });
    expect(verdict.evidence['classified']).toContainEqual(expect.objectContaining({ name: 'ffdhe2048', what: 'group', class: 'insufficient', rule: 'groups.default' }));
  });
});
