import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, publicKeyFingerprint, sealReport, verifyReport } from '../../src/compliance/integrity.ts';
import { jsonWriter } from '../../reports/json.ts';
import { fixtureReport } from '../reports/fixture-report.ts';

function ed25519() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicKey,
  };
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined properties and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'é' }], c: undefined }, A: true }))
      .toBe('{"A":true,"a":{"d":[3,{"y":"é","z":null}]},"b":1}');
  });

  it('sorts by UTF-16 code unit, as RFC 8785 does', () => {
    expect(canonicalJson({ '\u20ac': 1, '\ud83d\ude00': 2, '\r': 3, '1': 4, 'ö': 5 })).toBe('{"\\r":3,"1":4,"ö":5,"€":1,"😀":2}');
  });
});

describe('sealReport and verifyReport', () => {
  const { digest: _digest, ...unsealed } = fixtureReport();

  it('seals with a digest that verifies from the written JSON, whatever its key order or indentation', () => {
    const sealed = sealReport(unsealed);
    expect(sealed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(verifyReport(jsonWriter.render(sealed))).toEqual({ ok: true, problems: [], digest: sealed.digest, signed: false });
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(sealed).reverse()));
    expect(verifyReport(reordered).ok).toBe(true);
  });

  it('is stable: resealing a sealed report gives the same digest', () => {
    const once = sealReport(unsealed);
    expect(sealReport(once).digest).toBe(once.digest);
  });

  it.each([
    ['a changed status', (r: Record<string, unknown>) => { (r['results'] as Record<string, unknown>[])[0]!['status'] = 'fail'; }],
    ['a changed evidence value', (r: Record<string, unknown>) => {
      ((r['results'] as Record<string, unknown>[])[1]!['evidence'] as Record<string, unknown>)['maxAge'] = 31536000;
    }],
    ['an added field', (r: Record<string, unknown>) => { r['note'] = 'all fine'; }],
    ['a removed waiver', (r: Record<string, unknown>) => { (r['waivers'] as unknown[]).pop(); }],
  ])('detects tampering: %s', (_name, tamper) => {
    const report = JSON.parse(jsonWriter.render(sealReport(unsealed))) as Record<string, unknown>;
    tamper(report);
    const outcome = verifyReport(JSON.stringify(report));
    expect(outcome.ok).toBe(false);
    expect(outcome.problems[0]).toMatch(/^digest mismatch: the report says sha256:[0-9a-f]{64}, its content hashes to sha256:/);
  });

  it('rejects text that is not a sealed report', () => {
    expect(verifyReport('{"schemaVersion":1').problems[0]).toMatch(/^not JSON: /);
    expect(verifyReport('[1,2]').problems).toEqual(['not a report: expected a JSON object']);
    expect(verifyReport(jsonWriter.render(unsealed)).problems).toEqual(['report has no digest']);
  });

  it('signs with Ed25519 and verifies with the matching public key', () => {
    const key = ed25519();
    const signed = sealReport(unsealed, key.privatePem);
    expect(signed.signature).toMatchObject({ algorithm: 'ed25519', publicKeyFingerprint: publicKeyFingerprint(key.publicKey) });
    expect(Buffer.from(signed.signature!.value, 'base64')).toHaveLength(64);
    expect(verifyReport(jsonWriter.render(signed), key.publicPem)).toEqual({ ok: true, problems: [], digest: signed.digest, signed: true });
  });

  it('catches a tampered report even when the attacker recomputed the digest', () => {
    const key = ed25519();
    const signed = JSON.parse(jsonWriter.render(sealReport(unsealed, key.privatePem))) as Record<string, unknown>;
    signed['status'] = 'interrupted';
    const { digest: _d, ...content } = signed;
    const forged = { ...content, digest: sealReport(content as never).digest };
    expect(verifyReport(JSON.stringify(forged)).ok).toBe(true);    // a bare digest proves nothing against an attacker
    expect(verifyReport(JSON.stringify(forged), key.publicPem)).toMatchObject({ ok: false, problems: ['signature does not match the content'] });
  });

  it('names the problem for a wrong key, a missing signature, a malformed one and a non-Ed25519 key', () => {
    const key = ed25519();
    const other = ed25519();
    const text = jsonWriter.render(sealReport(unsealed, key.privatePem));
    expect(verifyReport(text, other.publicPem).problems[0]).toMatch(/^signed by another key: sha256:[0-9a-f]{64}, not sha256:/);
    expect(verifyReport(jsonWriter.render(sealReport(unsealed)), key.publicPem).problems).toEqual(['report is not signed']);
    const malformed = { ...JSON.parse(text), signature: { algorithm: 'rsa', value: 1 } };
    expect(verifyReport(JSON.stringify(malformed), key.publicPem).problems[0]).toMatch(/^signature is malformed/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(verifyReport(text, rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()).problems).toEqual(['public key must be Ed25519, not rsa']);
    expect(verifyReport(text, 'not a key').problems[0]).toMatch(/^cannot read the public key/);
    expect(() => sealReport(unsealed, rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow('signing key must be Ed25519, not rsa');
  });
});
