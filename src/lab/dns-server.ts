import dgram from 'node:dgram';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer } from 'dns-packet';
import type { ResolverAddress } from '../config/config.ts';
import type { DnsType } from '../probes/types.ts';
import type { LabDnssec, MirroredZone } from './dnssec/lab-mirror.ts';
import { serveDnsOverTcp } from './dns-tcp-framing.ts';

/** Put in place of a type's records to make the server silent for that type only (a client timeout). */
export const TIMEOUT = 'TIMEOUT';

type Rrset<T> = readonly T[] | typeof TIMEOUT;

/**
 * What one name holds. A name with no node is NXDOMAIN; a node without the asked type (`{}` included) is NODATA.
 * Binary fields are text: TLSA certificate and DS digest in hex, DNSKEY key in base64.
 */
export type ZoneNode = {
  A?: Rrset<string>;
  AAAA?: Rrset<string>;
  NS?: Rrset<string>;
  PTR?: Rrset<string>;
  /** Answered for every other type too, then chased within the zone (RFC 1034 3.6.2). */
  CNAME?: string;
  MX?: Rrset<{ readonly preference: number; readonly exchange: string }>;
  /** A string is one record, split into 255-byte character-strings; an array gives the record's strings as they are. */
  TXT?: Rrset<string | readonly string[]>;
  SPF?: Rrset<string | readonly string[]>;
  CAA?: Rrset<{ readonly flags?: number; readonly tag: 'issue' | 'issuewild' | 'iodef'; readonly value: string }>;
  TLSA?: Rrset<{ readonly usage: number; readonly selector: number; readonly matchingType: number; readonly certificate: string }>;
  DS?: Rrset<{ readonly keyTag: number; readonly algorithm: number; readonly digestType: number; readonly digest: string }>;
  DNSKEY?: Rrset<{ readonly flags: number; readonly algorithm: number; readonly key: string }>;
  SOA?: Rrset<{ readonly mname: string; readonly rname: string; readonly serial?: number; readonly refresh?: number;
    readonly retry?: number; readonly expire?: number; readonly minimum?: number }>;
  /**
   * Behaviour overrides for this name, checked in this order: never answer, SERVFAIL, REFUSED, a referral to these
   * name servers (NOERROR, no AA, empty answer, NS in authority: a resolver that does not recurse, RFC 2308 2.2),
   * DNSSEC-bogus (SERVFAIL unless the query sets CD, RFC 4035 3.2.2), TC=1 over UDP.
   */
  silent?: boolean;
  servfail?: boolean;
  refused?: boolean;
  referral?: readonly string[];
  bogus?: boolean;
  truncate?: boolean;
  /** Set the AD bit, as a validating resolver does for a DNSSEC-secure answer (every name in a CNAME chain must have it). */
  ad?: boolean;
  /**
   * The zone is signed: with DO, answers carry an RRSIG per RRset and a NODATA carries NSEC and its RRSIG in the
   * authority section (RFC 4035 3.1.1, 3.1.3). Dummy signatures: nothing here validates. Default: `ad`.
   * A DS question takes `ad` and `signed` from the closest enclosing name, since DS lives in the parent (RFC 4034 5).
   */
  signed?: boolean;
};

/** Lower-case names without the final dot. Read at query time, so tests may change it while the server runs. */
export type Zone = { [name: string]: ZoneNode };

/** Where to listen and what to serve. */
export type DnsServerOptions = {
  readonly zone: Zone;
  readonly host?: string;
  /** 0 (the default) picks a free port, the same for UDP and TCP. */
  readonly port?: number;
  /** Delay before every answer, to simulate a network round trip. */
  readonly delayMs?: number;
  /**
   * CNAMEs followed within one answer (default 16). At this limit, or on a name seen before (a loop), the server
   * answers NOERROR with the chain so far, as BIND does after its restart limit: the client must finish the chain.
   */
  readonly chaseLimit?: number;
  /**
   * Names not in `zone` are asked here (lower-case, no final dot), so an estate of 100,000 domains can make its
   * records from the name instead of holding them all; undefined is NXDOMAIN.
   */
  readonly synthesize?: (name: string) => ZoneNode | undefined;
  /** Called for every question received (lower-case name without the final dot), answered or not: the bench counts them. */
  readonly onQuery?: (name: string, type: string) => void;
  /** Real DNSSEC: the validator's questions (DO and CD) answered from a signed copy of the zone (src/lab/dnssec/lab-mirror.ts). */
  readonly dnssec?: LabDnssec;
};

