import { generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { keyTag } from '../../dnssec/keys.ts';
import { DNSKEY_FLAG, DNSKEY_PROTOCOL, writeDnskey } from '../../dnssec/rdata.ts';

/** DNSSEC signing keys made at test time with node:crypto, and signatures in the RRSIG formats of their RFCs. */

export type SigningKey = {
  readonly algorithm: number;
  /** DNSKEY flags: 257 for a key-signing key (SEP), 256 for a zone-signing key (RFC 4034 2.1.1). */
  readonly flags: number;
  readonly rdata: Buffer;
  readonly tag: number;
  readonly privateKey: KeyObject;
};

type Recipe = { readonly generate: () => { publicKey: KeyObject; privateKey: KeyObject }; readonly publicKey: (jwk: JsonWebKey) => Buffer; readonly hash: string | null; readonly raw?: boolean };

const b64 = (text: string | undefined) => Buffer.from(text ?? '', 'base64url');
/** RFC 3110 2: exponent length (one octet, or 0 and two octets), exponent, modulus. */
const rsaKey = (jwk: JsonWebKey) => {
  const e = b64(jwk.e);
  return Buffer.concat([e.length < 256 ? Buffer.from([e.length]) : Buffer.from([0, e.length >> 8, e.length & 255]), e, b64(jwk.n)]);
};
const rsa = (hash: string): Recipe => ({ generate: () => generateKeyPairSync('rsa', { modulusLength: 2048 }), publicKey: rsaKey, hash });
/** RFC 6605 4: x | y; signatures r | s. */
const ecdsa = (namedCurve: string, hash: string): Recipe => ({
  generate: () => generateKeyPairSync('ec', { namedCurve }), publicKey: (jwk) => Buffer.concat([b64(jwk.x), b64(jwk.y)]), hash, raw: true,
});
/** RFC 8080 3, 4: the raw public key; the raw signature. */
const eddsa = (type: 'ed25519' | 'ed448'): Recipe => ({
  generate: () => type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ed448'), publicKey: (jwk) => b64(jwk.x), hash: null,
});

const RECIPES = new Map<number, Recipe>([
  [5, rsa('sha1')], [7, rsa('sha1')], [8, rsa('sha256')], [10, rsa('sha512')],
  [13, ecdsa('P-256', 'sha256')], [14, ecdsa('P-384', 'sha384')], [15, eddsa('ed25519')], [16, eddsa('ed448')],
]);

/** A new key; RSA keys are 2048 bits (RFC 8624 3.1), which takes a while: make them once per test file. */
export function generateSigningKey(algorithm: number, role: 'ksk' | 'zsk'): SigningKey {
  const recipe = RECIPES.get(algorithm);
  if (!recipe) throw new RangeError(`the lab cannot sign with algorithm ${algorithm}`);
  const { publicKey, privateKey } = recipe.generate();
  const flags = DNSKEY_FLAG.ZONE | (role === 'ksk' ? DNSKEY_FLAG.SEP : 0);
  const rdata = writeDnskey({ flags, protocol: DNSKEY_PROTOCOL, algorithm, publicKey: recipe.publicKey(publicKey.export({ format: 'jwk' })) });
  return { algorithm, flags, rdata, tag: keyTag(rdata), privateKey };
}

export function signData(key: SigningKey, data: Buffer): Buffer {
  const recipe = RECIPES.get(key.algorithm)!;
  return sign(recipe.hash, data, recipe.raw ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey);
}
