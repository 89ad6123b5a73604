import { ProbeError } from '../../core/errors.ts';
import type net from 'node:net';
import type { Endpoint } from '../../core/types.ts';
import { nodeTlsClient } from '../../probes/tls-client.ts';
import { SIGNATURE_SCHEMES, describeSuite, suiteByName } from '../registry.ts';
import type { HelloSpec, HelloVersion } from '../hello.ts';
import { flightLabel, versionName, weaknessFacts, type WeaknessFacts, type WeaknessProbeOptions } from './facts.ts';

/**
 * Ticketbleed (CVE-2016-9244, F5 BIG-IP). A client resuming with a session ticket (RFC 5077) may send a session ID
 * of any length; the server MUST echo it (RFC 5077 3.4). The flawed server always echoes 32 bytes, the rest taken
 * from uninitialised memory. The probe needs a ticket the server itself issued, so it first makes a real TLS 1.2 (or
 * older) handshake with node:tls (`obtainTicket`), then offers that ticket in a raw hello with a 1-byte session ID,
 * the same version and suite:
 * - resumed, the 1-byte session ID echoed: pass;
 * - a longer session ID that starts with ours: fail (its other bytes are never recorded: they are server memory);
 * - no ticket issued, or no TLS 1.2 or older: not applicable (the flaw lives in TLS 1.2 ticket resumption);
 * - the ticket not resumed, or anything else: `unknown`, since the flaw only shows on resumption.
 */

/** What the full handshake gave: the ticket (null when none was issued), the version and the suite's IANA name. */
export type IssuedTicket = { readonly ticket: Buffer | null; readonly version: HelloVersion; readonly suite: string };

/** The session ID the probe sends: one byte, so 31 more would be the server's memory. */
const SESSION_ID = Buffer.of(0x5a);

export async function probeTicketbleed(options: WeaknessProbeOptions, obtainTicket: () => Promise<IssuedTicket>): Promise<WeaknessFacts> {
  const facts = await run(options, obtainTicket);
  // The full handshake's connection is not the converser's (a connect-stage failure made none).
  return { ...facts, connections: facts.connections + (facts.steps.length > 0 || facts.outcome === 'not-applicable' ? 1 : 0) };
}

