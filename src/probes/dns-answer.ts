import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer } from 'dns-packet';
import { ProbeError } from '../core/errors.ts';
import type { DnsType } from './types.ts';

/**
 * Reading a reply: bytes -> decoded message -> what it says about one question (records, a denial, an alias to
 * follow, a referral or an error rcode). Pure and total: every input gives a typed result or a ProbeError
 * `protocol`, never another exception (test/probes/dns-answer.test.ts feeds it random and truncated bytes).
 */

export type Question = { readonly name: string; readonly type: DnsType };
type Rr = Exclude<Answer, OptAnswer>;

export const NOERROR = 0;
export const NXDOMAIN = 3;
export const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
/** RFC 1035 4.1.1: the header is 12 octets. */
const HEADER_BYTES = 12;

/**
 * CNAME links followed for one question, over every reply it takes (a resolver may return part of a chain, RFC 1034
 * 3.6.2 / 4.3.2 step 3a leaves its restart limit to it; BIND stops after 11 restarts, Unbound after 8). No RFC sets a
 * maximum; real chains (CDN, SaaS) are a handful of links, so 32 is far above any sane zone and far below a loop
 * that would cost a query per link. A longer chain is a `protocol` error with the chain in the message.
 */
export const MAX_CNAME_LINKS = 32;

/** What one reply says about one question. */
export type ReplyReading =
  /** RFC 1035 4.1.1: an rcode other than NOERROR/NXDOMAIN (SERVFAIL, REFUSED, ...): this server cannot answer. */
  | { readonly kind: 'rcode'; readonly rcode: number; readonly rcodeName: string }
  /**
   * RFC 2308 2.2: NOERROR, nothing in the answer section, NS records in the authority section, no SOA there and no
   * AA bit: a referral to the servers of a zone below, i.e. the resolver did not recurse. Not NODATA.
   */
  | { readonly kind: 'referral'; readonly zone: string; readonly nameservers: readonly string[] }
  | {
    readonly kind: 'answer';
    readonly result: 'records' | 'nxdomain' | 'nodata';
    readonly records: readonly string[];
    readonly txtStrings?: readonly (readonly string[])[];
    /** The aliases in this reply's answer section, followed from the question's name (RFC 1034 3.6.2). */
    readonly cnames: readonly string[];
    /**
     * The chain in this reply ended on an alias that has no record of the asked type, with NOERROR: the resolver
     * returned only part of the chain (or the canonical name has NODATA); ask this name itself to know.
     */
    readonly next: string | null;
    /** RFC 4035 3.2.3: the AD bit. */
    readonly authenticated: boolean;
    /** RFC 4035 3.1.1, 3.1.3: RRSIG records came back in the answer or authority section. */
    readonly rrsigs: boolean;
    /** RFC 3225 3: the reply's OPT record echoed DO, as a security-aware server must; false without OPT. */
    readonly dnssecOk: boolean;
  };

/** RFC 6891 6.1.3: the OPT record carries the upper 8 bits of the 12-bit rcode. */
export function fullRcode(packet: DecodedPacket): number {
  const opt = packet.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
  return ((opt?.extendedRcode ?? 0) << 4) | ((packet.flags ?? 0) & 0x0f);
}

/** dns-packet's decoder, with every failure (truncated, overrunning pointers, bad RDATA) as a ProbeError `protocol`. */
export function decodeMessage(bytes: Uint8Array, resolver: string): DecodedPacket {
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ProbeError('protocol', resolver, `undecodable DNS reply (${bytes.byteLength} bytes): ${why}`);
  }
  // dns-packet reads RDATA without bounds checks: a reply cut inside a record decodes to `192.0.undefined.undefined`.
  // RFC 1035 4.1.3: every RR's RDATA lies within the message, so reading past its end means it is broken.
  if (dnsPacket.decode.bytes > bytes.byteLength) {
    throw new ProbeError('protocol', resolver, `undecodable DNS reply: its records end at byte ${dnsPacket.decode.bytes} of ${bytes.byteLength}`);
  }
  return packet;
}

