import { createPublicKey } from 'node:crypto';
import { parseTagList } from './tag-list.ts';

/** Key algorithms a DKIM key record may name: RSA (RFC 6376 3.3) and Ed25519 (RFC 8463). */
export type DkimKeyType = 'rsa' | 'ed25519';

/** A DKIM public-key record (RFC 6376 3.6.1) as a verifier would use it. JSON-only, so it can be evidence. */
export type DkimKey = {
  readonly version: string | null;
  readonly keyType: DkimKeyType;
  /** `p=` present but empty: the key has been revoked (RFC 6376 3.6.1). */
  readonly revoked: boolean;
  /** RSA modulus bits, 256 for Ed25519, null when revoked. */
  readonly keyBits: number | null;
  /** `t=y`: the domain is testing DKIM; verifiers must not treat its signatures differently from unsigned mail. */
  readonly testing: boolean;
  /** `t=s`: the i= domain must equal d= exactly. */
  readonly strict: boolean;
  readonly hashAlgorithms: readonly string[] | null;
  readonly serviceTypes: readonly string[] | null;
  readonly humanNote: string | null;
  readonly unknownTags: readonly string[];
};

/** A usable key (with non-fatal `notes`), or why a verifier would reject the record. */
export type DkimParse =
  | { readonly ok: true; readonly key: DkimKey; readonly notes: readonly string[] }
  | { readonly ok: false; readonly problem: string };

const KNOWN_TAGS = new Set(['v', 'h', 'k', 'n', 'p', 's', 't']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const ED25519_KEY_BYTES = 32;

/**
 * Parses one DKIM key record TXT string. Pure and total: anything a verifier would reject is `ok: false`.
 * - RFC 6376 3.2: tag names are case-sensitive and a repeated tag invalidates the record.
 * - 3.6.1: `v=`, if present, must be first and `DKIM1`; `p=` is required and empty means revoked; unknown tags ignored.
 * - 3.6.1 `k=`: defaults to rsa; RFC 8463 3 adds ed25519, whose `p=` is the raw 32-byte key, not an SPKI.
 * - 3.6.1 `h=`: RFC 8301 3.1 forbids sha1, so an `h=` without sha256 leaves the key unusable.
 * - 3.6.1 `s=`: a key restricted to other services than `email` (or `*`) cannot verify mail.
 */
export function parseDkimKey(text: string): DkimParse {
  const list = parseTagList(text);
  if (list.problems.length > 0) return { ok: false, problem: list.problems.join('; ') };
  const tags = new Map(list.tags.map((t) => [t.name, t.value]));
  const version = tags.get('v') ?? null;
  if (version !== null && list.tags[0]?.name !== 'v') return { ok: false, problem: 'v= must be the first tag (RFC 6376 3.6.1)' };
  if (version !== null && version !== 'DKIM1') return { ok: false, problem: `v=${version} is not DKIM1` };
  const k = (tags.get('k') ?? 'rsa').toLowerCase();
  if (k !== 'rsa' && k !== 'ed25519') return { ok: false, problem: `unknown key type k=${k}` };
  const hashAlgorithms = listValue(tags.get('h'));
  if (hashAlgorithms && !hashAlgorithms.includes('sha256')) {
    return { ok: false, problem: `h=${tags.get('h')} does not allow sha256; sha1 must not be used (RFC 8301 3.1)` };
  }
  const serviceTypes = listValue(tags.get('s'));
  if (serviceTypes && !serviceTypes.includes('*') && !serviceTypes.includes('email')) {
    return { ok: false, problem: `s=${tags.get('s')} does not include email` };
  }
  const p = tags.get('p');
  if (p === undefined) return { ok: false, problem: 'p= (the public key) is missing' };
  const flags = listValue(tags.get('t')) ?? [];
  const base = {
    version, keyType: k, testing: flags.includes('y'), strict: flags.includes('s'),
    hashAlgorithms, serviceTypes, humanNote: tags.get('n') ?? null,
    unknownTags: list.tags.map((t) => t.name).filter((name) => !KNOWN_TAGS.has(name)),
  } as const;
  const key = p.replace(/\s+/g, '');
  if (key === '') return { ok: true, key: { ...base, revoked: true, keyBits: null }, notes: [] };
  if (!BASE64.test(key) || key.length % 4 !== 0) return { ok: false, problem: 'p= is not valid base64' };
  const bits = k === 'rsa' ? rsaBits(Buffer.from(key, 'base64')) : ed25519Bits(Buffer.from(key, 'base64'));
  if (!bits.ok) return bits;
  return { ok: true, key: { ...base, revoked: false, keyBits: bits.bits }, notes: bits.notes };
}

/** Colon-separated value list (RFC 6376 3.6.1 h=, s=, t=), lower-cased; null when the tag is absent. */
function listValue(value: string | undefined): readonly string[] | null {
  if (value === undefined) return null;
  return value.split(':').map((v) => v.trim().toLowerCase()).filter((v) => v !== '');
}

type KeyBits =
  | { readonly ok: true; readonly bits: number; readonly notes: readonly string[] }
  | { readonly ok: false; readonly problem: string };

/** RFC 6376 3.6.1: an RSA p= is a DER SubjectPublicKeyInfo. A bare PKCS#1 RSAPublicKey is accepted by some verifiers only. */
function rsaBits(der: Buffer): KeyBits {
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type });
      if (key.asymmetricKeyType !== 'rsa') {
        return { ok: false, problem: `k=rsa but p= holds a key of type ${key.asymmetricKeyType ?? 'unknown'}` };
      }
      const bits = key.asymmetricKeyDetails?.modulusLength;
      if (bits === undefined) return { ok: false, problem: 'RSA modulus length unreadable' };
      const notes = type === 'pkcs1'
        ? ['p= is a bare PKCS#1 RSAPublicKey, not the SubjectPublicKeyInfo RFC 6376 3.6.1 requires; some verifiers reject it']
        : [];
      return { ok: true, bits, notes };
    } catch {
      // Not this encoding; try the next one. Which DER error it was does not matter to the verdict.
    }
  }
  return { ok: false, problem: 'p= is not a DER-encoded RSA public key' };
}

/** RFC 8463 3: the Ed25519 p= is the raw 32-byte public key; an SPKI-wrapped key (44 bytes) fails verification. */
function ed25519Bits(raw: Buffer): KeyBits {
  if (raw.length === ED25519_KEY_BYTES) return { ok: true, bits: 256, notes: [] };
  const spki = raw.length === 44 ? ' (it looks like a SubjectPublicKeyInfo; publish the raw key)' : '';
  return { ok: false, problem: `k=ed25519 needs a raw 32-byte key (RFC 8463 3), got ${raw.length} bytes${spki}` };
}
