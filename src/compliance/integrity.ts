import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { ReportSignature, ScanReport } from '../../reports/types.ts';
import { canonicalJson, canonicalJsonV1 } from './canonical-json.ts';

export { canonicalJson } from './canonical-json.ts';

const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** `sha256:<hex>` of a public key's DER SubjectPublicKeyInfo, so a verifier can tell which key signed. */
export function publicKeyFingerprint(key: KeyObject): string {
  return sha256(key.export({ type: 'spki', format: 'der' }));
}

/** Top-level keys that are not content: the seal itself, and the domains, which are hashed one by one. */
const NOT_HEADER = new Set(['digest', 'signature', 'domains']);

/** A digest being computed over a report's canonical form, one domain entry at a time. */
export type ReportDigest = {
  add(domainEntry: unknown): void;
  /** The same, for an entry whose canonical JSON the caller already has. */
  addCanonical(canonicalEntry: string): void;
  /**
   * The digest. `lateMembers`: header members not given to createReportDigest because they were not known yet (a
   * report written while the scan runs learns its summary at the end); each must sort after "domains".
   */
  finish(lateMembers?: object): string;
};

/**
 * The report digest as a stream (docs/report-schema.md, "Canonical form"): `sha256:<hex>` of the UTF-8 bytes of
 * canonicalJson(report without digest and signature), produced without ever holding that text. The top-level keys
 * are sorted, so the header's keys before "domains" are hashed first, then `"domains":[`, each entry's canonical JSON
 * comma-separated as it is added, `]`, and the header's remaining keys. Equal, by construction, to hashing the whole.
 */
export function createReportDigest(header: object): ReportDigest {
  const entries = Object.entries(header).filter(([key, value]) => value !== undefined && !NOT_HEADER.has(key));
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const members = entries.map(([key, value]) => ({ key, text: `${JSON.stringify(key)}:${canonicalJson(value)}` }));
  const before = members.filter((m) => m.key < 'domains').map((m) => m.text);
  const after = members.filter((m) => m.key > 'domains');
  const hash = createHash('sha256');
  hash.update(`{${before.map((text) => `${text},`).join('')}"domains":[`);
  let first = true;
  const addCanonical = (text: string) => {
    hash.update(first ? text : `,${text}`);
    first = false;
  };
  return {
    add: (domainEntry) => addCanonical(canonicalJson(domainEntry)),
    addCanonical,
    finish(lateMembers = {}) {
      const late = Object.entries(lateMembers).filter(([key, value]) => value !== undefined && !NOT_HEADER.has(key));
      for (const [key] of late) {
        if (key < 'domains') throw new Error(`report member "${key}" sorts before "domains": it must be known before the first domain`);
        if (after.some((m) => m.key === key)) throw new Error(`report member "${key}" given twice`);
      }
      const all = [...after, ...late.map(([key, value]) => ({ key, text: `${JSON.stringify(key)}:${canonicalJson(value)}` }))];
      all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      hash.update(`]${all.map((m) => `,${m.text}`).join('')}}`);
      return `sha256:${hash.digest('hex')}`;
    },
  };
}

/**
 * What a schema-2 signature signs: this prefix and the digest, as UTF-8 (`vouch-report-v2\nsha256:<hex>`). Ed25519
 * cannot sign a stream, and the digest already binds every byte of the canonical form; the prefix keeps a
 * signature over a schema-2 digest from being read as one over anything else.
 */
export const SIGNED_PREFIX = 'vouch-report-v2\n';

/** The bytes a report's signature covers: the digest with the prefix (schema 2), or the canonical text (schema 1). */
function signedBytes(schemaVersion: unknown, digest: string, canonicalText: () => string): Buffer {
  return Buffer.from(schemaVersion === 1 ? canonicalText() : `${SIGNED_PREFIX}${digest}`, 'utf8');
}

