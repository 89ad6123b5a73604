import { constants, publicEncrypt, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import type { TlsEnumeration } from '../enumerate.ts';
import { SIGNATURE_SCHEMES, describeSuite, suiteByCode } from '../registry.ts';
import { WIRE_VERSIONS, type HelloSpec, type HelloVersion } from '../hello.ts';
import type { Heard } from '../conversation.ts';
import { cappedHex } from '../record-reader.ts';
import {
  heardLabel, tlsRecord, unusableFlight, weaknessFacts, type WeaknessFacts, type WeaknessProbeOptions, type WeaknessStep,
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
 * 7.4.7.1: treat a bad block as a random premaster secret). Different answers are an oracle: the round is repeated
 * once, and answers that differ again the same way fail; answers that change between rounds are noise we cannot
 * judge (`unknown`). At most 10 connections; the number used is in the facts.
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

export async function probeRobot(options: WeaknessProbeOptions, plan: RobotPlan): Promise<WeaknessFacts> {
  const wire = WIRE_VERSIONS[plan.version];
  const hello: HelloSpec = {
    version: plan.version, suites: plan.suites,
    ...(plan.version === 'SSLv3' ? {} : { extensions: { serverName: options.serverName, renegotiationInfo: true } }),
    ...(plan.version === 'TLSv1.2' ? { signatureAlgorithms: SIGNATURE_SCHEMES.map((s) => s.code) } : {}),
  };
  const secret = nonZeroBytes(46);
  const padding = nonZeroBytes(2048);
  const { quietMs } = options;

  const ask = (payload: RobotPayload) => options.converser.converse(hello, async (flight, talk): Promise<Answer | Stop> => {
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
    const records = Buffer.concat([tlsRecord(22, flight.version, message), tlsRecord(20, flight.version, Buffer.of(1)), tlsRecord(22, flight.version, randomBytes(40))]);
    talk.send(records);
    const heard: Heard = await talk.listen(quietMs);
    const answer = heardLabel(heard, quietMs);
    return {
      answer, suite: suite.name, bits,
      step: { sent: `ClientKeyExchange (${payload}), ChangeCipherSpec, Finished`, sentHex: cappedHex(records, 48), heard: answer, heardHex: cappedHex(heard.bytes) },
    };
  });

  const round = async (): Promise<Map<RobotPayload, Answer> | Stop> => {
    const answers = new Map<RobotPayload, Answer>();
    for (const payload of ROBOT_PAYLOADS) {
      const answer = await ask(payload);
      if ('outcome' in answer) return answer;
      answers.set(payload, answer);
    }
    return answers;
  };

  const base = { version: plan.version, suite: null as string | null };
  const first = await round();
  if (!(first instanceof Map)) return weaknessFacts(options, 'robot', { ...base, ...first });
  const facts = (extra: Stop & { details: Record<string, unknown> }) => weaknessFacts(options, 'robot', {
    ...base, suite: first.get('valid')!.suite, steps: [...first.values()].map((a) => a.step), ...extra,
  });
  const answersOf = (m: Map<RobotPayload, Answer>) => Object.fromEntries([...m].map(([p, a]) => [p, a.answer]));
  const modulusBits = first.get('valid')!.bits;
  if (new Set([...first.values()].map((a) => a.answer)).size === 1) {
    return facts({
      outcome: 'not-vulnerable', reason: null, details: { modulusBits, answers: answersOf(first) },
      finding: `the server answered all ${ROBOT_PAYLOADS.length} ClientKeyExchange payloads alike (${first.get('valid')!.answer}): no padding oracle`,
    });
  }
  const second = await round();
  if (!(second instanceof Map)) return facts({ ...second, details: { modulusBits, answers: answersOf(first) } });
  const details = { modulusBits, answers: answersOf(first), repeated: answersOf(second) };
  const inconsistent = ROBOT_PAYLOADS.filter((p) => first.get(p)!.answer !== second.get(p)!.answer);
  if (inconsistent.length > 0) {
    return facts({ outcome: 'unknown', reason: 'protocol', details, finding: `the server answered differently when asked again (${inconsistent.join(', ')}): the answers are too noisy to judge` });
  }
  // As the paper's scanner: when the three malformed-structure payloads are answered alike, only a fully valid
  // block stands out, a weak oracle (an attack needs far more queries); otherwise a strong one.
  const [a, b, c] = (['wrong-first', 'wrong-zero', 'no-zero'] as const).map((p) => first.get(p)!.answer);
  const strength = a === b && b === c ? 'weak' : 'strong';
  const groups = new Map<string, RobotPayload[]>();
  for (const p of ROBOT_PAYLOADS) groups.set(first.get(p)!.answer, [...(groups.get(first.get(p)!.answer) ?? []), p]);
  return facts({
    outcome: 'vulnerable', reason: null, details: { ...details, oracle: strength },
    finding: `the server answers PKCS#1 v1.5 ClientKeyExchange payloads differently, the same way twice (a ${strength} oracle): `
      + [...groups].map(([answer, payloads]) => `${payloads.join(', ')}: ${answer}`).join('; '),
  });
}
