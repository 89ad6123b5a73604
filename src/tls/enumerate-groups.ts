import { fullOffer, type HelloVersion } from './hello.ts';
import { describeSuite, signatureSchemeByCode } from './registry.ts';
import type { SkeSignature } from './server-flight.ts';
import { hex4, named, namedGroup, readAnswer, suiteLabel, type AskContext, type Named } from './enumerate-context.ts';

/**
 * Key exchange (issue 9): the groups a TLS 1.3 server accepts, the curves of a TLS <= 1.2 ECDHE suite, the DHE prime
 * and the hash that signs the TLS 1.2 key exchange. Groups and curves are found by elimination, like suites: offer
 * all, remove the one the server picked, repeat until it refuses ((accepted + 1) hellos instead of one per group).
 */

export type GroupFact = Named & { readonly kind: string; readonly bits: number | null };

/**
 * TLS 1.3 groups: hellos with every remaining group in supported_groups and NO key share (RFC 8446 4.2.8: an empty
 * client_shares is how a client asks the server to choose), so the server names its pick in a HelloRetryRequest
 * (4.1.4). That finds the hybrid post-quantum groups (X25519MLKEM768 0x11ec, ...) without generating any share, and
 * the pick is the server's own preference, not an echo of a share we happened to send.
 */
export async function enumerateGroups13(ctx: AskContext, suites: readonly number[]): Promise<{ groups: readonly number[]; problems: readonly string[] }> {
  const base = fullOffer('TLSv1.3', ctx.serverName);
  const all = base.groups ?? [];
  let remaining = [...all];
  const groups: number[] = [];
  const problems: string[] = [];
  const stop = (problem: string) => ({ groups, problems: [...problems, `TLSv1.3 groups: ${problem}`] });
  for (let round = 0; round < all.length + 2 && remaining.length > 0; round++) {
    const hello = { ...base, suites, groups: remaining, extensions: { ...base.extensions, keyShares: [] } };
    const answer = await ctx.ask({ kind: 'tls', hello, stopAfter: 'server-hello' });
    const verdict = readAnswer(answer, 'TLSv1.3');
    if (verdict.kind === 'refused' || verdict.kind === 'ambiguous') {
      return groups.length > 0 ? { groups, problems } : stop(`${verdict.detail} to a hello without key shares`);
    }
    if (verdict.kind === 'problem') return stop(verdict.detail);
    if (!suites.includes(verdict.code)) return stop(`the server chose ${suiteLabel(verdict.code)}, which was not offered`);
    const result = verdict.result;
    if (result.kind === 'flight') {
      const share = result.serverHello.extensions.keyShare;
      return stop(`a ServerHello${share ? ` with a key share for ${namedGroup(share.group).name}` : ''} to a hello without key shares (RFC 8446 4.1.4)`);
    }
    const group = result.requestedGroup;
    if (group === null) return stop('a HelloRetryRequest without a selected group');
    if (!remaining.includes(group)) {
      return stop(`the server asked for ${namedGroup(group).name} (${hex4(group)}), which was not offered${groups.includes(group) ? ' any more' : ''}`);
    }
    groups.push(group);
    remaining = remaining.filter((code) => code !== group);
  }
  return { groups, problems };
}

export type SignatureFacts = {
  readonly version: HelloVersion;
  readonly suite: Named;
  /** TLS 1.2: the SignatureAndHashAlgorithm the server signed with. */
  readonly scheme: Named | null;
  /** The hash: the scheme's, or the one TLS <= 1.1 implies (md5-sha1 for RSA, sha1 for DSS/ECDSA). */
  readonly hash: string | null;
};

function signatureFacts(version: HelloVersion, suite: number, signature: SkeSignature | null): SignatureFacts | null {
  if (!signature) return null;
  const scheme = signature.scheme === null ? null : signatureSchemeByCode(signature.scheme);
  return {
    version, suite: named(suite),
    scheme: signature.scheme === null ? null : { code: signature.scheme, name: scheme?.name ?? `UNKNOWN_${hex4(signature.scheme)}` },
    hash: scheme?.hash ?? signature.impliedHash,
  };
}

