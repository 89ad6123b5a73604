import type { Config } from '../config/config.ts';
import { withDeadline } from '../core/deadline.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import type { Endpoint } from '../core/types.ts';
import type { Probes } from '../probes/types.ts';
import { probeClientRenegotiation, RENEGOTIATION_SPEC } from '../probes/tls-renegotiation.ts';
import { probeTlsSession, SESSION_SPEC } from '../probes/tls-session.ts';
import type { PlainConnect } from '../probes/tls-client.ts';
import { createConverser } from '../tls/conversation.ts';
import { ENUMERATION_SPEC, enumerateTls, enumerationComplete, type TlsEnumeration } from '../tls/enumerate.ts';
import { starttlsConnect } from '../tls/enumerate-smtp.ts';
import { createExchanger, dial } from '../tls/exchange.ts';
import { fingerprintTls } from '../tls/fingerprint.ts';
import { sniName } from '../tls/hello.ts';
import { HYGIENE_SPEC, hygieneComplete, probeHygiene } from '../tls/hygiene/probe.ts';
import { probeWeakness, weaknessConcluded, weaknessQuietWindow, WEAKNESS_SPEC, type RawWeakness } from '../tls/weakness/probe.ts';
import { issueTicket } from '../tls/weakness/ticketbleed.ts';
import type { ProbeCache } from './cache.ts';
import { createEndpointSharing, type Transport } from './shared-endpoints.ts';

/**
 * The probes of the TLS configuration behind an address (issues 9 and 10), as opposed to a name's own facts: the
 * fingerprint, the enumeration, the hygiene hellos, client renegotiation, resumption and 0-RTT, and the raw weakness
 * probes, on the web and after SMTP STARTTLS. Each configuration is measured once per address (shared-endpoints.ts)
 * unless `tls.measure` is per-name. Every connection goes through the session's limiters and under the run's
 * signal; on an MX every connection is an SMTP session.
 */

export type TlsConfigurationProbeName =
  | 'tlsEnumeration' | 'smtpTlsEnumeration' | 'tlsHygiene' | 'smtpTlsHygiene' | 'tlsRenegotiation' | 'smtpTlsRenegotiation'
  | 'tlsSession' | 'smtpTlsSession' | 'tlsWeakness' | 'smtpTlsWeakness';

/** Cache keys (also the artifact keys in reports): kind, the spec versions the facts depend on, and the endpoint. */
export function tlsConfigurationKeys(epKey: (ep: Endpoint) => string) {
  return {
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
  };
}

export type TlsConfigurationDeps = {
  readonly config: Config;
  readonly runSignal: AbortSignal;
  readonly cache: ProbeCache;
  /** The session's counters (mutated). */
  readonly stats: { tlsHandshakes: number; smtpSessions: number; tlsEnumerationHellos: number; tlsWeaknessConnections: number };
  /** The session's per-destination limiter (web) and per-address limiter (MX). */
  readonly limited: <T>(ep: Endpoint, work: () => Promise<T>) => Promise<T>;
  readonly limitedMx: <T>(ep: Endpoint, work: () => Promise<T>) => Promise<T>;
  readonly epKey: (ep: Endpoint) => string;
};

export function createTlsConfigurationProbes(deps: TlsConfigurationDeps): Pick<Probes, TlsConfigurationProbeName> {
  const { config, runSignal, cache, stats, limited, limitedMx, epKey } = deps;
  const timeoutMs = config.probe.timeoutMs;
  const keyOf = tlsConfigurationKeys(epKey);

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
    const enumeration = weakness !== 'robot' ? undefined : await enumerationCached(ep, transport);
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
  const enumerationOf = async (ep: Endpoint, transport: Transport): Promise<TlsEnumeration> => {
    const kind = `${transport}-enumeration:${ENUMERATION_SPEC}`;
    const facts = await sharing.share(kind, ep, transport, () => enumerateOver(ep, transport), enumerationComplete);
    if (config.tls.measure === 'per-name') return facts;
    const own = await fingerprint(ep, transport);
    return { ...facts, fingerprint: { answers: own.answers, connections: own.connections, sctExtension: own.sctExtension } };
  };

  // The cached enumeration of a name, as the checks get it (the hygiene and ROBOT plans are made from it).
  const enumerationCached = (ep: Endpoint, transport: Transport): Promise<TlsEnumeration> => transport === 'tls'
    ? cache.get(keyOf.tlsEnumeration(ep), () => enumerationOf(ep, 'tls'))
    : cache.get(keyOf.smtpTlsEnumeration(ep), () => enumerationOf(ep, 'smtp-starttls'));

  return {
    tlsEnumeration: (ep) => enumerationCached(ep, 'tls'),
    smtpTlsEnumeration: (ep) => enumerationCached(ep, 'smtp-starttls'),
    tlsHygiene: (ep) => sharedByAddress(keyOf.tlsHygiene(ep), ep, async () => hygieneOver(ep, 'tls', await enumerationCached(ep, 'tls')), hygieneComplete),
    smtpTlsHygiene: (ep) => sharedByAddress(keyOf.smtpTlsHygiene(ep), ep,
      async () => hygieneOver(ep, 'smtp-starttls', await enumerationCached(ep, 'smtp-starttls')), hygieneComplete),
    tlsRenegotiation: (ep) => sharedByAddress(keyOf.tlsRenegotiation(ep), ep, () => renegotiationOver(ep, 'tls'), (f) => f.end !== 'deadline'),
    smtpTlsRenegotiation: (ep) => sharedByAddress(keyOf.smtpTlsRenegotiation(ep), ep, () => renegotiationOver(ep, 'smtp-starttls'), (f) => f.end !== 'deadline'),
    tlsSession: (ep) => sharedByAddress(keyOf.tlsSession(ep), ep, () => sessionOver(ep, 'tls')),
    smtpTlsSession: (ep) => sharedByAddress(keyOf.smtpTlsSession(ep), ep, () => sessionOver(ep, 'smtp-starttls')),
    tlsWeakness: (ep, w) => sharedByAddress(keyOf.tlsWeakness(ep, w), ep, () => weaknessOver(ep, 'tls', w), weaknessConcluded),
    smtpTlsWeakness: (ep, w) => sharedByAddress(keyOf.smtpTlsWeakness(ep, w), ep, () => weaknessOver(ep, 'smtp-starttls', w), weaknessConcluded),
  };
}