/** A running server; `resolver` is what to give createResolver. */
export type DnsServer = {
  readonly host: string;
  readonly port: number;
  readonly resolver: ResolverAddress;
  readonly zone: Zone;
  /** Queries received per transport, answered or not. */
  readonly counts: { udp: number; tcp: number };
  /** `address:port` of every UDP client seen, to show how many sockets a resolver used. */
  readonly udpSources: ReadonlySet<string>;
  close(): Promise<void>;
};

const TTL = 300;
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
/** RFC 1035 4.2.1: without EDNS a UDP message carries at most 512 bytes. */
const CLASSIC_UDP_LIMIT = 512;
const RECV_BUFFER_BYTES = 4 << 20;

type Reply = {
  readonly rcode: number; readonly answers: Answer[]; readonly ad: boolean; readonly truncate: boolean;
  readonly authorities?: Answer[]; readonly notAuthoritative?: boolean;
};
type Flags = { readonly dnssecOk: boolean; readonly checkingDisabled: boolean; readonly chaseLimit: number };

/**
 * Starts an answering DNS server for tests, the demo and the benchmark on UDP and TCP (same port). It answers as a
 * recursive resolver would for the whole zone: CNAMEs chased in the zone, NXDOMAIN for a missing target.
 * @example
 * const server = await startDnsServer({ zone: { 'example.test': { A: ['127.0.0.1'], TXT: ['v=spf1 -all'] } } });
 * const resolver = createResolver({ servers: [server.resolver], timeoutMs: 500, retries: 0 });
 */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const { zone, host = '127.0.0.1', delayMs = 0, chaseLimit = 16, synthesize, onQuery } = options;
  const find: NodeFinder = (key) => (Object.hasOwn(zone, key) ? zone[key] : synthesize?.(key));
  const mirrored: MirroredZone = {
    names: () => Object.keys(zone), node: find, records: (name, type, node) => records(name, type, node as ZoneNode),
    overridden: (key, type) => {
      const node = find(key);
      return node !== undefined && (node.silent === true || node.servfail === true || node.refused === true || node.referral !== undefined
        || node.truncate === true || node[type as keyof ZoneNode] === TIMEOUT);
    },
  };
  const signedAnswer = (message: Buffer, transport: 'udp' | 'tcp') => options.dnssec?.answer(message, transport, mirrored);
  const counts = { udp: 0, tcp: 0 };
  const udpSources = new Set<string>();
  const connections = new Set<net.Socket>();
  let closed = false;
  // A delayed answer may come due after close(); sending on a closed dgram socket throws.
  const later = (send: () => void) => (delayMs > 0 ? void setTimeout(() => closed || send(), delayMs) : send());

  const onUdp = (udp: dgram.Socket) => (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    counts.udp++;
    udpSources.add(`${rinfo.address}:${rinfo.port}`);
    const query = decode(msg);
    if (query && onQuery) noteQuery(query, onQuery);
    const response = query && (signedAnswer(msg, 'udp') ?? respond(find, query, 'udp', chaseLimit));
    if (response) later(() => udp.send(response, rinfo.port, rinfo.address));
  };
  const onTcp = (socket: net.Socket) => serveDnsOverTcp(socket, connections, (message, reply) => {
    counts.tcp++;
    const query = decode(message);
    if (query && onQuery) noteQuery(query, onQuery);
    const response = query && (signedAnswer(message, 'tcp') ?? respond(find, query, 'tcp', chaseLimit));
    if (response) later(() => reply(response));
  });

  const { udp, tcp, port } = await bindBoth(host, options.port ?? 0, onUdp, onTcp);
  return {
    host, port, resolver: { address: host, port }, zone, counts, udpSources,
    close: async () => {
      closed = true;
      for (const socket of connections) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

/** Binds UDP first, then TCP on the port UDP got; with port 0 another process may hold that TCP port, so retry. */
export async function bindBoth(
  host: string, wanted: number,
  onUdp: (udp: dgram.Socket) => (msg: Buffer, rinfo: dgram.RemoteInfo) => void, onTcp: (socket: net.Socket) => void,
): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  for (let attempt = 0; ; attempt++) {
    // A larger receive buffer (capped by net.core.rmem_max) so a burst of queries is not dropped at 256 datagrams.
    const udp = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4', recvBufferSize: RECV_BUFFER_BYTES });
    udp.on('message', onUdp(udp));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(wanted, host, () => { udp.off('error', reject); resolve(); });
    });
    const port = udp.address().port;
    const tcp = net.createServer({ noDelay: true }, onTcp);
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, host, () => { tcp.off('error', reject); resolve(); });
      });
      udp.on('error', () => {});
      return { udp, tcp, port: (tcp.address() as AddressInfo).port };
    } catch (err) {
      udp.close();
      if (wanted !== 0 || attempt >= 20 || (err as { code?: string }).code !== 'EADDRINUSE') throw err;
    }
  }
}

