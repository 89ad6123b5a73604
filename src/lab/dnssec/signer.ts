import { signedData } from '../../dnssec/canonical.ts';
import { dsDigest } from '../../dnssec/keys.ts';
import type { Rr } from '../../dnssec/message.ts';
import { compareNames, isAtOrBelow, nameKey, namesEqual, signatureLabelCount, type Name } from '../../dnssec/name.ts';
import { base32hexEncode, nsec3Hash } from '../../dnssec/nsec3-hash.ts';
import { NSEC3_OPT_OUT, writeDs, writeNsec, writeNsec3, writeRrsig } from '../../dnssec/rdata.ts';
import { CLASS_IN, TYPE } from '../../dnssec/rr-types.ts';
import { signData, type SigningKey } from './keys.ts';
import { labName, LAB_TTL } from './records.ts';

/**
 * Signs a lab zone the way a real signer does (RFC 4035 2): a DNSKEY RRset signed by the KSK, every authoritative
 * RRset signed by the ZSK (not the NS RRset or glue at a delegation, RFC 4035 2.2), and an NSEC chain (RFC 4034 4)
 * or an NSEC3 chain with its NSEC3PARAM (RFC 5155 7.1), optionally Opt-Out over unsigned delegations. `tamper`
 * breaks named RRsets' signatures on purpose, for the validator's failure cases.
 */

export type Nsec3Spec = {
  readonly iterations: number; readonly salt: Buffer; readonly optOut: boolean;
  /** With Opt-Out, the unsigned delegations left out of the chain (default: all of them). */
  readonly optOutOmits?: readonly string[];
};
export type Tamper = 'corrupt' | 'strip' | 'expired' | 'future';

export type Signing = {
  readonly ksk: SigningKey; readonly zsk: SigningKey;
  readonly denial: 'nsec' | Nsec3Spec;
  /** RRSIG validity period, POSIX seconds. */
  readonly inception: number; readonly expiration: number;
  /** Owner name (lower case, final dot) -> what to do to the signatures of its RRsets, NSEC aside. */
  readonly tamper?: Readonly<Record<string, Tamper>>;
};

export type ZoneSpec = { readonly apex: string; readonly records: readonly Rr[]; readonly signing?: Signing };

type ByType = Map<number, Rr[]>;

export type SignedZone = {
  readonly apex: Name;
  readonly signed: boolean;
  /** Owner -> type -> RRset, DNSSEC records (DNSKEY, NSEC, NSEC3PARAM) included, RRSIGs not. */
  readonly rrsets: ReadonlyMap<string, ByType>;
  /** Owner (hashed NSEC3 owners too) -> covered type -> RRSIGs. */
  readonly signatures: ReadonlyMap<string, ByType>;
  /** Names that exist: owners and the empty non-terminals above them (RFC 4592 2.2.2). */
  readonly existing: ReadonlySet<string>;
  readonly delegations: readonly Name[];
  /** NSEC records in canonical order. */
  readonly nsec: readonly Rr[];
  readonly nsec3?: { readonly spec: Nsec3Spec; readonly chain: readonly { readonly hash: Buffer; readonly rr: Rr }[] };
};

const DAY = 86_400;

