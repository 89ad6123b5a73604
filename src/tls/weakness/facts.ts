import type { ErrorReason } from '../../core/types.ts';
import type { SharedFrom } from '../fingerprint.ts';
import type { Converser, Heard } from '../conversation.ts';
import type { ExchangeResult } from '../exchange.ts';
import { cappedHex, recordLabel } from '../record-reader.ts';
import { describeSuite } from '../registry.ts';

/**
 * The facts of the known weaknesses probed with raw hellos (issue 10): Heartbleed, CCS injection, ROBOT, Ticketbleed.
 * Each probe says what it sent and what came back (hex, capped), and concludes one of:
 * - `vulnerable`: the server showed the flaw (a finding);
 * - `not-vulnerable`: the server answered as a patched one does;
 * - `not-applicable`: the flaw cannot exist here (e.g. no RSA key exchange for ROBOT), with why;
 * - `unknown`: the answer was ambiguous or the probe could not run, with an error reason: never a pass.
 */

export const RAW_WEAKNESSES = ['heartbleed', 'ccs-injection', 'robot', 'ticketbleed'] as const;
export type RawWeakness = (typeof RAW_WEAKNESSES)[number];

/** Bumped when what a probe sends or how it concludes changes (part of the probe cache key; in fact-specs.ts). */
export { WEAKNESS_SPEC } from '../fact-specs.ts';

export const WEAKNESS_CVES: Readonly<Record<RawWeakness, readonly string[]>> = {
  heartbleed: ['CVE-2014-0160'],
  'ccs-injection': ['CVE-2014-0224'],
  // ROBOT: CVE-2017-13099 (WolfSSL) first, then the vendors' own (robotattack.org; testssl.sh lists the same
  // family): F5 CVE-2017-6168, Citrix CVE-2017-17382, Radware CVE-2017-17427, Bouncy Castle CVE-2017-13098,
  // Erlang CVE-2017-1000385, and CVE-2017-17428.
  ticketbleed: ['CVE-2016-9244'],
  robot: ['CVE-2017-13099', 'CVE-2017-6168', 'CVE-2017-17382', 'CVE-2017-17427', 'CVE-2017-17428', 'CVE-2017-13098', 'CVE-2017-1000385'],
};

/** One step of a conversation: what was sent and what came back. */
export type WeaknessStep = {
  readonly sent: string;
  /** The bytes sent, capped (absent for the ClientHello, which is the usual full offer). */
  readonly sentHex?: string;
  readonly heard: string;
  readonly heardHex?: string;
};

export type WeaknessOutcome = 'vulnerable' | 'not-vulnerable' | 'not-applicable' | 'unknown';

export type WeaknessFacts = {
  readonly weakness: RawWeakness;
  readonly cves: readonly string[];
  readonly endpoint: string;
  readonly transport: 'tls' | 'smtp-starttls';
  readonly outcome: WeaknessOutcome;
  /** Why the outcome is `unknown`; null otherwise. */
  readonly reason: ErrorReason | null;
  /** One sentence: what the server did. */
  readonly finding: string;
  /** Negotiated version and suite of the (first) conversation, when a flight was read. */
  readonly version: string | null;
  readonly suite: string | null;
  readonly steps: readonly WeaknessStep[];
  /** Connections used (on an MX: SMTP sessions up to STARTTLS). */
  readonly connections: number;
  readonly observedAt: string;
  /** Extra facts of one probe (ROBOT: the answers per payload). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Measured through another name on the same address with the same fingerprint (src/runner/shared-endpoints.ts). */
  readonly sharedFrom?: SharedFrom;
};

/** What every probe needs: the converser (one connection per conversation), names and the listening window. */
export type WeaknessProbeOptions = {
  readonly converser: Converser;
  readonly endpoint: string;
  readonly transport: 'tls' | 'smtp-starttls';
  readonly serverName: string | null;
  /** How long a silence must last to count as "no answer" in a listen. */
  readonly quietMs: number;
  readonly now?: () => Date;
};

/** The longest quiet window for a run's timeout: half of it, at least 1 s and at most 2 s (every ROBOT connection may
 * wait it out). */
export const MIN_QUIET_MS = 1000;
export const MAX_QUIET_MS = 2000;
export const weaknessQuietWindow = (timeoutMs: number): number => Math.min(MAX_QUIET_MS, Math.max(MIN_QUIET_MS, Math.floor(timeoutMs / 2)));

/** The shortest silence that counts as "no answer", however fast the server was. */
export const MIN_ADAPTIVE_QUIET_MS = 150;

/**
 * How long a silence must last, on one connection, to count as "no answer" (silence to a heartbeat passes, so it must
 * mean something): ten times what the server took to send its flight on this very connection (its round trip, and its
 * pace under load), at least 150 ms, at most the run's window. A server that answers a record at all answers within a
 * round trip or two of it; a server slow to answer was slow to send its flight too, and gets a longer window.
 */
export const quietFor = (talk: { readonly flightMs: number }, windowMs: number): number =>
  Math.min(windowMs, Math.max(MIN_ADAPTIVE_QUIET_MS, Math.ceil(10 * talk.flightMs)));

