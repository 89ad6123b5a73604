import { createPrivateKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { canonicalJsonV1 } from '../../src/compliance/canonical-json.ts';
import { canonicalJson, createReportDigest, publicKeyFingerprint, sealReport, SIGNED_PREFIX, verifyReport } from '../../src/compliance/integrity.ts';
import { jsonWriter } from '../../reports/json.ts';
import { headerOf, renderReport, streamOf } from '../../reports/memory.ts';
import type { ScanReport } from '../../reports/types.ts';
import { fixtureReport } from '../reports/fixture-report.ts';
import { seededRandom } from '../support/prng.ts';

const render = (report: ScanReport, key?: string) => renderReport(jsonWriter, report, key);

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

  it('writes what the schema-1 canonical JSON wrote, for random JSON values', () => {
    const random = seededRandom(11);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const KEYS = ['a', 'B', 'z', '1', '10', '02', 'é', '\u20ac', '\ud83d\ude00', '', 'status', ' '];
    const value = (depth: number): unknown => {
      const kind = depth > 3 ? pick(['s', 'n', 'b', 'z']) : pick(['s', 'n', 'b', 'z', 'a', 'o', 'o']);
      if (kind === 's') return pick(['', 'x', '"q"\n', '\u2028', '\ud800', 'é']);
      if (kind === 'n') return pick([0, -0, 1.5, -3, 1e21, 2 ** 53, 0.1]);
      if (kind === 'b') return random() < 0.5;
      if (kind === 'z') return pick([null, undefined]);
      if (kind === 'a') return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(KEYS), value(depth + 1)]));
    };
    for (let i = 0; i < 2000; i++) {
      const v = value(0);
      expect(canonicalJson(v), JSON.stringify(v)).toBe(canonicalJsonV1(v));
      if (v !== undefined) expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
    }
  });

  it('keeps an own __proto__ member, as JCS does; the schema-1 form dropped it', () => {
    const value = JSON.parse('{"b":1,"__proto__":{"x":1}}') as unknown;
    expect(canonicalJson(value)).toBe('{"__proto__":{"x":1},"b":1}');
    expect(canonicalJsonV1(value)).toBe('{"b":1}');
  });
});

describe('the streamed digest', () => {
  const { digest: _digest, ...unsealed } = fixtureReport();
  const wholeDigest = (report: object) => `sha256:${createHash('sha256').update(canonicalJson(report)).digest('hex')}`;

  it('equals SHA-256 of the JCS of the whole report without its seal', async () => {
    const streamed = createReportDigest(headerOf(unsealed));
    for (const entry of unsealed.domains) streamed.add(entry);
    const expected = wholeDigest(unsealed);
    expect(streamed.finish()).toBe(expected);
    expect(sealReport(unsealed).digest).toBe(expected);
    expect(JSON.parse(await render(unsealed)).digest).toBe(expected);
  });

  it.each([
    ['no domains', { domains: [] }],
    ['one domain', { domains: unsealed.domains.slice(0, 1) }],
    ['optional header fields left out', { promises: undefined, waivers: undefined, baseline: undefined }],
    ['a resumed note and a baseline', { resumed: [{ at: '2026-06-01T03:00:00.000Z', domainsDone: 2 }], baseline: { runId: 'r', startedAt: 's' } }],
  ])('equals it for %s', (_name, change) => {
    const report = { ...unsealed, ...change } as ScanReport;
    const streamed = createReportDigest(headerOf(report));
    for (const entry of report.domains) streamed.add(entry);
    expect(streamed.finish()).toBe(wholeDigest(JSON.parse(JSON.stringify(report))));
  });
});

