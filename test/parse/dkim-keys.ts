import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * Base64 of a DER SubjectPublicKeyInfo for an RSA key with a modulus of exactly `bits` bits. The modulus is random,
 * not a product of primes: a public key is never checked for that, and it keeps 4096+-bit rows fast.
 */
export function rsaSpkiBase64(bits: number, type: 'spki' | 'pkcs1' = 'spki'): string {
  const modulus = randomBytes(Math.ceil(bits / 8));
  const topBits = bits % 8 === 0 ? 8 : bits % 8;
  modulus[0] = (modulus[0]! & ((1 << topBits) - 1)) | (1 << (topBits - 1));
  modulus[modulus.length - 1]! |= 1;
  const key = createPublicKey({ key: { kty: 'RSA', n: modulus.toString('base64url'), e: 'AQAB' }, format: 'jwk' });
  return key.export({ type, format: 'der' }).toString('base64');
}

/** An Ed25519 public key: the raw 32 bytes (RFC 8463 3) or, wrongly, the 44-byte SubjectPublicKeyInfo. */
export function ed25519Base64(form: 'raw' | 'spki' = 'raw'): string {
  const spki = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
  return (form === 'raw' ? spki.subarray(spki.length - 32) : spki).toString('base64');
}

/** An EC P-256 key in SPKI form, to publish under k=rsa by mistake. */
export function ecSpkiBase64(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}
