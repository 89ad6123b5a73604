import net from 'node:net';
import type { Logger } from 'pino';
import type { ResolverAddress } from '../config/config.ts';
import { abortReason, deadline } from '../core/deadline.ts';
import { ProbeError, toProbeError } from '../core/errors.ts';
import type { DnsAnswer, DnsQueryOptions, DnsType } from './types.ts';
import { MAX_CNAME_LINKS, readReply, type ReplyReading } from './dns-answer.ts';
import { inFlightLimit } from './dns-in-flight.ts';
import { tcpExchangeRaw } from './dns-tcp.ts';
import { udpTransport } from './dns-udp.ts';
import { serverLabel, type Asked, type Exchanged } from './dns-wire.ts';

/** How a stub resolver reaches its recursive resolvers. */
export type ResolverOptions = {
  /** Tried in order: the next one on timeout, SERVFAIL or REFUSED. Must not be empty. */
  readonly servers: readonly ResolverAddress[];
  /** Per attempt, from its send: one UDP exchange, plus the TCP retry when the UDP answer was truncated. */
  readonly timeoutMs: number;
  /** Extra rounds over the servers that have not answered yet, after the first round. */
  readonly retries: number;
  /**
   * Queries on the wire at a time (default DNS_IN_FLIGHT); the rest wait in arrival order. Waiting in line never
   * counts against `timeoutMs` or `queryBudgetMs`; the caller's signal (a stopped run) ends the wait at once.
   */
  readonly maxInFlight?: number;
  /**
   * A whole query (every round, TCP retries and CNAME follow-ups), counted from when it leaves the line; past it the
   * query rejects with ProbeError `timeout`. Unset: bounded only by its attempts and the caller's signal.
   */
  readonly queryBudgetMs?: number;
  readonly log?: Logger;
};

/** A stub resolver: a few shared UDP sockets per address family, TCP only for truncated answers. */
export type Resolver = {
  /**
   * Asks the configured servers in turn until one answers NOERROR or NXDOMAIN (both facts, never thrown), then
   * follows a CNAME chain the resolver returned only part of by asking its last name (up to MAX_CNAME_LINKS links).
   * Rejects with ProbeError `dns-failure` when servers answered only with error rcodes or referrals (RFC 2308 2.2:
   * the resolver did not recurse), `protocol` for an undecodable reply (once no other server answered), a CNAME
   * loop or a chain over the cap, `timeout` when none answered, or the signal's reason as soon as it aborts.
   */
  query(name: string, type: DnsType, signal: AbortSignal, options?: DnsQueryOptions): Promise<DnsAnswer>;
  /**
   * One question with DO and CD set (RFC 4035 3.2.1, 3.2.2), for Vouch's own DNSSEC validation: the first reply
   * with NOERROR or NXDOMAIN, as bytes, through the same line, sockets and failover as `query`; no CNAME is
   * followed (the validator follows and checks each link). Rejects as `query` does.
   */
  queryRaw(name: string, type: DnsType, signal: AbortSignal): Promise<RawReply>;
  /** Closes the UDP sockets; queries in flight or waiting reject with a plain Error (a lifecycle bug, not a fact). */
  close(): void;
};

/** A reply as received, and the server that sent it. */
export type RawReply = { readonly resolver: string; readonly bytes: Buffer };

/**
 * Queries on the wire per resolver. Unbounded, a window of 500 domains sent ~5,000 questions at once and most of
 * them timed out (issue 11 bench). Their answers (at most EDNS_PAYLOAD bytes, ~2.3 KB each as the kernel counts
 * them: ~0.6 MB for 256) fit the receive buffer (dns-udp.ts); at a 50 ms round trip 256 in flight still ask ~5,000
 * questions/s, ~500 domains/s at ~10 questions each, more than one scanner thread gets through. The bench's minimal
 * scan (bench/minimal/wire.ts) uses the same bound.
 */
export const DNS_IN_FLIGHT = 256;

/**
 * A question waiting longer than this for its turn is failed (`timeout`), not sent: its check has given up by then
 * (checks have their own deadlines), and a line of questions nobody awaits (a resolver that stopped answering at a
 * large window) would keep every later domain waiting behind them.
 */
