import net from 'node:net';
import type tls from 'node:tls';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import type { Config, ConnectToRule } from '../config/config.ts';
import { withDeadline } from '../core/deadline.ts';
import { connectFailure } from '../net/connect-failure.ts';
import type { Endpoint, Json } from '../core/types.ts';
import { createResolver } from '../probes/dns.ts';
import { systemResolvers } from '../config/resolvers.ts';
import { createHttpClients, defaultConnect, userAgentFor, type HttpScheme } from '../probes/http.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import { tlsHandshake } from '../probes/tls.ts';
import { probeTlsVersion } from '../probes/tls-version.ts';
import { probeTlsVersionWithNode } from '../probes/tls-version-node.ts';
import { probeSmtp, probeSmtpTlsVersion } from '../probes/smtp.ts';
import { TRUNCATION_MARK, type DnsAnswer, type DnsQueryOptions, type EndpointSet, type HttpHop, type HttpRequest, type Probes, type TlsFacts } from '../probes/types.ts';
import { probeClientRenegotiation, RENEGOTIATION_SPEC } from '../probes/tls-renegotiation.ts';
import { probeTlsSession, SESSION_SPEC } from '../probes/tls-session.ts';
import type { PlainConnect } from '../probes/tls-client.ts';
import { ProbeCache } from './cache.ts';
import { createExchanger, dial } from '../tls/exchange.ts';
import { ENUMERATION_SPEC, enumerateTls, enumerationComplete, type TlsEnumeration } from '../tls/enumerate.ts';
import { fingerprintTls } from '../tls/fingerprint.ts';
import { createEndpointSharing, type Transport } from './shared-endpoints.ts';
import { starttlsConnect } from '../tls/enumerate-smtp.ts';
import { sniName } from '../tls/hello.ts';
import { HYGIENE_SPEC, hygieneComplete, probeHygiene } from '../tls/hygiene/probe.ts';
import { createConverser } from '../tls/conversation.ts';
import { probeWeakness, weaknessConcluded, weaknessQuietWindow, WEAKNESS_SPEC, type RawWeakness } from '../tls/weakness/probe.ts';
import { issueTicket } from '../tls/weakness/ticketbleed.ts';
import { OCSP_RESPONDER_SPEC, queryOcspResponder } from '../probes/ocsp-responder.ts';
import { parseAllowList } from '../net/special-addresses.ts';
import { createHash } from 'node:crypto';

/** Everything one run's probes share: the cache, the limits, the resolver and the HTTP connections. */
export type ProbeSession = {
  /** A view of the probes for one task; `track` is told the cache key of every probe it uses. */
  probesFor(track: (key: string) => void): Probes;
  artifacts(): Record<string, Json>;
  /** `address:port` of each resolver, in failover order. */
  readonly resolvers: readonly string[];
  /** Counters for the benchmark: connections opened by kind. */
  readonly stats: { tlsHandshakes: number; tlsVersionProbes: number; tcpConnects: number; smtpSessions: number; dnsQueries: number; tlsEnumerationHellos: number; tlsWeaknessConnections: number };
  close(): Promise<void>;
};

/** A p-limit per key, created on first use. Work must never call the same limiter again (p-limit deadlock). */
function keyedLimiter(concurrency: number): <T>(key: string, work: () => Promise<T>) => Promise<T> {
  const limits = new Map<string, LimitFunction>();
  return (key, work) => {
    let limit = limits.get(key);
    if (!limit) limits.set(key, (limit = pLimit(concurrency)));
    return limit(work);
  };
}

/** How long an unclaimed handshake socket waits for the HTTP client before it is closed. */
const PARKED_SOCKET_MS = 15_000;

const epKey = (ep: Endpoint) => `${ep.hostname.toLowerCase()}:${ep.port}@${ep.address}:${ep.dialPort}`;

