import { randomBytes } from 'node:crypto';
import { fullOffer } from '../hello.ts';
import type { RecordFact } from '../record-reader.ts';
import { describeSuite } from '../registry.ts';
import {
  flightLabel, quietFor, stepOf, tlsRecord, unusableFlight, versionName, weaknessFacts, type WeaknessFacts, type WeaknessProbeOptions,
} from './facts.ts';

/**
 * Heartbleed (CVE-2014-0160; RFC 6520). The hello offers the heartbeat extension; after the server's flight, before
 * the handshake completes, two heartbeat requests go out in one write:
 * 1. payload_length 48 with only 32 payload bytes and no padding: the declared payload runs 16 bytes past the end
 *    of its record, so any stack that checks bounds discards it (RFC 6520 4), whether or not it also insists on the
 *    16 bytes of padding (one that checks bounds but not padding must not be failed, so the length is not merely
 *    "no room for padding"). OpenSSL 1.0.1-1.0.1f never checked and answers with 48 bytes: our 32, then the 16 that
 *    follow in its read buffer, which are the start of request 2 from the same write (the method Mozilla published in
 *    2014 reads back only what was sent). Whatever those 16 bytes are, they are never recorded: the evidence keeps
 *    at most the payload bytes we sent of every heartbeat answer (`withheld` says how many were left out).
 * 2. a well-formed request (16 payload bytes, 16 bytes of random padding), which a server that supports heartbeats
 *    answers by echoing exactly, proving that request 1 was discarded and not merely slow.
 * A response to request 1 fails. An exact echo of request 2 alone, an alert, or a closed connection pass. Silence
 * passes too, as with testssl.sh and sslyze: the flawed code answered every heartbeat at once, and RFC 6520 3 lets a
 * server discard heartbeats during the handshake; the evidence says how long was waited (the runner waits at least
 * a second, src/runner/probes.ts).
 */

const PROBE_PAYLOAD = Buffer.alloc(32, 'vouch-heartbleed');
const ECHO_PAYLOAD = Buffer.from('vouch-heartbeat!', 'latin1');
/** Request 1's payload_length: past the end of its record by the 16 bytes of padding RFC 6520 4 requires. */
const DECLARED_LENGTH = PROBE_PAYLOAD.length + 16;

/** RFC 6520 3: HeartbeatMessageType heartbeat_request (1), heartbeat_response (2); content type 24. */
const HEARTBEAT = 24;
const REQUEST = 1;
const RESPONSE = 2;

const u16 = (n: number) => Buffer.of(n >> 8, n & 0xff);

