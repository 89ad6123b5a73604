import { createECDH, createPrivateKey, createPublicKey, diffieHellman, randomBytes } from 'node:crypto';
import { abortReason } from '../core/deadline.ts';
import { toProbeError } from '../core/errors.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import type { Endpoint } from '../core/types.ts';
import type { Connect } from './exchange.ts';
import { Cursor, ParseError } from './flight/bytes.ts';
import { ALERT_NAMES } from './flight/names.ts';
import { parseServerHello } from './flight/server-hello.ts';
import { buildClientHello, EXTENSION, pskBindersLength, type RandomSource } from './hello.ts';
import type { ResumptionSession } from './resumption-session.ts';
import { splitServerRecords } from './record-reader.ts';
import {
  clientEarlyTrafficSecret, earlySecret, handshakeSecret, openRecord, pskBinder, resumptionBinderKey, sealRecord,
  serverHandshakeTrafficSecret, TLS13_SUITES, trafficKeys, transcriptHash, type Tls13Suite, type TrafficKeys,
} from './tls13-key-schedule.ts';

/**
 * Proof of 0-RTT acceptance (issue 10), which node:tls cannot give: resume a TLS 1.3 session that node:tls obtained,
 * by hand. A ClientHello with the session's ticket as PSK (RFC 8446 4.2.11: obfuscated age, binder), early_data
 * (4.2.10) and our own key shares, then one early-data record protected with client_early_traffic_secret (7.3):
 * an empty application_data fragment (5.4), so no application ever receives a byte. Then the server's ServerHello
 * (did it select our PSK?) and, decrypted with its handshake traffic keys (7.1: PSK + ECDHE), its
 * EncryptedExtensions: early_data there means the server accepted the early data (4.2.10). Nothing else is read.
 *
 * Accepted true/false is stated only when the server accepted the PSK: a refused PSK says nothing about 0-RTT with a
 * PSK it would take (`pskAccepted: false`, `earlyDataAccepted: null`). Everything else is a typed reason.
 */

/** Why nothing was established; `connection` and `timeout` come from the caller (tls-session.ts), not the reader. */
export type UndeterminedReason =
  | 'not-tls13-session' | 'unsupported-suite' | 'hello-retry' | 'not-tls13' | 'alert' | 'malformed' | 'undecryptable'
  | 'closed' | 'too-large' | 'connection' | 'timeout';

export type ZeroRttProof =
  | {
      readonly kind: 'answered';
      readonly pskAccepted: true;
      /** EncryptedExtensions carried early_data (RFC 8446 4.2.10). */
      readonly earlyDataAccepted: boolean;
      readonly cipherSuite: number;
      readonly group: number;
      /** Extension types in the EncryptedExtensions, in order. */
      readonly encryptedExtensions: readonly number[];
    }
  | { readonly kind: 'psk-refused'; readonly pskAccepted: false; readonly earlyDataAccepted: null; readonly cipherSuite: number; readonly detail: string }
  | { readonly kind: 'undetermined'; readonly reason: UndeterminedReason; readonly detail: string };

export type ProofPlan = {
  /** The ClientHello record followed by the early-data record. */
  readonly bytes: Buffer;
  readonly clientHello: Buffer;
  readonly suite: Tls13Suite;
  readonly psk: Buffer;
  readonly ticketAgeMs: number;
  readonly shares: ReadonlyMap<number, (peer: Buffer) => Buffer>;
};

export type PlanOptions = {
  readonly serverName: string | null;
  /** When the ticket arrived (ms since the epoch); default the session's `time`. */
  readonly receivedAtMs?: number;
  readonly nowMs?: number;
  readonly random?: RandomSource;
  /** Application bytes in the early-data record; default none (an empty fragment, RFC 8446 5.4). */
  readonly earlyData?: Buffer;
};

