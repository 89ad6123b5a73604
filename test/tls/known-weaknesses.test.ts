import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/core/endpoints.ts';
import type { DhFacts, Named, TlsEnumeration, VersionFacts } from '../../src/tls/enumerate.ts';
import { judgeKnownWeaknesses, versionsOf, WEAKNESSES, type WeaknessId } from '../../src/tls/judge/known-weaknesses.ts';
import { SSLV2_CIPHERS, suiteByName } from '../../src/tls/registry.ts';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from '../../src/tls/types.ts';
import { FIXED_TIME } from '../support/fake-probes.ts';

// Pure table tests of the known-weakness derivation (issue 10): enumeration facts in, one endpoint's verdict out.
// The facts are built as the enumeration returns them (see test/checks/tls/enumeration-facts.ts).

const named = (name: string): Named => {
  const sslv2 = SSLV2_CIPHERS.find((s) => s.name === name);
  if (sslv2) return { code: sslv2.code, name: sslv2.name };
  const info = suiteByName(name);
  if (!info) throw new Error(`no suite ${name}`);
  return { code: info.code, name: info.name };
};

const REFUSED: VersionFacts = { accepted: false, suites: [], serverOrder: null, order: null, chachaFirst: null, splitOffer: false, refusal: 'alert protocol_version (70)', problems: [] };

/** Per version: the accepted suites, or `unknown` with a recorded problem (accepted null), or `problems` on accepted suites. */
type VersionSpec = readonly string[] | { readonly unknown: string } | { readonly suites: readonly string[]; readonly problems: readonly string[] };

function version(spec: VersionSpec): VersionFacts {
  if ('unknown' in spec) return { ...REFUSED, accepted: null, refusal: null, problems: [spec.unknown] };
  const [suites, problems] = 'suites' in spec ? [spec.suites, spec.problems] : [spec as readonly string[], []];
  return { ...REFUSED, accepted: true, refusal: null, suites: suites.map(named), problems: [...problems] };
}