function decode(message: Buffer): DecodedPacket | undefined {
  try {
    const packet = dnsPacket.decode(message);
    return packet.flag_qr || packet.questions?.length !== 1 ? undefined : packet;
  } catch {
    return undefined; // garbage gets no answer, as from many real servers
  }
}

/** The zone's node for a lower-case name without the final dot, if any. */
type NodeFinder = (key: string) => ZoneNode | undefined;

function noteQuery(query: DecodedPacket, onQuery: (name: string, type: string) => void): void {
  const question = query.questions?.[0];
  if (question) onQuery(question.name.toLowerCase().replace(/\.$/, ''), question.type);
}

/** The encoded answer, or undefined to stay silent. */
function respond(find: NodeFinder, query: DecodedPacket, transport: 'udp' | 'tcp', chaseLimit: number): Buffer | undefined {
  const question = query.questions?.[0];
  if (!question) return undefined;
  const opt = query.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
  const reply = lookup(find, question.name, question.type as DnsType,
    { dnssecOk: opt?.flag_do === true, checkingDisabled: query.flag_cd === true, chaseLimit });
  if (!reply) return undefined;
  const flags = (reply.notAuthoritative ? 0 : dnsPacket.AUTHORITATIVE_ANSWER) | dnsPacket.RECURSION_AVAILABLE
    | (query.flags ?? 0) & (dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED) | (reply.ad ? dnsPacket.AUTHENTIC_DATA : 0) | reply.rcode;
  const packet: dnsPacket.Packet = {
    type: 'response', id: query.id ?? 0, flags, questions: [question], answers: reply.answers,
    ...(reply.authorities?.length ? { authorities: reply.authorities } : {}),
    // RFC 6891 7: answer EDNS with EDNS; RFC 3225 3: echo DO.
    ...(opt ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0,
      flags: opt.flags & dnsPacket.DNSSEC_OK, flag_do: opt.flag_do, options: [] }] } : {}),
  };
  const limit = opt ? Math.max(CLASSIC_UDP_LIMIT, opt.udpPayloadSize) : CLASSIC_UDP_LIMIT;
  // RFC 2181 9: when the answer does not fit (or the name says so), set TC and send no partial RRset.
  if (transport === 'udp' && (reply.truncate || dnsPacket.encodingLength(packet) > limit)) {
    return dnsPacket.encode({ ...packet, flags: flags | dnsPacket.TRUNCATED_RESPONSE, answers: [], authorities: [] });
  }
  return dnsPacket.encode(packet);
}

/** Looks a question up the way a recursive resolver reports it, or returns undefined to stay silent. */
function lookup(find: NodeFinder, qname: string, qtype: DnsType, flags: Flags): Reply | undefined {
  const answers: Answer[] = [];
  const seen = new Set<string>();
  let name = qname;
  let ad = true;
  let truncate = false;
  for (let hops = 0; ; hops++) {
    const key = name.toLowerCase().replace(/\.$/, '');
    const node = find(key);
    if (!node) return { rcode: RCODE.NXDOMAIN, answers, ad: ad && hops > 0, truncate };
    if (node.silent || node[qtype as keyof ZoneNode] === TIMEOUT) return undefined;
    if (node.servfail) return { rcode: RCODE.SERVFAIL, answers: [], ad: false, truncate: false };
    if (node.refused) return { rcode: RCODE.REFUSED, answers: [], ad: false, truncate: false };
    if (node.referral) {
      const authorities: Answer[] = node.referral.map((data) => ({ type: 'NS', name: key, ttl: TTL, class: 'IN', data }));
      return { rcode: RCODE.NOERROR, answers: [], authorities, ad: false, truncate: false, notAuthoritative: true };
    }
    // RFC 4035 3.2.2: a validating resolver answers SERVFAIL for bogus data, and returns it unvalidated when CD is set.
    if (node.bogus && !flags.checkingDisabled) return { rcode: RCODE.SERVFAIL, answers: [], ad: false, truncate: false };
    // RFC 4034 5: a DS RRset is served (and signed) by the parent zone.
    const dnssec = qtype === 'DS' ? enclosing(find, key) ?? {} : node;
    ad &&= dnssec.ad === true && !node.bogus;
    const signed = flags.dnssecOk && (dnssec.signed ?? dnssec.ad === true);
    truncate ||= node.truncate === true;
    seen.add(key);
    if (node.CNAME !== undefined && qtype !== 'CNAME') {
      answers.push({ type: 'CNAME', name, ttl: TTL, class: 'IN', data: node.CNAME });
      if (signed) answers.push(rrsig(name, 'CNAME'));
      const next = node.CNAME.toLowerCase().replace(/\.$/, '');
      // A loop, or the restart limit: the chain so far, as BIND answers it.
      if (seen.has(next) || hops + 1 >= flags.chaseLimit) return { rcode: RCODE.NOERROR, answers, ad, truncate };
      name = node.CNAME;
      continue;
    }
    const found = records(name, qtype, node);
    answers.push(...found);
    if (signed && found.length > 0) answers.push(rrsig(name, qtype));
    // RFC 4035 3.1.3.1: a signed NODATA proves itself with the NSEC at the name and its signature.
    const authorities: Answer[] = signed && found.length === 0
      ? [{ type: 'NSEC', name, ttl: TTL, class: 'IN', data: { nextDomain: name, rrtypes: ['RRSIG', 'NSEC'] } }, rrsig(name, 'NSEC')]
      : [];
    return { rcode: RCODE.NOERROR, answers, authorities, ad, truncate };
  }
}

