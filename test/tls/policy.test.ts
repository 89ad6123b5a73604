import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_POLICIES, classifyCertificateKey, classifyDhPrime, classifyGroup, classifyKeyExchangeHash, classifySignatureHash,
  classifySuite, classifyVersion, loadPolicy, parsePolicyText, unverifiedRules, verdictOf, type Policy,
} from '../../src/tls/policy.ts';
import { MAX_RENEGOTIATION_LIMIT } from '../../src/tls/policy-schema.ts';
import { RENEGOTIATION_ATTEMPTS } from '../../src/probes/tls-renegotiation.ts';
import type { SuiteInfo } from '../../src/tls/types.ts';

/** The few suites the tables need, decomposed by hand (the registry is another engineer's file). */
const S = (code: number, name: string, openssl: string | null, kx: SuiteInfo['kx'], auth: SuiteInfo['auth'], cipher: SuiteInfo['cipher'],
  cipherBits: number, mode: SuiteInfo['mode'], mac: SuiteInfo['mac'], exp = false, tls13 = false): SuiteInfo =>
  ({ code, name, openssl, kx, auth, cipher, cipherBits, mode, mac, export: exp, tls13 });
const SUITES = {
  TLS_AES_256_GCM_SHA384: S(0x1302, 'TLS_AES_256_GCM_SHA384', 'TLS_AES_256_GCM_SHA384', 'ANY', 'ANY', 'AES', 256, 'GCM', 'AEAD', false, true),
  TLS_AES_128_GCM_SHA256: S(0x1301, 'TLS_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256', 'ANY', 'ANY', 'AES', 128, 'GCM', 'AEAD', false, true),
  TLS_AES_128_CCM_8_SHA256: S(0x1305, 'TLS_AES_128_CCM_8_SHA256', 'TLS_AES_128_CCM_8_SHA256', 'ANY', 'ANY', 'AES', 128, 'CCM_8', 'AEAD', false, true),
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: S(0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE', 'ECDSA', 'AES', 256, 'GCM', 'AEAD'),
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: S(0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE', 'RSA', 'AES', 128, 'GCM', 'AEAD'),
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: S(0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'ECDHE-RSA-AES128-SHA256', 'ECDHE', 'RSA', 'AES', 128, 'CBC', 'SHA256'),
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: S(0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE', 'RSA', 'AES', 128, 'CBC', 'SHA'),
  TLS_DHE_RSA_WITH_AES_256_GCM_SHA384: S(0x9f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'DHE-RSA-AES256-GCM-SHA384', 'DHE', 'RSA', 'AES', 256, 'GCM', 'AEAD'),
  TLS_RSA_WITH_AES_128_GCM_SHA256: S(0x9c, 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256', 'RSA', 'RSA', 'AES', 128, 'GCM', 'AEAD'),
  TLS_RSA_WITH_AES_128_CBC_SHA: S(0x2f, 'TLS_RSA_WITH_AES_128_CBC_SHA', 'AES128-SHA', 'RSA', 'RSA', 'AES', 128, 'CBC', 'SHA'),
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: S(0x0a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'DES-CBC3-SHA', 'RSA', 'RSA', '3DES', 112, 'CBC', 'SHA'),
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: S(0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'ECDHE-RSA-DES-CBC3-SHA', 'ECDHE', 'RSA', '3DES', 112, 'CBC', 'SHA'),
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: S(0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'ECDHE-RSA-RC4-SHA', 'ECDHE', 'RSA', 'RC4', 128, 'STREAM', 'SHA'),
  TLS_RSA_WITH_NULL_SHA256: S(0x3b, 'TLS_RSA_WITH_NULL_SHA256', 'NULL-SHA256', 'RSA', 'RSA', 'NULL', 0, 'NULL', 'SHA256'),
  TLS_RSA_EXPORT_WITH_RC4_40_MD5: S(0x03, 'TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'EXP-RC4-MD5', 'RSA', 'RSA', 'RC4', 40, 'STREAM', 'MD5', true),
  TLS_DH_anon_WITH_AES_128_GCM_SHA256: S(0xa6, 'TLS_DH_anon_WITH_AES_128_GCM_SHA256', 'ADH-AES128-GCM-SHA256', 'DHE', 'anon', 'AES', 128, 'GCM', 'AEAD'),
} satisfies Record<string, SuiteInfo>;
type SuiteName = keyof typeof SUITES;

const policies = new Map<string, Policy>();
async function policy(id: string): Promise<Policy> {
  const cached = policies.get(id);
  if (cached) return cached;
  const r = await loadPolicy(id);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  policies.set(id, r.policy);
  return r.policy;
}

async function file(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-policy-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('built-in policies', () => {
  it.each([...BUILTIN_POLICIES])('%s loads, validates and cites its source', async (id) => {
    const r = await loadPolicy(id);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(r.policy.id).toBe(id);
    expect(r.policy.source.url).toMatch(/^https:\/\//);
    for (const ref of Object.values(r.policy.references)) expect(ref.url).toMatch(/^https:\/\//);
  });

  it('knows the alias ncsc-2025 and refuses an unknown name with the list of known ones', async () => {
    const r = await loadPolicy('ncsc-2025');
    expect(r.ok && r.policy.id).toBe('ncsc-2025-05');
    const bad = await loadPolicy('ncsc-2019');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]).toMatch(/"ncsc-2019" is neither a built-in TLS policy \(ncsc-2025-05, mozilla-modern, .*ncsc-2025\)/);
  });

  it('lists the rules no source backs (the Mozilla profiles have none)', async () => {
    expect(unverifiedRules(await policy('mozilla-intermediate'))).toEqual([]);
    expect(unverifiedRules(await policy('ncsc-2025-05')).map((r) => r.path)).toEqual([
      'groups.rules[1]', 'groups.rules[4]', 'keyExchangeHashes.rules[2]', 'keyExchangeHashes.default', 'order',
      'hygiene.secureRenegotiation', 'hygiene.compression', 'hygiene.extendedMasterSecret', 'hygiene.zeroRtt', 'hygiene.clientRenegotiation',
    ]);
  });
});

describe('NCSC-NL 2025-05', () => {
  // Sources: Internet.nl checks/tasks/tls/tls_constants.py, which implements the 2025-05 guideline (see the policy file).
  it.each<[SuiteName, string, string]>([
    ['TLS_AES_256_GCM_SHA384', 'good', 'CIPHERS_GOOD'], // §3.3.3/§3.3.4, appendix B
    ['TLS_AES_128_GCM_SHA256', 'sufficient', 'CIPHERS_SUFFICIENT'], // §3.3.3/§3.3.4, appendix B
    // TLS 1.2 AEAD suites with ECDHE are sufficient in 2025 (they were good under version 2.1).
    ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'sufficient', 'CIPHERS_SUFFICIENT'],
    ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'sufficient', 'CIPHERS_SUFFICIENT'],
    ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'phase-out', 'CIPHERS_PHASE_OUT'], // CBC with SHA-2
    ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'phase-out', 'CIPHERS_PHASE_OUT'], // every DHE suite
    // Not listed, so insufficient: static RSA key exchange (phase-out under 2.1), CBC with SHA-1, 3DES, RC4, NULL, EXPORT, anon, CCM_8.
    ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'insufficient', 'not listed'],
    ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'insufficient', 'not listed'],
    ['TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'insufficient', 'not listed'],
    ['TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'insufficient', 'not listed'],
    ['TLS_RSA_WITH_NULL_SHA256', 'insufficient', 'not listed'],
    ['TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'insufficient', 'not listed'],
    ['TLS_DH_anon_WITH_AES_128_GCM_SHA256', 'insufficient', 'not listed'],
    ['TLS_AES_128_CCM_8_SHA256', 'insufficient', 'not listed'],
  ])('%s is %s (%s)', async (name, cls, clause) => {
    const c = classifySuite(await policy('ncsc-2025-05'), SUITES[name]);
    expect(c.class).toBe(cls);
    expect(c.clause).toContain(clause);
    expect(c.clause).toContain('appendix B');
  });

  it('classes versions, groups, DH primes, certificate keys and hashes with the clause', async () => {
    const p = await policy('ncsc-2025-05');
    // §3.3.1: TLS 1.3 good, 1.2 sufficient, no phase-out versions left.
    expect(['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3', 'SSLv2'].map((v) => classifyVersion(p, v as never).class))
      .toEqual(['good', 'sufficient', 'insufficient', 'insufficient', 'insufficient', 'insufficient']);
    expect(classifyVersion(p, 'TLSv1.3')).toEqual({ class: 'good', clause: '§3.3.1 (PROTOCOLS_GOOD)', rule: 'versions.rules[0]', source: 'internetnl-constants' });
    // §3.3.2.1 and §3.3.3.1.
    expect(classifyGroup(p, { code: 29, name: 'x25519', kind: 'ec', bits: 253 }).class).toBe('good');
    expect(classifyGroup(p, { code: 21, name: 'secp224r1', kind: 'ec', bits: 224 }).class).toBe('phase-out');
    expect(classifyGroup(p, { code: 22, name: 'secp256k1', kind: 'ec', bits: 256 }).class).toBe('insufficient');
    expect(classifyGroup(p, { code: 256, name: 'ffdhe2048', kind: 'ffdhe', bits: 2048 }).class).toBe('insufficient');
    expect(classifyGroup(p, { code: 257, name: 'ffdhe3072', kind: 'ffdhe', bits: 3072 }).class).toBe('phase-out');
    expect(classifyDhPrime(p, 4096, 'ffdhe4096')).toMatchObject({ class: 'phase-out', rule: 'dh.rules[0]' });
    expect(classifyDhPrime(p, 4096, null)).toMatchObject({ class: 'insufficient', rule: 'dh.default' });
    expect(classifyDhPrime(p, 1024, null).class).toBe('insufficient');
    // §3.3.2.1: RSA 2048-3071 is phase-out.
    expect(classifyCertificateKey(p, { type: 'rsa', bits: 4096 }).class).toBe('good');
    expect(classifyCertificateKey(p, { type: 'rsa', bits: 3072 }).class).toBe('good');
    expect(classifyCertificateKey(p, { type: 'rsa', bits: 2048 })).toMatchObject({ class: 'phase-out', clause: expect.stringContaining('§3.3.2.1') });
    expect(classifyCertificateKey(p, { type: 'rsa', bits: 1024 }).class).toBe('insufficient');
    expect(classifyCertificateKey(p, { type: 'ecdsa', bits: 256, curve: 'prime256v1' }).class).toBe('good');
    expect(classifyCertificateKey(p, { type: 'ecdsa', bits: 224, curve: 'P-224' }).class).toBe('phase-out');
    expect(classifyCertificateKey(p, { type: 'ed25519', bits: 256 }).class).toBe('good');
    // §3.3.2 / §3.3.5.
    expect(classifySignatureHash(p, 'sha256').class).toBe('sufficient');
    expect(classifySignatureHash(p, 'sha1').class).toBe('insufficient');
    expect(classifyKeyExchangeHash(p, 'sha1')?.class).toBe('insufficient');
    expect(classifyKeyExchangeHash(p, 'md5')?.class).toBe('insufficient');
    expect(classifyKeyExchangeHash(p, 'sha224')?.class).toBe('phase-out');
    expect(classifyKeyExchangeHash(p, 'sha384')).toMatchObject({ class: 'good', source: 'unverified' });
  });
});

describe('Mozilla Server Side TLS 5.7', () => {
  // Source: https://ssl-config.mozilla.org/guidelines/5.7.json; anything not listed is insufficient.
  it.each<[string, SuiteName, string]>([
    ['mozilla-intermediate', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'good'], // intermediate.ciphers.iana
    ['mozilla-intermediate', 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'good'], // intermediate.ciphers.iana
    ['mozilla-intermediate', 'TLS_AES_128_GCM_SHA256', 'good'], // intermediate.ciphersuites
    ['mozilla-intermediate', 'TLS_RSA_WITH_AES_128_CBC_SHA', 'insufficient'], // AES128-SHA: not listed
    ['mozilla-intermediate', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'insufficient'], // not listed
    ['mozilla-modern', 'TLS_AES_256_GCM_SHA384', 'good'], // modern.ciphersuites
    ['mozilla-modern', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'insufficient'], // modern.ciphers.iana is empty
    ['mozilla-old', 'TLS_RSA_WITH_AES_128_CBC_SHA', 'good'], // old.ciphers.iana
    ['mozilla-old', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'good'], // old.ciphers.iana (DES-CBC3-SHA)
    ['mozilla-old', 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'insufficient'], // not listed
  ])('%s: %s is %s', async (id, name, cls) => {
    const c = classifySuite(await policy(id), SUITES[name]);
    expect(c.class).toBe(cls);
    expect(c.clause).toMatch(/^(modern|intermediate|old)\.(ciphers|ciphersuites)/);
  });

  it('matches a suite by its OpenSSL name too', async () => {
    const p = await policy('mozilla-intermediate');
    const custom = { ...SUITES.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, name: 'SOMETHING_ELSE' };
    expect(classifySuite(p, custom).class).toBe('insufficient');
    const text = new TextEncoder().encode((await import('node:fs')).readFileSync(new URL('../../policies/mozilla-intermediate.yaml', import.meta.url), 'utf8')
      .replace('- TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', '- ECDHE-RSA-AES128-GCM-SHA256'));
    const r = parsePolicyText(text, 'openssl-names.yaml');
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(classifySuite(r.policy, SUITES.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256).class).toBe('good');
  });

  it('classes versions, groups, DH and certificates per configuration', async () => {
    const [modern, inter, old] = await Promise.all(['mozilla-modern', 'mozilla-intermediate', 'mozilla-old'].map(policy));
    expect(classifyVersion(modern!, 'TLSv1.2').class).toBe('insufficient');
    expect(classifyVersion(inter!, 'TLSv1.2').class).toBe('good');
    expect(classifyVersion(inter!, 'TLSv1.1')).toMatchObject({ class: 'insufficient', clause: 'intermediate.tls_versions (not listed)' });
    expect(classifyVersion(old!, 'TLSv1').class).toBe('good');
    expect(classifyVersion(old!, 'SSLv3').class).toBe('insufficient');
    expect(classifyGroup(inter!, { code: 23, name: 'secp256r1', kind: 'ec', bits: 256 }).class).toBe('good');
    expect(classifyGroup(inter!, { code: 25, name: 'secp521r1', kind: 'ec', bits: 521 }).class).toBe('insufficient');
    expect(classifyDhPrime(inter!, 2048, 'ffdhe2048').class).toBe('good');
    expect(classifyDhPrime(inter!, 1024, null).class).toBe('insufficient');
    expect(classifyDhPrime(old!, 1024, null).class).toBe('good');
    expect(classifyDhPrime(modern!, 4096, 'ffdhe4096').class).toBe('insufficient');
    expect(classifyCertificateKey(modern!, { type: 'rsa', bits: 4096 }).class).toBe('insufficient');
    expect(classifyCertificateKey(inter!, { type: 'rsa', bits: 2048 }).class).toBe('good');
    expect(classifyCertificateKey(inter!, { type: 'ecdsa', bits: 384, curve: 'secp384r1' }).class).toBe('good');
    expect(classifySignatureHash(old!, 'sha384').class).toBe('insufficient');
    expect(classifyKeyExchangeHash(inter!, 'sha1')).toBeNull();
    expect(old!.order?.serverPreferenceRequired).toBe(true);
    expect(inter!.order?.serverPreferenceRequired).toBe(false);
  });
});

describe('verdictOf', () => {
  it('maps insufficient to fail, phase-out to warn, sufficient and good to pass', () => {
    expect(['insufficient', 'phase-out', 'sufficient', 'good'].map((c) => verdictOf(c as never))).toEqual(['fail', 'warn', 'pass', 'pass']);
  });
});

const MINIMAL = `id: my-profile
title: My profile
version: "1"
kind: ncsc
source: { title: Ours, version: "1", date: "2026-01-01", url: https://example.nl/tls }
references:
  ours: { title: Our TLS standard, url: https://example.nl/tls }
versions:
  rules:
    - { match: { versions: [TLSv1.3] }, class: good, clause: "1.1", source: ours }
  default: { class: insufficient, clause: "1.1", source: ours }
suites:
  rules:
    - { match: { kx: [ECDHE], mode: [GCM] }, class: good, clause: "2.1", source: ours }
    - { match: { cipher: [3DES] }, class: phase-out, clause: "2.2", source: ours }
    - { match: { mac: [SHA] }, class: sufficient, clause: "2.3", source: ours }
  default: { class: insufficient, clause: "2", source: ours }
groups: { rules: [], default: { class: good, clause: "3", source: ours } }
dh: { rules: [], default: { class: insufficient, clause: "4", source: ours } }
certificates:
  keys: { rules: [], default: { class: good, clause: "5", source: ours } }
  signatureHashes: { rules: [], default: { class: good, clause: "6", source: ours } }
`;

describe('user profiles', () => {
  it('loads a valid profile from a path and classes by suite properties', async () => {
    const path = await file('my-profile.yaml', MINIMAL);
    const r = await loadPolicy(path);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(classifySuite(r.policy, SUITES.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)).toEqual({ class: 'good', clause: '2.1', rule: 'suites.rules[0]', source: 'ours' });
    expect(classifySuite(r.policy, SUITES.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA).rule).toBe('suites.rules[1]');
    expect(classifySuite(r.policy, SUITES.TLS_RSA_WITH_AES_128_CBC_SHA).class).toBe('sufficient');
    expect(classifySuite(r.policy, SUITES.TLS_RSA_WITH_NULL_SHA256).rule).toBe('suites.default');
    expect(r.policy.keyExchangeHashes).toBeNull();
  });

  it('loads the same profile as JSON', async () => {
    const { parse } = await import('yaml');
    const path = await file('my-profile.json', JSON.stringify(parse(MINIMAL)));
    const r = await loadPolicy(path);
    expect(r.ok).toBe(true);
  });

  it('lists five different mistakes at once, each with the file and the path', async () => {
    const text = MINIMAL
      .replace('class: phase-out, clause: "2.2"', 'class: meh, clause: "2.2"') // 1: bad class
      .replace('versions: [TLSv1.3]', 'versions: [TLSv1.4]') // 2: unknown version
      .replace('{ kx: [ECDHE], mode: [GCM] }', '{ kx: [ECDHE], mode: [GCM], minBits: -1 }') // 3: bad number
      .replace('clause: "2.3", source: ours', 'clause: "2.3", source: theirs') // 4: unknown reference
      .replace('dh: { rules: [], default: { class: insufficient, clause: "4", source: ours } }', 'dh: { rules: [] }'); // 5: missing default
    const path = await file('my-profile.yaml', text);
    const r = await loadPolicy(path);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      `${path}: versions.rules[0].match.versions[0]: "TLSv1.4" is not one of SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3`,
      `${path}: suites.rules[0].match.minBits: expected a whole number from 0 to 65536, got number -1`,
      `${path}: suites.rules[1].class: "meh" is not one of good, sufficient, phase-out, insufficient`,
      `${path}: suites.rules[2].source: "theirs" is not a key of references (ours) nor "unverified"`,
      `${path}: dh.default: required (the class of anything no rule matches)`,
    ]);
  });

  it('rejects unknown keys, with a hint for a near miss', async () => {
    const text = MINIMAL.replace('kind: ncsc', 'kind: ncsc\nsuite: {}').replace('{ kx: [ECDHE], mode: [GCM] }', '{ kx: [ECDHE], modes: [GCM] }');
    const r = parsePolicyText(new TextEncoder().encode(text), 'my-profile.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      'my-profile.yaml: suite: unknown key (did you mean "suites"?); allowed: id, title, version, kind, source, references, versions, suites, groups, dh, certificates, keyExchangeHashes, order, hygiene',
      'my-profile.yaml: suites.rules[0].match.modes: unknown key (did you mean "mode"?); allowed: names, kx, auth, cipher, mode, mac, minBits, maxBits, export, tls13',
    ]);
  });

  it('reads the hygiene rules (issue 10) and rejects a bad one, every problem at once', async () => {
    const good = parsePolicyText(new TextEncoder().encode(`${MINIMAL}\nhygiene:\n  extendedMasterSecret: { expect: required, clause: "EMS", source: unverified }\n`), 'p.yaml');
    expect(good.ok && good.policy.hygiene).toEqual({ extendedMasterSecret: { expect: 'required', clause: 'EMS', source: 'unverified' } });
    const bad = parsePolicyText(new TextEncoder().encode(`${MINIMAL}\nhygiene:\n  compression: { expect: never, clause: "x", source: nowhere }\n  ems: {}\n`), 'p.yaml');
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.join('\n')).toMatch(/hygiene\.ems: unknown key[\s\S]*hygiene\.compression\.expect: "never" is not one of required, forbidden, optional[\s\S]*hygiene\.compression\.source: "nowhere"/);
  });

  it('reads the renegotiation limit and the 0-RTT rule of every built-in profile', async () => {
    expect((await policy('ncsc-2025-05')).hygiene).toMatchObject({
      clientRenegotiation: { expect: 'limited', maxPerConnection: 10 }, zeroRtt: { expect: 'forbidden' },
    });
    for (const id of ['mozilla-modern', 'mozilla-intermediate', 'mozilla-old'] as const) {
      expect((await policy(id)).hygiene).toMatchObject({
        clientRenegotiation: { expect: 'optional', maxPerConnection: null, source: 'mozilla-5.7' }, zeroRtt: { expect: 'optional', source: 'mozilla-5.7' },
      });
    }
    // The schema's bound keeps every limit testable by the probe, which tries one more than the largest.
    expect(MAX_RENEGOTIATION_LIMIT).toBe(RENEGOTIATION_ATTEMPTS - 1);
  });

  it.each<readonly [string, string, readonly string[]]>([
    ['a limit', '{ expect: limited, maxPerConnection: 3, clause: "c", source: unverified }', []],
    ['forbidden', '{ expect: forbidden, clause: "c", source: unverified }', []],
    ['a limit without a number', '{ expect: limited, clause: "c", source: unverified }', ['hygiene.clientRenegotiation.maxPerConnection: required when expect is limited']],
    ['a number where none belongs', '{ expect: optional, maxPerConnection: 3, clause: "c", source: unverified }', ['hygiene.clientRenegotiation.maxPerConnection: only allowed when expect is limited (optional needs no number)']],
    ['a limit the probe cannot test', '{ expect: limited, maxPerConnection: 11, clause: "c", source: unverified }', ['hygiene.clientRenegotiation.maxPerConnection: expected a whole number from 1 to 10, got number 11']],
    ['required (not an expectation here)', '{ expect: required, clause: "c", source: unverified }', ['hygiene.clientRenegotiation.expect: "required" is not one of forbidden, limited, optional']],
    ['missing clause and source, an unknown key', '{ expect: forbidden, max: 3 }', [
      'hygiene.clientRenegotiation.max: unknown key; allowed: expect, maxPerConnection, clause, source',
      'hygiene.clientRenegotiation.clause: required', 'hygiene.clientRenegotiation.source: required',
    ]],
  ])('hygiene.clientRenegotiation: %s', (_name, rule, problems) => {
    const r = parsePolicyText(new TextEncoder().encode(`${MINIMAL}\nhygiene:\n  clientRenegotiation: ${rule}\n`), 'p.yaml');
    expect(r.ok ? [] : r.problems).toEqual(problems.map((p) => `p.yaml: ${p}`));
  });

  it.each<readonly [string, string, readonly string[]]>([
    ['forbidden', 'forbidden', []],
    ['optional', 'optional', []],
    ['required (0-RTT cannot be required)', 'required', ['hygiene.zeroRtt.expect: "required" is not one of forbidden, optional']],
  ])('hygiene.zeroRtt: %s', (_name, expectation, problems) => {
    const r = parsePolicyText(new TextEncoder().encode(`${MINIMAL}\nhygiene:\n  zeroRtt: { expect: ${expectation}, clause: "c", source: unverified }\n`), 'p.yaml');
    expect(r.ok ? [] : r.problems).toEqual(problems.map((p) => `p.yaml: ${p}`));
  });

  it('reports a YAML syntax error with its line and column', async () => {
    const text = MINIMAL.replace('kind: ncsc', 'kind: [ncsc');
    const r = parsePolicyText(new TextEncoder().encode(text), 'broken.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.problems[0]).toMatch(/^broken\.yaml:\d+:\d+: /);
    const list = parsePolicyText(new TextEncoder().encode('- a\n- b\n'), 'list.yaml');
    expect(list.ok ? [] : list.problems).toEqual(['list.yaml:1:1: a policy is a mapping of keys (id:, versions:, suites:, ...), not a list']);
    const aliased = parsePolicyText(new TextEncoder().encode('id: &x a\ntitle: *x\n'), 'alias.yaml');
    expect(aliased.ok ? [] : aliased.problems).toEqual(['alias.yaml:2:8: a policy may not use YAML aliases']);
    const dup = parsePolicyText(new TextEncoder().encode('id: a\nid: b\n'), 'dup.yaml');
    expect(dup.ok ? [] : dup.problems).toEqual(['dup.yaml:2:1: duplicate key: each key may appear once in a mapping']);
  });

  it('reports a missing file and an empty match', async () => {
    const r = await loadPolicy('./no-such-profile.yaml', tmpdir());
    expect(r.ok ? [] : r.problems).toEqual([`${join(tmpdir(), 'no-such-profile.yaml')}: cannot read: ENOENT`]);
    const text = MINIMAL.replace('{ cipher: [3DES] }', '{}');
    const e = parsePolicyText(new TextEncoder().encode(text), 'p.yaml');
    expect(e.ok ? [] : e.problems).toEqual(['p.yaml: suites.rules[1].match: needs at least one condition (the default covers everything else)']);
  });
});