/**
 * For a reply that does not decode: whether its header and question section (RFC 1035 4.1.1, 4.1.2) still show the
 * question asked, compared on the wire (names case-insensitively, RFC 1035 2.3.3). `mismatch` when they show another
 * question or no reply (QR clear), `unreadable` when the bytes end before the question does, `match` otherwise.
 */
export function peekQuestion(bytes: Uint8Array, question: Question): 'match' | 'mismatch' | 'unreadable' {
  if (bytes.byteLength < HEADER_BYTES) return 'unreadable';
  if ((bytes[2]! & 0x80) === 0) return 'mismatch'; // QR clear: a query, not a reply
  if (((bytes[4]! << 8) | bytes[5]!) !== 1) return 'mismatch';
  let expected: Buffer;
  try {
    expected = dnsPacket.encode({ type: 'query', id: 0, questions: [{ name: question.name, type: question.type as dnsPacket.RecordType, class: 'IN' }] })
      .subarray(HEADER_BYTES);
  } catch {
    return 'unreadable'; // a type dns-packet cannot encode (SPF): compare nothing, the id and source already matched
  }
  if (bytes.byteLength < HEADER_BYTES + expected.length) return 'unreadable';
  const nameEnd = expected.length - 4;
  for (let i = 0; i < expected.length; i++) {
    const got = bytes[HEADER_BYTES + i]!;
    const want = expected[i]!;
    const fold = (c: number) => (i < nameEnd && c >= 0x41 && c <= 0x5a ? c | 0x20 : c);
    if (fold(got) !== fold(want)) return 'mismatch';
  }
  return 'match';
}

/**
 * What `packet` says about `question` (RFC 1034 3.6.2, 4.3.2; RFC 2308 2.1, 2.2; RFC 6604 2). Throws ProbeError
 * `protocol` for a CNAME loop inside the reply, or for a reply whose records cannot be read.
 */
