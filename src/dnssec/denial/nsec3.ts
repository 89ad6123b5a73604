import type { Rr } from '../message.ts';
import { ancestorWithLabels, isAtOrBelow, nameKey, wildcardAt, type Name } from '../name.ts';
import { base32hexDecode, nsec3Hash, NSEC3_SHA1 } from '../nsec3-hash.ts';
import { NSEC3_OPT_OUT, readNsec3, type Nsec3 } from '../rdata.ts';
import { TYPE } from '../rr-types.ts';
import type { Denial } from './types.ts';

/**
 * Proofs of non-existence from NSEC3 records (RFC 5155 8, with the iteration limit of RFC 9276 3.2). Pure: the
 * caller verifies the signatures of the records a proof names in `records`, and only then believes it.
 */

/** RFC 9276 3.2: validators may treat NSEC3 with more iterations as insecure; 150 is what BIND and Unbound use. */
export const MAX_NSEC3_ITERATIONS = 150;

type Nsec3Record = { readonly hash: Buffer; readonly nsec3: Nsec3; readonly rr: Rr };
type Chain = { readonly records: readonly Nsec3Record[]; readonly hashOf: (name: Name) => Buffer };

/**
 * The zone's NSEC3 records from an authority section, all with the parameters of the first usable one: owned by a
 * hash label directly below the zone, SHA-1 (RFC 5155 8.1: ignore unknown hash algorithms), flags 0 or 1 (8.2).
 */
export function nsec3Chain(authority: readonly Rr[], zone: Name): Chain | Extract<Denial, { kind: 'failed' | 'insecure' }> {
  const parsed = authority.flatMap((rr) => {
    if (rr.type !== TYPE.NSEC3 || rr.owner.length !== zone.length + 1 || !isAtOrBelow(rr.owner, zone)) return [];
    const hash = base32hexDecode(rr.owner[0]!.toString('latin1'));
    const nsec3 = readNsec3(rr.rdata);
    return hash && nsec3 ? [{ hash, nsec3, rr }] : [];
  });
  const usable = parsed.filter((r) => r.nsec3.hashAlgorithm === NSEC3_SHA1 && (r.nsec3.flags & ~NSEC3_OPT_OUT) === 0);
  const first = usable[0];
  if (!first) return { kind: 'failed', reason: parsed.length > 0 ? 'the NSEC3 records use an unknown hash algorithm or flags (RFC 5155 8.1, 8.2)' : 'no NSEC3 records for the zone' };
  const { iterations, salt } = first.nsec3;
  if (iterations > MAX_NSEC3_ITERATIONS) {
    return { kind: 'insecure', records: [first.rr], reason: `NSEC3 with ${iterations} iterations, above the ${MAX_NSEC3_ITERATIONS} of RFC 9276 3.2` };
  }
  const records = usable.filter((r) => r.nsec3.iterations === iterations && r.nsec3.salt.equals(salt)
    && r.hash.length === r.nsec3.nextHashed.length);
  const hashes = new Map<string, Buffer>();
  const hashOf = (name: Name): Buffer => {
    const key = nameKey(name);
    let hash = hashes.get(key);
    if (!hash) hashes.set(key, (hash = nsec3Hash(name, salt, iterations)!));
    return hash;
  };
  return { records, hashOf };
}

function matching(chain: Chain, name: Name): Nsec3Record | undefined {
  const hash = chain.hashOf(name);
  return chain.records.find((r) => r.hash.equals(hash));
}

/** RFC 5155 1.3: a record covers a hash between its owner's and its next hash; the last one wraps around. */
function covering(chain: Chain, name: Name): Nsec3Record | undefined {
  const hash = chain.hashOf(name);
  return chain.records.find((r) => {
    const after = Buffer.compare(r.hash, hash) < 0;
    const before = Buffer.compare(hash, r.nsec3.nextHashed) < 0;
    return Buffer.compare(r.nsec3.nextHashed, r.hash) <= 0 ? after || before : after && before;
  });
}

type Encloser = { readonly encloser: Name; readonly match: Nsec3Record; readonly nextCloserCover: Nsec3Record };

/**
 * RFC 5155 8.3: the closest encloser proof. The deepest ancestor of the name with a matching NSEC3, and an NSEC3
 * covering the next closer name (one label longer towards the name). RFC 6840 4.1: a match at a delegation (NS
 * without SOA) or a DNAME is from above a cut and encloses nothing.
 */
