import type net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from 'pino';
import type { Config, ConnectToRule } from '../../config/config.ts';
import { systemResolvers } from '../../config/resolvers.ts';
import { withDeadline } from '../../core/deadline.ts';
import { endpointLabel } from '../../core/endpoint-label.ts';
import type { Endpoint } from '../../core/types.ts';
import { connectFailure } from '../../net/connect-failure.ts';
import { parseAllowList, type AddressAllowList } from '../../net/special-addresses.ts';
import { createResolver, type Resolver } from '../../probes/dns.ts';
import { lazySessionBrowser } from '../../browser/lazy-session.ts';
import type { BrowserPages } from '../../browser/pages.ts';
import { createHttpClients, defaultConnect, userAgentFor, type HttpClients, type HttpScheme } from '../../probes/http.ts';
import { tlsHandshake } from '../../probes/tls.ts';
import type { Probes, TlsFacts } from '../../probes/types.ts';
import type { ProbeCache } from '../cache.ts';
import type { TlsConfigurationMeasurements } from '../tls-configuration-probes.ts';
import { lazyTlsConfigurationMeasurements } from '../tls-configuration-lazy.ts';
import type { ConfigurationBroker } from '../shared-endpoints.ts';
import { connectToMatcher } from './connect-to.ts';
import { endpointKey } from './kind.ts';
import { destinationKey, type ConnectionLimits } from './limits.ts';

/** Counters for the benchmark: connections opened by kind. */
export type ProbeStats = {
  tlsHandshakes: number; tlsVersionProbes: number; tcpConnects: number; smtpSessions: number; dnsQueries: number;
  tlsEnumerationHellos: number; tlsWeaknessConnections: number;
};

/**
 * What every probe kind's `load` may use: the session's shared services. Deadlines derive from the run's signal,
 * never from one check's, because other checks (and other domains) may await the same answer.
 */
export type ProbeContext = {
  readonly config: Config;
  readonly runSignal: AbortSignal;
  readonly stats: ProbeStats;
  /** The run's logger, for what an operator must read once per scan (no IPv6 here), not per check. */
  readonly log: Logger;
  /** `work` under the probe timeout (or `budgetMs`) and the run's signal. */
  bounded<T>(label: string, work: (signal: AbortSignal) => Promise<T>, budgetMs?: number): Promise<T>;
  /** Politeness per destination address (issue 11): a web server's address and dial port, whatever names it serves. */
  web<T>(ep: Endpoint, work: () => Promise<T>): Promise<T>;
  /** An MX host's address and port, where greylisting and rate limits apply (one connection at a time by default). */
  mx<T>(ep: Endpoint, work: () => Promise<T>): Promise<T>;
  /** An OCSP responder host: a CA's server that serves the whole web, one request at a time. */
  responder<T>(host: string, work: () => Promise<T>): Promise<T>;
  readonly resolver: Resolver;
  /** A whole DNS question: every server, one retry round, and CNAME follow-ups. */
  readonly dnsBudgetMs: number;
  readonly matchConnectTo: (host: string, port: number) => ConnectToRule | undefined;
  /** Configured CAs to trust besides the system's, if any. */
  readonly ca: readonly string[] | undefined;
  /** Special networks a redirect or an OCSP responder may lead into (config `allowRedirectsTo`). */
  readonly allow: AddressAllowList;
  readonly http: HttpClients;
  /** A node:tls handshake whose socket then waits (briefly) for the name's first HTTPS request. */
  handshakeAndPark(ep: Endpoint): Promise<TlsFacts>;
  readonly tlsConfiguration: TlsConfigurationMeasurements;
  /** The session's probes, for a kind built on others (`endpoints` asks `dns`): cached, never pinned or recorded. */
  readonly probes: Probes;
  /** Headless Chromium (issue 14), started on the first visit and closed with the session. */
  readonly browser: BrowserPages;
};

export type SessionServices = ProbeContext & {
  /** `address:port` of each resolver, in failover order. */
  readonly resolvers: readonly string[];
  close(): Promise<void>;
};

/**
 * How long an unclaimed handshake socket waits for the name's first HTTPS request, and an idle keep-alive connection
 * for its next one, before it is closed. Both hold a connection slot of the address meanwhile, so they are short: a
 * domain's web checks send their requests together, and a request that comes later connects again.
 */
const PARKED_SOCKET_MS = 100;
const KEEP_ALIVE_MS = 250;

export type ServicesOptions = {
  readonly config: Config;
  readonly runSignal: AbortSignal;
  readonly log: Logger;
  readonly version: string;
  readonly limits: ConnectionLimits;
  readonly cache: ProbeCache;
  /** The session's own probes (made after the services, hence a function). */
  readonly probes: () => Probes;
  /** The run's fact broker, when other processes scan too (for the TLS configurations their names share). */
  readonly broker?: ConfigurationBroker | undefined;
};

