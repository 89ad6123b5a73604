import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer } from 'dns-packet';
import type { Logger } from 'pino';
import type { ResolverAddress } from '../config/config.ts';
import { abortReason } from '../core/deadline.ts';
import { ProbeError, toProbeError } from '../core/errors.ts';
import type { DnsAnswer, DnsType } from './types.ts';

/** How a stub resolver reaches its recursive resolvers. */
export type ResolverOptions = {
  /** Tried in order: the next one on timeout, SERVFAIL or REFUSED. Must not be empty. */
  readonly servers: readonly ResolverAddress[];
  /** Per attempt: one UDP exchange, plus the TCP retry when the UDP answer was truncated. */
  readonly timeoutMs: number;
  /** Extra rounds over the servers that have not answered yet, after the first round. */
  readonly retries: number;
  readonly log?: Logger;
};

/** A stub resolver: one shared UDP socket per address family, TCP only for truncated answers. */
export type Resolver = {
  /**
   * Asks the configured servers in turn until one answers NOERROR or NXDOMAIN (both facts, never thrown). Rejects
   * with ProbeError `dns-failure` when servers answered only with error rcodes, `timeout` when none answered, or
   * the signal's reason as soon as it aborts.
   */
  query(name: string, type: DnsType, signal: AbortSignal): Promise<DnsAnswer>;
  /** Closes the UDP sockets; queries still in flight reject with a plain Error (a lifecycle bug, not a fact). */
  close(): void;
};

/** RFC 6891 6.2.5 with the DNS Flag Day 2020 value: 1232 bytes avoids IP fragmentation on common paths. */
const EDNS_PAYLOAD = 1232;
/** RFC 7766 8: the 2-byte length prefix caps a TCP message at 65535 bytes. */
const MAX_TCP_MESSAGE = 0xffff;
const MAX_CNAME_CHAIN = 16;
/** Capped by the kernel at net.core.rmem_max. */
const RECV_BUFFER_BYTES = 4 << 20;
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
const NOERROR = 0;
const NXDOMAIN = 3;

type Question = { readonly name: string; readonly type: DnsType };
type Rr = Exclude<Answer, OptAnswer>;
type Pending = {
  readonly address: string; readonly port: number; readonly question: Question;
  answer(packet: DecodedPacket): void;
  fail(err: Error): void;
};
type Channel = { readonly socket: dgram.Socket; readonly pending: Map<number, Pending> };

/**
 * Creates a stub resolver on dns-packet: EDNS0 with DO and AD, random ids, replies matched on source, id and question.
 * @example
 * const resolver = createResolver({ servers: [{ address: '127.0.0.1', port: 53 }], timeoutMs: 2000, retries: 1 });
 * const mx = await resolver.query('example.nl', 'MX', AbortSignal.timeout(5000)); // records: ['10 mx.example.nl']
 * resolver.close();
 */