const X25519 = 0x001d;
const SECP256R1 = 0x0017;
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** Key shares whose private halves we keep: X25519 and P-256 (what nearly every server takes without a retry). */
function makeShares(random: RandomSource): { entries: { group: number; publicKey: Buffer }[]; agree: Map<number, (peer: Buffer) => Buffer> } {
  const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, random(32)]), format: 'der', type: 'pkcs8' });
  const x25519 = createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).subarray(-32);
  const p256 = createECDH('prime256v1');
  p256.setPrivateKey(Buffer.concat([Buffer.of(1), random(31)])); // below the group order whatever the random bytes
  return {
    entries: [{ group: X25519, publicKey: x25519 }, { group: SECP256R1, publicKey: p256.getPublicKey() }],
    agree: new Map([
      [X25519, (peer) => diffieHellman({ privateKey, publicKey: createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, peer]), format: 'der', type: 'spki' }) })],
      [SECP256R1, (peer) => p256.computeSecret(peer)],
    ]),
  };
}

/** The bytes to send for `session`, or why none can be made. Pure given `random` and the clock. */
export function planZeroRtt(session: ResumptionSession, options: PlanOptions): ProofPlan | { readonly kind: 'undetermined'; readonly reason: UndeterminedReason; readonly detail: string } {
  if (session.version !== 0x0304) return { kind: 'undetermined', reason: 'not-tls13-session', detail: `the session is not TLS 1.3 (0x${session.version.toString(16)})` };
  const suite = TLS13_SUITES.get(session.cipher);
  if (!suite) return { kind: 'undetermined', reason: 'unsupported-suite', detail: `the session's suite 0x${session.cipher.toString(16)} is not one the proof can protect records for` };
  const random = options.random ?? randomBytes;
  const ticketAgeMs = Math.max(0, (options.nowMs ?? Date.now()) - (options.receivedAtMs ?? session.timeSeconds * 1000));
  const shares = makeShares(random);
  const placeholder = Buffer.alloc(suite.hashLength);
  const record = buildClientHello({
    version: 'TLSv1.3', suites: [suite.code], groups: [X25519, SECP256R1], signatureAlgorithms: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0807],
    random,
    extensions: {
      serverName: options.serverName, keyShareEntries: shares.entries, pskKeyExchangeModes: [1], earlyData: true,
      ...(session.alpn ? { alpn: [session.alpn.toString('latin1')] } : {}),
      // RFC 8446 4.2.11.1: obfuscated_ticket_age = (age in ms + ticket_age_add) mod 2^32.
      preSharedKey: { identities: [{ identity: session.ticket, obfuscatedTicketAge: (ticketAgeMs + session.ticketAgeAdd) % 2 ** 32 }], binders: [placeholder] },
    },
  });
  // One record (a hello under 2^14 bytes): patch the binder, computed over the hello without its binders (4.2.11.2).
  const clientHello = Buffer.from(record.subarray(5));
  const early = earlySecret(suite, session.psk);
  const truncated = clientHello.subarray(0, clientHello.length - pskBindersLength([placeholder]));
  pskBinder(suite, resumptionBinderKey(suite, early), transcriptHash(suite.hash, truncated)).copy(clientHello, clientHello.length - suite.hashLength);
  const earlyKeys = trafficKeys(suite, clientEarlyTrafficSecret(suite, early, transcriptHash(suite.hash, clientHello)));
  const earlyRecord = sealRecord(earlyKeys, 0, 23, options.earlyData ?? Buffer.alloc(0));
  return { bytes: Buffer.concat([record.subarray(0, 5), clientHello, earlyRecord]), clientHello, suite, psk: session.psk, ticketAgeMs, shares: shares.agree };
}

/** RFC 8446 4.2.8 KeyShareServerHello: the server's public key (the flight parser keeps only its length). */
function serverShare(body: Buffer): { group: number; key: Buffer } | null {
  const c = new Cursor(body, 'ServerHello');
  c.bytes(34, 'version and random');
  c.vector(1, 'session_id');
  c.bytes(3, 'suite and compression');
  const ext = new Cursor(c.vector(2, 'extensions'), 'extensions');
  while (ext.left > 0) {
    const type = ext.u16('type');
    const data = new Cursor(ext.vector(2, 'data'), 'key_share');
    if (type === EXTENSION.keyShare) return { group: data.u16('group'), key: data.vector(2, 'key_exchange', 1) };
  }
  return null;
}

export const MAX_PROOF_BYTES = 64 * 1024;