export function createSessionServices(options: ServicesOptions): SessionServices {
  const { config, runSignal, log, limits, cache } = options;
  const stats: ProbeStats = { tlsHandshakes: 0, tlsVersionProbes: 0, tcpConnects: 0, smtpSessions: 0, dnsQueries: 0, tlsEnumerationHellos: 0, tlsWeaknessConnections: 0 };
  const servers = config.resolvers ?? systemResolvers();
  // Each attempt gets a share of the probe timeout, so a dead first resolver still leaves time to fail over; the
  // whole query (every server, one retry round) is bounded by the sum of its attempts.
  const dnsRetries = 1;
  const attemptMs = Math.max(200, Math.min(3000, Math.floor(config.probe.timeoutMs / (servers.length * (dnsRetries + 1)))));
  const dnsBudgetMs = attemptMs * servers.length * (dnsRetries + 1) + 500;
  const resolver = createResolver({ servers, timeoutMs: attemptMs, retries: dnsRetries, queryBudgetMs: dnsBudgetMs, log });
  const timeoutMs = config.probe.timeoutMs;
  const ca = config.trustedCaPems.length > 0 ? [...config.trustedCaPems] : undefined;
  const bounded = <T>(label: string, work: (signal: AbortSignal) => Promise<T>, budgetMs = timeoutMs) => withDeadline(runSignal, budgetMs, label, work);
  // Per destination address and dial port, not per name: one shared-hosting address serving a thousand of the
  // scanned names gets `connectionsPerHost` connections at a time in all. Per dial port, so probes of a silent port
  // 443 never hold the slots a port-80 connect needs (their wait would look like a silent port 80).
  const web = <T>(ep: Endpoint, work: () => Promise<T>) => limits('web', destinationKey(ep.address, ep.dialPort), config.probe.connectionsPerHost, work);
  const mx = <T>(ep: Endpoint, work: () => Promise<T>) => limits('mx', destinationKey(ep.address, ep.dialPort), config.probe.mxConnectionsPerAddress, work);

  // A web connection holds its slot for as long as it is open, idle keep-alive time included: the address sees at
  // most `connectionsPerHost` connections at once, whatever their state (issue 11). Opening is bounded by the probe
  // timeout once the slot is free: queue time is not the server's.
  // The HTTP client unrefs an idle keep-alive socket (and its timer), so while one holds a slot a ref'd timer keeps
  // the process alive until it closes: work waiting for that slot must not find an empty event loop (exit 13).
  const heldOpen = <T>(ep: Endpoint, label: string, open: (signal: AbortSignal) => Promise<T>, socketOf: (opened: T) => net.Socket) =>
    new Promise<T>((resolve, reject) => {
      web(ep, () => new Promise<void>((release) => {
        bounded(label, open).then((opened) => {
          const socket = socketOf(opened);
          if (socket.closed) release();
          else {
            const alive = setInterval(() => undefined, 60_000);
            socket.once('close', () => { clearInterval(alive); release(); });
          }
          resolve(opened);
        }, (err: unknown) => { release(); reject(err); });
      })).catch(reject);
    });
  const handshake = (ep: Endpoint) => heldOpen(ep, `tls ${endpointLabel(ep)}`, (signal) => {
    stats.tlsHandshakes++;
    return tlsHandshake(ep, { ...(ca ? { ca } : {}), alpn: ['http/1.1'] }, signal);
  }, (done) => done.socket);

  // One handshake serves the certificate checks and, through the HTTP client's connect hook, the first HTTPS request
  // (which comes within milliseconds when the domain's web checks run together). Parked, it still holds its slot, so
  // it waits only briefly.
  const parked = new Map<string, tls.TLSSocket>();
  const connect = async (ep: Endpoint, scheme: HttpScheme, _bound: AbortSignal): Promise<net.Socket> => {
    if (scheme === 'http') {
      stats.tcpConnects++;
      return heldOpen(ep, `connect ${endpointLabel(ep)}`, (own) => defaultConnect(ep, scheme, own), (socket) => socket).catch((err: unknown) => {
        throw connectFailure(err, endpointLabel(ep), runSignal);
      });
    }
    await options.probes().tls(ep);
    const key = endpointKey(ep);
    const socket = parked.get(key);
    parked.delete(key);
    if (socket && !socket.destroyed) return socket;
    return (await handshake(ep)).socket;
  };
  const http = createHttpClients({
    // Getting a connection may wait for a per-address slot and the shared handshake, each with its own deadline.
    connect, timeoutMs, connectTimeoutMs: timeoutMs * 3, maxHeaderBytes: config.probe.maxHeaderBytes, maxBodyBytes: config.probe.maxBodyBytes,
    userAgent: userAgentFor(options.version), keepAliveMs: KEEP_ALIVE_MS,
  });

  const tlsConfiguration = lazyTlsConfigurationMeasurements({
    config, runSignal, cache, stats, limited: web, limitedMx: mx, elsewhere: options.broker,
    enumeration: (ep, transport) => (transport === 'tls' ? options.probes().tlsEnumeration(ep) : options.probes().smtpTlsEnumeration(ep)),
  });

  const allow = parseAllowList(config.allowRedirectsTo).value;
  const browser = lazySessionBrowser(config, () => options.probes(), allow);
  return {
    config, runSignal, stats, log, bounded, web, mx, resolver, tlsConfiguration, http, ca, browser,
    responder: (host, work) => limits('responder', host.toLowerCase(), 1, work),
    dnsBudgetMs,
    matchConnectTo: connectToMatcher(config.connectTo),
    allow,
    async handshakeAndPark(ep) {
      const { facts, socket } = await handshake(ep);
      const key = endpointKey(ep);
      parked.set(key, socket);
      socket.once('close', () => { if (parked.get(key) === socket) parked.delete(key); });
      setTimeout(() => { if (parked.get(key) === socket) { parked.delete(key); socket.destroy(); } }, PARKED_SOCKET_MS).unref();
      return facts;
    },
    get probes() { return options.probes(); },
    resolvers: servers.map((s) => destinationKey(s.address, s.port)),
    async close() {
      for (const socket of parked.values()) socket.destroy();
      parked.clear();
      await http.close();
      await browser.close();
      resolver.close();
    },
  };
}