export function signZone(spec: ZoneSpec): SignedZone {
  const apex = labName(spec.apex);
  const signing = spec.signing;
  const records = [...spec.records];
  if (signing) {
    records.push(...[signing.ksk, signing.zsk].map((key) => ({ owner: apex, type: TYPE.DNSKEY, class: CLASS_IN, ttl: LAB_TTL, rdata: key.rdata })));
    if (signing.denial !== 'nsec') records.push({ owner: apex, type: TYPE.NSEC3PARAM, class: CLASS_IN, ttl: 0, rdata: nsec3Param(signing.denial) });
  }
  const delegations = uniqueNames(records.filter((rr) => rr.type === TYPE.NS && !namesEqual(rr.owner, apex)).map((rr) => rr.owner));
  const belowCut = (owner: Name) => delegations.some((cut) => isAtOrBelow(owner, cut) && !namesEqual(owner, cut));
  const rrsets = new Map<string, ByType>();
  for (const rr of records) add(rrsets, rr.owner, rr.type, rr);
  const authoritative = uniqueNames(records.map((rr) => rr.owner)).filter((owner) => !belowCut(owner));
  const zone = { apex, signed: signing !== undefined, rrsets, signatures: new Map<string, ByType>(), delegations, nsec: [] as Rr[],
    existing: new Set(withEmptyNonTerminals(authoritative, apex).map(nameKey)) };
  if (!signing) return zone;

  const hasDs = (owner: Name) => rrsets.get(nameKey(owner))?.has(TYPE.DS) === true;
  const isCut = (owner: Name) => delegations.some((cut) => namesEqual(cut, owner));
  const typesAt = (owner: Name) => [...(rrsets.get(nameKey(owner))?.keys() ?? [])];
  const signedAt = (owner: Name) => !isCut(owner) || hasDs(owner);
  const denialTtl = LAB_TTL;
  let nsec3: SignedZone['nsec3'];
  if (signing.denial === 'nsec') {
    const names = [...authoritative].sort(compareNames);
    zone.nsec = names.map((owner, i) => {
      const rr = { owner, type: TYPE.NSEC, class: CLASS_IN, ttl: denialTtl, rdata: writeNsec({ next: names[(i + 1) % names.length]!, types: new Set([...typesAt(owner), TYPE.NSEC, TYPE.RRSIG]) }) };
      add(rrsets, owner, TYPE.NSEC, rr);
      return rr;
    });
  } else {
    const spec3 = signing.denial;
    // RFC 5155 7.1: with Opt-Out, unsigned delegations (and empty non-terminals only they need) may stay out of the chain.
    const omits = (owner: Name) => spec3.optOutOmits?.some((text) => namesEqual(labName(text), owner)) ?? true;
    const chained = authoritative.filter((owner) => !(spec3.optOut && isCut(owner) && !hasDs(owner) && omits(owner)));
    const hashed = withEmptyNonTerminals(chained, apex)
      .map((owner) => ({ owner, hash: nsec3Hash(owner, spec3.salt, spec3.iterations)! })).sort((a, b) => Buffer.compare(a.hash, b.hash));
    const chain = hashed.map(({ owner, hash }, i) => {
      const present = typesAt(owner);
      const types = present.length > 0 && signedAt(owner) ? [...present, TYPE.RRSIG] : present;
      const rdata = writeNsec3(nsec3Of(spec3, hashed[(i + 1) % hashed.length]!.hash, types));
      return { hash, rr: { owner: [Buffer.from(base32hexEncode(hash)), ...apex], type: TYPE.NSEC3, class: CLASS_IN, ttl: denialTtl, rdata } };
    });
    nsec3 = { spec: spec3, chain };
  }

  const sign = (rrset: Rr[], key: SigningKey) => {
    const owner = rrset[0]!.owner;
    // Tampering breaks a name's data, not the NSEC there, which proves other names' absence.
    const tamper = rrset[0]!.type === TYPE.NSEC ? undefined : signing.tamper?.[nameKey(owner)];
    if (tamper === 'strip') return;
    const [inception, expiration] = tamper === 'expired' ? [signing.inception - 10 * DAY, signing.inception - DAY]
      : tamper === 'future' ? [signing.expiration + DAY, signing.expiration + 10 * DAY] : [signing.inception, signing.expiration];
    const fields = { typeCovered: rrset[0]!.type, algorithm: key.algorithm, labels: signatureLabelCount(owner), originalTtl: rrset[0]!.ttl,
      expiration, inception, keyTag: key.tag, signer: apex };
    const signature = signData(key, signedData(fields, rrset)!);
    if (tamper === 'corrupt') signature[signature.length - 1]! ^= 0xff;
    add(zone.signatures, owner, rrset[0]!.type, { owner, type: TYPE.RRSIG, class: CLASS_IN, ttl: rrset[0]!.ttl, rdata: writeRrsig({ ...fields, signature }) });
  };
  for (const owner of authoritative) {
    for (const [type, rrset] of rrsets.get(nameKey(owner)) ?? []) {
      if (isCut(owner) && type !== TYPE.DS && type !== TYPE.NSEC) continue; // RFC 4035 2.2: the parent signs no NS at a cut
      sign(rrset, type === TYPE.DNSKEY ? signing.ksk : signing.zsk);
    }
  }
  for (const { rr } of nsec3?.chain ?? []) sign([rr], signing.zsk);
  return { ...zone, ...(nsec3 ? { nsec3 } : {}) };
}

/** RFC 5155 4.2: hash algorithm, flags (0 at the apex: Opt-Out is per record), iterations, salt. */
function nsec3Param(spec: Nsec3Spec): Buffer {
  return Buffer.concat([Buffer.from([1, 0, spec.iterations >> 8, spec.iterations & 255, spec.salt.length]), spec.salt]);
}

function nsec3Of(spec: Nsec3Spec, nextHashed: Buffer, types: readonly number[]) {
  return { hashAlgorithm: 1, flags: spec.optOut ? NSEC3_OPT_OUT : 0, iterations: spec.iterations, salt: spec.salt, nextHashed, types: new Set(types) };
}

/** The DS record the parent publishes for a signed zone's KSK (RFC 4034 5.1.4), SHA-256 unless asked otherwise. */
export function dsRecordFor(apex: string, ksk: SigningKey, digestType = 2): Rr {
  const owner = labName(apex);
  const rdata = writeDs({ keyTag: ksk.tag, algorithm: ksk.algorithm, digestType, digest: dsDigest(owner, ksk.rdata, digestType)! });
  return { owner, type: TYPE.DS, class: CLASS_IN, ttl: LAB_TTL, rdata };
}

function add(map: Map<string, ByType>, owner: Name, type: number, rr: Rr): void {
  const byType = map.get(nameKey(owner)) ?? new Map<number, Rr[]>();
  byType.set(type, [...(byType.get(type) ?? []), rr]);
  map.set(nameKey(owner), byType);
}

function uniqueNames(names: readonly Name[]): Name[] {
  const seen = new Map<string, Name>();
  for (const name of names) if (!seen.has(nameKey(name))) seen.set(nameKey(name), name);
  return [...seen.values()];
}

/** The names plus every ancestor between them and the apex (the empty non-terminals among them). */
function withEmptyNonTerminals(names: readonly Name[], apex: Name): Name[] {
  return uniqueNames(names.flatMap((name) => Array.from({ length: name.length - apex.length + 1 }, (_, i) => name.slice(i))));
}
