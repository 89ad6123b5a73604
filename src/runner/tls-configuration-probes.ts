import type net from 'node:net';
import type { Config } from '../config/config.ts';
import { withDeadline } from '../core/deadline.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import type { Endpoint } from '../core/types.ts';
import { probeClientRenegotiation, type RenegotiationFacts } from '../probes/tls-renegotiation.ts';
import { probeTlsSession, type TlsSessionFacts } from '../probes/tls-session.ts';
import type { PlainConnect } from '../probes/tls-client.ts';
import { createConverser } from '../tls/conversation.ts';
import { ENUMERATION_SPEC, enumerateTls, enumerationComplete, type TlsEnumeration } from '../tls/enumerate.ts';
import { starttlsConnect } from '../tls/enumerate-smtp.ts';
import { createExchanger, dial } from '../tls/exchange.ts';
import { fingerprintTls } from '../tls/fingerprint.ts';
import { sniName } from '../tls/hello.ts';
import { hygieneComplete, probeHygiene, type TlsHygiene } from '../tls/hygiene/probe.ts';
import { probeWeakness, weaknessConcluded, weaknessQuietWindow, type RawWeakness } from '../tls/weakness/probe.ts';
import type { WeaknessFacts } from '../tls/weakness/facts.ts';
import { issueTicket } from '../tls/weakness/ticketbleed.ts';
import type { ProbeCache } from './cache.ts';
import { endpointKey } from './probe-kinds/kind.ts';
import {
  smtpTlsEnumeration, smtpTlsHygiene, smtpTlsRenegotiation, smtpTlsSession, smtpTlsWeakness,
  tlsEnumeration, tlsHygiene, tlsRenegotiation, tlsSession, tlsWeakness,
} from './probe-kinds/tls-configuration.ts';
import { createEndpointSharing, type ConfigurationBroker, type Transport } from './shared-endpoints.ts';

/**
 * The measurements of the TLS configuration behind an address (issues 9 and 10), as opposed to a name's own facts:
 * the fingerprint, the enumeration, the hygiene hellos, client renegotiation, resumption and 0-RTT, and the raw
 * weakness probes, on the web and after SMTP STARTTLS. Each configuration is measured once per address
 * (shared-endpoints.ts) unless `tls.measure` is per-name. Every connection goes through the session's politeness
 * limits and under the run's signal; on an MX every connection is an SMTP session. The probe kinds
 * (probe-kinds/tls-configuration.ts) cache and record these per name.
 */

export type TlsConfigurationDeps = {
  readonly config: Config;
  readonly runSignal: AbortSignal;
  /**
   * For the fingerprints, an internal step no check asks for (never recorded), and for the facts an address's names
   * share: the entries of the probe kinds (probe-kinds/tls-configuration.ts) of the name they were measured through.
   */
  readonly cache: ProbeCache;
  /** The session's counters (mutated). */
  readonly stats: { tlsHandshakes: number; smtpSessions: number; tlsEnumerationHellos: number; tlsWeaknessConnections: number };
  /** Politeness per destination address: web servers, MX hosts. */
  readonly limited: <T>(ep: Endpoint, work: () => Promise<T>) => Promise<T>;
  readonly limitedMx: <T>(ep: Endpoint, work: () => Promise<T>) => Promise<T>;
  /** The name's enumeration as the checks get it (cached): the hygiene and ROBOT plans are made from it. */
  readonly enumeration: (ep: Endpoint, transport: Transport) => Promise<TlsEnumeration>;
  /** The run's fact broker, when other processes scan too: an address measured by one of them is not measured again. */
  readonly elsewhere?: ConfigurationBroker | undefined;
};

export type TlsConfigurationMeasurements = {
  /** Accepted suites per version, order, groups, curves, DHE prime: measured once per address and configuration. */
  enumeration(ep: Endpoint, transport: Transport): Promise<TlsEnumeration>;
  hygiene(ep: Endpoint, transport: Transport): Promise<TlsHygiene>;
  renegotiation(ep: Endpoint, transport: Transport): Promise<RenegotiationFacts>;
  session(ep: Endpoint, transport: Transport): Promise<TlsSessionFacts>;
  weakness(ep: Endpoint, transport: Transport, weakness: RawWeakness): Promise<WeaknessFacts>;
};

