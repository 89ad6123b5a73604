import type net from 'node:net';
import { abortReason } from '../core/deadline.ts';
import { toProbeError } from '../core/errors.ts';
import type { Endpoint } from '../core/types.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import { boundedRunner, DEFAULT_EXCHANGE_MAX_BYTES, dial, type Connect, type ExchangeResult } from './exchange.ts';
import { buildClientHello, type HelloSpec } from './hello.ts';
import { describeRecord, splitServerRecords, type RecordFact } from './record-reader.ts';
import { suiteByCode } from './registry.ts';
import { createFlightReader } from './server-flight.ts';

/** A silence is heard in slices of this length (see `arm` in the conversation): each slice gives the event loop a turn. */
const QUIET_SLICE_MS = 25;
/** The fewest turns of the event loop a silence must span: enough for a peer in this process to answer and for us to read it. */
const QUIET_TURNS = 5;

/**
 * A raw conversation of several steps on ONE connection (issue 10, the known-weakness probes): connect, write a
 * ClientHello, read the server's flight through ServerHelloDone (the server-flight reader), then let a `plan` write
 * more records and listen to what comes back, record by record (record-reader.ts). The sibling of exchange.ts (one
 * hello per connection), reusing its dial and its outcomes.
 *
 * Bounded on every side: one deadline for the whole conversation (connect included), a byte cap on what is read,
 * a quiet window per listen, and the socket is destroyed on every path (also when the plan throws).
 */

/** What a `listen` heard: the records that arrived, how it ended, and the raw bytes (for capped evidence). */
export type Heard = {
  readonly records: readonly RecordFact[];
  /**
   * - `enough`: the caller's `enough` was satisfied; `quiet`: nothing arrived for the quiet window;
   * - `closed` / `reset`: the peer closed (FIN) or reset the connection (RST, EPIPE);
   * - `malformed`: the bytes could not be framed as TLS records (`problem` says why);
   * - `too-large`: the conversation's byte cap was reached.
   */
  readonly end: 'enough' | 'quiet' | 'closed' | 'reset' | 'malformed' | 'too-large';
  readonly problem: string | null;
  /** Bytes of an incomplete record left when the listen ended. */
  readonly partialBytes: number;
  /** The bytes this listen read, whole records and any partial tail. */
  readonly bytes: Buffer;
};

export type Talk = {
  /** Milliseconds from writing the hello to the end of the server's flight: this connection's round trip and the server's pace. */
  readonly flightMs: number;
  /** Writes bytes (a no-op once the connection has ended). */
  send(bytes: Buffer): void;
  /** Listens until `enough(records so far)`, the peer ends, framing fails, the cap, or `quietMs` without a byte. */
  listen(quietMs: number, enough?: (records: readonly RecordFact[]) => boolean): Promise<Heard>;
};

/** A plan: what to do once the flight is read (or the hello failed: the plan sees every `ExchangeResult`). */
export type Plan<T> = (flight: ExchangeResult, talk: Talk) => Promise<T>;

export type ConverserOptions = {
  /** The whole conversation's deadline, connect to the last listen. */
  readonly timeoutMs: number;
  /** The run's signal. */
  readonly signal: AbortSignal;
  /** Hand over a connected socket instead of dialling (SMTP STARTTLS: `starttlsConnect`). */
  readonly connect?: Connect;
  /** Cap on every byte read, flight included (default 128 KiB). */
  readonly maxBytes?: number;
  /** Runs each conversation, e.g. inside a per-destination limiter; the deadline starts inside it. */
  readonly schedule?: <T>(work: () => Promise<T>) => Promise<T>;
};

export type Converser = {
  converse<T>(hello: HelloSpec, plan: Plan<T>): Promise<T>;
  /** Connections opened (or sockets handed over) so far. */
  connections(): number;
};

export function createConverser(endpoint: Endpoint, options: ConverserOptions): Converser {
  let connections = 0;
  const label = endpointLabel(endpoint);
  const bounded = boundedRunner(options, `tls conversation ${label}`);
  return {
    connections: () => connections,
    converse: (hello, plan) => bounded(async (signal) => {
      const bytes = buildClientHello(hello);
      const socket = options.connect ? await options.connect(signal) : await dial(endpoint, signal, options.signal);
      connections++;
      return talkOn(socket, bytes, plan, signal, label, options.maxBytes ?? DEFAULT_EXCHANGE_MAX_BYTES);
    }),
  };
}