/** Reads an Ed25519 private key (PEM, PKCS#8); throws if it is another kind. */
export function signingKey(privateKeyPem: string): KeyObject {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`signing key must be Ed25519, not ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

/** The schema-2 signature of a digest. */
export function signDigest(digest: string, key: KeyObject): ReportSignature {
  return {
    algorithm: 'ed25519',
    publicKeyFingerprint: publicKeyFingerprint(createPublicKey(key)),
    value: sign(null, Buffer.from(`${SIGNED_PREFIX}${digest}`, 'utf8'), key).toString('base64'),
  };
}

/**
 * Returns an in-memory report with `digest` set and, given an Ed25519 private key (PEM, PKCS#8), `signature` too,
 * computed exactly as the JSON writer computes them while streaming. Call it last: anything changed afterwards
 * breaks the seal. Throws if the key is not Ed25519.
 */
export function sealReport(report: ScanReport, privateKeyPem?: string): ScanReport {
  const { digest: _digest, signature: _signature, ...content } = report;
  const hash = createReportDigest(content);
  for (const entry of content.domains) hash.add(entry);
  const digest = hash.finish();
  if (privateKeyPem === undefined) return { ...content, digest };
  return { ...content, digest, signature: signDigest(digest, signingKey(privateKeyPem)) };
}

/** The verdict of verifying a report: `ok` only when every check it could make passed. */
export type VerifyOutcome = {
  readonly ok: boolean;
  readonly problems: readonly string[];
  /** The digest recomputed from the content (null when the text is not a JSON object). */
  readonly digest: string | null;
  readonly signed: boolean;
};

/** What a report says about its seal, next to the digest recomputed from its content. */
export type SealClaim = {
  readonly schemaVersion: unknown;
  readonly claimedDigest: unknown;
  readonly signature: unknown;
  readonly digest: string;
  /** Only schema 1 signs the canonical text itself; computed when needed. */
  readonly canonicalText: () => string;
};

/**
 * Judges a seal: the digest must match the content and, when a public key (PEM) is given, the signature must be a
 * valid Ed25519 signature by that key (schema 1: over the canonical text; schema 2: over SIGNED_PREFIX + digest).
 * Without a key a signature is not checked (`signed` says it is there): an attacker who can edit the file can also
 * recompute a bare digest, so only a signature proves origin.
 */
export function judgeSeal(claim: SealClaim, publicKeyPem?: string): VerifyOutcome {
  const problems: string[] = [];
  if (claim.schemaVersion !== 1 && claim.schemaVersion !== 2) problems.push(`unknown schemaVersion ${JSON.stringify(claim.schemaVersion) ?? 'undefined'}`);
  if (typeof claim.claimedDigest !== 'string') problems.push('report has no digest');
  else if (claim.claimedDigest !== claim.digest) {
    problems.push(`digest mismatch: the report says ${claim.claimedDigest}, its content hashes to ${claim.digest}`);
  }
  const signed = claim.signature !== undefined;
  if (publicKeyPem !== undefined) {
    problems.push(...signatureProblems(claim.signature, () => signedBytes(claim.schemaVersion, claim.digest, claim.canonicalText), publicKeyPem));
  }
  return { ok: problems.length === 0, problems, digest: claim.digest, signed };
}

/**
 * Verifies a report held as one text (a small or hand-edited file; reports/json-file.ts streams the writer's own
 * layout): it must parse, and its seal must hold (judgeSeal). Schema 1 and 2 alike: the digest is defined the same way.
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
  const { digest: claimedDigest, signature, ...content } = parsed as Record<string, unknown>;
  const canonical = content['schemaVersion'] === 1 ? canonicalJsonV1(content) : canonicalJson(content);
  return judgeSeal({
    schemaVersion: content['schemaVersion'], claimedDigest, signature, digest: sha256(canonical), canonicalText: () => canonical,
  }, publicKeyPem);
}

function signatureProblems(signature: unknown, bytes: () => Buffer, publicKeyPem: string): string[] {
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
  return verify(null, bytes(), key, Buffer.from(s.value, 'base64')) ? [] : ['signature does not match the content'];
}