export function createTlsConfigurationMeasurements(deps: TlsConfigurationDeps): TlsConfigurationMeasurements {
  const { config, runSignal, cache, stats, limited, limitedMx } = deps;
  const timeoutMs = config.probe.timeoutMs;

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
  // An MX name's fingerprint is kept for the run as its kinds are (probe-kinds/smtp.ts): a later domain sharing the
  // MX host must not pay its five SMTP sessions again, should one of the kinds have been dropped.
  const fingerprint = (ep: Endpoint, transport: Transport) => cache.get(`tls-fingerprint:${transport}:${endpointKey(ep)}`, 'tlsFingerprint', async () => {
    const exchanger = exchangerFor(ep, transport);
    try {
      return await fingerprintTls({ exchange: exchanger.exchange, serverName: sniName(ep.hostname),
        concurrency: transport === 'tls' ? config.probe.connectionsPerHost : 1, signal: runSignal });
    } finally {
      countHellos(transport, exchanger.connections());
    }
  }, undefined, transport === 'smtp-starttls' ? 'run' : 'domain');
  const sharing = createEndpointSharing({ mode: config.tls.measure, fingerprint, label: endpointLabel, held: cache,
    ...(deps.elsewhere ? { elsewhere: deps.elsewhere } : {}) });
  /**
   * Facts about the TLS configuration behind an address and port (issues 9 and 10), as opposed to facts about a name:
   * accepted suites, hygiene, weaknesses. Every such measurement goes through here so that one shared-hosting address
   * is measured once per configuration, not once per hosted name (names are matched by their fingerprint; see
   * shared-endpoints.ts). `kind` names the measurement among those of the address; `measure` does the work for
   * `ep`; `keyOf` is the cache key under which the session holds a name's facts of this kind (its probe kind's): the
   * facts shared are the ones the cache keeps, not a copy; `usable` says whether a result may stand for other names
   * (e.g. only a complete one).
   */
  const sharedByAddress = <T extends object>(kind: string, ep: Endpoint, transport: Transport, measure: () => Promise<T>,
    keyOf: (through: Endpoint) => string, usable?: (facts: T) => boolean): Promise<T> =>
    sharing.share(`${transport}-${kind}`, ep, transport, { measure, key: keyOf, ...(usable ? { usable } : {}) });
  const keysOf = (web: { key(ep: Endpoint): string }, mx: { key(ep: Endpoint): string }, transport: Transport) =>
    (through: Endpoint) => (transport === 'tls' ? web : mx).key(through);

  // Issue 10, measured with node:tls (renegotiation, resumption, tickets): each probe holds one connection slot for
  // its few sequential connections, on an MX each connection an SMTP session up to STARTTLS's 220.
  const plainConnect = (ep: Endpoint, transport: Transport): PlainConnect => (transport === 'tls'
    ? (signal) => dial(ep, signal, runSignal) : starttlsConnect(ep, config.probe.ehloName, runSignal));
  // The slot is held until the probe's sockets have closed: a node:tls socket destroyed by the probe closes its
  // connection a little later, and the next connection to the address must not overlap it (issue 11, politeness).
  const nodeTlsOver = <T>(ep: Endpoint, transport: Transport, what: string, connections: number, budgetMs: number,
    work: (connect: PlainConnect, signal: AbortSignal) => Promise<T>) => (transport === 'tls' ? limited : limitedMx)(ep, async () => {
    const opened: { socket: net.Socket; closed: Promise<void> }[] = [];
    const connect = plainConnect(ep, transport);
    try {
      return await withDeadline(runSignal, budgetMs, `${what} ${endpointLabel(ep)}`, (signal) => {
        stats.tlsHandshakes += connections;
        if (transport === 'smtp-starttls') stats.smtpSessions += connections;
        return work(async (s) => { const socket = await connect(s); opened.push({ socket, closed: closeOf(socket) }); return socket; }, signal);
      });
    } finally {
      await Promise.all(opened.map(({ socket, closed }) => closedWithin(socket, closed)));
    }
  });
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
    const enumeration = weakness !== 'robot' ? undefined : await deps.enumeration(ep, transport);
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

  return {
    // The enumeration, shared per address and configuration, with this name's own fingerprint in its facts: the
    // answers that made the sharing safe, and the connections this name cost.
    async enumeration(ep, transport) {
      const facts = await sharedByAddress(`enumeration:${ENUMERATION_SPEC}`, ep, transport, () => enumerateOver(ep, transport),
        keysOf(tlsEnumeration, smtpTlsEnumeration, transport), enumerationComplete);
      if (config.tls.measure === 'per-name') return facts;
      const own = await fingerprint(ep, transport);
      return { ...facts, fingerprint: { answers: own.answers, connections: own.connections, sctExtension: own.sctExtension } };
    },
    hygiene: (ep, transport) => sharedByAddress('hygiene', ep, transport, async () => hygieneOver(ep, transport, await deps.enumeration(ep, transport)),
      keysOf(tlsHygiene, smtpTlsHygiene, transport), hygieneComplete),
    renegotiation: (ep, transport) => sharedByAddress('renegotiation', ep, transport, () => renegotiationOver(ep, transport),
      keysOf(tlsRenegotiation, smtpTlsRenegotiation, transport), (f) => f.end !== 'deadline'),
    session: (ep, transport) => sharedByAddress('session', ep, transport, () => sessionOver(ep, transport), keysOf(tlsSession, smtpTlsSession, transport)),
    weakness: (ep, transport, w) => sharedByAddress(`weakness:${w}`, ep, transport, () => weaknessOver(ep, transport, w),
      (through) => (transport === 'tls' ? tlsWeakness : smtpTlsWeakness).key(through, w), weaknessConcluded),
  };
}

/**
 * A socket's 'close' event, which comes once the connection is really gone: a TLS socket on top sends its
 * close_notify first, and `socket.closed` turns true before that. Listened for from the start, so it is never missed.
 */
function closeOf(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/** `closed`, after destroying `socket` if the probe left it open past a grace period (a probe's bug, not the server's). */
async function closedWithin(socket: net.Socket, closed: Promise<void>, graceMs = 1000): Promise<void> {
  const timer = setTimeout(() => socket.destroy(), graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}
