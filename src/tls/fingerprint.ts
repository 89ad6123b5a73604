import { fullOffer, type HelloVersion } from './hello.ts';
import type { Exchange } from './exchange.ts';
import { createAsk, hex4, readAnswer } from './enumerate-context.ts';

/**
 * A TLS configuration's fingerprint: the server's answer to the broadest offer at each version, SSLv3 to TLS 1.3
 * (five hellos). Two names served by the same address and port with equal fingerprints chose the same suite, group,
 * key-exchange signature, compression and ServerHello extensions at every version, and refused the same versions in
 * the same way; the scan then measures the address's configuration once (the full enumeration and the hygiene and
 * weakness probes) instead of once per hosted name (src/runner/shared-endpoints.ts).
 *
 * Why these hellos: the settings that vary per name on real servers (nginx and Apache switch SSL contexts on SNI)
 * are the certificate (its key type decides the suites: ECDSA or RSA), the cipher list and order, the protocol
 * versions and the groups. Each shows in the answer to the broadest offer: the chosen suite is the server's first
 * preference (server order) or our first offer it accepts (client order), and an RSA and an ECDSA certificate never
 * lead to the same choice. A per-name difference that none of the five answers shows (a suite deep in a list, with
 * the same first choice) is not seen: the sharing is stated in every result that used it, and `tls.enumeration:
 * per-name` measures every name on its own.
 *
 * Pure logic over an injected `exchange`: the answers are canonical strings, compared as a whole.
 */

/** The versions asked, newest first. SSLv2 has no SNI, so its answer is the address's by nature. */
export const FINGERPRINT_VERSIONS: readonly HelloVersion[] = ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3'];

export type TlsFingerprint = {
  /** One line per version, in FINGERPRINT_VERSIONS order: what the server chose, or how it refused. */
  readonly answers: readonly string[];
  /**
   * Every answer was a clear choice or a clear refusal. An unclear answer (no reply, a reset, garbage, a failed
   * exchange) may have another cause than the configuration, so such a fingerprint is never matched.
   */
  readonly clear: boolean;
  readonly connections: number;
  /**
   * RFC 6962 3.3.1: the SCT list the newest TLS <= 1.2 answer sent in its ServerHello (the offers ask for it), for
   * tls.certificate-transparency; null when no TLS <= 1.2 version was chosen (TLS 1.3 sends it encrypted, unread).
   */
  readonly sctExtension: SctExtensionFact | null;
};

export type SctExtensionFact = {
  readonly version: HelloVersion;
  /** The TLS-encoded SignedCertificateTimestampList (hex, with its length prefix); null when the ServerHello had none. */
  readonly listHex: string | null;
};

/** The versions whose ServerHello may carry the SCT extension, newest first (SSLv3 offers no extensions). */
const SCT_VERSIONS: readonly HelloVersion[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1'];

/** The SCT list of one answer, when the server chose `version` (undefined otherwise). */
function sctOf(version: HelloVersion, answer: Parameters<typeof readAnswer>[0]): SctExtensionFact | undefined {
  if (!SCT_VERSIONS.includes(version)) return undefined;
  const verdict = readAnswer(answer, version);
  if (verdict.kind !== 'chosen' || verdict.result.kind !== 'flight') return undefined;
  const sct = verdict.result.serverHello.extensions.sct;
  if (!sct) return { version, listHex: null };
  // server-hello.ts keeps the list's contents; the length prefix makes it the wire's SignedCertificateTimestampList.
  const length = sct.hex.length / 2;
  return { version, listHex: `${length.toString(16).padStart(4, '0')}${sct.hex}` };
}

/** The canonical line for one answer; `null` when the answer is not clear. */
export function fingerprintLine(version: HelloVersion, answer: Parameters<typeof readAnswer>[0]): string | null {
  const verdict = readAnswer(answer, version);
  if (verdict.kind === 'refused') return `${version} refused: ${verdict.detail}`;
  if (verdict.kind !== 'chosen') return null;
  const result = verdict.result;
  if (result.kind === 'hello-retry') return `${version} hello-retry ${hex4(verdict.code)} group ${hex4(result.requestedGroup ?? 0)}`;
  const hello = result.serverHello;
  const ske = result.serverKeyExchange;
  const group = hello.extensions.keyShare?.group ?? (ske?.kind === 'ecdhe' ? ske.namedCurve : null);
  const dh = ske?.kind === 'dhe' ? ` dh ${ske.primeBits}` : '';
  const scheme = ske && 'signature' in ske ? ske.signature?.scheme ?? null : null;
  const extensions = [...hello.extensions.types].sort((a, b) => a - b).map(hex4).join(',');
  return [
    `${version} chose ${hex4(verdict.code)}`,
    `group ${group === null ? '-' : hex4(group)}${dh}`,
    `signature ${scheme === null ? '-' : hex4(scheme)}`,
    `compression ${hello.compressionMethod}`,
    `extensions ${extensions}`,
  ].join(' ');
}

export type FingerprintOptions = {
  readonly exchange: Exchange;
  /** SNI for every hello (null for IP literals). */
  readonly serverName: string | null;
  /** Hellos in flight at once (1 on SMTP). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
};

export async function fingerprintTls(options: FingerprintOptions): Promise<TlsFingerprint> {
  const ask = createAsk({
    exchange: options.exchange, serverName: options.serverName, maxConnections: FINGERPRINT_VERSIONS.length,
    maxFailures: FINGERPRINT_VERSIONS.length, ...(options.signal ? { signal: options.signal } : {}),
  });
  const lines: (string | null)[] = new Array<string | null>(FINGERPRINT_VERSIONS.length).fill(null);
  const scts = new Map<HelloVersion, SctExtensionFact>();
  let next = 0;
  const worker = async () => {
    while (next < FINGERPRINT_VERSIONS.length) {
      const index = next++;
      const version = FINGERPRINT_VERSIONS[index]!;
      const answer = await ask.ask({
        kind: 'tls', hello: fullOffer(version, options.serverName),
        stopAfter: version === 'TLSv1.3' ? 'server-hello' : 'server-hello-done',
      });
      lines[index] = fingerprintLine(version, answer);
      const sct = sctOf(version, answer);
      if (sct) scts.set(version, sct);
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 1, FINGERPRINT_VERSIONS.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  const fatal = ask.fatal();
  if (fatal) throw fatal;
  const clear = lines.every((line) => line !== null);
  return {
    answers: lines.map((line, i) => line ?? `${FINGERPRINT_VERSIONS[i]} unclear`),
    clear,
    connections: ask.connections(),
    sctExtension: SCT_VERSIONS.map((v) => scts.get(v)).find((fact) => fact !== undefined) ?? null,
  };
}

/** How facts measured through another name reached this one; in the evidence of every result that used them. */
export type SharedFrom = {
  /** The endpoint (name and address) the facts were measured through. */
  readonly measuredThrough: string;
  /** Why they are this name's facts too. */
  readonly because: string;
};
