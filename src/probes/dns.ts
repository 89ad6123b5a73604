import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import type { Logger } from 'pino';
import type { ResolverAddress } from '../config/config.ts';
import { abortReason } from '../core/deadline.ts';
import { ProbeError, toProbeError } from '../core/errors.ts';
import type { DnsAnswer, DnsQueryOptions, DnsType } from './types.ts';
import { decodeMessage, MAX_CNAME_LINKS, peekQuestion, readReply, type Question, type ReplyReading } from './dns-answer.ts';

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
   * Asks the configured servers in turn until one answers NOERROR or NXDOMAIN (both facts, never thrown), then
   * follows a CNAME chain the resolver returned only part of by asking its last name (up to MAX_CNAME_LINKS links).
   * Rejects with ProbeError `dns-failure` when servers answered only with error rcodes or referrals (RFC 2308 2.2:
   * the resolver did not recurse), `protocol` for an undecodable reply (once no other server answered), a CNAME
   * loop or a chain over the cap, `timeout` when none answered, or the signal's reason as soon as it aborts.
   */
  query(name: string, type: DnsType, signal: AbortSignal, options?: DnsQueryOptions): Promise<DnsAnswer>;
  /** Closes the UDP sockets; queries still in flight reject with a plain Error (a lifecycle bug, not a fact). */
  close(): void;
};

/** RFC 6891 6.2.5 with the DNS Flag Day 2020 value: 1232 bytes avoids IP fragmentation on common paths. */
const EDNS_PAYLOAD = 1232;
/** RFC 7766 8: the 2-byte length prefix caps a TCP message at 65535 bytes. */
const MAX_TCP_MESSAGE = 0xffff;
/** Capped by the kernel at net.core.rmem_max. */
const RECV_BUFFER_BYTES = 4 << 20;

/** The question on the wire: name and type, plus the CD bit it was asked with. */
type Asked = Question & { readonly checkingDisabled: boolean };

