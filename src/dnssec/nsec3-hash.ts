import { createHash } from 'node:crypto';
import { nameToWire, type Name } from './name.ts';

/** NSEC3 hashed owner names (RFC 5155 5) and their base32hex text (RFC 4648 7, RFC 5155 1.3). */

const ALPHABET = '0123456789abcdefghijklmnopqrstuv';

/** RFC 4648 7 without padding, lower case as NSEC3 owner labels are usually written. */
export function base32hexEncode(bytes: Buffer): string {
  let text = '';
  let buffer = 0;
  let bits = 0;
  for (const octet of bytes) {
    buffer = (buffer << 8) | octet;
    bits += 8;
    while (bits >= 5) {
      text += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return bits > 0 ? text + ALPHABET[(buffer << (5 - bits)) & 31] : text;
}

/**
 * Decodes base32hex in either case, without padding. Undefined for a character outside the alphabet, a length no
 * encoding produces (1, 3 or 6 modulo 8) or non-zero leftover bits.
 */
export function base32hexDecode(text: string): Buffer | undefined {
  if ([1, 3, 6].includes(text.length % 8)) return undefined;
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text.toLowerCase()) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) return undefined;
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return (buffer & ((1 << bits) - 1)) === 0 ? Buffer.from(out) : undefined;
}

/** RFC 5155 11: the only NSEC3 hash algorithm, SHA-1. */
export const NSEC3_SHA1 = 1;

/**
 * RFC 5155 5: IH(salt, x, 0) = H(x | salt), IH(salt, x, k) = H(IH(salt, x, k-1) | salt), x the owner name in
 * canonical wire form; the hash is IH(salt, name, iterations). Undefined for an unknown hash algorithm.
 */
export function nsec3Hash(name: Name, salt: Buffer, iterations: number, algorithm = NSEC3_SHA1): Buffer | undefined {
  if (algorithm !== NSEC3_SHA1) return undefined;
  let digest = createHash('sha1').update(nameToWire(name, true)).update(salt).digest();
  for (let i = 0; i < iterations; i++) digest = createHash('sha1').update(digest).update(salt).digest();
  return digest;
}