export function readReply(question: Question, packet: DecodedPacket, resolver: string): ReplyReading {
  try {
    return read(question, packet, resolver);
  } catch (err) {
    if (err instanceof ProbeError) throw err;
    throw new ProbeError('protocol', resolver, `unreadable DNS reply to ${question.type} ${question.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function read(question: Question, packet: DecodedPacket, resolver: string): ReplyReading {
  const rcode = fullRcode(packet);
  if (rcode !== NOERROR && rcode !== NXDOMAIN) return { kind: 'rcode', rcode, rcodeName: RCODES[rcode] ?? `RCODE${rcode}` };
  const inClass = (list: readonly Answer[] | undefined) =>
    (Array.isArray(list) ? list : []).filter((a): a is Rr => a !== null && typeof a === 'object' && a.type !== 'OPT' && (a.class ?? 'IN') === 'IN');
  const answers = inClass(packet.answers);
  const authority = inClass(packet.authorities);
  const nameOf = (a: Rr) => (typeof a.name === 'string' ? a.name.toLowerCase() : '');
  const cnames: string[] = [];
  const seen = new Set<string>();
  let owner = question.name.toLowerCase();
  const ownedBy = (a: Rr, type: string) => (a.type as string) === type && nameOf(a) === owner;
  // RFC 1034 3.6.2: an alias is answered with its CNAME chain, then the canonical name's records.
  while (question.type !== 'CNAME' && !answers.some((a) => ownedBy(a, question.type))) {
    const alias = answers.find((a) => ownedBy(a, 'CNAME'));
    if (typeof alias?.data !== 'string') break;
    seen.add(owner);
    const target = alias.data.toLowerCase().replace(/\.$/, '');
    cnames.push(alias.data);
    if (seen.has(target)) {
      throw new ProbeError('protocol', resolver, `CNAME loop for ${question.type} ${question.name}: ${[question.name, ...cnames].join(' -> ')}`);
    }
    if (cnames.length > MAX_CNAME_LINKS) {
      throw new ProbeError('protocol', resolver, `CNAME chain for ${question.type} ${question.name} longer than ${MAX_CNAME_LINKS} links: ${[question.name, ...cnames].join(' -> ')}`);
    }
    owner = target;
  }
  const matching = answers.filter((a) => ownedBy(a, question.type));
  const authenticated = packet.flag_ad === true;
  const rrsigs = [...answers, ...authority].some((a) => a.type === 'RRSIG');
  const opt = packet.additionals?.find((a): a is OptAnswer => a !== null && typeof a === 'object' && a.type === 'OPT');
  const dnssecOk = opt !== undefined && ((opt.flags ?? 0) & dnsPacket.DNSSEC_OK) !== 0;

  if (rcode === NOERROR && answers.length === 0 && packet.flag_aa !== true) {
    const ns = authority.filter((a) => a.type === 'NS');
    if (ns.length > 0 && !authority.some((a) => a.type === 'SOA')) {
      return { kind: 'referral', zone: nameOf(ns[0]!) || '.', nameservers: ns.map((a) => String(a.data)).sort() };
    }
  }

  const txt = question.type === 'TXT' || question.type === 'SPF' ? matching.map((a) => characterStrings(a.data)) : undefined;
  // RFC 7208 3.3: a record's character-strings are concatenated without separators.
  // RFC 2181 5: an RRset is unordered, and resolvers rotate it; sorted, an unchanged zone gives unchanged evidence.
  const rows = (txt ? txt.map((strings) => ({ record: decodeText(Buffer.concat(strings)), strings: strings.map(decodeText) }))
    : matching.map((a) => ({ record: present(a), strings: [] as string[] }))).sort((a, b) => (a.record < b.record ? -1 : a.record > b.record ? 1 : 0));
  const records = rows.map((r) => r.record);
  // RFC 6604 2: after a CNAME chain the rcode describes the last name in it.
  const result = rcode === NXDOMAIN ? 'nxdomain' : records.length === 0 ? 'nodata' : 'records';
  const next = result === 'nodata' && cnames.length > 0 ? cnames[cnames.length - 1]! : null;
  return {
    kind: 'answer', result, records, ...(txt ? { txtStrings: rows.map((r) => r.strings) } : {}),
    cnames, next, authenticated, rrsigs, dnssecOk,
  };
}

/** TXT arrives from dns-packet as Buffer[]; SPF (type 99) is unknown to it and arrives as raw RDATA. */
function characterStrings(data: unknown): Buffer[] {
  if (Array.isArray(data)) return data.map((d: unknown) => (Buffer.isBuffer(d) ? d : Buffer.from(String(d))));
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

const hex = (b: unknown) => (Buffer.isBuffer(b) ? b.toString('hex') : '');

/** Presentation format as documented on DnsAnswer (RFC 1035 5.1 and each type's RFC), names without the final dot. */
function present(answer: Rr): string {
  switch (answer.type) {
    case 'MX': return `${answer.data.preference ?? 0} ${answer.data.exchange}`;
    case 'CAA': return `${answer.data.flags ?? 0} ${answer.data.tag} "${String(answer.data.value).replace(/["\\]/g, '\\$&')}"`;
    case 'TLSA': return `${answer.data.usage} ${answer.data.selector} ${answer.data.matchingType} ${hex(answer.data.certificate)}`;
    case 'DS': return `${answer.data.keyTag} ${answer.data.algorithm} ${answer.data.digestType} ${hex(answer.data.digest)}`;
    // RFC 4034 2.1.2: the protocol field is always 3 (dns-packet rejects anything else).
    case 'DNSKEY': return `${answer.data.flags} 3 ${answer.data.algorithm} ${Buffer.isBuffer(answer.data.key) ? answer.data.key.toString('base64') : ''}`;
    case 'SOA': {
      const s = answer.data;
      return [s.mname, s.rname, s.serial, s.refresh, s.retry, s.expire, s.minimum].map((v) => v ?? 0).join(' ');
    }
    default:
      if (typeof answer.data === 'string') return answer.data;
      return Buffer.isBuffer(answer.data) ? answer.data.toString('hex') : JSON.stringify(answer.data) ?? '';
  }
}