export function createResolver(options: ResolverOptions): Resolver {
  if (options.servers.length === 0) throw new RangeError('createResolver: no servers configured');
  const servers = options.servers.map((s) => ({ address: canonicalAddress(s.address), port: s.port }));
  const { log, timeoutMs } = options;
  const channels = new Map<4 | 6, Channel>();
  let closed = false;

  const channelFor = (family: 4 | 6): Channel => {
    const existing = channels.get(family);
    if (existing) return existing;
    // Many queries share this socket: the default receive buffer (~256 datagrams on Linux) drops answers to a burst.
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', recvBufferSize: RECV_BUFFER_BYTES });
    const channel: Channel = { socket, pending: new Map() };
    channel.socket.unref(); // in-flight attempts keep the process alive through their (ref'd) timers, not the socket
    channel.socket.on('message', (msg, rinfo) => {
      // RFC 5452 9.1: accept only a reply from the address and port queried, with our id and our question.
      const entry = msg.length >= 12 ? channel.pending.get(msg.readUInt16BE(0)) : undefined;
      if (!entry || rinfo.port !== entry.port || rinfo.address !== entry.address) return ignored('unknown id or source', rinfo);
      let packet: DecodedPacket;
      try {
        packet = dnsPacket.decode(msg);
      } catch {
        return ignored('undecodable', rinfo);
      }
      if (!packet.flag_qr || !sameQuestion(packet, entry.question)) return ignored('question mismatch', rinfo);
      entry.answer(packet);
    });
    channel.socket.on('error', (err) => {
      log?.warn({ err }, 'dns socket error');
      channels.delete(family);
      channel.socket.close();
      for (const entry of channel.pending.values()) entry.fail(err);
    });
    channels.set(family, channel);
    return channel;
  };

  const ignored = (why: string, rinfo: dgram.RemoteInfo): void =>
    log?.debug({ from: `${rinfo.address}:${rinfo.port}` }, `dns reply ignored: ${why}`);

  const udpExchange = (server: ResolverAddress, question: Question, signal: AbortSignal): Promise<DecodedPacket> => {
    const channel = channelFor(net.isIPv6(server.address) ? 6 : 4);
    const id = freeId(channel.pending);
    const label = serverLabel(server);
    return new Promise<DecodedPacket>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        channel.pending.delete(id);
      };
      const onAbort = () => { cleanup(); reject(abortReason(signal)); };
      const timer = setTimeout(() => {
        cleanup();
        reject(new ProbeError('timeout', label, `no answer to ${question.type} ${question.name} within ${timeoutMs} ms`));
      }, timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      channel.pending.set(id, {
        address: server.address, port: server.port, question,
        answer(packet) { cleanup(); resolve(packet); },
        fail(err) { cleanup(); reject(closed ? err : toProbeError(err, label)); },
      });
      channel.socket.send(encodeQuery(id, question), server.port, server.address, (err) => {
        if (err) { cleanup(); reject(toProbeError(err, label)); }
      });
    });
  };

  const exchange = async (server: ResolverAddress, question: Question, signal: AbortSignal): Promise<DecodedPacket> => {
    const reply = await udpExchange(server, question, signal);
    if (!reply.flag_tc) return reply;
    // RFC 7766 5 / RFC 2181 9: a truncated answer is retried over TCP and its partial records are never used.
    log?.debug({ resolver: serverLabel(server), name: question.name, type: question.type }, 'dns answer truncated, using TCP');
    return tcpExchange(server, question, timeoutMs, signal);
  };

  return {
    async query(name, type, signal) {
      if (signal.aborted) throw abortReason(signal);
      if (closed) throw new Error('resolver closed');
      const question = { name: queryName(name), type };
      const rcodeFailures = new Map<number, string>();
      let lastError: ProbeError | undefined;
      // Rounds over the servers (as resolv.conf `attempts`), so one dead server costs one timeout, not all retries.
      for (let attempt = 0; attempt <= options.retries && rcodeFailures.size < servers.length; attempt++) {
        for (const [index, server] of servers.entries()) {
          if (rcodeFailures.has(index)) continue;
          let reply: DecodedPacket;
          try {
            reply = await exchange(server, question, signal);
          } catch (err) {
            if (signal.aborted) throw abortReason(signal);
            if (closed) throw err;
            lastError = toProbeError(err, serverLabel(server));
            log?.debug({ err: lastError.message, attempt }, 'dns attempt failed');
            continue;
          }
          const rcode = fullRcode(reply);
          if (rcode === NOERROR || rcode === NXDOMAIN) return toAnswer(name, question, serverLabel(server), reply);
          rcodeFailures.set(index, `${RCODES[rcode] ?? `RCODE${rcode}`} from ${serverLabel(server)}`);
          log?.debug({ resolver: serverLabel(server), rcode, name, type }, 'dns error rcode, trying the next server');
        }
      }
      const where = servers.map(serverLabel).join(', ');
      if (rcodeFailures.size > 0) {
        const silent = servers.length - rcodeFailures.size;
        const rest = silent > 0 ? `; ${silent} other server(s) did not answer` : '';
        throw new ProbeError('dns-failure', where, `${type} ${name}: ${[...rcodeFailures.values()].join(', ')}${rest}`);
      }
      if (lastError && lastError.reason !== 'timeout') throw lastError;
      throw new ProbeError('timeout', where, `no answer to ${type} ${name} in ${options.retries + 1} round(s) of ${timeoutMs} ms per server`);
    },
    close() {
      closed = true;
      for (const [family, channel] of channels) {
        channels.delete(family);
        channel.socket.close();
        for (const entry of channel.pending.values()) entry.fail(new Error('resolver closed'));
      }
    },
  };
}

