import type { Exchange } from '../exchange.ts';
import type { TlsEnumeration } from '../enumerate.ts';
import type { SharedFrom } from '../fingerprint.ts';
import { fullOffer, type HelloSpec, type HelloVersion } from '../hello.ts';
import { createAsk, hex4, named, readAnswer, versionName, type Named } from '../enumerate-context.ts';

/**
 * TLS hygiene of one endpoint (issue 10, "Hygiene"): secure renegotiation (RFC 5746), compression (CRIME,
 * CVE-2012-4929), Extended Master Secret (RFC 7627) and TLS_FALLBACK_SCSV (RFC 7507). Pure logic over an injected
 * `exchange`, like the enumeration, and planned from the enumeration's facts so that it asks only what they do not
 * show: the enumeration's hellos are not kept, so one more hello reads the three ServerHello facts at once, and one
 * more tests the fallback when there is a lower version to fall back to. At most three exchanges per endpoint.
 *
 * - The hygiene hello: the highest accepted version of TLS 1.0-1.2, offering exactly the suites the enumeration saw
 *   accepted there, renegotiation_info and extended_master_secret, and compression methods DEFLATE then null (RFC 5246
 *   7.4.1.2; RFC 3749). The ServerHello says it all: renegotiation_info present (RFC 5746 3.6) with the bytes of its
 *   renegotiated_connection (empty on an initial handshake, RFC 5746 3.6; a client MUST abort otherwise, 3.4), extended_master_secret
 *   echoed (RFC 7627 5.2), the compression method chosen. A server that refuses a hello offering DEFLATE gets the same
 *   hello with null compression only (it did not negotiate compression, and the other two facts still come in).
 * - The fallback hello (RFC 7507 3): the second-highest accepted version of SSLv3 and TLS 1.0-1.2 (the next version a
 *   falling-back client would try, as testssl.sh picks it), with TLS_FALLBACK_SCSV (0x5600) after its accepted suites.
 *   SSLv3 counts: the POODLE downgrade to SSLv3 is what RFC 7507 was written against, so a server with TLS 1.2 and
 *   SSLv3 gets an SSLv3 hello with the SCSV. The server must answer inappropriate_fallback (86). Not applicable with
 *   fewer than two of those versions (a TLS 1.3 server has its own downgrade protection, RFC 8446 4.1.3).
 */

/** Change whenever the hellos or the facts change (kept in fact-specs.ts: cache keys and recorded facts carry it). */
export { HYGIENE_SPEC } from '../fact-specs.ts';

