import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { signedData } from '../../dnssec/canonical.ts';
import { parseMessage, readName, type Rr } from '../../dnssec/message.ts';
import { ancestorWithLabels, nameKey, wildcardAt, type Name } from '../../dnssec/name.ts';
import { writeNsec, writeRrsig } from '../../dnssec/rdata.ts';
import { CLASS_IN, TYPE, typeName } from '../../dnssec/rr-types.ts';
import type { DnsType } from '../../probes/types.ts';
import { nameAfter, nameBefore, nameJustAfter } from './covering-names.ts';
import { signData, type SigningKey } from './keys.ts';
import type { MirroredNode, MirroredZone } from './lab-mirror.ts';
import { LAB_TTL, record } from './records.ts';
import type { LabReply } from './responder.ts';

/**
 * The lab DNS server's zone as one signed zone at the root, signed online (RFC 4470): each RRset is signed the first
 * time it is asked for, its RRSIG kept in a bounded LRU, and non-existence is denied with minimally covering NSEC
 * records made for the question (covering-names.ts), so a zone whose names are synthesized on demand (the bench's
 * 100,000 domains) needs no NSEC chain. An `ad` (or `bogus`) name's records are signed there, a `bogus` name's
 * signatures corrupted; any other name is an unsigned delegation (NS, no DS), so its subtree validates as insecure.
 * Wildcards are not expanded (the plain server does not expand them either).
 */

export type OnlineSigning = {
  readonly ksk: SigningKey; readonly zsk: SigningKey;
  /** RRSIG validity period, POSIX seconds. */
  readonly inception: number; readonly expiration: number;
  /** RRSIGs kept (default SIGNATURES_KEPT), least recently used dropped first. */
  readonly maxSignatures?: number;
};

export type OnlineZone = {
  answer(zone: MirroredZone, name: Name, type: number): LabReply;
  /** RRSIGs kept now: at most `maxSignatures`. */
  signaturesKept(): number;
};

/** The record types a lab node may hold that are signed (its DS and DNSKEY are dummies; its NS would make a cut). */
const MIRRORED_TYPES: readonly DnsType[] = ['A', 'AAAA', 'PTR', 'CNAME', 'MX', 'TXT', 'SPF', 'CAA', 'TLSA', 'SOA'];
/**
 * RRSIGs kept: a bench domain's validator asks about 2 RRsets of its own, so this holds the domains of a window of
 * thousands in flight and the shared RRsets (the root's keys and SOA, MX hosts), at ~200 octets each.
 */
export const SIGNATURES_KEPT = 20_000;
const MAX_CHASE = 8;
const NOERROR = 0;
const NXDOMAIN = 3;
const REFUSED = 5;
const ROOT_SOA = () => record('.', 'SOA', 'ns1.lab. hostmaster.lab. 1 3600 600 86400 300');

