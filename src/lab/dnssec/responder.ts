import { readName, type Rr } from '../../dnssec/message.ts';
import { ancestorWithLabels, compareNames, isAtOrBelow, nameKey, namesEqual, wildcardAt, type Name } from '../../dnssec/name.ts';
import { nsec3Hash } from '../../dnssec/nsec3-hash.ts';
import { readNsec } from '../../dnssec/rdata.ts';
import { TYPE } from '../../dnssec/rr-types.ts';
import type { SignedZone } from './signer.ts';

/**
 * Answers a question from the lab's signed zones as a recursive resolver asked with CD answers it (RFC 4035 3.2.2:
 * the data unvalidated): from the deepest zone holding the name, DS from the parent side of a cut (RFC 4035
 * 3.1.4.1), CNAMEs followed across zones, wildcards expanded (RFC 4592), and with DO the RRSIGs and the NSEC/NSEC3
 * proofs an authoritative server adds (RFC 4035 3.1.3, RFC 5155 7.2). Pure: the server only encodes what this says.
 */

export type LabReply = { readonly rcode: number; readonly answer: readonly Rr[]; readonly authority: readonly Rr[] };

const NOERROR = 0;
const NXDOMAIN = 3;
const REFUSED = 5;
const MAX_CHASE = 8;

export function answerQuestion(zones: readonly SignedZone[], name: Name, type: number, dnssecOk: boolean, chased = 0): LabReply {
  const zone = zones.filter((z) => isAtOrBelow(name, z.apex) && !(type === TYPE.DS && namesEqual(name, z.apex)))
    .sort((a, b) => b.apex.length - a.apex.length)[0];
  if (!zone) return { rcode: REFUSED, answer: [], authority: [] };
  const at = new ZoneView(zone, dnssecOk);
  const cut = zone.delegations.find((c) => isAtOrBelow(name, c) && !(type === TYPE.DS && namesEqual(name, c)));
  if (cut) return { rcode: NOERROR, answer: [], authority: [...at.rrset(cut, TYPE.NS), ...at.signed(cut, TYPE.DS)] }; // a child the lab does not host
  const node = zone.rrsets.get(nameKey(name));
  const chase = (alias: readonly Rr[]): LabReply => {
    const target = readName(alias[0]!.rdata, 0)?.name;
    if (!target || chased >= MAX_CHASE) return { rcode: NOERROR, answer: alias, authority: [] };
    const rest = answerQuestion(zones, target, type, dnssecOk, chased + 1);
    return { ...rest, answer: [...alias, ...rest.answer] };
  };
  if (node?.has(type)) return { rcode: NOERROR, answer: at.signed(name, type), authority: [] };
  if (node?.has(TYPE.CNAME) && type !== TYPE.CNAME) return chase(at.signed(name, TYPE.CNAME));
  if (zone.existing.has(nameKey(name))) return { rcode: NOERROR, answer: [], authority: [...at.soa(), ...at.proveNodata(name)] };
  const encloser = at.closestEncloser(name);
  const wildcard = wildcardAt(encloser);
  const source = zone.rrsets.get(nameKey(wildcard));
  if (!source) return { rcode: NXDOMAIN, answer: [], authority: [...at.soa(), ...at.proveNxdomain(name, encloser)] };
  const expandedType = source.has(type) ? type : source.has(TYPE.CNAME) ? TYPE.CNAME : undefined;
  if (expandedType === undefined) {
    return { rcode: NOERROR, answer: [], authority: unique([...at.soa(), ...at.proveNoCloser(name, encloser), ...at.proveNodata(wildcard)]) };
  }
  // RFC 4592 4.1: the wildcard's records (and RRSIGs, whose labels field tells) with the name asked as owner.
  const expanded = at.signed(wildcard, expandedType).map((rr) => ({ ...rr, owner: name }));
  const proof = at.proveNoCloser(name, encloser);
  if (expandedType === type) return { rcode: NOERROR, answer: expanded, authority: proof };
  const rest = chase(expanded);
  return { ...rest, authority: [...proof, ...rest.authority] };
}

/** One zone's records and proofs, with or without the DNSSEC records (the DO bit). */
class ZoneView {
  private readonly zone: SignedZone;
  private readonly dnssecOk: boolean;

  constructor(zone: SignedZone, dnssecOk: boolean) {
    this.zone = zone;
    this.dnssecOk = dnssecOk;
  }

