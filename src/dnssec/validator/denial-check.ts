import type { Denial } from '../denial/index.ts';
import type { Rr } from '../message.ts';
import { nameToText } from '../name.ts';
import { presentRecord } from '../present.ts';
import { TYPE } from '../rr-types.ts';
import { groupRrsets, rrsetOf, rrsigsOf } from './ask.ts';
import type { Failure, SignatureEvidence } from './types.ts';
import { failureOf, verifyRrset } from './verify-rrset.ts';
import type { SecureZone, WalkContext } from './zone-trust.ts';

/**
 * A denial proof is believed only once the NSEC/NSEC3 RRsets it rests on verify with the zone's keys; only those
 * are verified, so a reply stuffed with records costs nothing extra.
 */

export type CheckedDenial =
  | { readonly ok: true; readonly denial: Exclude<Denial, { kind: 'failed' }>; readonly records: readonly string[]; readonly signatures: readonly SignatureEvidence[]; readonly weak: readonly string[] }
  | { readonly ok: false; readonly failure: Failure; readonly records: readonly string[]; readonly signatures: readonly SignatureEvidence[] };

export function checkDenial(denial: Denial, authority: readonly Rr[], zone: SecureZone, context: WalkContext, what: string): CheckedDenial {
  const offered = authority.filter((rr) => rr.type === TYPE.NSEC || rr.type === TYPE.NSEC3);
  if (denial.kind === 'failed') {
    const failure: Failure = offered.length === 0
      ? { state: 'bogus', reason: 'missing-denial', detail: `${what}: no NSEC or NSEC3 records prove it, though ${nameToText(zone.zone)} is signed` }
      : { state: 'bogus', reason: 'invalid-denial', detail: `${what}: the denial of existence does not hold: ${denial.reason}` };
    return { ok: false, failure, records: offered.map(presentRecord), signatures: [] };
  }
  const signatures: SignatureEvidence[] = [];
  const weak: string[] = [];
  const used = groupRrsets(denial.records).map((group) => rrsetOf(authority, group[0]!.owner, group[0]!.type));
  for (const rrset of used) {
    const check = verifyRrset(rrset, rrsigsOf(authority), zone.zone, zone.keys, context.nowSeconds, context.budget);
    signatures.push(...check.signatures);
    if (!check.ok) {
      const failure = failureOf(check, `${what}: the denial of existence is not authentic: ${check.detail}`);
      return { ok: false, failure, records: used.flat().map(presentRecord), signatures };
    }
    if (check.weak) weak.push(check.weak);
  }
  return { ok: true, denial, records: used.flat().map(presentRecord), signatures, weak };
}