export async function probeHeartbleed(options: WeaknessProbeOptions): Promise<WeaknessFacts> {
  const offer = fullOffer('TLSv1.2', options.serverName);
  const hello = { ...offer, extensions: { ...offer.extensions, heartbeat: true } };
  const { quietMs: windowMs } = options;
  const conclusion = await options.converser.converse(hello, async (flight, talk) => {
    const quietMs = quietFor(talk, windowMs);
    const helloStep = { sent: 'ClientHello TLSv1.2 offering the heartbeat extension (RFC 6520 2)', heard: flightLabel(flight) };
    const unusable = unusableFlight(flight);
    if (unusable || flight.kind !== 'flight') return { ...unusable!, steps: [helloStep] };
    const version = flight.version;
    const mode = flight.serverHello.extensions.heartbeat;
    const malformed = tlsRecord(HEARTBEAT, version, Buffer.concat([Buffer.of(REQUEST), u16(DECLARED_LENGTH), PROBE_PAYLOAD]));
    const wellFormed = tlsRecord(HEARTBEAT, version, Buffer.concat([Buffer.of(REQUEST), u16(ECHO_PAYLOAD.length), ECHO_PAYLOAD, randomBytes(16)]));
    const sent = Buffer.concat([malformed, wellFormed]);
    talk.send(sent);
    const heard = await talk.listen(quietMs, (records) => records.some((r) => r.kind === 'alert' || response(r) !== null));
    const withheld = withholdEchoes(heard.bytes);
    const heardStep = stepOf(
      `heartbeat request with payload_length ${DECLARED_LENGTH} but ${PROBE_PAYLOAD.length} payload bytes and no padding (${malformed.length - 5} bytes; must be discarded), `
        + `then a well-formed one with payload_length ${ECHO_PAYLOAD.length}`,
      sent, { ...heard, bytes: withheld.kept }, quietMs);
    const step = withheld.withheld > 0
      ? { ...heardStep, heard: `${heardStep.heard} (${withheld.withheld} bytes beyond the payload we sent not recorded)` }
      : heardStep;
    const base = {
      version: versionName(version), suite: describeSuite(flight.serverHello.cipherSuite).name, steps: [helloStep, step],
      details: { heartbeatExtension: mode === null ? 'not echoed' : mode === 1 ? 'peer_allowed_to_send' : `mode ${mode}`, withheldBytes: withheld.withheld },
    };
    const responses = heard.records.map(response).filter((r) => r !== null);
    const leak = responses.find((r) => !(r.payloadLength === ECHO_PAYLOAD.length && r.payload.equals(ECHO_PAYLOAD)));
    if (leak) {
      return {
        ...base, outcome: 'vulnerable' as const, reason: null,
        finding: `the server answered a heartbeat request that RFC 6520 4 says must be discarded: a heartbeat response with `
          + `payload_length ${leak.payloadLength} (${leak.length} bytes) to a request of ${malformed.length - 5} bytes`,
      };
    }
    if (responses.length > 0) {
      return { ...base, outcome: 'not-vulnerable' as const, reason: null, finding: 'the server echoed only the well-formed heartbeat and discarded the malformed one (RFC 6520 4)' };
    }
    const alert = heard.records.find((r) => r.kind === 'alert');
    if (alert) return { ...base, outcome: 'not-vulnerable' as const, reason: null, finding: `the server refused the heartbeat: ${step.heard}` };
    switch (heard.end) {
      case 'closed': case 'reset':
        return { ...base, outcome: 'not-vulnerable' as const, reason: null, finding: `the server ${heard.end} the connection on the heartbeat without answering it` };
      case 'quiet':
        if (heard.records.length === 0) {
          return {
            ...base, outcome: 'not-vulnerable' as const, reason: null,
            finding: `the server answered neither heartbeat within ${quietMs} ms (${mode === null ? 'it does not offer heartbeats' : 'RFC 6520 3 lets it discard heartbeats during the handshake'}); a vulnerable server answers at once`,
          };
        }
        return { ...base, outcome: 'unknown' as const, reason: 'protocol' as const, finding: `unexpected answer to the heartbeat: ${step.heard}` };
      default:
        return { ...base, outcome: 'unknown' as const, reason: heard.end === 'too-large' ? 'client-limitation' as const : 'protocol' as const, finding: `unreadable answer to the heartbeat: ${step.heard}` };
    }
  });
  return weaknessFacts(options, 'heartbleed', conclusion);
}

/** A heartbeat_response in a record, or null. */
function response(record: RecordFact): { payloadLength: number; payload: Buffer; length: number } | null {
  if (record.kind !== 'heartbeat' || record.heartbeat?.messageType !== RESPONSE) return null;
  return { payloadLength: record.heartbeat.payloadLength, payload: record.heartbeat.payload, length: record.length };
}

/**
 * The heard bytes with every heartbeat record cut after the payload bytes we sent (at most PROBE_PAYLOAD's length):
 * what a server echoes beyond them, padding or memory, is not ours to record. Other records are kept whole.
 */
function withholdEchoes(bytes: Buffer): { kept: Buffer; withheld: number } {
  const parts: Buffer[] = [];
  let withheld = 0;
  let at = 0;
  while (at < bytes.length) {
    const length = bytes.length >= at + 5 ? bytes.readUInt16BE(at + 3) : bytes.length - at;
    const end = Math.min(bytes.length, at + 5 + length);
    if (bytes[at] !== HEARTBEAT) {
      parts.push(bytes.subarray(at, end));
    } else {
      const payloadLength = bytes.length >= at + 8 ? bytes.readUInt16BE(at + 6) : 0;
      const keep = Math.min(end, at + 8 + Math.min(payloadLength, PROBE_PAYLOAD.length));
      parts.push(bytes.subarray(at, keep));
      withheld += end - keep;
    }
    at = end;
  }
  return { kept: Buffer.concat(parts), withheld };
}