/**
 * How a listen ended, in words, with the records: `alert fatal unexpected_message (10), then closed`. Without
 * `quietMs` a silence is "no further answer" alone: the form to compare answers by, since the window is set per
 * connection from its flight time (quietFor), so two silences under a busy machine's varying pace would differ only
 * in their milliseconds and read as two different answers (ROBOT's "too noisy" under load).
 */
export function heardLabel(heard: Heard, quietMs?: number): string {
  const records = heard.records.map(recordLabel);
  const end = {
    enough: null, quiet: quietMs === undefined ? 'no further answer' : `no further answer within ${quietMs} ms`, closed: 'the server closed the connection',
    reset: 'the server reset the connection', malformed: `bytes that are not TLS records (${heard.problem ?? ''})`,
    'too-large': 'more bytes than the cap',
  }[heard.end];
  const what = [...records, ...(end ? [end] : [])].join(', then ');
  return what === '' ? 'nothing' : what;
}

export const stepOf = (sent: string, bytes: Buffer, heard: Heard, quietMs: number): WeaknessStep =>
  ({ sent, sentHex: cappedHex(bytes), heard: heardLabel(heard, quietMs), heardHex: cappedHex(heard.bytes) });

/** TLS record framing (RFC 5246 6.2.1) for what the probes send. */
export const tlsRecord = (type: number, version: number, body: Buffer): Buffer =>
  Buffer.concat([Buffer.of(type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff), body]);

const VERSION_NAMES: ReadonlyMap<number, string> = new Map([[0x0300, 'SSLv3'], [0x0301, 'TLSv1'], [0x0302, 'TLSv1.1'], [0x0303, 'TLSv1.2'], [0x0304, 'TLSv1.3']]);
export const versionName = (wire: number): string => VERSION_NAMES.get(wire) ?? `0x${wire.toString(16).padStart(4, '0')}`;

/** The flight a probe can talk on after: a TLS <= 1.2 flight through ServerHelloDone. */
export type UsableFlight = Extract<ExchangeResult, { kind: 'flight' }>;

/**
 * Why a flight cannot be talked on, as the probe's conclusion; null when it can. A protocol_version alert to a
 * TLS 1.0-1.2 hello means the server speaks none of them, where these flaws (all in TLS <= 1.2 handshakes) cannot
 * exist; anything else that is not a complete flight is `unknown`: the probe could not run, which is never a pass.
 */
export function unusableFlight(result: ExchangeResult): Pick<WeaknessFacts, 'outcome' | 'reason' | 'finding'> | null {
  const unknown = (finding: string, reason: ErrorReason = 'protocol') => ({ outcome: 'unknown' as const, reason, finding });
  switch (result.kind) {
    case 'flight':
      if (result.helloDone) return null;
      return unknown(result.version === 0x0304 ? 'the server answered a TLS 1.2 hello with TLS 1.3' : 'the server resumed a session it was not offered');
    case 'alert':
      if (result.description === 70) {
        return { outcome: 'not-applicable', reason: null, finding: 'the server accepts no TLS 1.0-1.2 hello (alert protocol_version), so the flaw cannot be reached' };
      }
      return unknown(`the server refused the hello: alert ${result.name ?? 'unknown'} (${result.description})`);
    case 'no-reply': return unknown(`the server ${result.how === 'reset' ? 'reset' : 'closed'} the connection without answering the hello`);
    case 'malformed': return unknown(`the answer to the hello is not TLS: ${result.problem}`);
    case 'too-large': return unknown(`the server's flight exceeds ${result.limit} bytes`, 'client-limitation');
    case 'truncated': return unknown(`the server ended the connection in its flight (after ${result.after})`);
    default: return unknown(`unexpected answer to the hello (${result.kind})`);
  }
}

/** The facts of one probe run from its conclusion and steps. */
export function weaknessFacts(
  options: WeaknessProbeOptions, weakness: RawWeakness,
  conclusion: Pick<WeaknessFacts, 'outcome' | 'reason' | 'finding'> & Partial<Pick<WeaknessFacts, 'version' | 'suite' | 'steps' | 'details'>>,
): WeaknessFacts {
  return {
    weakness, cves: WEAKNESS_CVES[weakness], endpoint: options.endpoint, transport: options.transport,
    outcome: conclusion.outcome, reason: conclusion.reason, finding: conclusion.finding,
    version: conclusion.version ?? null, suite: conclusion.suite ?? null, steps: conclusion.steps ?? [],
    connections: options.converser.connections(), observedAt: (options.now ?? (() => new Date()))().toISOString(),
    ...(conclusion.details ? { details: conclusion.details } : {}),
  };
}

/** The ServerHello as a step's answer: version and suite, or the flight's problem. */
export function flightLabel(result: ExchangeResult): string {
  if (result.kind === 'flight') {
    return `ServerHello ${versionName(result.version)} ${describeSuite(result.serverHello.cipherSuite).name}${result.helloDone ? ' ... ServerHelloDone' : ''}`;
  }
  if (result.kind === 'alert') return `alert ${result.name ?? 'unknown'} (${result.description})`;
  if (result.kind === 'no-reply') return `no reply (${result.how})`;
  return result.kind;
}