/** One query over its own TCP connection with RFC 7766 8 length framing. */
function tcpExchange(server: ResolverAddress, question: Question, timeoutMs: number, signal: AbortSignal): Promise<DecodedPacket> {
  const label = serverLabel(server);
  const id = Math.floor(Math.random() * 0x10000);
  return new Promise<DecodedPacket>((resolve, reject) => {
    const socket = net.connect({ host: server.address, port: server.port, noDelay: true });
    let buffered = Buffer.alloc(0);
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      settle();
    };
    const onAbort = () => finish(() => reject(abortReason(signal)));
    const timer = setTimeout(() => finish(() =>
      reject(new ProbeError('timeout', label, `no TCP answer to ${question.type} ${question.name} within ${timeoutMs} ms`))), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => socket.write(dnsPacket.streamEncode(queryPacket(id, question))));
    socket.on('error', (err) => finish(() => reject(toProbeError(err, label))));
    socket.on('end', () => finish(() => reject(new ProbeError('protocol', label, 'TCP connection closed before a complete answer'))));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0)); // never more than MAX_TCP_MESSAGE bytes
      finish(() => {
        try {
          const packet = dnsPacket.decode(message);
          // On a connection of our own a wrong id or question is a broken server, not an off-path spoof to wait out.
          if (packet.id !== id || !packet.flag_qr || !sameQuestion(packet, question)) throw new Error('it does not match the query');
          resolve(packet);
        } catch (err) {
          reject(new ProbeError('protocol', label, `bad TCP answer (${message.length} of at most ${MAX_TCP_MESSAGE} bytes): ${(err as Error).message}`));
        }
      });
    });
  });
}

function queryPacket(id: number, question: Question): dnsPacket.Packet {
  return {
    type: 'query', id,
    // RFC 6840 5.7: AD in a query asks for the AD bit in the answer.
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA,
    questions: [{ name: question.name, type: question.type as dnsPacket.RecordType, class: 'IN' }],
    // RFC 6891 6.1.2: the OPT pseudo-record; RFC 3225 3: DO, so a validating resolver validates and sets AD.
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_PAYLOAD, extendedRcode: 0, ednsVersion: 0,
      flags: dnsPacket.DNSSEC_OK, flag_do: true, options: [] }],
  };
}

const encodeQuery = (id: number, question: Question): Buffer => dnsPacket.encode(queryPacket(id, question));

/** A random id no other query in flight on this socket uses (RFC 5452 9.2: ids must be unpredictable). */
function freeId(pending: ReadonlyMap<number, Pending>): number {
  for (;;) {
    const id = Math.floor(Math.random() * 0x10000);
    if (!pending.has(id)) return id;
  }
}

function sameQuestion(packet: DecodedPacket, question: Question): boolean {
  const q = packet.questions?.length === 1 ? packet.questions[0] : undefined;
  return q !== undefined && (q.type as string) === question.type && (q.class ?? 'IN') === 'IN'
    && q.name.toLowerCase() === question.name.toLowerCase();
}