describe('sealReport and verifyReport', () => {
  const { digest: _digest, ...unsealed } = fixtureReport();

  it('seals with a digest that verifies from the written JSON, whatever its key order or indentation', async () => {
    const sealed = sealReport(unsealed);
    expect(sealed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(verifyReport(await render(sealed))).toEqual({ ok: true, problems: [], digest: sealed.digest, signed: false });
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(sealed).reverse()));
    expect(verifyReport(reordered).ok).toBe(true);
  });

  it('is stable: resealing a sealed report gives the same digest', () => {
    const once = sealReport(unsealed);
    expect(sealReport(once).digest).toBe(once.digest);
  });

  type Parsed = { domains: { results: Record<string, unknown>[] }[] } & Record<string, unknown>;
  it.each([
    ['a changed status', (r: Parsed) => { r.domains[0]!.results[0]!['status'] = 'fail'; }],
    ['a changed evidence value', (r: Parsed) => { (r.domains[0]!.results[1]!['evidence'] as Record<string, unknown>)['maxAge'] = 31536000; }],
    ['an added field', (r: Parsed) => { r['note'] = 'all fine'; }],
    ['a removed waiver', (r: Parsed) => { (r['waivers'] as unknown[]).pop(); }],
    ['two domains swapped', (r: Parsed) => { r.domains.reverse(); }],
  ])('detects tampering: %s', async (_name, tamper) => {
    const report = JSON.parse(await render(sealReport(unsealed))) as Parsed;
    tamper(report);
    const outcome = verifyReport(JSON.stringify(report));
    expect(outcome.ok).toBe(false);
    expect(outcome.problems[0]).toMatch(/^digest mismatch: the report says sha256:[0-9a-f]{64}, its content hashes to sha256:/);
  });

  it('rejects text that is not a sealed report', async () => {
    expect(verifyReport('{"schemaVersion":1').problems[0]).toMatch(/^not JSON: /);
    expect(verifyReport('[1,2]').problems).toEqual(['not a report: expected a JSON object']);
    const { digest: _d, ...content } = JSON.parse(await render(unsealed)) as Record<string, unknown>;
    expect(verifyReport(JSON.stringify(content)).problems).toEqual(['report has no digest']);
    const future = { ...content, schemaVersion: 3 };
    expect(verifyReport(JSON.stringify(sealReport(future as never))).problems).toEqual(['unknown schemaVersion 3']);
  });

  it('signs the documented message with Ed25519: the prefix and the digest', async () => {
    const key = ed25519();
    const signed = sealReport(unsealed, key.privatePem);
    expect(signed.signature).toMatchObject({ algorithm: 'ed25519', publicKeyFingerprint: publicKeyFingerprint(key.publicKey) });
    const value = Buffer.from(signed.signature!.value, 'base64');
    expect(value).toHaveLength(64);
    expect(SIGNED_PREFIX).toBe('vouch-report-v2\n');
    expect(verify(null, Buffer.from(`vouch-report-v2\n${signed.digest!}`), key.publicKey, value)).toBe(true);
    expect(JSON.parse(await render(unsealed, key.privatePem))).toEqual(JSON.parse(JSON.stringify(signed)));
    expect(verifyReport(await render(unsealed, key.privatePem), key.publicPem)).toEqual({ ok: true, problems: [], digest: signed.digest, signed: true });
  });

  it('verifies a schema-1 report by the schema-1 definition: the signature over the canonical text', () => {
    const key = ed25519();
    const v1 = { schemaVersion: 1, runId: 'r', domains: ['example.nl'], results: [{ domain: 'example.nl', checkId: 'a.b', status: 'pass' }], artifacts: {} };
    const text = canonicalJson(v1);
    const digest = `sha256:${createHash('sha256').update(text).digest('hex')}`;
    const signature = { algorithm: 'ed25519', publicKeyFingerprint: publicKeyFingerprint(key.publicKey), value: sign(null, Buffer.from(text), createPrivateKey(key.privatePem)).toString('base64') };
    const file = JSON.stringify({ ...v1, digest, signature }, null, 2);
    expect(verifyReport(file, key.publicPem)).toEqual({ ok: true, problems: [], digest, signed: true });
    // The same signature read as schema 2 (over prefix + digest) does not hold: the version decides the message.
    const relabelled = { ...v1, schemaVersion: 2 };
    const relabelledDigest = sealReport(relabelled as never).digest;
    expect(verifyReport(JSON.stringify({ ...relabelled, digest: relabelledDigest, signature }), key.publicPem).problems).toEqual(['signature does not match the content']);
  });

  it('catches a tampered report even when the attacker recomputed the digest', async () => {
    const key = ed25519();
    const signed = JSON.parse(await render(unsealed, key.privatePem)) as Record<string, unknown>;
    signed['status'] = 'interrupted';
    const { digest: _d, ...content } = signed;
    const forged = { ...content, digest: sealReport(content as never).digest };
    expect(verifyReport(JSON.stringify(forged)).ok).toBe(true);    // a bare digest proves nothing against an attacker
    expect(verifyReport(JSON.stringify(forged), key.publicPem)).toMatchObject({ ok: false, problems: ['signature does not match the content'] });
  });

  it('names the problem for a wrong key, a missing signature, a malformed one and a non-Ed25519 key', async () => {
    const key = ed25519();
    const other = ed25519();
    const text = await render(unsealed, key.privatePem);
    expect(verifyReport(text, other.publicPem).problems[0]).toMatch(/^signed by another key: sha256:[0-9a-f]{64}, not sha256:/);
    expect(verifyReport(await render(sealReport(unsealed)), key.publicPem).problems).toEqual(['report is not signed']);
    const malformed = { ...JSON.parse(text), signature: { algorithm: 'rsa', value: 1 } };
    expect(verifyReport(JSON.stringify(malformed), key.publicPem).problems[0]).toMatch(/^signature is malformed/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(verifyReport(text, rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()).problems).toEqual(['public key must be Ed25519, not rsa']);
    expect(verifyReport(text, 'not a key').problems[0]).toMatch(/^cannot read the public key/);
    const rsaPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => sealReport(unsealed, rsaPem)).toThrow('signing key must be Ed25519, not rsa');
    const written: string[] = [];
    await expect(jsonWriter.write(streamOf(unsealed, rsaPem), (chunk) => { written.push(chunk); })).rejects.toThrow('signing key must be Ed25519, not rsa');
    expect(written, 'nothing written before the key was refused').toEqual([]);
  });
});
