import { constants, publicEncrypt, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import type { TlsEnumeration } from '../enumerate.ts';
import { SIGNATURE_SCHEMES, describeSuite, suiteByCode } from '../registry.ts';
import { WIRE_VERSIONS, type HelloSpec, type HelloVersion } from '../hello.ts';
import type { Heard } from '../conversation.ts';
import { cappedHex } from '../record-reader.ts';
import {
  heardLabel, quietFor, tlsRecord, unusableFlight, weaknessFacts, type WeaknessFacts, type WeaknessProbeOptions, type WeaknessStep,
} from './facts.ts';

/**
 * ROBOT, the return of Bleichenbacher's oracle (Böck, Somorovsky, Young 2018; CVE-2017-13099 and the vendors' CVEs).
 * Only where RSA key exchange is accepted (the enumeration says at which version). One connection per payload: the
 * hello offers the accepted RSA suites, and after the server's flight the ClientKeyExchange carries a premaster
 * block of the modulus' length, built by hand and encrypted raw (RSA_NO_PADDING) to the key of the served
 * certificate, followed by ChangeCipherSpec and a Finished of random bytes, as the paper's scanner does. The five
 * blocks (section 4 of the paper; robot-detect, testssl.sh and sslyze use the same):
 *   valid          00 02 <padding> 00 <version> <46 bytes>
 *   wrong-first    41 17 <padding> 00 <version> <46 bytes>
 *   wrong-zero     00 02 <padding> 11 <46 bytes> 00 11          (0x00 in the wrong place)
 *   no-zero        00 02 <padding> 11 11 11 <46 bytes>          (no 0x00 separator)
 *   wrong-version  00 02 <padding> 00 02 02 <46 bytes>
 * (padding and the 46 bytes are random and non-zero). A server without an oracle answers all five alike (RFC 5246
 * 7.4.7.1: treat a bad block as a random premaster secret). Two flows, as robot-detect and sslyze: first the
 * ClientKeyExchange with ChangeCipherSpec and Finished; when all five are answered alike, the ClientKeyExchange
 * alone (some oracles show only there: a good block waits for the Finished, a bad one is refused at once). Different
 * answers in a flow are an oracle: that flow's round is repeated once, and answers that differ again the same way
 * fail; answers that change between rounds are noise we cannot judge (`unknown`). Connections: 10 for a pass (both
 * flows) and for an oracle in the first flow (its repeat), at most 15 for an oracle in the second flow (both flows and
 * its repeat); fewer when a conversation fails. The number used is in the facts.
 *
 * A protocol_version alert to the hello is `unknown`, not "not applicable": the enumeration has just seen RSA key
 * exchange accepted at that very version, so the refusal contradicts it and proves nothing about an oracle.
 */

export type RobotPayload = 'valid' | 'wrong-first' | 'wrong-zero' | 'no-zero' | 'wrong-version';
export const ROBOT_PAYLOADS: readonly RobotPayload[] = ['valid', 'wrong-first', 'wrong-zero', 'no-zero', 'wrong-version'];

/** Where to probe: the highest version up to TLS 1.2 that accepts RSA key exchange, and those suites. */
export type RobotPlan = { readonly version: HelloVersion; readonly suites: readonly number[] };

const ROBOT_VERSIONS: readonly HelloVersion[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3'];

/** Accepted suites with RSA key exchange (not export: its key is a temporary one) at the highest such version; null when none. */
export function robotPlan(e: TlsEnumeration): RobotPlan | null {
  for (const version of ROBOT_VERSIONS) {
    const suites = e.versions[version].suites.map((s) => s.code).filter((code) => {
      const info = suiteByCode(code);
      return info?.kx === 'RSA' && !info.export;
    });
    if (suites.length > 0) return { version, suites };
  }
  return null;
}

/** PKCS#1 v1.5 encryption blocks (RFC 8017 7.2.1: 00 02 PS 00 M) for a modulus of `k` bytes; every payload is `k` bytes. */
export function robotBlock(payload: RobotPayload, k: number, version: number, secret: Buffer, padding: Buffer): Buffer {
  const v = Buffer.of(version >> 8, version & 0xff);
  const pad = padding.subarray(0, k - 51);
  const parts: Record<RobotPayload, Buffer[]> = {
    valid: [Buffer.of(0x00, 0x02), pad, Buffer.of(0x00), v, secret],
    'wrong-first': [Buffer.of(0x41, 0x17), pad, Buffer.of(0x00), v, secret],
    'wrong-zero': [Buffer.of(0x00, 0x02), pad, Buffer.of(0x11), secret, Buffer.of(0x00, 0x11)],
    'no-zero': [Buffer.of(0x00, 0x02), pad, Buffer.of(0x11, 0x11, 0x11), secret],
    'wrong-version': [Buffer.of(0x00, 0x02), pad, Buffer.of(0x00, 0x02, 0x02), secret],
  };
  return Buffer.concat(parts[payload]);
}

/** Random bytes none of which is zero (PKCS#1 padding, and a secret that cannot contain a stray separator). */
export function nonZeroBytes(n: number): Buffer {
  const bytes = randomBytes(n);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) bytes[i] = 1 + (i % 255);
  return bytes;
}

type Answer = { readonly answer: string; readonly step: WeaknessStep; readonly suite: string; readonly bits: number };
type Stop = Pick<WeaknessFacts, 'outcome' | 'reason' | 'finding'>;
/** The first flow sends ChangeCipherSpec and Finished after the ClientKeyExchange; the second sends it alone. */
type Flow = 'with-ccs' | 'without-ccs';
/** RFC 5246 7.2.2 protocol_version. */
const PROTOCOL_VERSION = 70;

export async function probeRobot(options: WeaknessProbeOptions, plan: RobotPlan): Promise<WeaknessFacts> {
  const wire = WIRE_VERSIONS[plan.version];
  const hello: HelloSpec = {
    version: plan.version, suites: plan.suites,
    ...(plan.version === 'SSLv3' ? {} : { extensions: { serverName: options.serverName, renegotiationInfo: true } }),
    ...(plan.version === 'TLSv1.2' ? { signatureAlgorithms: SIGNATURE_SCHEMES.map((s) => s.code) } : {}),
  };
  const secret = nonZeroBytes(46);
  const padding = nonZeroBytes(2048);
  const { quietMs: windowMs } = options;

  const ask = (flow: Flow, payload: RobotPayload) => options.converser.converse(hello, async (flight, talk): Promise<Answer | Stop> => {
    const quietMs = quietFor(talk, windowMs);
    if (flight.kind === 'alert' && flight.description === PROTOCOL_VERSION) {
      return {
        outcome: 'unknown', reason: 'protocol',
        finding: `the server refused the ${plan.version} hello with protocol_version (70), although the enumeration saw RSA key exchange accepted at ${plan.version}`,
      };
    }
    const unusable = unusableFlight(flight);
    if (unusable || flight.kind !== 'flight') return unusable!;
    const suite = describeSuite(flight.serverHello.cipherSuite);
    if (suite.kx !== 'RSA') return { outcome: 'unknown', reason: 'protocol', finding: `the server chose ${suite.name}, not an RSA key exchange offered` };
    const der = flight.certificates?.der[0];
    let key: KeyObject;
    try {
      key = new X509Certificate(der ?? Buffer.alloc(0)).publicKey;
    } catch {
      return { outcome: 'unknown', reason: 'protocol', finding: 'the server sent no readable certificate with an RSA key exchange' };
    }
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (key.asymmetricKeyType !== 'rsa' || bits < 512) {
      return { outcome: 'unknown', reason: 'protocol', finding: `the certificate's key (${key.asymmetricKeyType ?? 'unknown'}) cannot take an RSA key exchange` };
    }
    const k = Math.ceil(bits / 8);
    let encrypted: Buffer;
    try {
      encrypted = publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, robotBlock(payload, k, wire, secret, padding));
    } catch {
      // A block above the modulus (a modulus whose top byte is below 0x41): this client cannot send that payload.
      return { outcome: 'unknown', reason: 'client-limitation', finding: `the ${payload} block does not fit below the ${bits}-bit modulus` };
    }
    // RFC 5246 7.4.7.1 (TLS: opaque<0..2^16-1>; SSLv3 sends the bare ciphertext), then 7.1 and a Finished that
    // cannot be right: the oracle is in how the server fails.
    const exchange = plan.version === 'SSLv3' ? encrypted : Buffer.concat([Buffer.of(encrypted.length >> 8, encrypted.length & 0xff), encrypted]);
    const message = Buffer.concat([Buffer.of(16, 0, exchange.length >> 8, exchange.length & 0xff), exchange]);
    const keyExchange = tlsRecord(22, flight.version, message);
    const records = flow === 'with-ccs'
      ? Buffer.concat([keyExchange, tlsRecord(20, flight.version, Buffer.of(1)), tlsRecord(22, flight.version, randomBytes(40))])
      : keyExchange;
    talk.send(records);
    const heard: Heard = await talk.listen(quietMs);
    // Answers are compared without the window's length (heardLabel); the step keeps it, as evidence of how long we listened.
    const answer = heardLabel(heard);
    const sent = flow === 'with-ccs' ? `ClientKeyExchange (${payload}), ChangeCipherSpec, Finished` : `ClientKeyExchange (${payload}) alone`;
    return { answer, suite: suite.name, bits, step: { sent, sentHex: cappedHex(records, 48), heard: heardLabel(heard, quietMs), heardHex: cappedHex(heard.bytes) } };
  });

  const steps: WeaknessStep[] = [];
  // The first payload goes alone (a server that cannot take the hello stops the probe after one connection); the
  // other four then go out together (the converser's per-destination limiter still bounds how many connections are
  // open at once), so a server that waits silently for more costs one quiet window per slot, not four in a row.
  // Steps are recorded in payload order, whatever order the answers came in.
  const round = async (flow: Flow): Promise<Map<RobotPayload, Answer> | Stop> => {
    const [lead, ...rest] = ROBOT_PAYLOADS;
    const first = await ask(flow, lead!);
    const settled = 'outcome' in first ? [first] : [first, ...await Promise.all(rest.map((payload) => ask(flow, payload)))];
    const answers = new Map<RobotPayload, Answer>();
    for (const [i, answer] of settled.entries()) {
      if ('outcome' in answer) return answer;
      steps.push(answer.step);
      answers.set(ROBOT_PAYLOADS[i]!, answer);
    }
    return answers;
  };

  const base = { version: plan.version, suite: null as string | null };
  const first = await round('with-ccs');
  if (!(first instanceof Map)) return weaknessFacts(options, 'robot', { ...base, ...first, steps: [...steps] });
  const facts = (extra: Stop & { details: Record<string, unknown> }) => weaknessFacts(options, 'robot', {
    ...base, suite: first.get('valid')!.suite, steps: [...steps], ...extra,
  });
  const modulusBits = first.get('valid')!.bits;
  const uniform = (m: Map<RobotPayload, Answer>) => new Set([...m.values()].map((a) => a.answer)).size === 1;
  let flow: Flow = 'with-ccs';
  let shown = first;
  const details: Record<string, unknown> = { modulusBits, answers: answersOf(first) };
  if (uniform(first)) {
    const alone = await round('without-ccs');
    if (!(alone instanceof Map)) return facts({ ...alone, details });
    details.answersWithoutCcs = answersOf(alone);
    if (uniform(alone)) {
      return facts({
        outcome: 'not-vulnerable', reason: null, details,
        finding: `the server answered all ${ROBOT_PAYLOADS.length} ClientKeyExchange payloads alike, with ChangeCipherSpec and Finished `
          + `(${first.get('valid')!.answer}) and without (${alone.get('valid')!.answer}): no padding oracle`,
      });
    }
    flow = 'without-ccs';
    shown = alone;
  }
  const again = await round(flow);
  if (!(again instanceof Map)) return facts({ ...again, details });
  details[flow === 'with-ccs' ? 'repeated' : 'repeatedWithoutCcs'] = answersOf(again);
  const inconsistent = ROBOT_PAYLOADS.filter((p) => shown.get(p)!.answer !== again.get(p)!.answer);
  if (inconsistent.length > 0) {
    return facts({ outcome: 'unknown', reason: 'protocol', details, finding: `the server answered differently when asked again (${inconsistent.join(', ')}): the answers are too noisy to judge` });
  }
  // As the paper's scanner: when the three malformed-structure payloads are answered alike, only a fully valid
  // block stands out, a weak oracle (an attack needs far more queries); otherwise a strong one.
  const [a, b, c] = (['wrong-first', 'wrong-zero', 'no-zero'] as const).map((p) => shown.get(p)!.answer);
  const strength = a === b && b === c ? 'weak' : 'strong';
  const groups = new Map<string, RobotPayload[]>();
  for (const p of ROBOT_PAYLOADS) groups.set(shown.get(p)!.answer, [...(groups.get(shown.get(p)!.answer) ?? []), p]);
  const how = flow === 'with-ccs' ? 'ClientKeyExchange payloads' : 'ClientKeyExchange payloads sent without ChangeCipherSpec and Finished';
  return facts({
    outcome: 'vulnerable', reason: null, details: { ...details, oracle: strength, flow },
    finding: `the server answers PKCS#1 v1.5 ${how} differently, the same way twice (a ${strength} oracle): `
      + [...groups].map(([answer, payloads]) => `${payloads.join(', ')}: ${answer}`).join('; '),
  });
}

const answersOf = (m: Map<RobotPayload, Answer>) => Object.fromEntries([...m].map(([p, a]) => [p, a.answer]));
