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
import { ProbeCache } from './cache.ts';
import { createTlsConfigurationProbes, tlsConfigurationKeys } from './tls-configuration-probes.ts';
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
  ...tlsConfigurationKeys(epKey),
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

  // Issue 9 and 10: what describes the TLS configuration behind an address, measured once per configuration.
  const tlsConfiguration = createTlsConfigurationProbes({ config, runSignal, cache, stats, limited, limitedMx, epKey });

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
    ...tlsConfiguration,
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