/**
 * The curves a TLS <= 1.2 server uses for ECDHE: one accepted ECDHE suite, every remaining curve in supported_groups,
 * the ServerKeyExchange's named curve (RFC 8422 5.4) removed each round.
 */
export async function enumerateCurves(
  ctx: AskContext, version: HelloVersion, suite: number,
): Promise<{ curves: readonly number[]; signature: SignatureFacts | null; problems: readonly string[] }> {
  const base = fullOffer(version, ctx.serverName);
  const all = base.groups ?? [];
  let remaining = [...all];
  const curves: number[] = [];
  let signature: SignatureFacts | null = null;
  const problems: string[] = [];
  const stop = (problem: string) => ({ curves, signature, problems: [...problems, `${version} ECDHE curves: ${problem}`] });
  for (let round = 0; round < all.length + 2 && remaining.length > 0; round++) {
    const answer = await ctx.ask({ kind: 'tls', hello: { ...base, suites: [suite], groups: remaining }, stopAfter: 'server-hello-done' });
    const verdict = readAnswer(answer, version);
    if (verdict.kind === 'refused' || verdict.kind === 'ambiguous') return curves.length > 0 ? { curves, signature, problems } : stop(verdict.detail);
    if (verdict.kind === 'problem') return stop(verdict.detail);
    if (verdict.code !== suite) return stop(`the server chose ${suiteLabel(verdict.code)}, which was not offered`);
    const ske = verdict.result.kind === 'flight' ? verdict.result.serverKeyExchange : null;
    if (!ske || ske.kind !== 'ecdhe') return stop(`no ECDHE ServerKeyExchange for ${suiteLabel(suite)}`);
    if (ske.namedCurve === null) return stop(`explicit curve parameters (${ske.explicitFieldBits ?? '?'} bits), not a named curve (RFC 8422 5.1.1 deprecates them)`);
    if (!remaining.includes(ske.namedCurve)) return stop(`the server used ${namedGroup(ske.namedCurve).name}, which was not offered${curves.includes(ske.namedCurve) ? ' any more' : ''}`);
    signature ??= signatureFacts(version, suite, ske.signature);
    curves.push(ske.namedCurve);
    remaining = remaining.filter((code) => code !== ske.namedCurve);
  }
  return { curves, signature, problems };
}

export type DhFacts = {
  readonly version: HelloVersion;
  readonly suite: Named;
  readonly bits: number;
  /** Name of the well-known prime (`ffdhe2048`, `modp1024`, `apache-2.2-1024`, ...), or null. */
  readonly wellKnown: string | null;
  readonly source: string | null;
  readonly rfc7919: boolean;
  /** dh_p and dh_g as sent. */
  readonly pHex: string;
  readonly gHex: string;
};

/** The DHE parameters (RFC 5246 7.4.3 ServerDHParams) of one accepted DHE suite: one hello read to the ServerHelloDone. */
export async function probeDhe(
  ctx: AskContext, version: HelloVersion, suite: number,
): Promise<{ dh: DhFacts | null; signature: SignatureFacts | null; problems: readonly string[] }> {
  const base = fullOffer(version, ctx.serverName);
  const answer = await ctx.ask({ kind: 'tls', hello: { ...base, suites: [suite] }, stopAfter: 'server-hello-done' });
  const verdict = readAnswer(answer, version);
  const fail = (problem: string) => ({ dh: null, signature: null, problems: [`${version} DHE: ${problem}`] });
  if (verdict.kind !== 'chosen') return fail(`${verdict.detail} to ${describeSuite(suite).name} alone, accepted before`);
  if (verdict.code !== suite) return fail(`the server chose ${suiteLabel(verdict.code)}, which was not offered`);
  const ske = verdict.result.kind === 'flight' ? verdict.result.serverKeyExchange : null;
  if (!ske || ske.kind !== 'dhe') return fail(`no DHE ServerKeyExchange for ${suiteLabel(suite)}`);
  return {
    dh: {
      version, suite: named(suite), bits: ske.primeBits, wellKnown: ske.prime.wellKnown?.name ?? null,
      source: ske.prime.wellKnown?.source ?? null, rfc7919: ske.prime.rfc7919, pHex: ske.pHex, gHex: ske.gHex,
    },
    signature: signatureFacts(version, suite, ske.signature),
    problems: [],
  };
}
