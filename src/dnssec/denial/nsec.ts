import type { Rr } from '../message.ts';
import { ancestorWithLabels, commonAncestor, compareNames, isAtOrBelow, namesEqual, wildcardAt, type Name } from '../name.ts';
import { readNsec, type Nsec } from '../rdata.ts';
import { TYPE } from '../rr-types.ts';
import type { Denial } from './types.ts';

/**
 * Proofs of non-existence from NSEC records (RFC 4034 4, RFC 4035 5.4, RFC 4592 for wildcards). Pure: the caller
 * verifies the signatures of the records a proof names in `records`, and only then believes it.
 */

type NsecRecord = { readonly owner: Name; readonly nsec: Nsec; readonly rr: Rr };

export function nsecRecords(authority: readonly Rr[], zone: Name): NsecRecord[] {
  return authority.flatMap((rr) => {
    const nsec = rr.type === TYPE.NSEC && isAtOrBelow(rr.owner, zone) ? readNsec(rr.rdata) : undefined;
    return nsec ? [{ owner: rr.owner, nsec, rr }] : [];
  });
}

/**
 * RFC 4034 4.1.1: an NSEC spans the names after its owner and before its next name in canonical order; the last
 * one of a zone names the apex as next, and spans everything after its owner.
 */
function covers(record: NsecRecord, name: Name, zone: Name): boolean {
  if (!isAtOrBelow(name, zone) || compareNames(record.owner, name) >= 0) return false;
  return compareNames(record.nsec.next, record.owner) <= 0 || compareNames(name, record.nsec.next) < 0;
}

/**
 * RFC 6840 4.1: an NSEC owned by an ancestor of the name at a delegation (NS without SOA) or a DNAME comes from
 * above a cut: the names below it are not the zone's to deny.
 */
function fromAboveCut(record: NsecRecord, name: Name): boolean {
  const { types } = record.nsec;
  return record.owner.length < name.length && isAtOrBelow(name, record.owner)
    && ((types.has(TYPE.NS) && !types.has(TYPE.SOA)) || types.has(TYPE.DNAME));
}

function coveringRecord(records: readonly NsecRecord[], name: Name, zone: Name): NsecRecord | undefined {
  return records.find((r) => covers(r, name, zone) && !fromAboveCut(r, name));
}

/** An NSEC spanning the name whose next name is not below it: else the name is an empty non-terminal, it exists. */
function absenceRecord(records: readonly NsecRecord[], name: Name, zone: Name): NsecRecord | undefined {
  return records.find((r) => covers(r, name, zone) && !fromAboveCut(r, name) && !isAtOrBelow(r.nsec.next, name));
}

/** The deepest name both the owner and the next name of the covering NSEC share with the name (RFC 4592 3.3.1). */
function closestEncloser(record: NsecRecord, name: Name): Name {
  const viaOwner = commonAncestor(name, record.owner);
  const viaNext = commonAncestor(name, record.nsec.next);
  return viaOwner.length >= viaNext.length ? viaOwner : viaNext;
}

/** What an NSEC at the name itself says about a type (RFC 4035 5.4). A string says why it proves nothing. */
function typeAbsentAt(record: NsecRecord, type: number): string | undefined {
  const { types } = record.nsec;
  if (types.has(type)) return 'the NSEC at the name lists the type asked';
  if (types.has(TYPE.CNAME)) return 'the NSEC shows a CNAME at the name';
  // The parent's NSEC at a delegation speaks only for DS; the child's NSEC at its apex never for DS, which the parent holds.
  if (type !== TYPE.DS && types.has(TYPE.NS) && !types.has(TYPE.SOA)) return 'the NSEC is the parent\'s, at a delegation, and proves only the absence of DS';
  if (type === TYPE.DS && types.has(TYPE.SOA)) return 'the NSEC is the child zone\'s apex NSEC, which cannot deny a DS';
  return undefined;
}

/** NODATA (RFC 4035 5.4): the name exists without the type, is an empty non-terminal, or a wildcard answers it without the type. */
export function nsecNodata(records: readonly NsecRecord[], name: Name, type: number, zone: Name): Denial {
  const exact = records.find((r) => namesEqual(r.owner, name));
  if (exact) {
    const why = typeAbsentAt(exact, type);
    if (why) return { kind: 'failed', reason: why };
    const { types } = exact.nsec;
    return { kind: 'nodata', records: [exact.rr], delegation: types.has(TYPE.NS) && !types.has(TYPE.SOA), optOut: false };
  }
  const covering = coveringRecord(records, name, zone);
  if (!covering) return { kind: 'failed', reason: 'no NSEC matches or covers the name' };
  // An empty non-terminal: the next name in the zone lies below the name, so the name exists with no records.
  if (isAtOrBelow(covering.nsec.next, name) && !namesEqual(covering.nsec.next, name)) {
    return { kind: 'nodata', records: [covering.rr], delegation: false, optOut: false };
  }
  const wildcard = wildcardAt(closestEncloser(covering, name));
  const atWildcard = records.find((r) => namesEqual(r.owner, wildcard));
  if (!atWildcard || typeAbsentAt(atWildcard, type)) return { kind: 'failed', reason: 'the name does not exist, and no NSEC shows a wildcard without the type' };
  return { kind: 'nodata', records: [covering.rr, atWildcard.rr], delegation: false, optOut: false, wildcard };
}

/** NXDOMAIN (RFC 4035 5.4): an NSEC spans the name, and one spans the wildcard at its closest encloser. */
export function nsecNxdomain(records: readonly NsecRecord[], name: Name, zone: Name): Denial {
  const covering = coveringRecord(records, name, zone);
  if (!covering) return { kind: 'failed', reason: 'no NSEC spans the name' };
  if (isAtOrBelow(covering.nsec.next, name)) return { kind: 'failed', reason: 'the NSEC shows names below the name, so it exists' };
  const encloser = closestEncloser(covering, name);
  const wildcard = wildcardAt(encloser);
  const wildcardCover = absenceRecord(records, wildcard, zone);
  if (!wildcardCover) return { kind: 'failed', reason: 'no NSEC proves that no wildcard could answer for the name' };
  const used = wildcardCover === covering ? [covering.rr] : [covering.rr, wildcardCover.rr];
  return { kind: 'nxdomain', records: used, closestEncloser: encloser, optOut: false };
}

/**
 * RFC 4035 5.3.4: a wildcard answer is only good with NSEC proof that there is no closer match: the name asked does
 * not exist, nor does the next closer name below the wildcard's encloser (else that would be the encloser).
 */
export function nsecWildcardAnswer(records: readonly NsecRecord[], name: Name, encloser: Name, zone: Name): Denial {
  const nameCover = absenceRecord(records, name, zone);
  const nextCloser = ancestorWithLabels(name, encloser.length + 1);
  const nextCloserCover = nextCloser && absenceRecord(records, nextCloser, zone);
  if (!nameCover || !nextCloserCover) return { kind: 'failed', reason: 'a wildcard answered, and no NSEC proves that no closer name exists' };
  return { kind: 'expanded', records: [...new Set([nameCover.rr, nextCloserCover.rr])], optOut: false };
}
