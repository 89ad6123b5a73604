import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { ReportSignature, ScanReport } from '../../reports/types.ts';

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit, no whitespace, numbers and strings as JSON.stringify
 * writes them; properties whose value is undefined are left out, as JSON.stringify does. For the JSON values a
 * report holds this is the serialization of RFC 8785 (JCS), so the digest does not depend on key order or indentation.
 */
export function canonicalJson(input: unknown): string {
  // Fast path: one native JSON.stringify pass whose replacer hands it each object with its keys sorted, several
  // times faster than building the string in JavaScript on a large report. JavaScript objects always list
  // integer-like keys ("1") first, whatever the insertion order, so an object with such a key takes the slow path.
  // The replacer runs for every value of a report of tens of MB: plain loops, the RegExp only for keys starting with
  // a digit, and an object whose keys are already in order is passed through rather than copied.
  let integerKey = false;
  const text = JSON.stringify(input, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const source = value as Record<string, unknown>;
    const keys = Object.keys(source);
    let inOrder = true;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const first = key.charCodeAt(0);
      if (first >= 48 && first <= 57 && INTEGER_KEY.test(key)) integerKey = true;
      if (i > 0 && keys[i - 1]! > key) inOrder = false;
      if (key === '__proto__') inOrder = false; // the copy below has always dropped it: keep the digests it made
    }
    if (inOrder) return source;
    keys.sort();
    const sorted: Record<string, unknown> = {};
    for (const key of keys) sorted[key] = source[key];
    return sorted;
  });
  return integerKey ? canonicalJsonSlow(input) : text ?? 'null';
}

const INTEGER_KEY = /^(0|[1-9]\d*)$/;

function canonicalJsonSlow(input: unknown): string {
  // toJSON first, as JSON.stringify does, so a stray Date hashes as the string the JSON file holds.
  const value = input !== null && typeof input === 'object' && typeof (input as { toJSON?: unknown }).toJSON === 'function'
    ? (input as { toJSON: () => unknown }).toJSON() : input;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJsonSlow(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJsonSlow(v)}`).join(',')}}`;
}

/**
 * The text whose UTF-8 bytes the digest and signature cover: the report without its own `digest` and `signature`.
 * Kept as a string: the hash reads it as UTF-8 directly, and only a signature needs the bytes copied into a Buffer
 * (tens of MB on a large scan). JSON.stringify escapes lone surrogates, so the text always encodes losslessly.
 */
function sealedContent(report: Readonly<Record<string, unknown>>): string {
  const { digest: _digest, signature: _signature, ...content } = report;
  return canonicalJson(content);
}

const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** `sha256:<hex>` of a public key's DER SubjectPublicKeyInfo, so a verifier can tell which key signed. */
export function publicKeyFingerprint(key: KeyObject): string {
  return sha256(key.export({ type: 'spki', format: 'der' }));
}

/**
 * Returns the report with `digest` set and, given an Ed25519 private key (PEM, PKCS#8), `signature` too. Call it last,
 * after waivers, roll-ups and `since`: anything changed afterwards breaks the seal. Throws if the key is not Ed25519.
 */
export function sealReport(report: ScanReport, privateKeyPem?: string): ScanReport {
  const { digest: _digest, signature: _signature, ...content } = report;
  const text = sealedContent(content);
  const sealed: ScanReport = { ...content, digest: sha256(text) };
  if (privateKeyPem === undefined) return sealed;
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`signing key must be Ed25519, not ${key.asymmetricKeyType ?? 'unknown'}`);
  const signature: ReportSignature = {
    algorithm: 'ed25519',
    publicKeyFingerprint: publicKeyFingerprint(createPublicKey(key)),
    value: sign(null, Buffer.from(text, 'utf8'), key).toString('base64'),
  };
  return { ...sealed, signature };
}

/** The verdict of verifyReport: `ok` only when every check it could make passed. */
export type VerifyOutcome = {
  readonly ok: boolean;
  readonly problems: readonly string[];
  /** The digest recomputed from the content (null when the text is not a JSON object). */
  readonly digest: string | null;
  readonly signed: boolean;
};

/**
 * Verifies a report's text: it must parse, carry a digest that matches its content, and, when a public key (PEM) is
 * given, carry a valid Ed25519 signature by that key. Without a key a signature is not checked (`signed` says it is
 * there); an attacker who can edit the file can also recompute a bare digest, so only a signature proves origin.
 */
export function verifyReport(text: string, publicKeyPem?: string): VerifyOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`not JSON: ${(err as Error).message}`], digest: null, signed: false };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, problems: ['not a report: expected a JSON object'], digest: null, signed: false };
  }
  const report = parsed as Record<string, unknown>;
  const content = sealedContent(report);
  const digest = sha256(content);
  const problems: string[] = [];
  if (typeof report['digest'] !== 'string') problems.push('report has no digest');
  else if (report['digest'] !== digest) problems.push(`digest mismatch: the report says ${report['digest']}, its content hashes to ${digest}`);
  const signature = report['signature'];
  const signed = signature !== undefined;
  if (publicKeyPem !== undefined) problems.push(...signatureProblems(signature, Buffer.from(content, 'utf8'), publicKeyPem));
  return { ok: problems.length === 0, problems, digest, signed };
}

function signatureProblems(signature: unknown, bytes: Buffer, publicKeyPem: string): string[] {
  let key: KeyObject;
  try {
    key = createPublicKey(publicKeyPem);
  } catch (err) {
    return [`cannot read the public key: ${(err as Error).message}`];
  }
  if (key.asymmetricKeyType !== 'ed25519') return [`public key must be Ed25519, not ${key.asymmetricKeyType ?? 'unknown'}`];
  if (signature === undefined) return ['report is not signed'];
  const s = signature as Partial<Record<keyof ReportSignature, unknown>>;
  if (s === null || typeof s !== 'object' || s.algorithm !== 'ed25519' || typeof s.value !== 'string') {
    return ['signature is malformed: expected { algorithm: "ed25519", publicKeyFingerprint, value }'];
  }
  const fingerprint = publicKeyFingerprint(key);
  if (s.publicKeyFingerprint !== fingerprint) {
    return [`signed by another key: ${String(s.publicKeyFingerprint)}, not ${fingerprint}`];
  }
  return verify(null, bytes, key, Buffer.from(s.value, 'base64')) ? [] : ['signature does not match the content'];
}
