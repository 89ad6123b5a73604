import { ProbeError } from '../core/errors.ts';
import { ERROR_REASONS, type ErrorReason } from '../core/types.ts';
import { WIRE_VERSIONS, type HelloVersion } from './hello.ts';
import { describeSuite, groupByCode } from './registry.ts';
import type { Exchange, ExchangeRequest, ExchangeResult } from './exchange.ts';
import type { FlightResult } from './server-flight.ts';

/**
 * What the enumeration jobs share (issue 9): one `ask` that turns an exchange into an `Answer` (never a throw), counts
 * connections, keeps the connection budget, and stops asking once the endpoint is clearly gone; plus the small
 * vocabulary the jobs classify answers with.
 */

/** A suite or group as facts carry it: the code point and the registry's name. */
export type Named = { readonly code: number; readonly name: string };

/** An exchange's outcome, or why there is none (`failed`: the exchange threw; the message says what). */
export type Answer = { readonly kind: 'answer'; readonly result: ExchangeResult } | { readonly kind: 'failed'; readonly problem: string };

export type AskContext = {
  ask(request: ExchangeRequest): Promise<Answer>;
  /** SNI for every hello (null for IP literals). */
  readonly serverName: string | null;
  /** Exchanges made so far. */
  connections(): number;
};

export type AskOptions = {
  readonly exchange: Exchange;
  readonly serverName: string | null;
  /** Most exchanges for one endpoint (politeness, and a hard stop whatever a server does). */
  readonly maxConnections: number;
  /** Failed exchanges (timeouts, errors) after which the rest are not tried. */
  readonly maxFailures: number;
  /** When aborted, every further ask fails and the driver rethrows the reason. */
  readonly signal?: AbortSignal;
};

export type AskState = AskContext & {
  /** A ProbeError that means nothing could be enumerated (before any answer), to be thrown by the driver. */
  fatal(): Error | null;
};

export function createAsk(options: AskOptions): AskState {
  let connections = 0;
  let failures = 0;
  let answered = false;
  let fatal: Error | null = null;
  const ask = async (request: ExchangeRequest): Promise<Answer> => {
    if (options.signal?.aborted) {
      fatal ??= options.signal.reason instanceof Error ? options.signal.reason : new ProbeError('timeout', 'enumeration', 'aborted');
    }
    if (fatal) return { kind: 'failed', problem: `not tried: ${fatal.message}` };
    if (failures >= options.maxFailures) return { kind: 'failed', problem: `not tried: ${failures} exchanges had failed before` };
    if (connections >= options.maxConnections) return { kind: 'failed', problem: `not tried: connection budget of ${options.maxConnections} spent` };
    connections++;
    try {
      const result = await options.exchange(request);
      answered = true;
      return { kind: 'answer', result };
    } catch (err) {
      if (!(err instanceof ProbeError)) throw err; // a bug, not a fact about the server
      // Before any answer: the endpoint cannot be enumerated at all (refused, unreachable, SMTP without STARTTLS).
      if (!answered || options.signal?.aborted) fatal ??= err;
      failures++;
      return { kind: 'failed', problem: `exchange failed (${err.reason}): ${err.message}` };
    }
  };
  return { ask, serverName: options.serverName, connections: () => connections, fatal: () => fatal };
}

/** How an answer to a TLS hello reads, for the suite and group eliminations. */
export type Verdict =
  /** The server chose `code` at the asked version (ServerHello or HelloRetryRequest). */
  | { readonly kind: 'chosen'; readonly code: number; readonly result: FlightResult & { kind: 'flight' | 'hello-retry' } }
  /** A clear no: handshake_failure, insufficient_security, protocol_version, or a lower version negotiated. */
  | { readonly kind: 'refused'; readonly detail: string }
  /** A no that may also mean "your hello is too long": no reply, a reset, decode_error, illegal_parameter, ... */
  | { readonly kind: 'ambiguous'; readonly detail: string }
  /** The server broke the protocol (chose what was not offered, garbage, truncated) or the exchange failed. */
  | { readonly kind: 'problem'; readonly detail: string };

