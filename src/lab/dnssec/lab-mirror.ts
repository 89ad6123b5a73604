import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { FLAG, parseMessage, type Rr } from '../../dnssec/message.ts';
import { nameKey } from '../../dnssec/name.ts';
import { presentRdata } from '../../dnssec/present.ts';
import { TYPE, typeName } from '../../dnssec/rr-types.ts';
import type { DnsType } from '../../probes/types.ts';
import { generateSigningKey, type SigningKey } from './keys.ts';
import { labName, record } from './records.ts';
import { answerQuestion } from './responder.ts';
import { respond } from './server.ts';
import { dsRecordFor, signZone, type SignedZone, type Tamper } from './signer.ts';

/**
 * Real DNSSEC for the lab DNS server's zone (src/lab/dns-server.ts), whose `ad: true` stands for "signed and
 * validated": a signed copy of the zone answers the questions Vouch's validator asks (DO and CD set). The copy is
 * one zone at the lab root `.`, signed with keys made when the server starts (the trust anchor the scan must be
 * given: `anchorsText`): every `ad` name's records are signed there; a `bogus` name's signatures are corrupted; every
 * other name is an unsigned delegation (NS, no DS), so it validates as insecure. Questions about a name with a
 * behaviour override (silent, SERVFAIL, REFUSED, a referral, truncation, a silent type), or below an unsigned
 * delegation, go to the plain server as before. Built on the first DNSSEC question: set the zone up first.
 */

/** The lab server's zone, as src/lab/dns-server.ts hands it over: nodes by lower-case name, their records as dns-packet answers. */
export type MirroredZone = {
  readonly names: () => Iterable<string>;
  readonly node: (name: string) => MirroredNode | undefined;
  readonly records: (name: string, type: DnsType, node: MirroredNode) => Answer[];
  /** The name has a behaviour override for this question (silent, SERVFAIL, REFUSED, a referral, truncation). */
  readonly overridden: (name: string, type: string) => boolean;
};
export type MirroredNode = { readonly ad?: boolean; readonly bogus?: boolean };

export type LabDnssec = {
  /** The lab root's trust anchor, for `dnssec.trustAnchors` (or buildConfig's `dnssecAnchors`). */
  readonly anchorsText: string;
  /** The encoded answer to a DNSSEC question, or undefined for the plain server to answer it. */
  answer(query: Buffer, transport: 'udp' | 'tcp', zone: MirroredZone): Buffer | undefined;
};

/** The record types a lab node may hold that the copy signs (its DS and DNSKEY are dummies; its NS would make a cut). */
const MIRRORED_TYPES: readonly DnsType[] = ['A', 'AAAA', 'PTR', 'CNAME', 'MX', 'TXT', 'SPF', 'CAA', 'TLSA', 'SOA'];
const HOUR = 3600;
const DAY = 24 * HOUR;

export function labDnssec(now = new Date()): LabDnssec {
  const ksk = generateSigningKey(13, 'ksk');
  const zsk = generateSigningKey(13, 'zsk');
  let signed: SignedZone | undefined;
  const ds = dsRecordFor('.', ksk);
  return {
    anchorsText: `. IN DS ${presentRdata(ds.type, ds.rdata)}\n`,
    answer(bytes, transport, zone) {
      const parsed = parseMessage(bytes);
      if (!parsed.ok) return undefined;
      const query = parsed.message;
      const question = query.questions[0];
      // Only the validator's questions: DNSSEC records wanted (DO) and the data unvalidated (CD).
      if (!question || query.questions.length !== 1 || query.edns?.dnssecOk !== true || (query.flags & FLAG.CD) === 0) return undefined;
      if (zone.overridden(nameKey(question.name).replace(/\.$/, ''), typeName(question.type))) return undefined;
      signed ??= signLabZone(zone, ksk, zsk, now);
      const reply = answerQuestion([signed], question.name, question.type, true);
      // A referral: the name lies in an unsigned child, which the plain server answers (unsigned).
      const referral = reply.answer.length === 0 && reply.authority.some((rr) => rr.type === TYPE.NS) && !reply.authority.some((rr) => rr.type === TYPE.SOA);
      return referral ? undefined : respond(query, reply.rcode, transport, reply.answer, reply.authority);
    },
  };
}

function signLabZone(zone: MirroredZone, ksk: SigningKey, zsk: SigningKey, now: Date): SignedZone {
  const records: Rr[] = [];
  const tamper: Record<string, Tamper> = {};
  const names = [...zone.names()];
  for (const name of names) {
    const node = zone.node(name)!;
    const owner = name === '' ? '.' : `${name}.`;
    if (name !== '' && !node.ad && !node.bogus) {
      records.push(record(owner, 'NS', `ns1.${owner}`)); // an unsigned delegation: insecure below
      continue;
    }
    if (node.bogus) tamper[owner.toLowerCase()] = 'corrupt';
    for (const type of MIRRORED_TYPES) records.push(...toRrs(zone.records(name, type, node)));
  }
  if (!names.includes('')) records.push(record('.', 'SOA', 'ns1.lab. hostmaster.lab. 1 3600 600 86400 300'));
  const seconds = Math.floor(now.getTime() / 1000);
  return signZone({ apex: '.', records, signing: { ksk, zsk, denial: 'nsec', inception: seconds - HOUR, expiration: seconds + 7 * DAY, tamper } });
}

/** dns-packet answers as raw records: encoded as a message and read back, so RDATA is exactly what the plain server sends. */
function toRrs(answers: readonly Answer[]): Rr[] {
  if (answers.length === 0) return [];
  const bytes = dnsPacket.encode({ type: 'response', id: 0, answers: [...answers] });
  const parsed = parseMessage(bytes);
  if (!parsed.ok) throw new Error(`lab zone records do not encode: ${parsed.error}`);
  return parsed.message.answer.map((rr) => ({ ...rr, owner: labName(nameKey(rr.owner)) }));
}