  rrset(owner: Name, type: number): readonly Rr[] {
    return this.zone.rrsets.get(nameKey(owner))?.get(type) ?? [];
  }

  /** The RRset with its RRSIGs when DO is set (RFC 4035 3.1.1). */
  signed(owner: Name, type: number): Rr[] {
    const sigs = this.dnssecOk ? this.zone.signatures.get(nameKey(owner))?.get(type) ?? [] : [];
    return [...this.rrset(owner, type), ...sigs];
  }

  soa(): Rr[] {
    return this.signed(this.zone.apex, TYPE.SOA);
  }

  /** The deepest existing ancestor of a name that does not exist (RFC 4592 3.3.1). */
  closestEncloser(name: Name): Name {
    for (let labels = name.length - 1; ; labels--) {
      const ancestor = ancestorWithLabels(name, labels)!;
      if (labels <= this.zone.apex.length || this.zone.existing.has(nameKey(ancestor))) return ancestor;
    }
  }

  /** RFC 4035 3.1.3.1, RFC 5155 7.2.3, 7.2.4: the record at the name, or (NSEC3, not in the chain) the Opt-Out proof. */
  proveNodata(name: Name): Rr[] {
    if (!this.zone.signed || !this.dnssecOk) return [];
    if (!this.zone.nsec3) {
      const own = this.signed(name, TYPE.NSEC);
      return own.length > 0 ? own : this.nsecSpanning(name); // an empty non-terminal has no NSEC of its own
    }
    const match = this.nsec3Matching(name);
    return match ? this.withSig(match) : this.proveNoCloser(name, this.closestEncloser(name));
  }

  /** RFC 4035 3.1.3.2, RFC 5155 7.2.2: the name does not exist, nor the wildcard at its closest encloser. */
  proveNxdomain(name: Name, encloser: Name): Rr[] {
    if (!this.zone.signed || !this.dnssecOk) return [];
    const wildcard = wildcardAt(encloser);
    if (!this.zone.nsec3) return unique([...this.nsecSpanning(name), ...this.nsecSpanning(wildcard)]);
    return unique([...this.proveNoCloser(name, encloser), ...this.withSig(this.nsec3Covering(wildcard))]);
  }

  /** RFC 4035 3.1.3.3, RFC 5155 7.2.1: no name closer than the encloser exists (the closest encloser proof for NSEC3). */
  proveNoCloser(name: Name, encloser: Name): Rr[] {
    if (!this.zone.signed || !this.dnssecOk) return [];
    const nextCloser = ancestorWithLabels(name, encloser.length + 1)!;
    if (!this.zone.nsec3) return unique([...this.nsecSpanning(name), ...this.nsecSpanning(nextCloser)]);
    return unique([...this.withSig(this.nsec3Matching(encloser)), ...this.withSig(this.nsec3Covering(nextCloser))]);
  }

  private nsecSpanning(name: Name): Rr[] {
    const record = this.zone.nsec.find((rr) => {
      const next = readNsec(rr.rdata)!.next;
      return compareNames(rr.owner, name) < 0 && (compareNames(next, rr.owner) <= 0 || compareNames(name, next) < 0);
    });
    return record ? this.signed(record.owner, TYPE.NSEC) : [];
  }

  private hash(name: Name): Buffer {
    const { salt, iterations } = this.zone.nsec3!.spec;
    return nsec3Hash(name, salt, iterations)!;
  }

  private nsec3Matching(name: Name): Rr | undefined {
    const hash = this.hash(name);
    return this.zone.nsec3!.chain.find((link) => link.hash.equals(hash))?.rr;
  }

  private nsec3Covering(name: Name): Rr | undefined {
    const hash = this.hash(name);
    const chain = this.zone.nsec3!.chain;
    // The chain is in hash order: the last link whose hash is below this one covers it, or the last of all (wrap).
    return [...chain].reverse().find((link) => Buffer.compare(link.hash, hash) < 0)?.rr ?? chain.at(-1)?.rr;
  }

  private withSig(rr: Rr | undefined): Rr[] {
    return rr ? [rr, ...this.zone.signatures.get(nameKey(rr.owner))?.get(TYPE.NSEC3) ?? []] : [];
  }
}

function unique(records: readonly Rr[]): Rr[] {
  return [...new Set(records)];
}