function closestEncloser(chain: Chain, name: Name, zone: Name): Encloser | string {
  for (let labels = name.length - 1; labels >= zone.length; labels--) {
    const encloser = ancestorWithLabels(name, labels)!;
    const match = matching(chain, encloser);
    if (!match) continue;
    const { types } = match.nsec3;
    if (types.has(TYPE.DNAME) || (types.has(TYPE.NS) && !types.has(TYPE.SOA))) return 'the closest encloser\'s NSEC3 is a delegation or a DNAME';
    const nextCloserCover = covering(chain, ancestorWithLabels(name, labels + 1)!);
    return nextCloserCover ? { encloser, match, nextCloserCover } : 'no NSEC3 covers the next closer name';
  }
  return 'no NSEC3 matches any ancestor of the name';
}

const optOut = (record: Nsec3Record) => (record.nsec3.flags & NSEC3_OPT_OUT) !== 0;

/** RFC 5155 8.5 (NODATA), 8.6 (DS NODATA under Opt-Out), 8.7 (wildcard NODATA), 8.9 (unsigned delegation). */
export function nsec3Nodata(chain: Chain, name: Name, type: number, zone: Name): Denial {
  const exact = matching(chain, name);
  if (exact) {
    const { types } = exact.nsec3;
    if (types.has(type)) return { kind: 'failed', reason: 'the NSEC3 matching the name lists the type asked' };
    if (types.has(TYPE.CNAME)) return { kind: 'failed', reason: 'the NSEC3 shows a CNAME at the name' };
    const delegation = types.has(TYPE.NS) && !types.has(TYPE.SOA);
    if (type !== TYPE.DS && delegation) return { kind: 'failed', reason: 'the NSEC3 is the parent\'s, at a delegation, and proves only the absence of DS' };
    if (type === TYPE.DS && types.has(TYPE.SOA)) return { kind: 'failed', reason: 'the NSEC3 is the child zone\'s apex, which cannot deny a DS' };
    return { kind: 'nodata', records: [exact.rr], delegation, optOut: false };
  }
  const proof = closestEncloser(chain, name, zone);
  if (typeof proof === 'string') return { kind: 'failed', reason: `no NSEC3 matches the name, and ${proof}` };
  if (type === TYPE.DS && optOut(proof.nextCloserCover)) {
    return { kind: 'nodata', records: [proof.match.rr, proof.nextCloserCover.rr], delegation: false, optOut: true };
  }
  const wildcard = wildcardAt(proof.encloser);
  const atWildcard = matching(chain, wildcard);
  if (!atWildcard || atWildcard.nsec3.types.has(type) || atWildcard.nsec3.types.has(TYPE.CNAME)) {
    return { kind: 'failed', reason: 'no NSEC3 matches the name, and none shows a wildcard without the type' };
  }
  return { kind: 'nodata', records: [proof.match.rr, proof.nextCloserCover.rr, atWildcard.rr], delegation: false, optOut: false, wildcard };
}

/** RFC 5155 8.4: a closest encloser proof, and an NSEC3 covering the wildcard at the closest encloser. */
export function nsec3Nxdomain(chain: Chain, name: Name, zone: Name): Denial {
  if (matching(chain, name)) return { kind: 'failed', reason: 'an NSEC3 matches the name, so it exists' };
  const proof = closestEncloser(chain, name, zone);
  if (typeof proof === 'string') return { kind: 'failed', reason: proof };
  const wildcardCover = covering(chain, wildcardAt(proof.encloser));
  if (!wildcardCover) return { kind: 'failed', reason: 'no NSEC3 proves that no wildcard could answer for the name' };
  const records = [...new Set([proof.match.rr, proof.nextCloserCover.rr, wildcardCover.rr])];
  return { kind: 'nxdomain', records, closestEncloser: proof.encloser, optOut: optOut(proof.nextCloserCover) };
}

/** RFC 5155 8.8: a wildcard answer needs an NSEC3 covering the next closer name below the wildcard's encloser. */
export function nsec3WildcardAnswer(chain: Chain, name: Name, encloser: Name): Denial {
  const nextCloser = ancestorWithLabels(name, encloser.length + 1);
  const cover = nextCloser && covering(chain, nextCloser);
  return cover ? { kind: 'expanded', records: [cover.rr], optOut: optOut(cover) }
    : { kind: 'failed', reason: 'a wildcard answered, and no NSEC3 covers the next closer name' };
}