type Pending = {
  readonly address: string; readonly port: number; readonly question: Asked;
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
      const entry = msg.length >= 2 ? channel.pending.get(msg.readUInt16BE(0)) : undefined;
      if (!entry || rinfo.port !== entry.port || rinfo.address !== entry.address) return ignored('unknown id or source', rinfo);
      let packet: DecodedPacket;
      try {
        packet = decodeMessage(msg, serverLabel(entry));
      } catch (err) {
        // Our id from the server we asked: a broken reply, reported at once (not waited out as a timeout), unless
        // what can still be read of it shows another question (then it may be a spoofing attempt: ignored).
        if (peekQuestion(msg, entry.question) === 'mismatch') return ignored('undecodable, for another question', rinfo);
        return entry.fail(err as Error);
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

  const udpExchange = (server: ResolverAddress, question: Asked, signal: AbortSignal): Promise<DecodedPacket> => {
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

  const exchange = async (server: ResolverAddress, question: Asked, signal: AbortSignal): Promise<DecodedPacket> => {
    const reply = await udpExchange(server, question, signal);
    if (!reply.flag_tc) return reply;
    // RFC 7766 5 / RFC 2181 9: a truncated answer is retried over TCP and its partial records are never used.
    log?.debug({ resolver: serverLabel(server), name: question.name, type: question.type }, 'dns answer truncated, using TCP');
    return tcpExchange(server, question, timeoutMs, signal);
  };

  /** One question over the servers in turn: the first NOERROR/NXDOMAIN reading, or the failure described above. */
  const ask = async (question: Asked, signal: AbortSignal): Promise<{ reading: Extract<ReplyReading, { kind: 'answer' }>; resolver: string }> => {
    const { name, type } = question;
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
          const failure = toProbeError(err, serverLabel(server));
          // A server that answered garbage (protocol) says more than one that stayed silent: a timeout never hides it.
          if (!lastError || lastError.reason === 'timeout' || failure.reason !== 'timeout') lastError = failure;
          log?.debug({ err: failure.message, attempt }, 'dns attempt failed');
          continue;
        }
        // A CNAME loop inside the reply is thrown from here: a fact about the zone, not about this server.
        const reading = readReply(question, reply, serverLabel(server));
        if (reading.kind === 'answer') return { reading, resolver: serverLabel(server) };
        rcodeFailures.set(index, reading.kind === 'rcode' ? `${reading.rcodeName} from ${serverLabel(server)}`
          : `referral: the resolver did not recurse (${serverLabel(server)} answered NOERROR without an answer or AA, `
            + `with NS of ${reading.zone} in the authority section: ${reading.nameservers.join(', ')}; RFC 2308 2.2)`);
        log?.debug({ resolver: serverLabel(server), reading: reading.kind, name, type }, 'dns server cannot answer, trying the next server');
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
  };

  return {
    async query(name, type, signal, queryOptions = {}) {
      if (signal.aborted) throw abortReason(signal);
      if (closed) throw new Error('resolver closed');
      const checkingDisabled = queryOptions.checkingDisabled === true;
      let current = queryName(name);
      // RFC 1034 3.6.2: follow the chain to its end. A resolver may stop part-way (its restart limit): then the
      // reply ends on an alias without the asked type and Vouch asks that name itself, counting every link.
      const chain: string[] = [];
      const seen = new Set([bare(current)]);
      let authenticated = true;
      let rrsigs = true;
      let dnssecOk = true;
      for (;;) {
        const { reading, resolver } = await ask({ name: current, type, checkingDisabled }, signal);
        authenticated &&= reading.authenticated;
        rrsigs &&= reading.rrsigs;
        dnssecOk &&= reading.dnssecOk;
        for (const alias of reading.cnames) {
          chain.push(alias);
          const path = () => [name, ...chain].join(' -> ');
          if (seen.has(bare(alias))) throw new ProbeError('protocol', resolver, `CNAME loop for ${type} ${name}: ${path()}`);
          if (chain.length > MAX_CNAME_LINKS) {
            throw new ProbeError('protocol', resolver, `CNAME chain for ${type} ${name} longer than ${MAX_CNAME_LINKS} links: ${path()}`);
          }
          seen.add(bare(alias));
        }
        if (reading.next === null) {
          return {
            name, type, resolver, result: reading.result, records: reading.records,
            ...(reading.txtStrings ? { txtStrings: reading.txtStrings } : {}),
            authenticated, rrsigs, dnssecOk, ...(checkingDisabled ? { checkingDisabled } : {}),
            cnames: chain, observedAt: new Date().toISOString(),
          };
        }
        log?.debug({ name, type, next: reading.next, links: chain.length }, 'dns answer ends on a CNAME, asking its target');
        try {
          current = queryName(reading.next);
        } catch {
          throw new ProbeError('protocol', resolver, `CNAME for ${type} ${name} points to an invalid name: ${[name, ...chain].join(' -> ')}`);
        }
      }
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
function tcpExchange(server: ResolverAddress, question: Asked, timeoutMs: number, signal: AbortSignal): Promise<DecodedPacket> {
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
          const packet = decodeMessage(message, label);
          // On a connection of our own a wrong id or question is a broken server, not an off-path spoof to wait out.
          if (packet.id !== id || !packet.flag_qr || !sameQuestion(packet, question)) throw new Error('it does not match the query');
          resolve(packet);
        } catch (err) {
          if (err instanceof ProbeError) return reject(err);
          reject(new ProbeError('protocol', label, `bad TCP answer (${message.length} of at most ${MAX_TCP_MESSAGE} bytes): ${(err as Error).message}`));
        }
      });
    });
  });
}

function queryPacket(id: number, question: Asked): dnsPacket.Packet {
  return {
    type: 'query', id,
    // RFC 6840 5.7: AD in a query asks for the AD bit in the answer. RFC 4035 3.2.2: CD asks for the data unvalidated.
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA | (question.checkingDisabled ? dnsPacket.CHECKING_DISABLED : 0),
    questions: [{ name: question.name, type: question.type as dnsPacket.RecordType, class: 'IN' }],
    // RFC 6891 6.1.2: the OPT pseudo-record; RFC 3225 3: DO, so a validating resolver validates and sets AD.
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_PAYLOAD, extendedRcode: 0, ednsVersion: 0,
      flags: dnsPacket.DNSSEC_OK, flag_do: true, options: [] }],
  };
}

const encodeQuery = (id: number, question: Asked): Buffer => dnsPacket.encode(queryPacket(id, question));

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


/** A name as compared in a chain: lower case, without the final dot (RFC 1035 2.3.3, 3.1). */
const bare = (name: string): string => name.toLowerCase().replace(/\.$/, '');

function queryName(name: string): string {
  const bare = name.length > 1 && name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare === '.' || bare === '') return '.';
  // RFC 1035 2.3.4: labels of 1-63 octets and 255 in all; dns-packet would silently encode garbage.
  if (bare.split('.').some((l) => l.length === 0 || Buffer.byteLength(l) > 63) || Buffer.byteLength(bare) > 253) {
    throw new ProbeError('dns-failure', 'resolver', `not a valid domain name: ${JSON.stringify(name)}`);
  }
  return bare;
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
