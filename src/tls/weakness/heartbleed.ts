import { randomBytes } from 'node:crypto';
import { fullOffer } from '../hello.ts';
import type { RecordFact } from '../record-reader.ts';
import { describeSuite } from '../registry.ts';
import {
  flightLabel, stepOf, tlsRecord, unusableFlight, versionName, weaknessFacts, type WeaknessFacts, type WeaknessProbeOptions,
} from './facts.ts';

/**
 * Heartbleed (CVE-2014-0160; RFC 6520). The hello offers the heartbeat extension; after the server's flight, before
 * the handshake completes, two heartbeat requests go out in one write:
 * 1. payload_length 32 with exactly 32 payload bytes and NO padding. RFC 6520 4 requires at least 16 bytes of
 *    padding, so the message is too large for its record and MUST be discarded silently. OpenSSL 1.0.1-1.0.1f
 *    never checked the length and answers it (3 + 32 + 16 bytes, more than the 35 sent). The payload it echoes is
 *    ours, still inside the record: this shows the missing bounds check without reading any server memory (the
 *    method Mozilla published in 2014 and sslyze uses), so no secret of the server can end up in a report.
 * 2. a well-formed request (16 payload bytes, 16 bytes of random padding), which a server that supports heartbeats
 *    answers by echoing exactly, proving that request 1 was discarded and not merely slow.
 * A response to request 1 fails. An exact echo of request 2 alone, an alert, or a closed connection pass. Silence
 * passes too, as with testssl.sh and sslyze: the flawed code answered every heartbeat at once, and RFC 6520 3 lets a
 * server discard heartbeats during the handshake; the evidence says how long was waited.
 */

const PROBE_PAYLOAD = Buffer.alloc(32, 'vouch-heartbleed');
const ECHO_PAYLOAD = Buffer.from('vouch-heartbeat!', 'latin1');

/** RFC 6520 3: HeartbeatMessageType heartbeat_request (1), heartbeat_response (2); content type 24. */
const HEARTBEAT = 24;
const REQUEST = 1;
const RESPONSE = 2;

const u16 = (n: number) => Buffer.of(n >> 8, n & 0xff);

export async function probeHeartbleed(options: WeaknessProbeOptions): Promise<WeaknessFacts> {
  const offer = fullOffer('TLSv1.2', options.serverName);
  const hello = { ...offer, extensions: { ...offer.extensions, heartbeat: true } };
  const { quietMs } = options;
  const conclusion = await options.converser.converse(hello, async (flight, talk) => {
    const helloStep = { sent: 'ClientHello TLSv1.2 offering the heartbeat extension (RFC 6520 2)', heard: flightLabel(flight) };
    const unusable = unusableFlight(flight);
    if (unusable || flight.kind !== 'flight') return { ...unusable!, steps: [helloStep] };
    const version = flight.version;
    const mode = flight.serverHello.extensions.heartbeat;
    const malformed = tlsRecord(HEARTBEAT, version, Buffer.concat([Buffer.of(REQUEST), u16(PROBE_PAYLOAD.length), PROBE_PAYLOAD]));
    const wellFormed = tlsRecord(HEARTBEAT, version, Buffer.concat([Buffer.of(REQUEST), u16(ECHO_PAYLOAD.length), ECHO_PAYLOAD, randomBytes(16)]));
    const sent = Buffer.concat([malformed, wellFormed]);
    talk.send(sent);
    const heard = await talk.listen(quietMs, (records) => records.some((r) => r.kind === 'alert' || response(r) !== null));
    const step = stepOf(
      `heartbeat request with payload_length ${PROBE_PAYLOAD.length} and no padding (${malformed.length - 5} bytes; must be discarded), `
        + `then a well-formed one with payload_length ${ECHO_PAYLOAD.length}`,
      sent, heard, quietMs);
    const base = {
      version: versionName(version), suite: describeSuite(flight.serverHello.cipherSuite).name, steps: [helloStep, step],
      details: { heartbeatExtension: mode === null ? 'not echoed' : mode === 1 ? 'peer_allowed_to_send' : `mode ${mode}` },
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
