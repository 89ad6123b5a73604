import { describe, expect, it } from 'vitest';
import { parseDkimKey } from '../../src/parse/dkim.ts';
import { ecSpkiBase64, ed25519Base64, rsaSpkiBase64 } from './dkim-keys.ts';

const RSA_2048 = rsaSpkiBase64(2048);
const RSA_1024 = rsaSpkiBase64(1024);

describe('parseDkimKey: usable keys', () => {
  it.each([
    { record: `v=DKIM1; k=rsa; p=${RSA_2048}`, keyType: 'rsa', keyBits: 2048 },
    { record: `p=${RSA_1024}`, keyType: 'rsa', keyBits: 1024 },                         // 3.6.1: v= and k= are optional
    { record: `v=DKIM1; k=RSA; p=${RSA_2048};`, keyType: 'rsa', keyBits: 2048 },       // k= value is case-insensitive; trailing ";"
    { record: `v=DKIM1; p=${RSA_2048.slice(0, 40)} ${RSA_2048.slice(40)}`, keyType: 'rsa', keyBits: 2048 }, // FWS inside p=
    { record: `v=DKIM1; k=rsa; p=${rsaSpkiBase64(3072)}`, keyType: 'rsa', keyBits: 3072 },
    { record: `v=DKIM1; k=ed25519; p=${ed25519Base64()}`, keyType: 'ed25519', keyBits: 256 }, // RFC 8463 3: raw 32 bytes
    { record: `v=DKIM1; h=sha1:sha256; p=${RSA_2048}`, keyType: 'rsa', keyBits: 2048 }, // sha256 still allowed
    { record: `v=DKIM1; s=email; p=${RSA_2048}`, keyType: 'rsa', keyBits: 2048 },
    { record: `v=DKIM1; s=*; p=${RSA_2048}`, keyType: 'rsa', keyBits: 2048 },
  ])('$keyType $keyBits: $record', ({ record, keyType, keyBits }) => {
    const parsed = parseDkimKey(record);
    expect(parsed).toMatchObject({ ok: true, key: { keyType, keyBits, revoked: false }, notes: [] });
  });

  it('treats an empty p= as a revoked key (RFC 6376 3.6.1)', () => {
    expect(parseDkimKey('v=DKIM1; k=rsa; p=')).toMatchObject({ ok: true, key: { revoked: true, keyBits: null } });
  });

  it('reads t= flags, n=, h=, s= and lists unknown tags', () => {
    const parsed = parseDkimKey(`v=DKIM1; t=s:y; n=rotated 2026; h=sha256; s=email:tlsrpt; x-extra=1; p=${RSA_2048}`);
    expect(parsed).toMatchObject({
      ok: true,
      key: {
        version: 'DKIM1', testing: true, strict: true, humanNote: 'rotated 2026',
        hashAlgorithms: ['sha256'], serviceTypes: ['email', 'tlsrpt'], unknownTags: ['x-extra'],
      },
    });
  });

  it('accepts a bare PKCS#1 RSAPublicKey but says some verifiers reject it', () => {
    const parsed = parseDkimKey(`v=DKIM1; p=${rsaSpkiBase64(2048, 'pkcs1')}`);
    expect(parsed.ok && parsed.key.keyBits).toBe(2048);
    expect(parsed.ok && parsed.notes[0]).toMatch(/PKCS#1/);
  });
});

describe('parseDkimKey: records a verifier rejects', () => {
  it.each([
    { record: `k=rsa; v=DKIM1; p=${RSA_2048}`, problem: /first tag/ },              // 3.6.1: v= must come first
    { record: `v=DKIM2; p=${RSA_2048}`, problem: /not DKIM1/ },
    { record: `v=DKIM1; k=dsa; p=${RSA_2048}`, problem: /unknown key type/ },
    { record: 'v=DKIM1; k=rsa', problem: /p= .* missing/ },
    { record: `V=DKIM1; P=${RSA_2048}`, problem: /p= .* missing/ },                  // 3.2: tag names are case-sensitive
    { record: 'v=DKIM1; p=not*base64', problem: /base64/ },
    { record: `v=DKIM1; p=${RSA_2048.slice(0, -1)}`, problem: /base64/ },            // truncated (e.g. a lost TXT string)
    { record: 'v=DKIM1; p=AAAAAAAA', problem: /not a DER-encoded RSA/ },
    { record: `v=DKIM1; k=rsa; p=${ecSpkiBase64()}`, problem: /holds a key of type ec/ },
    { record: `v=DKIM1; k=ed25519; p=${ed25519Base64('spki')}`, problem: /raw 32-byte.*SubjectPublicKeyInfo/ }, // RFC 8463 3
    { record: `v=DKIM1; h=sha1; p=${RSA_2048}`, problem: /RFC 8301/ },
    { record: `v=DKIM1; s=tlsrpt; p=${RSA_2048}`, problem: /does not include email/ },
    { record: `v=DKIM1; p=${RSA_2048}; p=${RSA_1024}`, problem: /more than once/ },  // 3.2: duplicates invalidate
    { record: `v=DKIM1; garbage; p=${RSA_2048}`, problem: /not a tag=value/ },
    { record: '', problem: /p= .* missing/ },
  ])('$record -> $problem', ({ record, problem }) => {
    const parsed = parseDkimKey(record);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toMatch(problem);
  });
});