/** The conversation on a connected socket: hello, flight, plan. Destroys the socket whatever happens. */
async function talkOn<T>(socket: net.Socket, hello: Buffer, plan: Plan<T>, signal: AbortSignal, label: string, maxBytes: number): Promise<T> {
  const reader = createFlightReader({ maxBytes, stopAfter: 'server-hello-done', keyExchangeOf: suiteByCode, maxCertificates: 4 });
  let total = 0;
  let flightBytes: Buffer[] = [];
  let flight: ExchangeResult | null = null;
  /** Bytes after the flight not yet framed into records. */
  let pending = Buffer.alloc(0);
  let ended: 'closed' | 'reset' | null = null;
  let failure: Error | null = null;
  /** Wakes whoever waits (the flight, or a listen) after any event. */
  let wake: () => void = () => {};

  const onData = (chunk: Buffer) => {
    total += chunk.length;
    if (!flight) {
      flightBytes.push(chunk);
      const state = reader.push(chunk);
      if (state.done) {
        flight = state.result;
        const all = Buffer.concat(flightBytes);
        flightBytes = [];
        pending = 'bytes' in flight && flight.kind !== 'too-large' ? Buffer.from(all.subarray(flight.bytes)) : Buffer.alloc(0);
      }
    } else if (pending.length <= maxBytes) {
      pending = Buffer.concat([pending, chunk]); // past the cap nothing more is kept: the listen ends `too-large`
    }
    wake();
  };
  const onEnd = (how: 'closed' | 'reset') => () => { ended ??= how; wake(); };
  const onError = (err: Error & { code?: string }) => {
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE') ended ??= 'reset';
    else failure ??= toProbeError(err, label);
    wake();
  };
  const onAbort = () => wake();
  const closedEarly = onEnd('closed');
  socket.on('data', onData).on('error', onError).once('end', closedEarly).once('close', closedEarly);
  signal.addEventListener('abort', onAbort, { once: true });

  const check = () => {
    if (signal.aborted) throw abortReason(signal);
    if (failure) throw failure;
  };
  const waitFor = (ready: () => boolean, quietMs?: number) => new Promise<'ready' | 'quiet'>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    // Silence is heard in slices, and counts only once it lasted `quietMs` AND spanned QUIET_TURNS turns of the event
    // loop (sockets are read between two timers). One timer of `quietMs` fires late on a busy loop, after an answer
    // had arrived unread, or before a server in this process had its turn: in wall time alone that stall read as the
    // server's silence, which for Heartbleed and CCS injection is a pass, and for ROBOT looked like an oracle.
    const arm = () => {
      if (quietMs === undefined) return;
      clearTimeout(timer);
      const since = performance.now();
      let turns = 0;
      const slice = () => {
        const left = quietMs - (performance.now() - since);
        timer = setTimeout(() => {
          turns++;
          if (performance.now() - since >= quietMs && turns >= QUIET_TURNS) { wake = () => {}; resolve('quiet'); } else slice();
        }, Math.max(1, Math.min(QUIET_SLICE_MS, left)));
      };
      slice();
    };
    wake = () => {
      try {
        check();
        if (ready()) { clearTimeout(timer); wake = () => {}; resolve('ready'); return; }
        arm();
      } catch (err) {
        clearTimeout(timer);
        wake = () => {};
        reject(err);
      }
    };
    arm();
    wake();
  });

  try {
    socket.resume();
    const helloSent = performance.now();
    socket.write(hello);
    await waitFor(() => flight !== null || ended !== null);
    const flightMs = performance.now() - helloSent;
    if (!flight) {
      const end = reader.end().result;
      flight = total === 0 ? { kind: 'no-reply', how: ended ?? 'closed' } : end;
    }
    const talk: Talk = {
      flightMs,
      send(bytes) {
        if (ended === null && !socket.destroyed) socket.write(bytes);
      },
      async listen(quietMs, enough) {
        const records: RecordFact[] = [];
        const heardBytes: Buffer[] = [];
        let problem: string | null = null;
        const frame = () => {
          const split = splitServerRecords(pending);
          for (const record of split.records) records.push(describeRecord(record));
          heardBytes.push(pending.subarray(0, split.consumed));
          if (split.problem) problem = split.problem.problem;
          pending = Buffer.from(pending.subarray(split.consumed));
        };
        const done = (): boolean => {
          frame();
          return problem !== null || total > maxBytes || (enough?.(records) ?? false) || ended !== null;
        };
        const how = await waitFor(done, quietMs);
        const bytes = Buffer.concat([...heardBytes, pending]);
        const end: Heard['end'] = problem !== null ? 'malformed'
          : how === 'quiet' ? 'quiet'
          : total > maxBytes ? 'too-large'
          : enough?.(records) ? 'enough'
          : ended ?? 'closed';
        return { records, end, problem, partialBytes: pending.length, bytes };
      },
    };
    return await plan(flight, talk);
  } finally {
    wake = () => {};
    socket.off('data', onData).off('error', onError).off('end', closedEarly).off('close', closedEarly);
    signal.removeEventListener('abort', onAbort);
    socket.on('error', () => {}); // nothing may surface from a socket we have finished with
    socket.destroy();
  }
}