export function onlineZone(signing: OnlineSigning): OnlineZone {
  const { ksk, zsk } = signing;
  const kept = new Map<string, { readonly data: Buffer; readonly rrsig: Rr }>();
  const maxKept = signing.maxSignatures ?? SIGNATURES_KEPT;
  const dnskeys: Rr[] = [ksk, zsk].map((key) => ({ owner: [], type: TYPE.DNSKEY, class: CLASS_IN, ttl: LAB_TTL, rdata: key.rdata }));
  let aboveNames: Set<string> | undefined;

  /** RFC 4034 3: one RRSIG over the RRset, by the KSK for the DNSKEY RRset, else the ZSK; made once while kept. */
  function rrsigOf(rrset: readonly Rr[], corrupt: boolean): Rr {
    const first = rrset[0]!;
    const cacheKey = `${nameKey(first.owner)} ${first.type}${corrupt ? ' corrupt' : ''}`;
    const data = Buffer.concat(rrset.map((rr) => rr.rdata));
    const hit = kept.get(cacheKey);
    if (hit) kept.delete(cacheKey); // re-inserted below: a Map iterates oldest first
    const rrsig = hit?.data.equals(data) ? hit.rrsig : makeRrsig(rrset, first.type === TYPE.DNSKEY ? ksk : zsk, corrupt);
    kept.set(cacheKey, { data, rrsig });
    if (kept.size > maxKept) kept.delete(kept.keys().next().value!);
    return rrsig;
  }

  function makeRrsig(rrset: readonly Rr[], key: SigningKey, corrupt: boolean): Rr {
    const first = rrset[0]!;
    const fields = { typeCovered: first.type, algorithm: key.algorithm, labels: first.owner.length, originalTtl: first.ttl,
      expiration: signing.expiration, inception: signing.inception, keyTag: key.tag, signer: [] };
    const signature = signData(key, signedData(fields, rrset)!);
    if (corrupt) signature[signature.length - 1]! ^= 0xff;
    return { owner: first.owner, type: TYPE.RRSIG, class: CLASS_IN, ttl: first.ttl, rdata: writeRrsig({ ...fields, signature }) };
  }

  return {
    answer(zone, name, type) {
      // The names above the zone's listed names exist (empty non-terminals, RFC 4592 2.2.2): listed at the first
      // question (as the whole signed copy was made before online signing); nodes themselves are read live.
      aboveNames ??= new Set([...zone.names()].flatMap((listed) => listed.split('.').map((_, i, labels) => labels.slice(i + 1).join('.'))));
      const view = new View(zone, aboveNames, dnskeys, rrsigOf);
      return type === TYPE.DS && name.length === 0 ? { rcode: REFUSED, answer: [], authority: [] } : view.answer(name, type, 0);
    },
    signaturesKept: () => kept.size,
  };
}

/** One question's look at the zone: nodes read as the plain server reads them (live, synthesized names included). */
class View {
  private readonly zone: MirroredZone;
  private readonly aboveNames: ReadonlySet<string>;
  private readonly dnskeys: readonly Rr[];
  private readonly rrsigOf: (rrset: readonly Rr[], corrupt: boolean) => Rr;

  constructor(zone: MirroredZone, aboveNames: ReadonlySet<string>, dnskeys: readonly Rr[], rrsigOf: (rrset: readonly Rr[], corrupt: boolean) => Rr) {
    this.zone = zone;
    this.aboveNames = aboveNames;
    this.dnskeys = dnskeys;
    this.rrsigOf = rrsigOf;
  }

  answer(name: Name, type: number, chased: number): LabReply {
    const cut = this.cutAbove(name, type);
    if (cut) return { rcode: NOERROR, answer: [], authority: [record(cutText(cut), 'NS', `ns1.${cutText(cut)}`)] }; // the plain server's
    const key = keyOf(name);
    const node = this.zone.node(key);
    if (node || name.length === 0) {
      const found = this.rrset(name, type, node);
      if (found.length > 0) return { rcode: NOERROR, answer: this.signed(found, node), authority: [] };
      const alias = type === TYPE.CNAME || !node ? [] : this.rrset(name, TYPE.CNAME, node);
      if (alias.length > 0) {
        const target = readName(alias[0]!.rdata, 0)?.name;
        const here = this.signed(alias, node);
        if (!target || chased >= MAX_CHASE) return { rcode: NOERROR, answer: here, authority: [] };
        const rest = this.answer(target, type, chased + 1);
        return { ...rest, answer: [...here, ...rest.answer] };
      }
    }
    // RFC 4035 3.1.3.1: NODATA proves itself with the NSEC at the name (an empty non-terminal's lists only NSEC, RRSIG).
    if (node || name.length === 0 || this.aboveNames.has(key)) {
      return { rcode: NOERROR, answer: [], authority: [...this.soa(), ...this.nsec(name, nameJustAfter(name), this.typesAt(name, node))] };
    }
    // RFC 4035 3.1.3.2: the name does not exist (an NSEC spans the next closer name below its closest encloser), nor a
    // wildcard at the encloser (an NSEC spans it too).
    let encloser = name.slice(1);
    while (encloser.length > 0 && !this.exists(encloser)) encloser = encloser.slice(1);
    const nextCloser = ancestorWithLabels(name, encloser.length + 1)!;
    const wildcard = wildcardAt(encloser);
    const denial = this.nsec(nameBefore(nextCloser), nameAfter(nextCloser), []);
    if (nameKey(nextCloser) !== nameKey(wildcard)) denial.push(...this.nsec(nameBefore(wildcard), nameAfter(wildcard), []));
    return { rcode: NXDOMAIN, answer: [], authority: [...this.soa(), ...denial] };
  }