export const MAX_WAIT_IN_LINE_MS = 30_000;

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
  const { log, timeoutMs, queryBudgetMs } = options;
  const udp = udpTransport(log);
  const queriesInFlight = inFlightLimit(options.maxInFlight ?? DNS_IN_FLIGHT, {
    maxWaitMs: MAX_WAIT_IN_LINE_MS,
    stale: (waited) => new ProbeError('timeout', 'dns', `waited ${Math.round(waited / 1000)} s for one of the resolver's ${options.maxInFlight ?? DNS_IN_FLIGHT} questions in flight`),
  });
  let closed = false;

  const exchange = async (server: ResolverAddress, question: Asked, signal: AbortSignal): Promise<Exchanged> => {
    const reply = await udp.exchangeRaw(server, question, timeoutMs, signal);
    if (!reply.packet.flag_tc) return reply;
    // RFC 7766 5 / RFC 2181 9: a truncated answer is retried over TCP and its partial records are never used.
    log?.debug({ resolver: serverLabel(server), name: question.name, type: question.type }, 'dns answer truncated, using TCP');
    return tcpExchangeRaw(server, question, timeoutMs, signal);
  };

  /**
   * One question over the servers in turn: the first reply `read` accepts (`ok`), or the failure described above;
   * `refused` says why a server could not answer, and the next one is asked.
   */
  const askWith = async <R>(question: Asked, signal: AbortSignal, read: (reply: Exchanged, server: string) => Read<R>): Promise<R> => {
    const { name, type } = question;
    const rcodeFailures = new Map<number, string>();
    let lastError: ProbeError | undefined;
    // Rounds over the servers (as resolv.conf `attempts`), so one dead server costs one timeout, not all retries.
    for (let attempt = 0; attempt <= options.retries && rcodeFailures.size < servers.length; attempt++) {
      for (const [index, server] of servers.entries()) {
        if (rcodeFailures.has(index)) continue;
        let reply: Exchanged;
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
        // A CNAME loop inside the reply is thrown from `read`: a fact about the zone, not about this server.
        const reading = read(reply, serverLabel(server));
        if (reading.ok) return reading.value;
        rcodeFailures.set(index, reading.refused);
        log?.debug({ resolver: serverLabel(server), refused: reading.refused, name, type }, 'dns server cannot answer, trying the next server');
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

  const ask = (question: Asked, signal: AbortSignal) => askWith(question, signal, (reply, server): Read<{ reading: Extract<ReplyReading, { kind: 'answer' }>; resolver: string }> => {
    const reading = readReply(question, reply.packet, server);
    return reading.kind === 'answer' ? { ok: true, value: { reading, resolver: server } } : refusal(reading, server);
  });

  /** The same servers and failover; the bytes of the first reply that answers (records or a denial, signed or not). */
  const askRaw = (question: Asked, signal: AbortSignal) => askWith(question, signal, (reply, server): Read<RawReply> => {
    const reading = readReply(question, reply.packet, server);
    return reading.kind === 'answer' ? { ok: true, value: { resolver: server, bytes: reply.bytes } } : refusal(reading, server);
  });

  /** The query itself: its questions in turn along the CNAME chain (`first` is `name` as sent), one at a time. */
  const followChain = async (name: string, first: string, type: DnsType, signal: AbortSignal, queryOptions: DnsQueryOptions): Promise<DnsAnswer> => {
    const checkingDisabled = queryOptions.checkingDisabled === true;
    let current = first;
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
  };

  /** `work` in the line of questions in flight, then under the query budget: one slot per query, none waits twice. */
  const inLine = <T>(label: string, signal: AbortSignal, work: (bounded: AbortSignal) => Promise<T>): Promise<T> => {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (closed) return Promise.reject(new Error('resolver closed'));
    return queriesInFlight.run(signal, async () => {
      if (queryBudgetMs === undefined) return work(signal);
      const budget = deadline(signal, queryBudgetMs, label);
      try {
        return await budget.race(work(budget.signal));
      } finally {
        budget.dispose();
      }
    });
  };

  return {
    async query(name, type, signal, queryOptions = {}) {
      if (signal.aborted) throw abortReason(signal);
      if (closed) throw new Error('resolver closed');
      const first = queryName(name); // a name that cannot be sent does not wait in line
      // One slot per query, held along its rounds, failovers and CNAME links.
      return inLine(`dns ${type} ${name}`, signal, (bounded) => followChain(name, first, type, bounded, queryOptions));
    },
    async queryRaw(name, type, signal) {
      const question: Asked = { name: queryName(name), type, checkingDisabled: true };
      return inLine(`dns ${type} ${name}`, signal, (bounded) => askRaw(question, bounded));
    },
    close() {
      closed = true;
      const error = new Error('resolver closed');
      queriesInFlight.close(error);
      udp.close(error);
    },
  };
}

/** What a reply told `askWith`: a value to return, or why this server could not answer. */
type Read<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly refused: string };

/** Why a server's reply is no answer: an error rcode, or a referral (it did not recurse). */
function refusal(reading: Exclude<ReplyReading, { kind: 'answer' }>, server: string): Read<never> {
  return { ok: false, refused: reading.kind === 'rcode' ? `${reading.rcodeName} from ${server}`
    : `referral: the resolver did not recurse (${server} answered NOERROR without an answer or AA, `
      + `with NS of ${reading.zone} in the authority section: ${reading.nameservers.join(', ')}; RFC 2308 2.2)` };
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

/** The spelling Node uses in `rinfo.address`, so source matching works however an IPv6 address was written. */
function canonicalAddress(address: string): string {
  if (!net.isIPv6(address) || address.includes('%')) return address;
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}