/** The node of the closest name above `key` in the zone (the root is `''`), if any. */
function enclosing(find: NodeFinder, key: string): ZoneNode | undefined {
  for (let name = key; name !== '';) {
    name = name.includes('.') ? name.slice(name.indexOf('.') + 1) : '';
    const node = find(name);
    if (node) return node;
  }
  return undefined;
}

/** A syntactically valid RRSIG with a dummy signature (RFC 4034 3): present, but nothing could validate it. */
function rrsig(name: string, typeCovered: string): Answer {
  const now = Math.floor(Date.now() / 1000);
  return {
    type: 'RRSIG', name, ttl: TTL, class: 'IN',
    data: { typeCovered, algorithm: 13, labels: name.split('.').filter(Boolean).length, originalTTL: TTL,
      expiration: now + 86400, inception: now - 3600, keyTag: 4242, signersName: name, signature: Buffer.alloc(64, 0x5a) },
  } as Answer;
}

function records(name: string, qtype: DnsType, node: ZoneNode): Answer[] {
  const base = { name, ttl: TTL, class: 'IN' as const };
  const list = <T>(set: Rrset<T> | undefined): readonly T[] => (set === undefined || set === TIMEOUT ? [] : set);
  switch (qtype) {
    case 'A': case 'AAAA': case 'NS': case 'PTR':
      return list(node[qtype]).map((data) => ({ ...base, type: qtype, data }));
    case 'CNAME': return node.CNAME === undefined ? [] : [{ ...base, type: 'CNAME', data: node.CNAME }];
    case 'MX': return list(node.MX).map((data) => ({ ...base, type: 'MX', data: { ...data } }));
    case 'TXT': return list(node.TXT).map((value) => ({ ...base, type: 'TXT', data: characterStrings(value) }));
    // dns-packet does not know SPF (type 99): hand it the RDATA, the same character-strings as TXT (RFC 4408 3.1.1).
    case 'SPF': return list(node.SPF).map((value) => ({ ...base, type: 'SPF', data: rdata(characterStrings(value)) }) as unknown as Answer);
    case 'CAA': return list(node.CAA).map((data) => ({ ...base, type: 'CAA', data: { ...data, flags: data.flags ?? 0 } }));
    case 'TLSA': return list(node.TLSA).map((d) => ({ ...base, type: 'TLSA', data: { ...d, certificate: Buffer.from(d.certificate, 'hex') } }));
    case 'DS': return list(node.DS).map((d) => ({ ...base, type: 'DS', data: { ...d, digest: Buffer.from(d.digest, 'hex') } }));
    case 'DNSKEY': return list(node.DNSKEY).map((d) => ({ ...base, type: 'DNSKEY', data: { ...d, key: Buffer.from(d.key, 'base64') } }));
    case 'SOA': return list(node.SOA).map((data) => ({ ...base, type: 'SOA', data: { ...data } }));
    default: return []; // a type the zone cannot hold (ANY, HINFO...): NODATA
  }
}

/** RFC 1035 3.3: a character-string holds at most 255 octets, so longer text is split (RFC 7208 3.3 joins it again). */
function characterStrings(value: string | readonly string[]): Buffer[] {
  const strings = typeof value === 'string' ? [value] : value;
  return strings.flatMap((text) => {
    const bytes = Buffer.from(text, 'utf8');
    const chunks = [bytes.subarray(0, 255)];
    for (let offset = 255; offset < bytes.length; offset += 255) chunks.push(bytes.subarray(offset, offset + 255));
    return chunks;
  });
}

function rdata(strings: readonly Buffer[]): Buffer {
  return Buffer.concat(strings.flatMap((s) => [Buffer.from([s.length]), s]));
}

