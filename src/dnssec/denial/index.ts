import type { Rr } from '../message.ts';
import type { Name } from '../name.ts';
import { TYPE } from '../rr-types.ts';
import { nsecNodata, nsecNxdomain, nsecRecords, nsecWildcardAnswer } from './nsec.ts';
import { nsec3Chain, nsec3Nodata, nsec3Nxdomain, nsec3WildcardAnswer } from './nsec3.ts';
import type { Denial } from './types.ts';

export type { Denial } from './types.ts';
export { MAX_NSEC3_ITERATIONS } from './nsec3.ts';

/** RFC 1035 4.1.1. */
const NXDOMAIN = 3;

/**
 * What the zone's NSEC or NSEC3 records in an authority section prove for a negative answer: NXDOMAIN needs a
 * proof that the name does not exist, NOERROR without the type a proof that the type does not exist there.
 */
export function proveDenial(authority: readonly Rr[], zone: Name, name: Name, type: number, rcode: number): Denial {
  const nsec = nsecRecords(authority, zone);
  if (nsec.length > 0) return rcode === NXDOMAIN ? nsecNxdomain(nsec, name, zone) : nsecNodata(nsec, name, type, zone);
  if (!authority.some((rr) => rr.type === TYPE.NSEC3)) return { kind: 'failed', reason: 'no NSEC or NSEC3 records came with the answer' };
  const chain = nsec3Chain(authority, zone);
  if ('kind' in chain) return chain;
  return rcode === NXDOMAIN ? nsec3Nxdomain(chain, name, zone) : nsec3Nodata(chain, name, type, zone);
}

/** For an answer expanded from the wildcard `*.encloser`: the proof that the name asked does not exist itself. */
export function proveExpansion(authority: readonly Rr[], zone: Name, name: Name, encloser: Name): Denial {
  const nsec = nsecRecords(authority, zone);
  if (nsec.length > 0) return nsecWildcardAnswer(nsec, name, encloser, zone);
  const chain = nsec3Chain(authority, zone);
  if ('kind' in chain) return chain.kind === 'failed' ? { kind: 'failed', reason: `a wildcard answered, and ${chain.reason}` } : chain;
  return nsec3WildcardAnswer(chain, name, encloser);
}