async function run(options: WeaknessProbeOptions, obtainTicket: () => Promise<IssuedTicket>): Promise<WeaknessFacts> {
  let issued: IssuedTicket;
  try {
    issued = await obtainTicket();
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    if (refusedVersions(err)) {
      return weaknessFacts(options, 'ticketbleed', { outcome: 'not-applicable', reason: null, finding: 'the server completes no TLS 1.2 or older handshake, where session tickets of this kind live' });
    }
    if (err.stage === 'connect') throw err;
    return weaknessFacts(options, 'ticketbleed', {
      outcome: 'unknown', reason: err.reason, finding: `no full handshake to obtain a session ticket: ${err.message}`,
      steps: [{ sent: 'full TLS 1.0-1.2 handshake (node:tls)', heard: err.message }],
    });
  }
  const fullHandshake = { sent: `full ${issued.version} handshake (node:tls)`, heard: `${issued.suite}, ${issued.ticket ? `a ${issued.ticket.length}-byte session ticket` : 'no session ticket'}` };
  if (!issued.ticket || issued.ticket.length === 0) {
    return weaknessFacts(options, 'ticketbleed', { outcome: 'not-applicable', reason: null, finding: 'the server issues no session tickets (RFC 5077)', steps: [fullHandshake] });
  }
  const code = suiteByName(issued.suite)?.code;
  if (code === undefined) {
    return weaknessFacts(options, 'ticketbleed', { outcome: 'unknown', reason: 'client-limitation', finding: `the suite of the full handshake (${issued.suite}) is not in the registry`, steps: [fullHandshake] });
  }
  const ticket = issued.ticket;
  const hello: HelloSpec = {
    version: issued.version, suites: [code], sessionId: SESSION_ID,
    ...(issued.version === 'TLSv1.2' ? { signatureAlgorithms: SIGNATURE_SCHEMES.map((s) => s.code), groups: [0x001d, 0x0017, 0x0018] } : { groups: [0x001d, 0x0017, 0x0018] }),
    // RFC 7627 5.3: a session made with Extended Master Secret resumes only when it is offered again.
    extensions: { serverName: options.serverName, renegotiationInfo: true, extendedMasterSecret: true, extra: [{ type: 35, data: ticket }] },
  };
  const conclusion = await options.converser.converse(hello, async (flight) => {
    const resumeStep = { sent: `ClientHello ${issued.version} with the ticket and a 1-byte session ID (${SESSION_ID.toString('hex')})`, heard: flightLabel(flight) };
    const steps = [fullHandshake, resumeStep];
    const unknown = (finding: string) => ({ steps, outcome: 'unknown' as const, reason: 'protocol' as const, finding });
    if (flight.kind !== 'flight') return unknown(`the server did not answer the resumption: ${resumeStep.heard}`);
    const base = { steps, version: versionName(flight.version), suite: describeSuite(flight.serverHello.cipherSuite).name };
    const echoed = Buffer.from(flight.serverHello.sessionIdHex, 'hex');
    const details = { echoedSessionIdLength: echoed.length, sentSessionIdLength: SESSION_ID.length, resumed: flight.abbreviated };
    if (echoed.length > SESSION_ID.length && echoed.subarray(0, SESSION_ID.length).equals(SESSION_ID)) {
      return {
        ...base, details, outcome: 'vulnerable' as const, reason: null,
        finding: `the server echoed a ${echoed.length}-byte session ID for our ${SESSION_ID.length}-byte one: ${echoed.length - SESSION_ID.length} bytes of its memory (not recorded here)`,
      };
    }
    if (!flight.abbreviated) {
      return { ...base, details, ...unknown('the server did not resume the session ticket it had just issued (a full handshake instead): Ticketbleed shows only on resumption') };
    }
    if (echoed.equals(SESSION_ID)) {
      return { ...base, details, outcome: 'not-vulnerable' as const, reason: null, finding: 'the server resumed the ticket and echoed the 1-byte session ID exactly (RFC 5077 3.4)' };
    }
    return { ...base, details, ...unknown(`the server resumed the ticket with a session ID of ${echoed.length} bytes that is not ours`) };
  });
  return weaknessFacts(options, 'ticketbleed', conclusion);
}


/**
 * The full handshake that obtains a ticket: node:tls at TLS 1.0-1.2 over `plain` (a dial, or an SMTP session after
 * STARTTLS's 220). In TLS 1.2 the NewSessionTicket comes before the server's Finished (RFC 5077 3.3), so it is there
 * once the handshake completes. The socket is destroyed on every path.
 */
export async function issueTicket(endpoint: Endpoint, plain: net.Socket, signal: AbortSignal): Promise<IssuedTicket> {
  const socket = await nodeTlsClient(endpoint, plain, { minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: 'DEFAULT@SECLEVEL=0' }, signal);
  try {
    const version = socket.getProtocol();
    const suite = socket.getCipher().standardName;
    if (version !== 'TLSv1.2' && version !== 'TLSv1.1' && version !== 'TLSv1') {
      throw new ProbeError('protocol', endpoint.hostname, `unexpected protocol ${version ?? 'none'} after a TLS 1.0-1.2 handshake`);
    }
    return { ticket: socket.getTLSTicket() ?? null, version, suite };
  } finally {
    socket.destroy();
  }
}

/**
 * The server said no to every version the full handshake offered: its protocol_version alert (RFC 5246 7.2.2), or a
 * ServerHello at a version outside TLS 1.0-1.2. Not OpenSSL's WRONG_VERSION_NUMBER: that is also what garbage gives.
 */
function refusedVersions(err: ProbeError): boolean {
  const code = (err.cause as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && /ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/.test(code);
}