/** Cache keys: every parameter that changes a probe's answer, and nothing else. Also the artifact keys in reports. */
const keyOf = {
  dns: (name: string, type: string, options?: DnsQueryOptions) =>
    `dns:${type}:${name.toLowerCase().replace(/\.$/, '')}${options?.checkingDisabled ? ':cd' : ''}`,
  endpoints: (hostname: string, port: number) => `endpoints:${hostname.toLowerCase()}:${port}`,
  tls: (ep: Endpoint) => `tls:${epKey(ep)}`,
  tlsVersion: (ep: Endpoint, v: string) => `tls-version:${v}:${epKey(ep)}`,
  http: (ep: Endpoint, req: HttpRequest) =>
    `http:${req.method ?? 'GET'} ${req.url}${req.headers ? ` ${JSON.stringify(req.headers)}` : ''}${req.body ? ` body:${createHash('sha256').update(req.body).digest('hex')}` : ''} @${ep.address}:${ep.dialPort}`,
  smtp: (ep: Endpoint) => `smtp:${epKey(ep)}`,
  smtpTlsVersion: (ep: Endpoint, v: string) => `smtp-tls-version:${v}:${epKey(ep)}`,
  tlsEnumeration: (ep: Endpoint) => `tls-enumeration:${ENUMERATION_SPEC}:${epKey(ep)}`,
  smtpTlsEnumeration: (ep: Endpoint) => `smtp-tls-enumeration:${ENUMERATION_SPEC}:${epKey(ep)}`,
  tlsHygiene: (ep: Endpoint) => `tls-hygiene:${HYGIENE_SPEC}:${ENUMERATION_SPEC}:${epKey(ep)}`,
  smtpTlsHygiene: (ep: Endpoint) => `smtp-tls-hygiene:${HYGIENE_SPEC}:${ENUMERATION_SPEC}:${epKey(ep)}`,
  tlsRenegotiation: (ep: Endpoint) => `tls-renegotiation:${RENEGOTIATION_SPEC}:${epKey(ep)}`,
  smtpTlsRenegotiation: (ep: Endpoint) => `smtp-tls-renegotiation:${RENEGOTIATION_SPEC}:${epKey(ep)}`,
  tlsSession: (ep: Endpoint) => `tls-session:${SESSION_SPEC}:${epKey(ep)}`,
  smtpTlsSession: (ep: Endpoint) => `smtp-tls-session:${SESSION_SPEC}:${epKey(ep)}`,
  tlsWeakness: (ep: Endpoint, w: string) => `tls-weakness:${w}:${WEAKNESS_SPEC}:${ENUMERATION_SPEC}:${epKey(ep)}`,
  smtpTlsWeakness: (ep: Endpoint, w: string) => `smtp-tls-weakness:${w}:${WEAKNESS_SPEC}:${ENUMERATION_SPEC}:${epKey(ep)}`,
  // Per certificate, not per endpoint: every name and MX serving the same leaf shares one question to its CA.
  ocspResponder: (facts: TlsFacts) => `ocsp-responder:${OCSP_RESPONDER_SPEC}:${facts.chain[0]?.issuer ?? '-'}:${facts.chain[0]?.serialNumber ?? '-'}`,
};

/**
 * The first `--connect-to` rule (in the configured order) for a host and port. Indexed by host, because a lab or a
 * large estate may hold one rule per scanned domain: a scan would otherwise walk every rule for every name.
 */
export function connectToMatcher(rules: readonly ConnectToRule[]): (host: string, port: number) => ConnectToRule | undefined {
  const byHost = new Map<string, { rule: ConnectToRule; order: number }[]>();
  const anyHost: { rule: ConnectToRule; order: number }[] = [];
  rules.forEach((rule, order) => {
    if (rule.host === null) anyHost.push({ rule, order });
    else byHost.set(rule.host, [...(byHost.get(rule.host) ?? []), { rule, order }]);
  });
  return (host, port) => {
    const fits = (e: { rule: ConnectToRule }) => e.rule.port === null || e.rule.port === port;
    const named = byHost.get(host.toLowerCase())?.find(fits);
    const wild = anyHost.find(fits);
    if (!named) return wild?.rule;
    return wild && wild.order < named.order ? wild.rule : named.rule;
  };
}

const ARTIFACT_VALUE_CHARS = 1024;

