import { createHash } from 'node:crypto';
import { nameToWire, type Name } from './name.ts';

/** Key tags and DS digests: how a parent's DS record names and pins a child's DNSKEY (RFC 4034 5, Appendix B). */

/**
 * RFC 4034 Appendix B: the key tag of a DNSKEY RDATA, a 16-bit checksum of it; for algorithm 1 (RSA/MD5, Appendix
 * B.1) the most significant 16 bits of the modulus' last 24 instead. Not unique: several keys may share a tag.
 */
export function keyTag(dnskeyRdata: Buffer): number {
  if (dnskeyRdata.length >= 4 && dnskeyRdata[3] === 1) {
    return dnskeyRdata.length < 7 ? 0 : dnskeyRdata.readUInt16BE(dnskeyRdata.length - 3);
  }
  let accumulator = 0;
  for (let i = 0; i < dnskeyRdata.length; i++) accumulator += i & 1 ? dnskeyRdata[i]! : dnskeyRdata[i]! << 8;
  accumulator += (accumulator >> 16) & 0xffff;
  return accumulator & 0xffff;
}

/** DS digest types Vouch computes (IANA "Digest Algorithms"): RFC 4034 5.1.4 (SHA-1), RFC 4509 (SHA-256), RFC 6605 (SHA-384). */
export const DIGEST_TYPES: ReadonlyMap<number, { readonly name: string; readonly hash: string; readonly octets: number; readonly weak: boolean }> = new Map([
  // RFC 8624 3.3: SHA-1 DS records MUST NOT be published any more; validators still accept them.
  [1, { name: 'SHA-1', hash: 'sha1', octets: 20, weak: true }],
  [2, { name: 'SHA-256', hash: 'sha256', octets: 32, weak: false }],
  [4, { name: 'SHA-384', hash: 'sha384', octets: 48, weak: false }],
]);

/**
 * RFC 4034 5.1.4: digest = hash(DNSKEY owner name in canonical form | DNSKEY RDATA). Undefined for a digest type
 * Vouch does not know (3, GOST, among them).
 */
export function dsDigest(owner: Name, dnskeyRdata: Buffer, digestType: number): Buffer | undefined {
  const digest = DIGEST_TYPES.get(digestType);
  if (!digest) return undefined;
  return createHash(digest.hash).update(nameToWire(owner, true)).update(dnskeyRdata).digest();
}