/** RFC 6891 6.1.3: the OPT record carries the upper 8 bits of the 12-bit rcode. */
function fullRcode(packet: DecodedPacket): number {
  const opt = packet.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
  return ((opt?.extendedRcode ?? 0) << 4) | ((packet.flags ?? 0) & 0x0f);
}

function queryName(name: string): string {
  const bare = name.length > 1 && name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare === '.' || bare === '') return '.';
  // RFC 1035 2.3.4: labels of 1-63 octets and 255 in all; dns-packet would silently encode garbage.
  if (bare.split('.').some((l) => l.length === 0 || Buffer.byteLength(l) > 63) || Buffer.byteLength(bare) > 253) {
    throw new ProbeError('dns-failure', 'resolver', `not a valid domain name: ${JSON.stringify(name)}`);
  }
  return bare;
}

function toAnswer(asked: string, question: Question, resolver: string, packet: DecodedPacket): DnsAnswer {
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
  const records = txt ? txt.map((strings) => decodeText(Buffer.concat(strings))) : matching.map(present);
  // RFC 6604 2: after a CNAME chain the rcode describes the last name in it.
  const result = fullRcode(packet) === NXDOMAIN ? 'nxdomain' : records.length === 0 ? 'nodata' : 'records';
  return {
    name: asked, type: question.type, resolver, result, records,
    ...(txt ? { txtStrings: txt.map((strings) => strings.map(decodeText)) } : {}),
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

/** `address:port`, with brackets around an IPv6 address. */
function serverLabel(server: ResolverAddress): string {
  return net.isIPv6(server.address) ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
}

/** The spelling Node uses in `rinfo.address`, so source matching works however an IPv6 address was written. */
function canonicalAddress(address: string): string {
  if (!net.isIPv6(address) || address.includes('%')) return address;
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** The result of parsing one configured resolver address. */
export type ParsedResolver = { readonly ok: true; readonly value: ResolverAddress } | { readonly ok: false; readonly problem: string };

/**
 * Parses `192.0.2.53`, `192.0.2.53:5353`, `2001:db8::53` or `[2001:db8::53]:5353` (port 53 when omitted).
 * Host names are refused: a resolver cannot be looked up through itself.
 */
export function parseResolverAddress(text: string): ParsedResolver {
  const trimmed = text.trim();
  const bad: ParsedResolver = { ok: false, problem: `not an IP address with an optional port (like 192.0.2.53:5353 or [2001:db8::53]:5353): ${JSON.stringify(text)}` };
  let address = trimmed;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(trimmed);
  if (bracketed) {
    [address = '', portText] = [bracketed[1], bracketed[2]];
    if (!net.isIPv6(address)) return bad;
  } else if (!net.isIP(trimmed)) {
    const colon = trimmed.lastIndexOf(':');
    [address, portText] = [trimmed.slice(0, colon), trimmed.slice(colon + 1)];
    if (colon < 0 || !net.isIPv4(address)) return bad;
  }
  if (portText === undefined) return { ok: true, value: { address, port: 53 } };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return { ok: false, problem: `port must be a number from 1 to 65535: ${JSON.stringify(text)}` };
  return { ok: true, value: { address, port } };
}

/**
 * The `nameserver` lines of resolv.conf(5) on port 53, at most three as glibc uses (MAXNS); 127.0.0.1:53 when the
 * file is missing or names none, which is glibc's fallback too.
 */
export function systemResolvers(path = '/etc/resolv.conf'): ResolverAddress[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // An unreadable file means no configured servers, exactly as for the C library.
  }
  const found: ResolverAddress[] = [];
  for (const line of text.split(/\r?\n/)) {
    const value = /^\s*nameserver\s+(\S+)/.exec(line)?.[1];
    const parsed = value === undefined ? undefined : parseResolverAddress(value);
    if (parsed?.ok && found.length < 3) found.push(parsed.value);
  }
  return found.length > 0 ? found : [{ address: '127.0.0.1', port: 53 }];
}