/** Reads the server's answer to `plan` as it arrives: ServerHello, then records up to the EncryptedExtensions. Total. */
export function createProofReader(plan: ProofPlan) {
  let input = Buffer.alloc(0);
  let total = 0;
  let handshake = Buffer.alloc(0);
  let keys: TrafficKeys | null = null;
  let sequence = 0;
  let hello: { cipherSuite: number; group: number; pskAccepted: boolean } | null = null;
  let result: ZeroRttProof | null = null;
  const undetermined = (reason: UndeterminedReason, detail: string): ZeroRttProof => ({ kind: 'undetermined', reason, detail });

  /** One whole handshake message from `handshake`, or null. */
  const message = (): Buffer | null => {
    if (handshake.length < 4 || handshake.length < 4 + handshake.readUIntBE(1, 3)) return null;
    const m = handshake.subarray(0, 4 + handshake.readUIntBE(1, 3));
    handshake = handshake.subarray(m.length);
    return m;
  };

  const onServerHello = (m: Buffer): ZeroRttProof | null => {
    if (m[0] !== 2) return undetermined('malformed', `handshake message ${m[0]} before the ServerHello`);
    const parsed = parseServerHello(m.subarray(4));
    if (parsed.retry) return undetermined('hello-retry', `HelloRetryRequest (group ${parsed.requestedGroup ?? 'none'}): that rejects this hello's early data (RFC 8446 4.2.10) and says nothing of a retried one`);
    const sh = parsed.hello;
    if (sh.version !== 0x0304) return undetermined('not-tls13', `the server negotiated 0x${sh.version.toString(16)}, not TLS 1.3`);
    if (sh.cipherSuite !== plan.suite.code) return undetermined('malformed', `the server chose suite 0x${sh.cipherSuite.toString(16)}, which was not offered`);
    const selected = sh.extensions.preSharedKey;
    if (selected !== null && selected !== 0) return undetermined('malformed', `the server selected PSK identity ${selected} of the one offered`);
    const share = serverShare(m.subarray(4));
    const agree = share && plan.shares.get(share.group);
    if (!share || !agree) return undetermined('malformed', 'the ServerHello has no key share for a group we sent (RFC 8446 4.2.8)');
    if (handshake.length > 0) return undetermined('malformed', 'handshake data after the ServerHello in its record (RFC 8446 5.1)');
    let shared: Buffer;
    try {
      shared = agree(share.key);
    } catch {
      return undetermined('malformed', `the server's ${share.key.length}-byte key share for group 0x${share.group.toString(16)} is not a valid public key`);
    }
    hello = { cipherSuite: sh.cipherSuite, group: share.group, pskAccepted: selected === 0 };
    // Without the PSK the server does a full handshake: its Early Secret comes from a zero PSK (RFC 8446 7.1).
    const early = earlySecret(plan.suite, hello.pskAccepted ? plan.psk : null);
    const secret = serverHandshakeTrafficSecret(plan.suite, handshakeSecret(plan.suite, early, shared), transcriptHash(plan.suite.hash, plan.clientHello, m));
    keys = trafficKeys(plan.suite, secret);
    if (!hello.pskAccepted) {
      return { kind: 'psk-refused', pskAccepted: false, earlyDataAccepted: null, cipherSuite: sh.cipherSuite, detail: 'the server did not select the ticket (a full handshake), so this attempt says nothing about 0-RTT' };
    }
    return null;
  };

  const onEncryptedExtensions = (m: Buffer): ZeroRttProof => {
    if (m[0] !== 8) return undetermined('malformed', `the first encrypted handshake message is type ${m[0]}, not EncryptedExtensions (RFC 8446 2)`);
    const c = new Cursor(m.subarray(4), 'EncryptedExtensions');
    const list = new Cursor(c.vector(2, 'extensions'), 'extensions');
    c.end();
    const types: number[] = [];
    while (list.left > 0) {
      types.push(list.u16('type'));
      list.vector(2, 'data');
    }
    return { kind: 'answered', pskAccepted: true, earlyDataAccepted: types.includes(EXTENSION.earlyData), cipherSuite: hello!.cipherSuite, group: hello!.group, encryptedExtensions: types };
  };

  const pump = (): ZeroRttProof | null => {
    const split = splitServerRecords(input);
    input = input.subarray(split.consumed);
    for (const record of split.records) {
      if (record.type === 21) {
        const description = record.body[1] ?? -1;
        return undetermined('alert', `alert ${ALERT_NAMES.get(description) ?? description} ${keys ? 'after' : 'before'} the ServerHello`);
      }
      if (record.type === 20 && hello) continue; // RFC 8446 D.4: the middlebox-compatibility change_cipher_spec
      if (!keys) {
        if (record.type !== 22) return undetermined('malformed', `record type ${record.type} before the ServerHello`);
        handshake = Buffer.concat([handshake, record.body]);
        const m = message();
        if (m) {
          const outcome = onServerHello(m);
          if (outcome) return outcome;
        }
        continue;
      }
      if (record.type !== 23) return undetermined('malformed', `plaintext record type ${record.type} after the ServerHello (RFC 8446 5)`);
      // RFC 8446 5.2: the additional data is the record header as received.
      const header = Buffer.of(23, record.version >> 8, record.version & 0xff, record.body.length >> 8, record.body.length & 0xff);
      const opened = openRecord(keys, sequence++, header, record.body);
      if (!opened.ok) return undetermined('undecryptable', `the server's first protected record: ${opened.problem}`);
      if (opened.contentType === 21) return undetermined('alert', `encrypted alert ${ALERT_NAMES.get(opened.content[1] ?? -1) ?? opened.content[1]} after the ServerHello`);
      if (opened.contentType !== 22) return undetermined('malformed', `protected content type ${opened.contentType} before the EncryptedExtensions`);
      handshake = Buffer.concat([handshake, opened.content]);
      const m = message();
      if (m) return onEncryptedExtensions(m);
    }
    if (split.problem) return undetermined('malformed', split.problem.problem);
    return null;
  };

  const settle = (step: () => ZeroRttProof | null): ZeroRttProof | null => {
    if (result) return result;
    try {
      result = step();
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      result = undetermined('malformed', error.problem);
    }
    return result;
  };

  return {
    push: (chunk: Buffer): ZeroRttProof | null => settle(() => {
      total += chunk.length;
      if (total > MAX_PROOF_BYTES) return undetermined('too-large', `more than ${MAX_PROOF_BYTES} bytes without an EncryptedExtensions`);
      input = Buffer.concat([input, chunk]);
      return pump();
    }),
    end: (how: string): ZeroRttProof => settle(() => undetermined('closed', `the server ${how} the connection ${hello ? 'after its ServerHello, before its EncryptedExtensions' : 'before its ServerHello'}`))!,
  };
}