  private exists(name: Name): boolean {
    const key = keyOf(name);
    return this.zone.node(key) !== undefined || this.aboveNames.has(key);
  }

  /** The shallowest name at or above `name` that is in the zone and unsigned: a delegation (not for DS at the cut itself). */
  private cutAbove(name: Name, type: number): Name | undefined {
    for (let labels = 1; labels <= name.length; labels++) {
      if (labels === name.length && type === TYPE.DS) return undefined; // RFC 4035 3.1.4.1: DS is the parent's
      const ancestor = ancestorWithLabels(name, labels)!;
      if (isCut(this.zone.node(keyOf(ancestor)), ancestor)) return ancestor;
    }
    return undefined;
  }

  private rrset(name: Name, type: number, node: MirroredNode | undefined): Rr[] {
    if (name.length === 0 && type === TYPE.DNSKEY) return [...this.dnskeys];
    const mnemonic = typeName(type) as DnsType;
    const found = node && !isCut(node, name) && MIRRORED_TYPES.includes(mnemonic) ? toRrs(this.zone.records(keyOf(name), mnemonic, node), name) : [];
    return found.length === 0 && name.length === 0 && type === TYPE.SOA ? [ROOT_SOA()] : found;
  }

  /** The RRset and its RRSIG (RFC 4035 3.1.1); a `bogus` name's is corrupted. */
  private signed(rrset: readonly Rr[], node: MirroredNode | undefined): Rr[] {
    return [...rrset, this.rrsigOf(rrset, node?.bogus === true)];
  }

  private soa(): Rr[] {
    return this.signed(this.rrset([], TYPE.SOA, this.zone.node('')), undefined);
  }

  private typesAt(name: Name, node: MirroredNode | undefined): number[] {
    if (isCut(node, name)) return [TYPE.NS];
    const present = node ? MIRRORED_TYPES.filter((t) => this.zone.records(keyOf(name), t, node).length > 0).map((t) => TYPE[t]) : [];
    return name.length === 0 ? [...new Set([...present, TYPE.SOA, TYPE.DNSKEY])] : present;
  }

  /** An NSEC from `owner` to `next` listing `types` (and NSEC, RRSIG), signed; never corrupted: it speaks for other names. */
  private nsec(owner: Name, next: Name, types: readonly number[]): Rr[] {
    const rdata = writeNsec({ next, types: new Set([...types, TYPE.NSEC, TYPE.RRSIG]) });
    return this.signed([{ owner, type: TYPE.NSEC, class: CLASS_IN, ttl: LAB_TTL, rdata }], undefined);
  }
}

/** In the zone and neither `ad` nor `bogus`: an unsigned delegation (the root is the apex, never a cut). */
function isCut(node: MirroredNode | undefined, name: Name): boolean {
  return node !== undefined && name.length > 0 && node.ad !== true && node.bogus !== true;
}

/** The key the lab server's zone uses: lower case, no final dot, the root ''. */
function keyOf(name: Name): string {
  return nameKey(name).replace(/\.$/, '');
}

const cutText = (cut: Name) => `${keyOf(cut)}.`;

/** dns-packet answers as raw records (encoded and read back, so RDATA is exactly what the plain server sends), owned by `owner`. */
function toRrs(answers: readonly Answer[], owner: Name): Rr[] {
  if (answers.length === 0) return [];
  const parsed = parseMessage(dnsPacket.encode({ type: 'response', id: 0, answers: [...answers] }));
  if (!parsed.ok) throw new Error(`lab zone records do not encode: ${parsed.error}`);
  return parsed.message.answer.map((rr) => ({ ...rr, owner }));
}