const GOOD = { 'TLSv1.3': ['TLS_AES_256_GCM_SHA384'], 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'] } as const;

function facts(
  versions: Partial<Record<ProtocolVersion, VersionSpec>>, extra: { dh?: Partial<DhFacts> | null; problems?: string[]; transport?: TlsEnumeration['transport'] } = {},
): TlsEnumeration {
  const dh: DhFacts | null = extra.dh ? {
    version: 'TLSv1.2', suite: named('TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'), bits: 2048, wellKnown: null, source: null, rfc7919: false, pHex: '', gHex: '', ...extra.dh,
  } : null;
  return {
    endpoint: '127.0.0.1:443', transport: extra.transport ?? 'tls',
    versions: Object.fromEntries(PROTOCOL_VERSIONS.map((v) => [v, versions[v] ? version(versions[v]) : REFUSED])) as unknown as TlsEnumeration['versions'],
    groups: null, ecdheCurves: null, dh, keyExchangeSignature: null, problems: extra.problems ?? [], connections: 20, observedAt: FIXED_TIME,
  };
}

type Row = { id: string; status: string; shownBy: string[]; notTested?: string[]; commonPrime?: string | null; note?: string };
const rows = (v: Verdict) => (v.evidence['weaknesses'] as Row[]);
const row = (v: Verdict, id: WeaknessId) => rows(v).find((r) => r.id === id)!;
const vulnerable = (v: Verdict) => rows(v).filter((r) => r.status === 'vulnerable').map((r) => r.id);
const statusOf = (v: Verdict) => (v.status === 'error' || v.status === 'skip' ? `${v.status}/${v.reason}` : v.status);

describe('known weaknesses derived from the enumeration', () => {
  it.each<readonly [string, Partial<Record<ProtocolVersion, VersionSpec>>, readonly WeaknessId[], string]>([
    ['TLS 1.3 and TLS 1.2 AEAD only', GOOD, [], 'pass'],
    ['SSLv3 with AES-CBC: POODLE, BEAST, LUCKY13', { ...GOOD, SSLv3: ['TLS_RSA_WITH_AES_128_CBC_SHA'] }, ['POODLE', 'BEAST', 'LUCKY13'], 'fail'],
    ['SSLv3 with RC4 only: RC4 but not POODLE', { SSLv3: ['TLS_RSA_WITH_RC4_128_SHA'] }, ['RC4'], 'fail'],
    ['3DES at TLS 1.2: SWEET32 and LUCKY13', { ...GOOD, 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'] }, ['SWEET32', 'LUCKY13'], 'fail'],
    ['IDEA at TLS 1.0: SWEET32, BEAST, LUCKY13', { TLSv1: ['TLS_RSA_WITH_IDEA_CBC_SHA'] }, ['SWEET32', 'BEAST', 'LUCKY13'], 'fail'],
    ['export RSA with RC4: FREAK and RC4', { TLSv1: ['TLS_RSA_EXPORT_WITH_RC4_40_MD5'] }, ['FREAK', 'RC4'], 'fail'],
    ['export RSA1024 DES: FREAK, SWEET32', { TLSv1: ['TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA'] }, ['SWEET32', 'FREAK', 'BEAST', 'LUCKY13'], 'fail'],
    ['export DHE: LOGJAM', { 'TLSv1.1': ['TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA'] }, ['SWEET32', 'LOGJAM', 'LUCKY13'], 'fail'],
    ['SSLv2 with RC4 and 3DES specs: DROWN, RC4, SWEET32', { SSLv2: ['SSL_CK_RC4_128_WITH_MD5', 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5'] }, ['SWEET32', 'DROWN', 'RC4'], 'fail'],
    ['SSLv2 with an RC4 export spec only: DROWN and RC4, not FREAK', { SSLv2: ['SSL_CK_RC4_128_EXPORT40_WITH_MD5'] }, ['DROWN', 'RC4'], 'fail'],
    ['NULL encryption at TLS 1.2', { ...GOOD, 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_NULL_SHA'] }, ['NULL'], 'fail'],
    ['TLS 1.3 integrity-only suite (RFC 9150): NULL', { 'TLSv1.3': ['TLS_SHA256_SHA256'] }, ['NULL'], 'fail'],
    ['anonymous ECDH at TLS 1.2', { ...GOOD, 'TLSv1.2': ['TLS_ECDH_anon_WITH_AES_128_CBC_SHA'] }, ['ANON', 'LUCKY13'], 'fail'],
    ['CBC at TLS 1.2 only: LUCKY13, informational', { ...GOOD, 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'] }, ['LUCKY13'], 'pass'],
    ['CBC at TLS 1.0: BEAST and LUCKY13, informational', { ...GOOD, TLSv1: ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'] }, ['BEAST', 'LUCKY13'], 'pass'],
    ['GOST Magma in counter mode is not SWEET32 (no CBC)', { 'TLSv1.2': ['TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC'] }, [], 'pass'],
  ])('%s', (_label, versions, ids, status) => {
    const v = judgeKnownWeaknesses(facts(versions));
    expect(statusOf(v), v.summary).toBe(status);
    expect(vulnerable(v)).toEqual(ids);
  });

  it('names each serious weakness with its CVEs and the suites that show it', () => {
    const v = judgeKnownWeaknesses(facts({ SSLv3: ['TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'] }));
    expect(v.summary).toBe('vulnerable: POODLE (CVE-2014-3566): TLS_RSA_WITH_AES_128_CBC_SHA (SSLv3), TLS_RSA_WITH_3DES_EDE_CBC_SHA (SSLv3); '
      + 'SWEET32 (CVE-2016-2183, CVE-2016-6329): TLS_RSA_WITH_3DES_EDE_CBC_SHA (SSLv3)');
    expect(row(v, 'SWEET32')).toMatchObject({ status: 'vulnerable', cves: ['CVE-2016-2183', 'CVE-2016-6329'], severity: 'serious' });
    expect(row(v, 'FREAK')).toMatchObject({ status: 'not-vulnerable', shownBy: [] });
  });

  it('lists a suite once with every version that accepts it', () => {
    const v = judgeKnownWeaknesses(facts({ TLSv1: ['TLS_RSA_WITH_3DES_EDE_CBC_SHA'], 'TLSv1.2': ['TLS_RSA_WITH_3DES_EDE_CBC_SHA'] }));
    expect(row(v, 'SWEET32').shownBy).toEqual(['TLS_RSA_WITH_3DES_EDE_CBC_SHA (TLSv1, TLSv1.2)']);
  });

  it('passes naming BEAST and LUCKY13 as informational (testssl.sh rates them LOW), never failing on them', () => {
    const v = judgeKnownWeaknesses(facts({ ...GOOD, TLSv1: ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'] }));
    expect(v.summary).toBe('none of POODLE, SWEET32, FREAK, LOGJAM, DROWN, RC4, NULL, anonymous; informational: '
      + 'BEAST (CVE-2011-3389): TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (TLSv1); LUCKY13 (CVE-2013-0169): TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (TLSv1)');
    expect(row(v, 'BEAST')).toMatchObject({ severity: 'informational', status: 'vulnerable', note: expect.stringContaining('testssl.sh') });
  });

  describe('LOGJAM from the DHE prime', () => {
    const dheGood = { ...GOOD, 'TLSv1.2': ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'] };
    it.each<readonly [string, Partial<DhFacts>, string, string | null]>([
      ['a 2048-bit prime passes', { bits: 2048, wellKnown: 'ffdhe2048', rfc7919: true }, 'pass', null],
      ['a 1024-bit common prime fails, and is named as worse', { bits: 1024, wellKnown: 'modp1024', source: 'RFC 2409 6.2 (Oakley group 2)' }, 'fail', 'modp1024'],
      ['a 1024-bit own prime fails too (Vouch\'s floor)', { bits: 1024, wellKnown: null }, 'fail', null],
      ['a 768-bit prime fails', { bits: 768, wellKnown: 'modp768' }, 'fail', 'modp768'],
      ['a 1025-bit prime is above the floor', { bits: 1025 }, 'pass', null],
    ])('%s', (_label, dh, status, common) => {
      const v = judgeKnownWeaknesses(facts(dheGood, { dh }));
      expect(statusOf(v), v.summary).toBe(status);
      if (status === 'fail') {
        expect(row(v, 'LOGJAM')).toMatchObject({ status: 'vulnerable', commonPrime: common, primeBits: dh.bits });
        expect(v.summary).toMatch(common ? /a widely shared prime.*worse/ : /not a well-known prime/);
      }
    });

    it('DHE accepted but no prime read: LOGJAM cannot be ruled out (error), with the DHE job\'s problem', () => {
      const v = judgeKnownWeaknesses(facts(dheGood, { problems: ['TLSv1.2 DHE: exchange failed (timeout): no reply'] }));
      expect(statusOf(v)).toBe('error/timeout');
      expect(v.summary).toContain('TLSv1.2 DHE: exchange failed (timeout): no reply (so LOGJAM cannot be ruled out)');
      const silent = judgeKnownWeaknesses(facts(dheGood));
      expect(statusOf(silent)).toBe('error/protocol');
      expect(row(silent, 'LOGJAM').status).toBe('unknown');
    });

    it('an ECDHE curve problem is no gap for LOGJAM', () => {
      expect(judgeKnownWeaknesses(facts(GOOD, { problems: ['TLSv1.2 ECDHE curves: alert decode_error (50)'] })).status).toBe('pass');
    });
  });

  describe('incomplete facts: the weaknesses that depend on them are error, never pass', () => {
    it('SSLv3 unknown: POODLE (and the others SSLv3 could show) cannot be ruled out', () => {
      const v = judgeKnownWeaknesses(facts({ ...GOOD, SSLv3: { unknown: 'exchange failed (timeout): no reply' } }));
      expect(statusOf(v)).toBe('error/timeout');
      expect(v.summary).toMatch(/^could not test everything: SSLv3: whether it is accepted is unknown \(exchange failed \(timeout\): no reply\) \(so POODLE, SWEET32, .*BEAST, LUCKY13 cannot be ruled out\)$/);
      expect(row(v, 'POODLE')).toMatchObject({ status: 'unknown', notTested: [expect.stringContaining('SSLv3')] });
      expect(row(v, 'DROWN').status).toBe('not-vulnerable');
    });

    it('SSLv2 unknown: DROWN unknown; a spent budget is a client limitation', () => {
      const v = judgeKnownWeaknesses(facts({ ...GOOD, SSLv2: { unknown: 'not tried: connection budget of 400 spent' } }));
      expect(statusOf(v)).toBe('error/client-limitation');
      expect(row(v, 'DROWN').status).toBe('unknown');
      expect(row(v, 'POODLE').status).toBe('not-vulnerable');
    });

    it('a problem in an accepted version\'s suite elimination makes it unknown, but a fail seen stands', () => {
      const partial = { suites: ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'], problems: ['TLSv1.2: malformed reply at byte 5: bad length'] };
      expect(statusOf(judgeKnownWeaknesses(facts({ ...GOOD, 'TLSv1.2': partial })))).toBe('error/protocol');
      const alsoSsl3 = judgeKnownWeaknesses(facts({ ...GOOD, 'TLSv1.2': partial, SSLv3: ['TLS_RSA_WITH_AES_128_CBC_SHA'] }));
      expect(alsoSsl3.status).toBe('fail');
      expect(alsoSsl3.evidence['notTested']).toEqual([expect.stringContaining('malformed reply')]);
    });

    it('TLS 1.3 unknown leaves only NULL open (the integrity-only suites); order problems are not gaps', () => {
      const v = judgeKnownWeaknesses(facts({ 'TLSv1.2': GOOD['TLSv1.2'], 'TLSv1.3': { unknown: 'exchange failed (refused): ECONNREFUSED' } }));
      expect(v.summary).toContain('(so NULL cannot be ruled out)');
      const order = { suites: ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'], problems: ['TLSv1.2 order: no answer'] };
      expect(judgeKnownWeaknesses(facts({ ...GOOD, 'TLSv1.2': order })).status).toBe('pass');
    });
  });

  it('no version accepted is a prerequisite skip (web and mail name their own version check)', () => {
    expect(statusOf(judgeKnownWeaknesses(facts({})))).toBe('skip/prerequisite');
    expect(judgeKnownWeaknesses(facts({}, { transport: 'smtp-starttls' })).summary).toContain('mail.starttls-protocols');
  });

  it('DROWN always says that only this endpoint was examined', () => {
    expect(row(judgeKnownWeaknesses(facts(GOOD)), 'DROWN').note).toMatch(/only this endpoint was examined.*same RSA key/);
  });

  it('reads the versions each weakness depends on from the registry', () => {
    const deps = Object.fromEntries(WEAKNESSES.map((w) => [w.id, versionsOf(w)]));
    expect(deps).toEqual({
      POODLE: ['SSLv3'], SWEET32: ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'], FREAK: ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'],
      LOGJAM: ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'], DROWN: ['SSLv2'], RC4: ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'],
      NULL: ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], ANON: ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'], BEAST: ['SSLv3', 'TLSv1'],
      LUCKY13: ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'],
    });
  });

  it('the mail transport counts SMTP sessions', () => {
    expect(judgeKnownWeaknesses(facts(GOOD, { transport: 'smtp-starttls' })).evidence).toMatchObject({ transport: 'smtp-starttls', smtpSessions: 20 });
  });
});