/**
 * Sends `plan` on one connection from `connect` (a TCP dial, or an SMTP session up to STARTTLS's 220) and reads
 * until the proof decides, the peer ends, or `signal` aborts (thrown, like every probe's deadline). The connection
 * is closed right after the EncryptedExtensions; no Finished is ever sent. A server may hand accepted early data to
 * its application before the handshake completes (OpenSSL's SSL_read_early_data), which is why the record is empty.
 */
export async function proveZeroRtt(endpoint: Endpoint, connect: Connect, plan: ProofPlan, signal: AbortSignal): Promise<ZeroRttProof> {
  const label = endpointLabel(endpoint);
  const socket = await connect(signal);
  const reader = createProofReader(plan);
  return new Promise<ZeroRttProof>((resolve, reject) => {
    const finish = (outcome: () => void) => {
      socket.off('data', onData).off('error', onError).off('end', onEnd).off('close', onEnd);
      signal.removeEventListener('abort', onAbort);
      socket.on('error', () => {});
      socket.destroy();
      outcome();
    };
    function onData(chunk: Buffer) {
      const outcome = reader.push(chunk);
      if (outcome) finish(() => resolve(outcome));
    }
    function onError(err: Error & { code?: string }) {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') finish(() => resolve(reader.end('reset')));
      else finish(() => reject(toProbeError(err, label)));
    }
    function onEnd() {
      finish(() => resolve(reader.end('closed')));
    }
    function onAbort() {
      finish(() => reject(abortReason(signal)));
    }
    if (signal.aborted) return onAbort();
    socket.on('data', onData).on('error', onError).once('end', onEnd).once('close', onEnd);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.resume();
    socket.write(plan.bytes);
  });
}