/** RFC 5246 7.2.2 / RFC 8446 6.2: the alerts that clearly mean "nothing acceptable in this hello". */
const REFUSALS = new Set([40, 70, 71]);

export const hex4 = (code: number): string => `0x${code.toString(16).padStart(4, '0')}`;
export const suiteLabel = (code: number): string => `${describeSuite(code).name} (${hex4(code)})`;
export const versionName = (wire: number): string =>
  (Object.entries(WIRE_VERSIONS) as [HelloVersion, number][]).find(([, w]) => w === wire)?.[0] ?? `version ${hex4(wire)}`;

export function named(code: number): Named {
  return { code, name: describeSuite(code).name };
}

export function namedGroup(code: number): Named & { readonly kind: string; readonly bits: number | null } {
  const group = groupByCode(code);
  return group ? { code, name: group.name, kind: group.kind, bits: group.bits } : { code, name: `UNKNOWN_${hex4(code)}`, kind: 'unknown', bits: null };
}

/** What the answer says, apart from the suite check (which needs the offer): the reply's kind and version. */
export function readAnswer(answer: Answer, version: HelloVersion): Verdict {
  if (answer.kind === 'failed') return { kind: 'problem', detail: answer.problem };
  const result = answer.result;
  const wanted = WIRE_VERSIONS[version];
  switch (result.kind) {
    case 'flight':
    case 'hello-retry': {
      const got = result.kind === 'flight' ? result.version : result.selectedVersion;
      const what = result.kind === 'flight' ? 'ServerHello' : 'HelloRetryRequest';
      // RFC 5246 E.1: a ClientHello's version is a maximum, a lower answer is the server's "not this version".
      if (got < wanted) return { kind: 'refused', detail: `negotiated ${versionName(got)} instead` };
      if (got > wanted) return { kind: 'problem', detail: `${what} for ${versionName(got)}, which was not offered` };
      const code = result.kind === 'flight' ? result.serverHello.cipherSuite : result.cipherSuite;
      return { kind: 'chosen', code, result };
    }
    case 'alert': {
      const detail = `alert ${result.name ?? 'unknown'} (${result.description})${result.after === 'nothing' ? '' : ` after the ${result.after}`}`;
      if (result.after !== 'nothing') return { kind: 'problem', detail };
      return REFUSALS.has(result.description) ? { kind: 'refused', detail } : { kind: 'ambiguous', detail };
    }
    case 'no-reply':
      return { kind: 'ambiguous', detail: result.how === 'reset' ? 'connection reset without reply' : 'closed without reply' };
    case 'malformed':
      return { kind: 'problem', detail: `malformed reply at byte ${result.offset}: ${result.problem}` };
    case 'too-large':
      return { kind: 'problem', detail: `reply larger than ${result.limit} bytes` };
    case 'truncated':
      return { kind: 'problem', detail: `connection ended after ${result.bytes} bytes, after the ${result.after}` };
    case 'sslv2-server-hello':
    case 'sslv2-error':
      return { kind: 'problem', detail: `SSLv2 ${result.kind === 'sslv2-error' ? 'ERROR' : 'SERVER-HELLO'} in reply to a ${version} hello` };
  }
}

/**
 * Why a recorded problem left the facts incomplete, as an error reason. This module writes the problems, so it is
 * the one place that reads them back: `exchange failed (<reason>): ...` keeps the exchange's reason, a spent
 * connection budget or a job never run is `client-limitation`, anything else (a suite not offered, garbage) is the
 * server breaking the protocol.
 */
export function problemReason(problem: string): ErrorReason {
  if (/budget|not tested/i.test(problem)) return 'client-limitation';
  const failed = /exchange failed \(([a-z-]+)\)/.exec(problem)?.[1];
  return failed !== undefined && (ERROR_REASONS as readonly string[]).includes(failed) ? failed as ErrorReason : 'protocol';
}
