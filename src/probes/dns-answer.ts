import type { Answer, DecodedPacket, OptAnswer } from 'dns-packet';
import type { DnsAnswer, DnsType } from './types.ts';

/** Turning a decoded reply into a DnsAnswer: CNAME chains, TXT strings, presentation format. Pure. */

export type Question = { readonly name: string; readonly type: DnsType };
type Rr = Exclude<Answer, OptAnswer>;

export const NXDOMAIN = 3;
const MAX_CNAME_CHAIN = 16;

/** RFC 6891 6.1.3: the OPT record carries the upper 8 bits of the 12-bit rcode. */
export function fullRcode(packet: DecodedPacket): number {
  const opt = packet.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
  return ((opt?.extendedRcode ?? 0) << 4) | ((packet.flags ?? 0) & 0x0f);
}

/** The answer to `question` in `packet`, with the CNAME chain followed (RFC 1034 3.6.2). */
export function toAnswer(asked: string, question: Question, resolver: string, packet: DecodedPacket): DnsAnswer {
  const answers = (packet.answers ?? []).filter((a): a is Rr => a.type !== 'OPT' && (a.class ?? 'IN') === 'IN');
  const cnames: string[] = [];
  let owner = question.name.toLowerCase();
  const ownedBy = (a: Rr, type: string) => (a.type as string) === type && a.name.toLowerCase() === owner;
  // RFC 1034 3.6.2: an alias is answered with its CNAME chain, then the canonical name's records.
  while (question.type !== 'CNAME' && cnames.length < MAX_CNAME_CHAIN && !answers.some((a) => ownedBy(a, question.type))) {
    const alias = answers.find((a) => ownedBy(a, 'CNAME'));
    if (typeof alias?.data !== 'string') break;
    cnames.push(alias.data);
    owner = alias.data.toLowerCase();
  }
  const matching = answers.filter((a) => ownedBy(a, question.type));
  const txt = question.type === 'TXT' || question.type === 'SPF' ? matching.map((a) => characterStrings(a.data)) : undefined;
  // RFC 7208 3.3: a record's character-strings are concatenated without separators.
  // RFC 2181 5: an RRset is unordered, and resolvers rotate it; sorted, an unchanged zone gives unchanged evidence.
  const rows = (txt ? txt.map((strings) => ({ record: decodeText(Buffer.concat(strings)), strings: strings.map(decodeText) }))
    : matching.map((a) => ({ record: present(a), strings: [] as string[] }))).sort((a, b) => (a.record < b.record ? -1 : a.record > b.record ? 1 : 0));
  const records = rows.map((r) => r.record);
  // RFC 6604 2: after a CNAME chain the rcode describes the last name in it.
  const result = fullRcode(packet) === NXDOMAIN ? 'nxdomain' : records.length === 0 ? 'nodata' : 'records';
  return {
    name: asked, type: question.type, resolver, result, records,
    ...(txt ? { txtStrings: rows.map((r) => r.strings) } : {}),
    authenticated: packet.flag_ad, cnames, observedAt: new Date().toISOString(),
  };
}

/** TXT arrives from dns-packet as Buffer[]; SPF (type 99) is unknown to it and arrives as raw RDATA. */
function characterStrings(data: unknown): Buffer[] {
  if (Array.isArray(data)) return data.map((d: Buffer | string) => (typeof d === 'string' ? Buffer.from(d) : d));
  if (!Buffer.isBuffer(data)) return typeof data === 'string' ? [Buffer.from(data)] : [];
  const strings: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += 1 + (data[offset] ?? 0)) {
    strings.push(data.subarray(offset + 1, offset + 1 + (data[offset] ?? 0))); // RFC 1035 3.3: a length octet, then data
  }
  return strings;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** RFC 1035 gives TXT no charset: UTF-8 when the bytes are valid UTF-8, else latin1 so every byte stays visible. */
function decodeText(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** Presentation format as documented on DnsAnswer (RFC 1035 5.1 and each type's RFC), names without the final dot. */
function present(answer: Rr): string {
  switch (answer.type) {
    case 'MX': return `${answer.data.preference ?? 0} ${answer.data.exchange}`;
    case 'CAA': return `${answer.data.flags ?? 0} ${answer.data.tag} "${answer.data.value.replace(/["\\]/g, '\\$&')}"`;
    case 'TLSA': return `${answer.data.usage} ${answer.data.selector} ${answer.data.matchingType} ${answer.data.certificate.toString('hex')}`;
    case 'DS': return `${answer.data.keyTag} ${answer.data.algorithm} ${answer.data.digestType} ${answer.data.digest.toString('hex')}`;
    // RFC 4034 2.1.2: the protocol field is always 3 (dns-packet rejects anything else).
    case 'DNSKEY': return `${answer.data.flags} 3 ${answer.data.algorithm} ${answer.data.key.toString('base64')}`;
    case 'SOA': {
      const s = answer.data;
      return [s.mname, s.rname, s.serial, s.refresh, s.retry, s.expire, s.minimum].map((v) => v ?? 0).join(' ');
    }
    default:
      if (typeof answer.data === 'string') return answer.data;
      return Buffer.isBuffer(answer.data) ? answer.data.toString('hex') : JSON.stringify(answer.data);
  }
}
