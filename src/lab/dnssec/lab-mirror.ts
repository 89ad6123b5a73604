import type { Answer } from 'dns-packet';
import { FLAG, parseMessage } from '../../dnssec/message.ts';
import { nameKey } from '../../dnssec/name.ts';
import { presentRdata } from '../../dnssec/present.ts';
import { TYPE, typeName } from '../../dnssec/rr-types.ts';
import type { DnsType } from '../../probes/types.ts';
import { generateSigningKey } from './keys.ts';
import { onlineZone } from './online-zone.ts';
import { respond } from './server.ts';
import { dsRecordFor } from './signer.ts';

/**
 * Real DNSSEC for the lab DNS server's zone (src/lab/dns-server.ts), whose `ad: true` stands for "signed and
 * validated": a signed copy of the zone answers the questions Vouch's validator asks (DO and CD set). The copy is
 * one zone at the lab root `.`, signed online (online-zone.ts: each RRset at its first question, NSEC records made
 * for each denial) with keys made when the server starts (the trust anchor the scan must be given: `anchorsText`),
 * so names the server synthesizes (the bench's 100,000 domains) are signed too: every `ad` name's records are signed
 * there; a `bogus` name's signatures are corrupted; every other name is an unsigned delegation (NS, no DS), so it
 * validates as insecure. Questions about a name with a behaviour override (silent, SERVFAIL, REFUSED, a referral,
 * truncation, a silent type), or below an unsigned delegation, go to the plain server as before.
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
  /** RRSIGs the online signer keeps now (bounded by `maxSignatures`). */
  signaturesKept(): number;
};

const HOUR = 3600;
const DAY = 24 * HOUR;

/** `maxSignatures`: RRSIGs kept by the online signer (default SIGNATURES_KEPT in online-zone.ts). */
export function labDnssec(now = new Date(), options: { readonly maxSignatures?: number } = {}): LabDnssec {
  const ksk = generateSigningKey(13, 'ksk');
  const zsk = generateSigningKey(13, 'zsk');
  const seconds = Math.floor(now.getTime() / 1000);
  const signed = onlineZone({ ksk, zsk, inception: seconds - HOUR, expiration: seconds + 7 * DAY, ...options });
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
      const reply = signed.answer(zone, question.name, question.type);
      // A referral: the name lies in an unsigned child, which the plain server answers (unsigned).
      const referral = reply.answer.length === 0 && reply.authority.some((rr) => rr.type === TYPE.NS) && !reply.authority.some((rr) => rr.type === TYPE.SOA);
      return referral ? undefined : respond(query, reply.rcode, transport, reply.answer, reply.authority);
    },
    signaturesKept: () => signed.signaturesKept(),
  };
}
