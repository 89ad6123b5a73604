import { rewriteRdataNames, type Rr } from './message.ts';
import { ancestorWithLabels, lowerName, nameToWire, wildcardAt, type Name } from './name.ts';
import { writeRrsigFields, type Rrsig } from './rdata.ts';
import { RDATA_NAMES } from './rr-types.ts';

/**
 * The octets an RRSIG signs (RFC 4034 3.1.8.1, 6.2, 6.3; RFC 4035 5.3.2). Pure and total: what cannot be put in
 * canonical form gives undefined, which a validator treats as a signature that does not verify.
 */

/**
 * RFC 4034 6.2 item 3: the RDATA with the names of the listed types in lower case (RFC 6840 5.1: not NSEC's).
 * Undefined when the RDATA does not have its type's layout.
 */
export function canonicalRdata(type: number, rdata: Buffer): Buffer | undefined {
  const layout = RDATA_NAMES.get(type);
  if (!layout?.canonicalLower) return rdata;
  return rewriteRdataNames(rdata, 0, rdata.length, layout.fields, lowerName);
}

/**
 * RFC 4034 6.3: an RRset in canonical order, its RDATA compared as left-justified unsigned octet strings (a missing
 * octet sorts before a zero octet); identical RDATA kept once (RFC 2181 5: an RRset has no duplicates).
 */
export function canonicalRdataSet(type: number, rdatas: readonly Buffer[]): Buffer[] | undefined {
  const canonical: Buffer[] = [];
  for (const rdata of rdatas) {
    const form = canonicalRdata(type, rdata);
    if (!form) return undefined;
    canonical.push(form);
  }
  canonical.sort(Buffer.compare);
  return canonical.filter((rdata, i) => i === 0 || !rdata.equals(canonical[i - 1]!));
}

/**
 * RFC 4035 5.3.2: the owner name a signature covers. Fewer RRSIG labels than the owner has means the RRset was
 * expanded from the wildcard `*.` + the rightmost `labels` labels; more means the RRSIG is invalid (undefined).
 */
export function signedOwner(owner: Name, labels: number): Name | undefined {
  if (labels > owner.length) return undefined;
  return labels === owner.length ? owner : wildcardAt(ancestorWithLabels(owner, labels)!);
}

/**
 * RFC 4034 3.1.8.1: signature = sign(RRSIG_RDATA | RR(1) | RR(2)...), where RRSIG_RDATA is the RRSIG's fields
 * without the signature (signer name in canonical form) and each RR is in canonical form with the owner of
 * RFC 4035 5.3.2 and the RRSIG's Original TTL, in canonical RRset order.
 */
export function signedData(rrsig: Omit<Rrsig, 'signature'>, rrset: readonly Rr[]): Buffer | undefined {
  const first = rrset[0];
  if (!first) return undefined;
  const owner = signedOwner(first.owner, rrsig.labels);
  const rdatas = canonicalRdataSet(first.type, rrset.map((rr) => rr.rdata));
  if (!owner || !rdatas) return undefined;
  const ownerWire = nameToWire(owner, true);
  const parts: Buffer[] = [writeRrsigFields(rrsig, true)];
  for (const rdata of rdatas) {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(first.type, 0);
    fixed.writeUInt16BE(first.class, 2);
    fixed.writeUInt32BE(rrsig.originalTtl >>> 0, 4);
    fixed.writeUInt16BE(rdata.length, 8);
    parts.push(ownerWire, fixed, rdata);
  }
  return Buffer.concat(parts);
}
