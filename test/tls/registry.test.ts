import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  GROUPS, SIGNALLING_SUITES, SIGNATURE_SCHEMES, SSLV2_CIPHERS, SUITES, describeSuite, groupByCode, groupByName,
  isSignallingSuite, signatureSchemeByCode, sslv2CipherByCode, suiteByCode, suiteByName, suiteValidFor, unknownSuite,
} from '../../src/tls/registry.ts';
import { AUTHENTICATIONS, CIPHERS, CIPHER_MODES, KEY_EXCHANGES, MACS } from '../../src/tls/types.ts';
import type { SuiteInfo } from '../../src/tls/types.ts';

const hex = (code: number) => `0x${code.toString(16).padStart(4, '0')}`;
const duplicates = <T>(values: readonly T[]) => values.filter((value, index) => values.indexOf(value) !== index);

describe('the cipher suite table', () => {
  it('has no duplicate code points, IANA names or OpenSSL names', () => {
    expect(duplicates(SUITES.map((suite) => suite.code))).toEqual([]);
    expect(duplicates(SUITES.map((suite) => suite.name))).toEqual([]);
    expect(duplicates(SUITES.flatMap((suite) => (suite.openssl ? [suite.openssl] : [])))).toEqual([]);
    // An OpenSSL name may equal an IANA name only on the same row (TLS 1.3 suites).
    for (const suite of SUITES) {
      if (suite.openssl) expect(suiteByName(suite.openssl)?.code, suite.openssl).toBe(suite.code);
    }
  });

  it('is ordered by code point and covers the families issue 9 names', () => {
    expect(SUITES.map((suite) => suite.code)).toEqual([...SUITES.map((suite) => suite.code)].sort((a, b) => a - b));
    const has = (predicate: (suite: SuiteInfo) => boolean) => SUITES.some(predicate);
    expect(has((s) => s.cipher === 'NULL' && !s.tls13)).toBe(true);
    expect(has((s) => s.auth === 'anon')).toBe(true);
    expect(has((s) => s.export)).toBe(true);
    for (const cipher of CIPHERS) expect(has((s) => s.cipher === cipher), cipher).toBe(true);
    for (const mode of CIPHER_MODES) expect(has((s) => s.mode === mode), mode).toBe(true);
    for (const kx of KEY_EXCHANGES) expect(has((s) => s.kx === kx), kx).toBe(true);
    expect(SUITES.filter((s) => s.code >= 0x0060 && s.code <= 0x0066).map((s) => s.code)).toEqual([0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66]);
    expect(SUITES.filter((s) => s.code >= 0x0080 && s.code <= 0x0083)).toHaveLength(4);
    expect(SUITES.filter((s) => s.code >= 0xc100 && s.code <= 0xc106)).toHaveLength(7);
    expect(SUITES.filter((s) => s.code >= 0x1301 && s.code <= 0x1305).every((s) => s.tls13)).toBe(true);
  });

  it('keeps every field within the vocabulary of types.ts and consistent with itself', () => {
    for (const suite of SUITES) {
      const where = `${hex(suite.code)} ${suite.name}`;
      expect(KEY_EXCHANGES, where).toContain(suite.kx);
      expect(AUTHENTICATIONS, where).toContain(suite.auth);
      expect(CIPHERS, where).toContain(suite.cipher);
      expect(CIPHER_MODES, where).toContain(suite.mode);
      expect(MACS, where).toContain(suite.mac);
      expect(suite.code, where).toBeGreaterThanOrEqual(0);
      expect(suite.code, where).toBeLessThanOrEqual(0xffff);
      expect(suite.name, where).toMatch(/^TLS_[A-Za-z0-9_]+$/);
      if (suite.openssl) expect(suite.openssl, where).toMatch(/^[A-Z0-9_-]+$/i);
      expect(suite.cipher === 'NULL', where).toBe(suite.cipherBits === 0);
      expect(suite.cipher === 'NULL', where).toBe(suite.mode === 'NULL');
      if (suite.export) expect(suite.cipherBits, where).toBeLessThanOrEqual(56);
      if (suite.export) expect(suite.name, where).toContain('EXPORT');
      expect(suite.tls13, where).toBe(suite.kx === 'ANY');
      expect(suite.tls13, where).toBe(suite.auth === 'ANY');
      if (['GCM', 'CCM', 'CCM_8', 'POLY1305', 'MGM'].includes(suite.mode)) expect(suite.mac, where).toBe('AEAD');
      if (suite.auth === 'anon') expect(suite.name, where).toContain('_anon_');
    }
  });

  it('keeps the signalling values out of the suites', () => {
    expect(SIGNALLING_SUITES.map((s) => [s.code, s.name])).toEqual([
      [0x00ff, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'], [0x5600, 'TLS_FALLBACK_SCSV'],
    ]);
    for (const { code } of SIGNALLING_SUITES) {
      expect(suiteByCode(code)).toBeUndefined();
      expect(isSignallingSuite(code)).toBe(true);
    }
    expect(isSignallingSuite(0xc02f)).toBe(false);
  });

  // IANA "TLS Cipher Suites" registry, https://www.iana.org/assignments/tls-parameters/tls-parameters.xhtml#tls-parameters-4
  // (values and descriptions as listed there), with the RFC that defines each suite's decomposition.
  const IANA_SPOT_CHECKS: readonly (readonly [number, string, Partial<SuiteInfo>])[] = [
    [0x0000, 'TLS_NULL_WITH_NULL_NULL', { kx: 'NULL', cipher: 'NULL', mac: 'NULL' }], // RFC 5246
    [0x0001, 'TLS_RSA_WITH_NULL_MD5', { kx: 'RSA', cipher: 'NULL', mac: 'MD5' }],
    [0x0002, 'TLS_RSA_WITH_NULL_SHA', { cipher: 'NULL', mac: 'SHA' }],
    [0x0003, 'TLS_RSA_EXPORT_WITH_RC4_40_MD5', { cipher: 'RC4', cipherBits: 40, export: true }], // RFC 4346
    [0x0004, 'TLS_RSA_WITH_RC4_128_MD5', { cipher: 'RC4', cipherBits: 128, mode: 'STREAM', mac: 'MD5' }],
    [0x0005, 'TLS_RSA_WITH_RC4_128_SHA', { cipher: 'RC4', mac: 'SHA' }],
    [0x0006, 'TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5', { cipher: 'RC2', cipherBits: 40, export: true }],
    [0x0007, 'TLS_RSA_WITH_IDEA_CBC_SHA', { cipher: 'IDEA', cipherBits: 128, mode: 'CBC' }], // RFC 5469
    [0x0008, 'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA', { cipher: 'DES40', cipherBits: 40, export: true }],
    [0x0009, 'TLS_RSA_WITH_DES_CBC_SHA', { cipher: 'DES', cipherBits: 56 }],
    [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', { cipher: '3DES', cipherBits: 112, mode: 'CBC', mac: 'SHA' }],
    [0x0013, 'TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA', { kx: 'DHE', auth: 'DSS' }],
    [0x0016, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA', { kx: 'DHE', auth: 'RSA', cipher: '3DES' }],
    [0x0018, 'TLS_DH_anon_WITH_RC4_128_MD5', { auth: 'anon', cipher: 'RC4' }],
    [0x001b, 'TLS_DH_anon_WITH_3DES_EDE_CBC_SHA', { auth: 'anon' }],
    [0x001f, 'TLS_KRB5_WITH_3DES_EDE_CBC_SHA', { kx: 'KRB5', auth: 'KRB5' }], // RFC 2712
    [0x002c, 'TLS_PSK_WITH_NULL_SHA', { kx: 'PSK', auth: 'PSK', cipher: 'NULL' }], // RFC 4785
    [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA', { kx: 'RSA', auth: 'RSA', cipher: 'AES', cipherBits: 128, mode: 'CBC', mac: 'SHA' }],
    [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', { kx: 'DHE', auth: 'RSA' }],
    [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA', { cipherBits: 256 }],
    [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', { kx: 'DHE' }],
    [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256', { mac: 'SHA256' }],
    [0x0041, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA', { cipher: 'CAMELLIA', cipherBits: 128 }], // RFC 5932
    [0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', { kx: 'DHE', mac: 'SHA256' }],
    [0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', { cipherBits: 256 }],
    [0x0084, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA', { cipher: 'CAMELLIA', cipherBits: 256 }],
    [0x008c, 'TLS_PSK_WITH_AES_128_CBC_SHA', { kx: 'PSK' }], // RFC 4279
    [0x0096, 'TLS_RSA_WITH_SEED_CBC_SHA', { cipher: 'SEED', cipherBits: 128 }], // RFC 4162
    [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256', { mode: 'GCM', mac: 'AEAD' }], // RFC 5288
    [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', { kx: 'DHE', mode: 'GCM' }],
    [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', { cipherBits: 256 }],
    [0x00a8, 'TLS_PSK_WITH_AES_128_GCM_SHA256', { kx: 'PSK', mode: 'GCM' }], // RFC 5487
    [0x00aa, 'TLS_DHE_PSK_WITH_AES_128_GCM_SHA256', { kx: 'DHE_PSK', auth: 'PSK' }],
    [0x00ac, 'TLS_RSA_PSK_WITH_AES_128_GCM_SHA256', { kx: 'RSA_PSK', auth: 'RSA' }],
    [0x00ba, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256', { cipher: 'CAMELLIA', mac: 'SHA256' }],
    [0x00c6, 'TLS_SM4_GCM_SM3', { cipher: 'SM4', mode: 'GCM', tls13: true }], // RFC 8998
    [0x00c7, 'TLS_SM4_CCM_SM3', { cipher: 'SM4', mode: 'CCM', tls13: true }],
    [0x1301, 'TLS_AES_128_GCM_SHA256', { kx: 'ANY', auth: 'ANY', cipher: 'AES', mode: 'GCM', tls13: true }], // RFC 8446 B.4
    [0x1302, 'TLS_AES_256_GCM_SHA384', { cipherBits: 256, tls13: true }],
    [0x1303, 'TLS_CHACHA20_POLY1305_SHA256', { cipher: 'CHACHA20', mode: 'POLY1305', tls13: true }],
    [0x1304, 'TLS_AES_128_CCM_SHA256', { mode: 'CCM', tls13: true }],
    [0x1305, 'TLS_AES_128_CCM_8_SHA256', { mode: 'CCM_8', tls13: true }],
    [0xc006, 'TLS_ECDHE_ECDSA_WITH_NULL_SHA', { kx: 'ECDHE', auth: 'ECDSA', cipher: 'NULL' }], // RFC 8422
    [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', { kx: 'ECDHE', auth: 'ECDSA' }],
    [0xc00e, 'TLS_ECDH_RSA_WITH_AES_128_CBC_SHA', { kx: 'ECDH', auth: 'RSA' }],
    [0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', { cipher: 'RC4' }],
    [0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', { cipher: '3DES' }],
    [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', { kx: 'ECDHE', auth: 'RSA', mac: 'SHA' }],
    [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', { cipherBits: 256 }],
    [0xc018, 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA', { kx: 'ECDHE', auth: 'anon' }],
    [0xc01d, 'TLS_SRP_SHA_WITH_AES_128_CBC_SHA', { kx: 'SRP', auth: 'SRP' }], // RFC 5054
    [0xc01e, 'TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA', { kx: 'SRP', auth: 'RSA' }],
    [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', { mac: 'SHA256' }], // RFC 5289
    [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', { mac: 'SHA384' }],
    [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', { kx: 'ECDHE', auth: 'ECDSA', mode: 'GCM', mac: 'AEAD' }],
    [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', { cipherBits: 256 }],
    [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', { kx: 'ECDHE', auth: 'RSA', cipher: 'AES', cipherBits: 128, mode: 'GCM' }],
    [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', { cipherBits: 256 }],
    [0xc035, 'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA', { kx: 'ECDHE_PSK', auth: 'PSK' }], // RFC 5489
    [0xc03c, 'TLS_RSA_WITH_ARIA_128_CBC_SHA256', { cipher: 'ARIA', mode: 'CBC' }], // RFC 6209
    [0xc05c, 'TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256', { cipher: 'ARIA', mode: 'GCM' }],
    [0xc061, 'TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384', { cipher: 'ARIA', cipherBits: 256 }],
    [0xc072, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256', { cipher: 'CAMELLIA' }], // RFC 6367
    [0xc08b, 'TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384', { cipher: 'CAMELLIA', mode: 'GCM' }],
    [0xc09c, 'TLS_RSA_WITH_AES_128_CCM', { mode: 'CCM', mac: 'AEAD' }], // RFC 6655
    [0xc0a0, 'TLS_RSA_WITH_AES_128_CCM_8', { mode: 'CCM_8' }],
    [0xc0aa, 'TLS_PSK_DHE_WITH_AES_128_CCM_8', { kx: 'DHE_PSK', mode: 'CCM_8' }],
    [0xc0ac, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM', { mode: 'CCM' }], // RFC 7251
    [0xc0b4, 'TLS_SHA256_SHA256', { cipher: 'NULL', mac: 'SHA256', tls13: true }], // RFC 9150
    [0xc100, 'TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC', { kx: 'GOSTR341112_256', cipher: 'KUZNYECHIK', mode: 'CTR_OMAC' }], // RFC 9189
    [0xc101, 'TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC', { cipher: 'MAGMA' }],
    [0xc102, 'TLS_GOSTR341112_256_WITH_28147_CNT_IMIT', { cipher: 'GOST28147' }],
    [0xc103, 'TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L', { mode: 'MGM', tls13: true }], // RFC 9367
    [0xc106, 'TLS_GOSTR341112_256_WITH_MAGMA_MGM_S', { cipher: 'MAGMA', tls13: true }],
    [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', { cipher: 'CHACHA20', cipherBits: 256, mode: 'POLY1305' }], // RFC 7905
    [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', { auth: 'ECDSA' }],
    [0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', { kx: 'DHE' }],
    [0xccab, 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256', { kx: 'PSK' }],
    [0xd001, 'TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256', { kx: 'ECDHE_PSK', mode: 'GCM' }], // RFC 8442
    [0xd005, 'TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256', { mode: 'CCM' }],
  ];

  it.each(IANA_SPOT_CHECKS.map(([code, name, parts]) => ({ code: hex(code), value: code, name, parts })))(
    'IANA $code is $name', ({ value, name, parts }) => {
      expect(suiteByCode(value)).toMatchObject({ code: value, name, ...parts });
      expect(suiteByName(name)?.code).toBe(value);
    },
  );

  it('looks suites up by OpenSSL name too', () => {
    expect(suiteByName('ECDHE-RSA-AES128-GCM-SHA256')?.code).toBe(0xc02f);
    expect(suiteByName('DES-CBC3-SHA')?.code).toBe(0x000a);
    expect(suiteByName('EXP1024-RC4-SHA')).toMatchObject({ code: 0x0064, export: true, cipherBits: 56 });
    expect(suiteByName('TLS_AES_256_GCM_SHA384')?.code).toBe(0x1302);
    expect(suiteByName('NO-SUCH-SUITE')).toBeUndefined();
  });

  it('gives a cautious stand-in for codes outside the table', () => {
    expect(unknownSuite(0x0a0a)).toEqual({
      code: 0x0a0a, name: 'UNKNOWN_0x0a0a', openssl: null, kx: 'NULL', auth: 'NULL', cipher: 'NULL', cipherBits: 0,
      mode: 'NULL', mac: 'NULL', export: false, tls13: false,
    });
    expect(suiteByCode(0xff00)).toBeUndefined();
    expect(describeSuite(0xff00).name).toBe('UNKNOWN_0xff00');
    expect(describeSuite(0xc02f).name).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
  });

  it('knows which versions can negotiate a suite', () => {
    const valid = (code: number) => (['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const)
      .filter((version) => suiteValidFor(suiteByCode(code)!, version));
    expect(valid(0x002f)).toEqual(['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2']);
    expect(valid(0xc02f)).toEqual(['TLSv1.2']);
    expect(valid(0x003c)).toEqual(['TLSv1.2']);
    expect(valid(0x00ae)).toEqual(['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2']); // PSK CBC SHA256: RFC 5487 3.2
    expect(valid(0x1301)).toEqual(['TLSv1.3']);
    expect(valid(0xc100)).toEqual(['TLSv1.2']);
  });
});

/** OpenSSL's "Enc=" column, e.g. `AESGCM(128)`, `CHACHA20/POLY1305(256)`, `3DES(168)`, as table fields. */
function opensslEnc(enc: string): Pick<SuiteInfo, 'cipher' | 'cipherBits' | 'mode'> | null {
  const match = /^(.+)\((\d+)\)$/.exec(enc);
  if (enc === 'None') return { cipher: 'NULL', cipherBits: 0, mode: 'NULL' };
  if (!match) return null;
  const [, kind = '', bitsText = ''] = match;
  const bits = Number(bitsText);
  const table: Record<string, Pick<SuiteInfo, 'cipher' | 'cipherBits' | 'mode'>> = {
    AESGCM: { cipher: 'AES', cipherBits: bits, mode: 'GCM' }, AESCCM: { cipher: 'AES', cipherBits: bits, mode: 'CCM' },
    AESCCM8: { cipher: 'AES', cipherBits: bits, mode: 'CCM_8' }, AES: { cipher: 'AES', cipherBits: bits, mode: 'CBC' },
    'CHACHA20/POLY1305': { cipher: 'CHACHA20', cipherBits: bits, mode: 'POLY1305' },
    Camellia: { cipher: 'CAMELLIA', cipherBits: bits, mode: 'CBC' }, ARIAGCM: { cipher: 'ARIA', cipherBits: bits, mode: 'GCM' },
    ARIA: { cipher: 'ARIA', cipherBits: bits, mode: 'CBC' }, SEED: { cipher: 'SEED', cipherBits: bits, mode: 'CBC' },
    '3DES': { cipher: '3DES', cipherBits: 112, mode: 'CBC' }, DES: { cipher: 'DES', cipherBits: bits, mode: 'CBC' },
    IDEA: { cipher: 'IDEA', cipherBits: bits, mode: 'CBC' }, RC4: { cipher: 'RC4', cipherBits: bits, mode: 'STREAM' },
  };
  return table[kind] ?? null;
}

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)('agreement with the local OpenSSL (`openssl ciphers -V`)', () => {
  const TLS13 = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256';
  const lines = hasOpenssl
    ? execFileSync('openssl', ['ciphers', '-V', '-ciphersuites', TLS13, 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { encoding: 'utf8' })
      .split('\n').map((line) => line.trim()).filter(Boolean)
    : [];
  const known = lines.map((line) => {
    const [codeText = '', , name = '', , , , enc = '', mac = ''] = line.split(/\s+/);
    return { code: Number.parseInt(codeText.replace(/0x|,/g, ''), 16), name, enc: enc.replace(/^Enc=/, ''), mac: mac.replace(/^Mac=/, '') };
  });

  it('lists a plausible number of suites', () => {
    expect(known.length).toBeGreaterThan(50);
  });

  it('has every suite OpenSSL knows, with the same code point, OpenSSL name and cipher', () => {
    const problems: string[] = [];
    for (const { code, name, enc, mac } of known) {
      const suite = suiteByCode(code);
      if (!suite) { problems.push(`${hex(code)} ${name}: not in the table`); continue; }
      if (suite.openssl !== name) problems.push(`${hex(code)}: OpenSSL says ${name}, table says ${suite.openssl}`);
      const parts = opensslEnc(enc);
      if (!parts) problems.push(`${hex(code)} ${name}: unknown Enc=${enc}`);
      else if (parts.cipher !== suite.cipher || parts.cipherBits !== suite.cipherBits || parts.mode !== suite.mode) {
        problems.push(`${hex(code)} ${name}: OpenSSL Enc=${enc}, table ${suite.cipher}(${suite.cipherBits}) ${suite.mode}`);
      }
      const macName = mac === 'SHA1' ? 'SHA' : mac;
      if (macName !== suite.mac) problems.push(`${hex(code)} ${name}: OpenSSL Mac=${mac}, table ${suite.mac}`);
    }
    expect(problems).toEqual([]);
  });
});

const TESTSSL_MAPPING = ['/usr/share/testssl/etc/cipher-mapping.txt', '/etc/testssl/cipher-mapping.txt'].find((path) => existsSync(path));

describe.skipIf(!TESTSSL_MAPPING)('agreement with testssl.sh\'s cipher-mapping.txt', () => {
  it('has the same code, IANA name and OpenSSL name for every TLS suite both know', () => {
    const problems: string[] = [];
    let compared = 0;
    for (const line of readFileSync(TESTSSL_MAPPING!, 'utf8').split('\n')) {
      const [codeText = '', , openssl = '', name = ''] = line.trim().split(/\s+/);
      if (codeText.split(',').length !== 2 || name === '-') continue;
      const code = Number.parseInt(codeText.replace(/0x|,/g, ''), 16);
      const suite = suiteByCode(code);
      if (!suite) continue; // CECPQ1, FIPS and private-use codes are deliberately left out
      compared++;
      // testssl.sh names 0x0061 ..._RC2_56_MD5; draft-ietf-tls-56-bit-ciphersuites-01 says RC2_CBC_56_MD5.
      if (suite.name !== name && code !== 0x0061) problems.push(`${hex(code)}: testssl.sh ${name}, table ${suite.name}`);
      if (openssl !== '-' && code !== 0x0000 && suite.openssl !== openssl) problems.push(`${hex(code)}: testssl.sh ${openssl}, table ${suite.openssl}`);
    }
    expect(compared).toBeGreaterThan(300);
    expect(problems).toEqual([]);
  });
});

describe('named groups', () => {
  it('has unique codes and names, every kind, and sane sizes', () => {
    expect(duplicates(GROUPS.map((group) => group.code))).toEqual([]);
    expect(duplicates(GROUPS.map((group) => group.name.toLowerCase()))).toEqual([]);
    for (const group of GROUPS) {
      expect(['ec', 'ffdhe', 'hybrid-pq', 'pq']).toContain(group.kind);
      expect(group.bits).toBeGreaterThanOrEqual(160);
    }
    for (let code = 1; code <= 41; code++) expect(groupByCode(code), `group ${code}`).toBeDefined();
  });

  // IANA "TLS Supported Groups" registry, https://www.iana.org/assignments/tls-parameters/tls-parameters.xhtml#tls-parameters-8
  it.each([
    [1, 'sect163k1', 'ec', 163], [19, 'secp192r1', 'ec', 192], [23, 'secp256r1', 'ec', 256], [24, 'secp384r1', 'ec', 384],
    [25, 'secp521r1', 'ec', 521], [26, 'brainpoolP256r1', 'ec', 256], [29, 'x25519', 'ec', 253], [30, 'x448', 'ec', 448],
    [31, 'brainpoolP256r1tls13', 'ec', 256], [34, 'GC256A', 'ec', 256], [41, 'curveSM2', 'ec', 256],
    [256, 'ffdhe2048', 'ffdhe', 2048], [260, 'ffdhe8192', 'ffdhe', 8192],
    [0x0200, 'MLKEM512', 'pq', 512], [0x0202, 'MLKEM1024', 'pq', 1024],
    [0x11eb, 'SecP256r1MLKEM768', 'hybrid-pq', 256], [0x11ec, 'X25519MLKEM768', 'hybrid-pq', 253],
    [0x11ed, 'SecP384r1MLKEM1024', 'hybrid-pq', 384], [0x6399, 'X25519Kyber768Draft00', 'hybrid-pq', 253],
  ] as const)('group %d is %s', (code, name, kind, bits) => {
    expect(groupByCode(code)).toEqual({ code, name, kind, bits });
    expect(groupByName(name)?.code).toBe(code);
    expect(groupByName(name.toUpperCase())?.code).toBe(code);
  });
});

describe('signature schemes', () => {
  it('has unique codes and names and every TLS 1.2 (hash, signature) pair from md5 to sha512', () => {
    expect(duplicates(SIGNATURE_SCHEMES.map((scheme) => scheme.code))).toEqual([]);
    expect(duplicates(SIGNATURE_SCHEMES.map((scheme) => scheme.name))).toEqual([]);
    for (let hash = 1; hash <= 6; hash++) {
      for (let signature = 1; signature <= 3; signature++) {
        const scheme = signatureSchemeByCode((hash << 8) | signature);
        expect(scheme?.hash).toBe(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'][hash - 1]);
        expect(scheme?.signature).toBe(['rsa_pkcs1', 'dsa', 'ecdsa'][signature - 1]);
      }
    }
  });

  // IANA "TLS SignatureScheme" registry (RFC 8446 4.2.3, RFC 8734, RFC 8998).
  it.each([
    [0x0201, 'rsa_pkcs1_sha1', 'sha1', 'rsa_pkcs1'], [0x0203, 'ecdsa_sha1', 'sha1', 'ecdsa'],
    [0x0401, 'rsa_pkcs1_sha256', 'sha256', 'rsa_pkcs1'], [0x0403, 'ecdsa_secp256r1_sha256', 'sha256', 'ecdsa'],
    [0x0503, 'ecdsa_secp384r1_sha384', 'sha384', 'ecdsa'], [0x0603, 'ecdsa_secp521r1_sha512', 'sha512', 'ecdsa'],
    [0x0804, 'rsa_pss_rsae_sha256', 'sha256', 'rsa_pss'], [0x0806, 'rsa_pss_rsae_sha512', 'sha512', 'rsa_pss'],
    [0x0807, 'ed25519', 'intrinsic', 'ed25519'], [0x0808, 'ed448', 'intrinsic', 'ed448'],
    [0x0809, 'rsa_pss_pss_sha256', 'sha256', 'rsa_pss'], [0x080b, 'rsa_pss_pss_sha512', 'sha512', 'rsa_pss'],
    [0x081a, 'ecdsa_brainpoolP256r1tls13_sha256', 'sha256', 'ecdsa'], [0x081c, 'ecdsa_brainpoolP512r1tls13_sha512', 'sha512', 'ecdsa'],
    [0x0708, 'sm2sig_sm3', 'intrinsic', 'sm2'],
  ] as const)('scheme %i is %s', (code, name, hash, signature) => {
    expect(signatureSchemeByCode(code)).toEqual({ code, name, hash, signature });
  });
});

describe('SSLv2 cipher specs', () => {
  it('has the seven kinds of the SSLv2 specification', () => {
    expect(SSLV2_CIPHERS.map((spec) => spec.code)).toEqual([0x010080, 0x020080, 0x030080, 0x040080, 0x050080, 0x060040, 0x0700c0]);
    expect(SSLV2_CIPHERS.filter((spec) => spec.export).map((spec) => spec.code)).toEqual([0x020080, 0x040080]);
    expect(sslv2CipherByCode(0x0700c0)).toEqual({ code: 0x0700c0, name: 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5', cipherBits: 112, export: false });
    expect(sslv2CipherByCode(0x080080)).toBeUndefined();
  });
});
