import { fullOffer } from '../hello.ts';
import type { Heard } from '../conversation.ts';
import { describeSuite } from '../registry.ts';
import {
  flightLabel, quietFor, stepOf, tlsRecord, unusableFlight, versionName, weaknessFacts, type WeaknessFacts, type WeaknessProbeOptions,
} from './facts.ts';

/**
 * CCS injection (CVE-2014-0224, OpenSSL before 0.9.8za, 1.0.0m and 1.0.1h). After the server's flight, a
 * ChangeCipherSpec goes out before any ClientKeyExchange: out of order (RFC 5246 7.4, 7.1), so a correct server ends
 * the handshake with unexpected_message (or at least closes). The flawed server accepts it silently and switches its
 * read side to keys derived from an empty master secret. To tell acceptance from mere silence, a second
 * ChangeCipherSpec follows a silence (as testssl.sh does): a server that accepted the first now tries to decrypt the
 * second record and answers bad_record_mac (20) or decryption_failed (21). That proof fails the check.
 *
 * Judged as sslyze and testssl.sh do where they agree; where they do not, the answer is `unknown`, never a pass or
 * a false fail: silence after both, or a close after a silence (testssl.sh calls the first vulnerable and the second
 * not), or any other alert after the second.
 */

const CHANGE_CIPHER_SPEC = 20;
/** RFC 5246 7.2.2 alert descriptions. */
const UNEXPECTED_MESSAGE = 10;
const BAD_RECORD_MAC = 20;
const DECRYPTION_FAILED = 21;
const HANDSHAKE_FAILURE = 40;

export async function probeCcsInjection(options: WeaknessProbeOptions): Promise<WeaknessFacts> {
  const hello = fullOffer('TLSv1.2', options.serverName);
  const { quietMs: windowMs } = options;
  const conclusion = await options.converser.converse(hello, async (flight, talk) => {
    const quietMs = quietFor(talk, windowMs);
    const helloStep = { sent: 'ClientHello TLSv1.2', heard: flightLabel(flight) };
    const unusable = unusableFlight(flight);
    if (unusable || flight.kind !== 'flight') return { ...unusable!, steps: [helloStep] };
    const ccs = tlsRecord(CHANGE_CIPHER_SPEC, flight.version, Buffer.of(1));
    const base = { version: versionName(flight.version), suite: describeSuite(flight.serverHello.cipherSuite).name };
    const anyRecord = (records: readonly unknown[]) => records.length > 0;

    talk.send(ccs);
    const first = await talk.listen(quietMs, anyRecord);
    const firstStep = stepOf('ChangeCipherSpec before any ClientKeyExchange (out of order, RFC 5246 7.4)', ccs, first, quietMs);
    const steps = [helloStep, firstStep];
    const firstAlert = alertOf(first);
    if (firstAlert !== null) {
      if (firstAlert === BAD_RECORD_MAC || firstAlert === DECRYPTION_FAILED) {
        return { ...base, steps, outcome: 'unknown' as const, reason: 'protocol' as const, finding: `unexpected answer to an early ChangeCipherSpec: ${firstStep.heard}` };
      }
      return { ...base, steps, outcome: 'not-vulnerable' as const, reason: null, finding: `the server refused the early ChangeCipherSpec: ${firstStep.heard}` };
    }
    if (first.end === 'closed' || first.end === 'reset') {
      return { ...base, steps, outcome: 'not-vulnerable' as const, reason: null, finding: `the server ${first.end} the connection on the early ChangeCipherSpec` };
    }
    if (first.end !== 'quiet' || first.records.length > 0) {
      return { ...base, steps, outcome: 'unknown' as const, reason: 'protocol' as const, finding: `unexpected answer to an early ChangeCipherSpec: ${firstStep.heard}` };
    }

    talk.send(ccs);
    const second = await talk.listen(quietMs, anyRecord);
    const secondStep = stepOf('a second ChangeCipherSpec, to tell acceptance from silence', ccs, second, quietMs);
    steps.push(secondStep);
    const secondAlert = alertOf(second);
    if (secondAlert === BAD_RECORD_MAC || secondAlert === DECRYPTION_FAILED) {
      return {
        ...base, steps, outcome: 'vulnerable' as const, reason: null,
        finding: `the server accepted an early ChangeCipherSpec: it said nothing, then tried to decrypt the next record (${secondStep.heard})`,
      };
    }
    if (secondAlert === UNEXPECTED_MESSAGE || secondAlert === HANDSHAKE_FAILURE) {
      return { ...base, steps, outcome: 'not-vulnerable' as const, reason: null, finding: `the server refused the ChangeCipherSpec on the second one: ${secondStep.heard}` };
    }
    const silent = second.end === 'quiet' && second.records.length === 0;
    return {
      ...base, steps, outcome: 'unknown' as const, reason: silent ? 'timeout' as const : 'protocol' as const,
      finding: silent
        ? `the server answered neither early ChangeCipherSpec within ${quietMs} ms: it may have accepted them or be ignoring them, which cannot be told apart`
        : `ambiguous answer to early ChangeCipherSpecs: silence, then ${secondStep.heard}`,
    };
  });
  return weaknessFacts(options, 'ccs-injection', conclusion);
}

/** The description of the first alert heard, or null. */
function alertOf(heard: Heard): number | null {
  for (const record of heard.records) if (record.kind === 'alert' && !record.encrypted && record.alerts[0]) return record.alerts[0].description;
  return null;
}