export const FALLBACK_SCSV = 0x5600;
const DEFLATE = 1;
const INAPPROPRIATE_FALLBACK = 86;
/** Newest first: the versions the hygiene hello speaks (SSLv3 has no extensions to carry the three facts). */
const LEGACY: readonly HelloVersion[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1'];
/** Newest first: the versions a client may fall back through, SSLv3 included (RFC 7507 1: POODLE's downgrade). */
const FALLBACK_CHAIN: readonly HelloVersion[] = [...LEGACY, 'SSLv3'];

export type HygieneHelloFacts = {
  readonly offeredVersion: HelloVersion;
  readonly negotiatedVersion: string;
  readonly suite: Named;
  /** RFC 5746 3.6: the ServerHello carries renegotiation_info. */
  readonly renegotiationInfo: boolean;
  /** Its renegotiated_connection as hex (RFC 5746 3.2): '' on a correct initial handshake; null without the extension. */
  readonly renegotiatedConnectionHex: string | null;
  /** RFC 7627 5.2: the ServerHello echoes extended_master_secret. */
  readonly extendedMasterSecret: boolean;
  /** The compression method the server chose (0 null, 1 DEFLATE). */
  readonly compressionMethod: number;
  /** Whether DEFLATE was in the hello these facts come from. */
  readonly deflateOffered: boolean;
  /** How the server answered the hello that offered DEFLATE when it refused it (then retried without). */
  readonly refusedWithDeflate: string | null;
};

export type FallbackFacts =
  | { readonly kind: 'not-applicable'; readonly reason: string }
  | {
      readonly kind: 'tested';
      readonly highest: HelloVersion;
      readonly offered: HelloVersion;
      /** `refused`: inappropriate_fallback (86); `accepted`: a ServerHello at the offered version; `other`: another no. */
      readonly outcome: 'refused' | 'accepted' | 'other';
      readonly detail: string;
    };

export type TlsHygiene = {
  readonly endpoint: string;
  readonly transport: 'tls' | 'smtp-starttls';
  /** TLS 1.0-1.2 versions the enumeration saw accepted, newest first. */
  readonly legacyVersions: readonly HelloVersion[];
  /** From the enumeration: TLS 1.3 and SSLv3 accepted (null: unknown). */
  readonly tls13: boolean | null;
  readonly sslv3: boolean | null;
  /** Null when no hygiene hello was answered (no TLS 1.0-1.2 version, or `helloProblems`). */
  readonly hello: HygieneHelloFacts | null;
  readonly helloProblems: readonly string[];
  /** Null when it could not be told (`fallbackProblems`). */
  readonly fallback: FallbackFacts | null;
  readonly fallbackProblems: readonly string[];
  /** Exchanges made by this probe (on SMTP: sessions); the enumeration's are its own. */
  readonly connections: number;
  readonly observedAt: string;
  readonly sharedFrom?: SharedFrom;
};

export type HygieneOptions = {
  readonly enumeration: TlsEnumeration;
  readonly exchange: Exchange;
  readonly serverName: string | null;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
};

export async function probeHygiene(options: HygieneOptions): Promise<TlsHygiene> {
  const e = options.enumeration;
  const ask = createAsk({
    exchange: options.exchange, serverName: options.serverName, maxConnections: 3, maxFailures: 2,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const accepted = LEGACY.filter((v) => e.versions[v].accepted === true);
  const unknown = LEGACY.filter((v) => e.versions[v].accepted === null);
  const unknownProblemOf = (v: HelloVersion) => {
    const why = e.versions[v].problems[0] ?? 'no answer';
    return `${v}: whether it is accepted is unknown (${why.startsWith(`${v}: `) ? why.slice(v.length + 2) : why})`;
  };
  const unknownProblem = unknown.map(unknownProblemOf);
  const suitesAt = (v: HelloVersion) => e.versions[v].suites.map((s) => s.code);
  const spec = (version: HelloVersion, suites: readonly number[], compressionMethods: readonly number[]): HelloSpec =>
    ({ ...fullOffer(version, options.serverName), suites, compressionMethods });

  let hello: HygieneHelloFacts | null = null;
  const helloProblems: string[] = [];
  /** A failed exchange (timeout, reset before connecting...) before any answer: no point in asking again. */
  let failure: string | null = null;
  const highest = accepted[0];
  if (highest === undefined) {
    helloProblems.push(...unknownProblem);
  } else {
    const offered = suitesAt(highest);
    let refusedWithDeflate: string | null = null;
    for (const methods of [[DEFLATE, 0], [0]]) {
      const answer = await ask.ask({ kind: 'tls', hello: spec(highest, offered, methods), stopAfter: 'server-hello' });
      if (answer.kind === 'failed') failure = answer.problem;
      const verdict = readAnswer(answer, highest);
      if (verdict.kind === 'chosen') {
        const sh = verdict.result.kind === 'flight' ? verdict.result.serverHello : null;
        if (!sh) {
          helloProblems.push(`hygiene hello at ${highest}: a HelloRetryRequest below TLS 1.3`);
        } else if (!offered.includes(sh.cipherSuite)) {
          helloProblems.push(`hygiene hello at ${highest}: the server chose ${hex4(sh.cipherSuite)}, which was not offered`);
        } else if (!methods.includes(sh.compressionMethod)) {
          helloProblems.push(`hygiene hello at ${highest}: the server chose compression method ${sh.compressionMethod}, which was not offered`);
        } else {
          hello = {
            offeredVersion: highest, negotiatedVersion: versionName(sh.version), suite: named(sh.cipherSuite),
            renegotiationInfo: sh.extensions.renegotiationInfo !== null, renegotiatedConnectionHex: sh.extensions.renegotiationInfo?.hex ?? null,
            extendedMasterSecret: sh.extensions.extendedMasterSecret,
            compressionMethod: sh.compressionMethod, deflateOffered: methods.includes(DEFLATE), refusedWithDeflate,
          };
        }
        break;
      }
      if (verdict.kind === 'problem' || methods.length === 1) {
        helloProblems.push(`hygiene hello at ${highest}${methods.length === 1 ? ' (null compression only)' : ''}: ${verdict.detail}`);
        break;
      }
      refusedWithDeflate = verdict.detail; // a no to the DEFLATE offer: ask again without it
    }
  }

  let fallback: FallbackFacts | null = null;
  const fallbackProblems: string[] = [];
  const chain = FALLBACK_CHAIN.filter((v) => e.versions[v].accepted === true);
  const chainUnknown = FALLBACK_CHAIN.filter((v) => e.versions[v].accepted === null);
  const lower = chain[1];
  if (highest === undefined || lower === undefined) {
    if (chainUnknown.length > 0) fallbackProblems.push(...chainUnknown.map(unknownProblemOf));
    else fallback = { kind: 'not-applicable', reason: notApplicable(chain, e) };
  } else if (failure !== null && ask.fatal()) {
    // The problem text keeps the exchange's reason (problemReason reads "exchange failed (<reason>)").
    fallbackProblems.push(`fallback hello at ${lower}: not tried, the hygiene hello's ${failure}`);
  } else {
    const answer = await ask.ask({ kind: 'tls', hello: spec(lower, [...suitesAt(lower), FALLBACK_SCSV], [0]), stopAfter: 'server-hello' });
    const verdict = readAnswer(answer, lower);
    const tested = (outcome: 'refused' | 'accepted' | 'other', detail: string): FallbackFacts => ({ kind: 'tested', highest, offered: lower, outcome, detail });
    if (answer.kind === 'answer' && answer.result.kind === 'alert' && answer.result.description === INAPPROPRIATE_FALLBACK && answer.result.after === 'nothing') {
      fallback = tested('refused', `alert inappropriate_fallback (${INAPPROPRIATE_FALLBACK})`);
    } else if (verdict.kind === 'chosen') {
      fallback = tested('accepted', `ServerHello at ${lower} with ${named(verdict.code).name}`);
    } else if (verdict.kind === 'refused' || verdict.kind === 'ambiguous') {
      fallback = tested('other', verdict.detail);
    } else {
      fallbackProblems.push(`fallback hello at ${lower}: ${verdict.detail}`);
    }
    // A version whose acceptance is unknown may be the real highest: only a fallback accepted stands regardless. An
    // unknown SSLv3 below a tested TLS version changes nothing (the server's highest is known to be above it).
    const above = chainUnknown.filter((v) => FALLBACK_CHAIN.indexOf(v) < FALLBACK_CHAIN.indexOf(lower));
    if (above.length > 0 && !(fallback?.kind === 'tested' && fallback.outcome === 'accepted')) {
      fallbackProblems.push(...above.map(unknownProblemOf));
      fallback = null;
    }
  }

  return {
    endpoint: e.endpoint, transport: e.transport, legacyVersions: accepted,
    tls13: e.versions['TLSv1.3'].accepted, sslv3: e.versions.SSLv3.accepted,
    hello, helloProblems, fallback, fallbackProblems, connections: ask.connections(),
    observedAt: (options.now ?? (() => new Date()))().toISOString(),
  };
}

function notApplicable(chain: readonly HelloVersion[], e: TlsEnumeration): string {
  const tls13 = e.versions['TLSv1.3'].accepted === true;
  if (chain.length === 1) {
    return `of SSLv3 to TLS 1.2 only ${chain[0]} is accepted${tls13 ? ' (and TLS 1.3, which has its own downgrade protection, RFC 8446 4.1.3)' : ''}: there is no lower version to fall back to`;
  }
  return tls13 ? 'only TLS 1.3 is accepted, which has its own downgrade protection (RFC 8446 4.1.3)' : 'no SSLv3 or TLS 1.0-1.2 version is accepted';
}

/** Whether the facts may stand for other names on the same address (shared-endpoints.ts): nothing left untested. */
export function hygieneComplete(h: TlsHygiene): boolean {
  return h.helloProblems.length === 0 && h.fallbackProblems.length === 0;
}
