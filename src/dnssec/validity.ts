/**
 * RRSIG validity periods (RFC 4034 3.1.5, RFC 4035 5.3.1): inception and expiration are 32-bit seconds since 1970
 * compared in serial number arithmetic (RFC 1982), so they keep working after 2106. The clock is an argument.
 */

const HALF = 2 ** 31;
const WRAP = 2 ** 32;

/**
 * RFC 1982 3.2: a < b when b is ahead of a by less than half the number space. Two values exactly half apart are
 * not comparable: neither is less than the other.
 */
export function serialLess(a: number, b: number): boolean {
  const x = a >>> 0;
  const y = b >>> 0;
  return (x < y && y - x < HALF) || (x > y && x - y > HALF);
}

export type SignatureTime = 'valid' | 'expired' | 'not-yet-valid';

/**
 * RFC 4035 5.3.1: the validator's time must be at or after the inception and at or before the expiration.
 * `nowSeconds` is POSIX time; it is taken modulo 2^32 as the RRSIG fields are.
 */
export function signatureTime(inception: number, expiration: number, nowSeconds: number): SignatureTime {
  const now = ((Math.floor(nowSeconds) % WRAP) + WRAP) % WRAP;
  if (now !== inception >>> 0 && !serialLess(inception, now)) return 'not-yet-valid';
  if (now !== expiration >>> 0 && !serialLess(now, expiration)) return 'expired';
  return 'valid';
}

/**
 * The calendar time an RRSIG field means, as ISO 8601, read as the 32-bit window around `nowSeconds` (RFC 4034
 * 3.1.5): the moment nearest to now with these low 32 bits.
 */
export function serialTimeToIso(value: number, nowSeconds: number): string {
  const base = Math.floor(nowSeconds / WRAP) * WRAP;
  const candidates = [base - WRAP, base, base + WRAP].map((high) => high + (value >>> 0));
  const nearest = candidates.reduce((best, t) => (Math.abs(t - nowSeconds) < Math.abs(best - nowSeconds) ? t : best));
  return new Date(nearest * 1000).toISOString().replace('.000Z', 'Z');
}