/** The artifact of an HTTP hop: headers (each value capped at 1 KiB) and sizes, not the body; checks quote what they judged. */
function hopArtifact(hop: HttpHop): Json {
  const { body: _body, bytes: _bytes, headers, ...rest } = hop;
  const capped = Object.fromEntries(Object.entries(headers).map(([name, values]) =>
    [name, values.map((v) => (v.length > ARTIFACT_VALUE_CHARS ? `${v.slice(0, ARTIFACT_VALUE_CHARS)}${TRUNCATION_MARK}` : v))]));
  return { ...rest, headers: capped } as unknown as Json;
}

/**
 * Builds the run's probes. Each probe is keyed by every parameter that changes its answer and cached as a promise;
 * connections are limited per host name and destination (separate limiters from the runner's, never nested); every operation has a
 * deadline derived from the run signal, not from any one check, because other checks may await the same promise.
 */
export function createProbeSession(config: Config, runSignal: AbortSignal, log: Logger, version: string): ProbeSession {
  const cache = new ProbeCache();
  const matchConnectTo = connectToMatcher(config.connectTo);
  const stats = { tlsHandshakes: 0, tlsVersionProbes: 0, tcpConnects: 0, smtpSessions: 0, dnsQueries: 0, tlsEnumerationHellos: 0, tlsWeaknessConnections: 0 };
  const servers = config.resolvers ?? systemResolvers();
  // Each attempt gets a share of the probe timeout, so a dead first resolver still leaves time to fail over; the
  // whole query (every server, one retry round) is bounded by the sum of its attempts.
  const dnsRetries = 1;
  const attemptMs = Math.max(200, Math.min(3000, Math.floor(config.probe.timeoutMs / (servers.length * (dnsRetries + 1)))));
  const dnsBudgetMs = attemptMs * servers.length * (dnsRetries + 1) + 500;
  const resolver = createResolver({ servers, timeoutMs: attemptMs, retries: dnsRetries, log });
  const timeoutMs = config.probe.timeoutMs;
  const ca = config.trustedCaPems.length > 0 ? [...config.trustedCaPems] : undefined;
  // Web servers: one pool per host name AND destination (address and dial port). Per destination, so probes of a
  // silent port 443 never hold the slots a port-80 connect needs (their wait would look like a silent port 80);
  // per host name too, since one shared-hosting address may serve thousands of the scanned domains.
  // MX hosts: per address and port, where greylisting and rate limits apply (issue: one connection at a time).
  const perDestination = keyedLimiter(config.probe.connectionsPerHost);
  const perMx = keyedLimiter(config.probe.mxConnectionsPerAddress);
  const limited = <T>(ep: Endpoint, work: () => Promise<T>) => perDestination(`${ep.hostname.toLowerCase()}@${ep.address}:${ep.dialPort}`, work);
  const limitedMx = <T>(ep: Endpoint, work: () => Promise<T>) => perMx(`${ep.address}:${ep.dialPort}`, work);
  // OCSP responders (config `ocsp.queryResponder`): one request at a time per host, only where redirects may go.
  const perResponder = keyedLimiter(1);
  const responderAllow = parseAllowList(config.allowRedirectsTo).value;
  const bounded = <T>(label: string, work: (signal: AbortSignal) => Promise<T>) => withDeadline(runSignal, timeoutMs, label, work);

  // One handshake serves the certificate checks and, through the HTTP client's connect hook, the first HTTPS request.
  const parked = new Map<string, tls.TLSSocket>();
  const handshake = (ep: Endpoint) => limited(ep, () => bounded(`tls ${endpointLabel(ep)}`, (signal) => {
    stats.tlsHandshakes++;
    return tlsHandshake(ep, { ...(ca ? { ca } : {}), alpn: ['http/1.1'] }, signal);
  }));
  const tlsFacts = (ep: Endpoint): Promise<TlsFacts> => cache.get(keyOf.tls(ep), async () => {
    const { facts, socket } = await handshake(ep);
    const key = epKey(ep);
    parked.set(key, socket);
    socket.once('close', () => { if (parked.get(key) === socket) parked.delete(key); });
    setTimeout(() => { if (parked.get(key) === socket) { parked.delete(key); socket.destroy(); } }, PARKED_SOCKET_MS).unref();
    return facts;
  });
  const connect = async (ep: Endpoint, scheme: HttpScheme, _bound: AbortSignal) => {
    if (scheme === 'http') {
      stats.tcpConnects++;
      // The deadline starts once a connection slot is free, as the socket is made: queue time is not the server's.
      return limited(ep, () => bounded(`connect ${endpointLabel(ep)}`, (own) => defaultConnect(ep, scheme, own))).catch((err: unknown) => {
        throw connectFailure(err, endpointLabel(ep), runSignal);
      });
    }
    await tlsFacts(ep);
    const socket = parked.get(epKey(ep));
    parked.delete(epKey(ep));
    if (socket && !socket.destroyed) return socket;
    return (await handshake(ep)).socket;
  };
  const http = createHttpClients({
    // Getting a connection may wait for a per-host slot and the shared handshake, each with its own deadline.
    connect, timeoutMs, connectTimeoutMs: timeoutMs * 3, maxHeaderBytes: config.probe.maxHeaderBytes, maxBodyBytes: config.probe.maxBodyBytes,
    userAgent: userAgentFor(version),
  });

  // Issue 9: one hello per exchange, each in its own connection slot with its own deadline (never one slot for a
  // whole enumeration: its exchanges would wait on the same limiter). On an MX every hello is an SMTP session, one at
  // a time per address.
  const exchangerFor = (ep: Endpoint, transport: Transport) => transport === 'tls'
    ? createExchanger(ep, { timeoutMs, signal: runSignal, schedule: (work) => limited(ep, work) })
    : createExchanger(ep, { timeoutMs, signal: runSignal, connect: starttlsConnect(ep, config.probe.ehloName, runSignal), schedule: (work) => limitedMx(ep, work) });
  const countHellos = (transport: Transport, connections: number) => {
    stats.tlsEnumerationHellos += connections;
    if (transport === 'smtp-starttls') stats.smtpSessions += connections;
  };
  const fingerprint = (ep: Endpoint, transport: Transport) => cache.get(`tls-fingerprint:${transport}:${epKey(ep)}`, async () => {
    const exchanger = exchangerFor(ep, transport);
    try {
      return await fingerprintTls({ exchange: exchanger.exchange, serverName: sniName(ep.hostname),
        concurrency: transport === 'tls' ? config.probe.connectionsPerHost : 1, signal: runSignal });
    } finally {
      countHellos(transport, exchanger.connections());
    }
  });
  const sharing = createEndpointSharing({ mode: config.tls.measure, fingerprint, label: endpointLabel });
  /**
   * Facts about the TLS configuration behind an address and port (issues 9 and 10), as opposed to facts about a name:
   * accepted suites, hygiene, weaknesses. Every such probe goes through here so that one shared-hosting address is
   * measured once per configuration, not once per hosted name (names are matched by their fingerprint; see
   * shared-endpoints.ts). `key` is the probe's cache key (from `keyOf`: kind, spec version and `epKey(ep)`; keys of
   * probes after SMTP STARTTLS start with `smtp-`); `measure` does the work for `ep`; `usable` says whether a result
   * may stand for other names (e.g. only a complete one).
   */
  const sharedByAddress = <T extends object>(key: string, ep: Endpoint, measure: () => Promise<T>, usable?: (facts: T) => boolean): Promise<T> => {
    const suffix = epKey(ep);
    const kind = key.endsWith(suffix) ? key.slice(0, -suffix.length) : key;
    const transport: Transport = key.startsWith('smtp-') ? 'smtp-starttls' : 'tls';
    return cache.get(key, () => sharing.share(kind, ep, transport, measure, usable));
  };

  // Issue 10, measured with node:tls (renegotiation, resumption, tickets): each probe holds one connection slot for
  // its few sequential connections, on an MX each connection an SMTP session up to STARTTLS's 220.
  const plainConnect = (ep: Endpoint, transport: Transport): PlainConnect => (transport === 'tls'
    ? (signal) => dial(ep, signal, runSignal) : starttlsConnect(ep, config.probe.ehloName, runSignal));
  const nodeTlsOver = <T>(ep: Endpoint, transport: Transport, what: string, connections: number, budgetMs: number,
    work: (connect: PlainConnect, signal: AbortSignal) => Promise<T>) => (transport === 'tls' ? limited : limitedMx)(ep, () =>
    withDeadline(runSignal, budgetMs, `${what} ${endpointLabel(ep)}`, (signal) => {
      stats.tlsHandshakes += connections;
      if (transport === 'smtp-starttls') stats.smtpSessions += connections;
      return work(plainConnect(ep, transport), signal);
    }));
  // Each renegotiation may take up to attemptMs; 11 quick ones and one unanswered fit in the budget.
  const renegotiationAttemptMs = Math.min(timeoutMs, 2000);
  const renegotiationOver = (ep: Endpoint, transport: Transport) => nodeTlsOver(ep, transport, 'renegotiation', 1, timeoutMs * 2 + renegotiationAttemptMs,
    (connect, signal) => probeClientRenegotiation(ep, connect, { transport, attemptMs: renegotiationAttemptMs }, signal));
  // Two handshakes, the ticket wait, and a third connection (the 0-RTT attempt, own deadline) when a ticket allows early data.
  const sessionOver = (ep: Endpoint, transport: Transport) => nodeTlsOver(ep, transport, 'session', 2, timeoutMs * 4,
    (connect, signal) => probeTlsSession(ep, connect, { transport, ticketWaitMs: Math.min(1000, Math.floor(timeoutMs / 2)), earlyDataProofMs: timeoutMs }, signal));

  // Follow-up queries for a CNAME chain the resolver returned only part of share this one deadline.
  const dns = (name: string, type: DnsAnswer['type'], options?: DnsQueryOptions) => cache.get(keyOf.dns(name, type, options), () => {
    stats.dnsQueries++;
    return withDeadline(runSignal, dnsBudgetMs, `dns ${type} ${name}`, (signal) => resolver.query(name, type, signal, options));
  });

  const endpoints = (hostname: string, port: number): Promise<EndpointSet> => cache.get(keyOf.endpoints(hostname, port), async () => {
    const rule = matchConnectTo(hostname, port);
    const dialPort = rule?.dialPort ?? port;
    if (rule?.address) {
      return { hostname, port, source: 'connect-to', endpoints: [{ hostname, port, address: rule.address, dialPort }], answers: [] };
    }
    if (net.isIP(hostname)) return { hostname, port, source: 'dns', endpoints: [{ hostname, port, address: hostname, dialPort }], answers: [] };
    const types = config.probe.ipFamilies.map((f): 'A' | 'AAAA' => (f === 4 ? 'A' : 'AAAA'));
    const answers = await Promise.all(types.map((t) => dns(hostname, t)));
    const addresses = answers.flatMap((a) => [...a.records].sort());
    return { hostname, port, source: 'dns', endpoints: addresses.map((address) => ({ hostname, port, address, dialPort })), answers };
  });

  const enumerateOver = async (ep: Endpoint, transport: Transport) => {
    const exchanger = exchangerFor(ep, transport);
    try {
      return await enumerateTls({ endpoint: endpointLabel(ep), serverName: sniName(ep.hostname), exchange: exchanger.exchange,
        transport, concurrency: transport === 'tls' ? config.probe.connectionsPerHost : 1, signal: runSignal });
    } finally {
      countHellos(transport, exchanger.connections());
    }
  };

  // Issue 10: a few hellos more, planned from the enumeration's facts (which it waits for).
  const hygieneOver = async (ep: Endpoint, transport: Transport, enumeration: TlsEnumeration) => {
    const exchanger = exchangerFor(ep, transport);
    try {
      return await probeHygiene({ enumeration, exchange: exchanger.exchange, serverName: sniName(ep.hostname), signal: runSignal });
    } finally {
      countHellos(transport, exchanger.connections());
    }
  };

  // Issue 10, known weaknesses probed with raw hellos (src/tls/weakness/): each connection in its own slot with its
  // own deadline (a ROBOT round is five of them), its listening windows inside it; on an MX each an SMTP session.
  const weaknessQuietMs = weaknessQuietWindow(timeoutMs);
  const weaknessOver = async (ep: Endpoint, transport: Transport, weakness: RawWeakness) => {
    const enumeration = weakness !== 'robot' ? undefined : transport === 'tls' ? await probes.tlsEnumeration(ep) : await probes.smtpTlsEnumeration(ep);
    const obtainTicket = () => nodeTlsOver(ep, transport, 'session ticket', 1, timeoutMs, async (connect, signal) => issueTicket(ep, await connect(signal), signal));
    const converser = createConverser(ep, transport === 'tls'
      ? { timeoutMs: timeoutMs + 2 * weaknessQuietMs, signal: runSignal, schedule: (work) => limited(ep, work) }
      : { timeoutMs: timeoutMs + 2 * weaknessQuietMs, signal: runSignal, connect: starttlsConnect(ep, config.probe.ehloName, runSignal), schedule: (work) => limitedMx(ep, work) });
    try {
      return await probeWeakness(weakness, { converser, endpoint: endpointLabel(ep), transport, serverName: sniName(ep.hostname), quietMs: weaknessQuietMs },
        { ...(enumeration ? { enumeration } : {}), obtainTicket });
    } finally {
      stats.tlsWeaknessConnections += converser.connections();
      if (transport === 'smtp-starttls') stats.smtpSessions += converser.connections();
    }
  };

  // The enumeration, shared per address and configuration, with this name's own fingerprint in its facts: the
  // answers that made the sharing safe, and the connections this name cost.
  const enumeration = async (ep: Endpoint, transport: Transport): Promise<TlsEnumeration> => {
    const kind = `${transport}-enumeration:${ENUMERATION_SPEC}`;
    const facts = await sharing.share(kind, ep, transport, () => enumerateOver(ep, transport), enumerationComplete);
    if (config.tls.measure === 'per-name') return facts;
    const own = await fingerprint(ep, transport);
    return { ...facts, fingerprint: { answers: own.answers, connections: own.connections, sctExtension: own.sctExtension } };
  };

  const probes: Probes = {
    dns,
    endpoints,
    tls: tlsFacts,
    tlsVersion: (ep, v) => cache.get(keyOf.tlsVersion(ep, v), () => {
      stats.tlsVersionProbes++;
      const probe = config.probe.tlsVersionProbe === 'node' ? probeTlsVersionWithNode : probeTlsVersion;
      return limited(ep, () => bounded(`tls-version ${v} ${endpointLabel(ep)}`, (signal) => probe(ep, v, signal)));
    }),
    // Connect (3x), headers and body are each bounded inside; this outer deadline is the safety net over them and
    // over waiting behind earlier requests on the same keep-alive connection.
    http: (ep, req) => cache.get(keyOf.http(ep, req),
      () => withDeadline(runSignal, timeoutMs * 6, `http ${req.url}`, (signal) => http.request(ep, req, signal)), hopArtifact),
    smtp: (ep) => cache.get(keyOf.smtp(ep), () => limitedMx(ep, () => bounded(`smtp ${endpointLabel(ep)}`, (signal) => {
      stats.smtpSessions++;
      return probeSmtp(ep, { ehloName: config.probe.ehloName, ...(ca ? { ca } : {}) }, signal);
    }))),
    smtpTlsVersion: (ep, v) => cache.get(keyOf.smtpTlsVersion(ep, v), () => limitedMx(ep, () =>
      bounded(`smtp tls-version ${v} ${endpointLabel(ep)}`, (signal) => {
        stats.smtpSessions++;
        return probeSmtpTlsVersion(ep, v, { ehloName: config.probe.ehloName }, signal);
      }))),
    tlsEnumeration: (ep) => cache.get(keyOf.tlsEnumeration(ep), () => enumeration(ep, 'tls')),
    smtpTlsEnumeration: (ep) => cache.get(keyOf.smtpTlsEnumeration(ep), () => enumeration(ep, 'smtp-starttls')),
    tlsHygiene: (ep) => sharedByAddress(keyOf.tlsHygiene(ep), ep, async () => hygieneOver(ep, 'tls', await probes.tlsEnumeration(ep)), hygieneComplete),
    smtpTlsHygiene: (ep) => sharedByAddress(keyOf.smtpTlsHygiene(ep), ep,
      async () => hygieneOver(ep, 'smtp-starttls', await probes.smtpTlsEnumeration(ep)), hygieneComplete),
    tlsRenegotiation: (ep) => sharedByAddress(keyOf.tlsRenegotiation(ep), ep, () => renegotiationOver(ep, 'tls'), (f) => f.end !== 'deadline'),
    smtpTlsRenegotiation: (ep) => sharedByAddress(keyOf.smtpTlsRenegotiation(ep), ep, () => renegotiationOver(ep, 'smtp-starttls'), (f) => f.end !== 'deadline'),
    tlsSession: (ep) => sharedByAddress(keyOf.tlsSession(ep), ep, () => sessionOver(ep, 'tls')),
    smtpTlsSession: (ep) => sharedByAddress(keyOf.smtpTlsSession(ep), ep, () => sessionOver(ep, 'smtp-starttls')),
    tlsWeakness: (ep, w) => sharedByAddress(keyOf.tlsWeakness(ep, w), ep, () => weaknessOver(ep, 'tls', w), weaknessConcluded),
    smtpTlsWeakness: (ep, w) => sharedByAddress(keyOf.smtpTlsWeakness(ep, w), ep, () => weaknessOver(ep, 'smtp-starttls', w), weaknessConcluded),
    ocspResponder: (facts) => cache.get(keyOf.ocspResponder(facts), () => queryOcspResponder(facts, {
      endpoints, allow: responderAllow, trustedCa: config.trustedCaPems,
      // Politeness: a CA's responder serves the whole web; one request at a time per responder host.
      post: (ep, url, body) => perResponder(ep.hostname.toLowerCase(), () => withDeadline(runSignal, timeoutMs * 3, `ocsp ${url}`, (signal) =>
        http.request(ep, { url, method: 'POST', body, keepBytes: true,
          headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' } }, signal))),
    }), ({ issuerPem: _issuer, ...artifact }) => artifact),
  };

  return {
    probesFor(track) {
      const tracked = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, key: (...args: A) => string) =>
        (...args: A) => { track(key(...args)); return fn(...args); };
      return {
        dns: tracked(probes.dns, keyOf.dns),
        endpoints: tracked(probes.endpoints, keyOf.endpoints),
        tls: tracked(probes.tls, keyOf.tls),
        tlsVersion: tracked(probes.tlsVersion, keyOf.tlsVersion),
        http: tracked(probes.http, keyOf.http),
        smtp: tracked(probes.smtp, keyOf.smtp),
        smtpTlsVersion: tracked(probes.smtpTlsVersion, keyOf.smtpTlsVersion),
        tlsEnumeration: tracked(probes.tlsEnumeration, keyOf.tlsEnumeration),
        smtpTlsEnumeration: tracked(probes.smtpTlsEnumeration, keyOf.smtpTlsEnumeration),
        tlsHygiene: tracked(probes.tlsHygiene, keyOf.tlsHygiene),
        smtpTlsHygiene: tracked(probes.smtpTlsHygiene, keyOf.smtpTlsHygiene),
        tlsRenegotiation: tracked(probes.tlsRenegotiation, keyOf.tlsRenegotiation),
        smtpTlsRenegotiation: tracked(probes.smtpTlsRenegotiation, keyOf.smtpTlsRenegotiation),
        tlsSession: tracked(probes.tlsSession, keyOf.tlsSession),
        smtpTlsSession: tracked(probes.smtpTlsSession, keyOf.smtpTlsSession),
        tlsWeakness: tracked(probes.tlsWeakness, keyOf.tlsWeakness),
        smtpTlsWeakness: tracked(probes.smtpTlsWeakness, keyOf.smtpTlsWeakness),
        ocspResponder: tracked(probes.ocspResponder, keyOf.ocspResponder),
      };
    },
    artifacts: () => cache.artifacts(),
    resolvers: servers.map((s) => (s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`)),
    stats,
    async close() {
      for (const socket of parked.values()) socket.destroy();
      parked.clear();
      await http.close();
      resolver.close();
    },
  };
}
