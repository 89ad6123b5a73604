import { fullOffer, splitOffer, type HelloSpec, type HelloVersion } from './hello.ts';
import { describeSuite, SSLV2_CIPHERS, sslv2CipherByCode } from './registry.ts';
import { readAnswer, suiteLabel, versionName, type AskContext, type Named, type Verdict } from './enumerate-context.ts';

/**
 * Accepted cipher suites per protocol version by elimination (issue 9; nmap's and sslscan's method): offer every
 * suite valid for the version, remove the one the server chose, repeat until it refuses: (accepted + 1) hellos.
 * A server that does not answer a full offer at all, or answers it with decode_error and the like, may be one that
 * rejects long hellos (fixed-size suite buffers in old appliances): it gets offers of at most `SPLIT_SIZE` suites,
 * the commonly deployed ones first, and the union of their eliminations counts.
 */

/** Suites per hello in a split offer (below the 128-suite buffers some stacks have). */
export const SPLIT_SIZE = 64;

/** The end of one elimination: the server's last answer, or `exhausted` when every offered suite was chosen. */
export type EliminationEnd = Verdict | { readonly kind: 'exhausted' };

export type Elimination = {
  /** Suites in the order the server chose them. */
  readonly chosen: readonly number[];
  readonly end: EliminationEnd;
  readonly problems: readonly string[];
};

/**
 * Offer `spec.suites`, remove the chosen one, repeat. A choice that was not in the offer ends the loop as a problem
 * (never counted as accepted); the loop is capped at offered + 2 hellos whatever the server does.
 */
export async function eliminateSuites(
  ctx: AskContext, version: HelloVersion, spec: HelloSpec, options: { stopAt?: number } = {},
): Promise<Elimination> {
  let remaining = [...spec.suites];
  const chosen: number[] = [];
  const problems: string[] = [];
  const stopAt = options.stopAt ?? 0;
  const cap = spec.suites.length + 2;
  for (let round = 0; round < cap; round++) {
    if (remaining.length <= stopAt) return { chosen, end: { kind: 'exhausted' }, problems };
    const verdict = readAnswer(await ctx.ask({ kind: 'tls', hello: { ...spec, suites: remaining }, stopAfter: 'server-hello' }), version);
    if (verdict.kind !== 'chosen') {
      if (verdict.kind === 'problem') problems.push(`${version}: ${verdict.detail}`);
      return { chosen, end: verdict, problems };
    }
    if (!remaining.includes(verdict.code)) {
      const again = chosen.includes(verdict.code) ? ', chosen before and no longer offered' : '';
      const detail = `the server chose ${suiteLabel(verdict.code)}, which was not offered${again}`;
      problems.push(`${version}: ${detail}`);
      return { chosen, end: { kind: 'problem', detail }, problems };
    }
    chosen.push(verdict.code);
    remaining = remaining.filter((code) => code !== verdict.code);
  }
  problems.push(`${version}: stopped after ${cap} hellos`);
  return { chosen, end: { kind: 'problem', detail: 'loop cap reached' }, problems };
}

/** What one version's enumeration found. */
export type VersionSuites = {
  /** true: at least one suite accepted; false: refused; null: could not tell (problems say why). */
  readonly accepted: boolean | null;
  /** Accepted suites in the order the server chose them (the server's order when it enforces one, see enumerate-order). */
  readonly sequence: readonly number[];
  /** Whether split offers were needed (then `sequence` is per part, not one order). */
  readonly split: boolean;
  /** How the server said no, when it did. */
  readonly refusal: string | null;
  readonly problems: readonly string[];
};

/** Commonly deployed suites first, so that the first part of a split offer is the likeliest to be answered. */
function commonFirst(suites: readonly number[]): number[] {
  const rank = (code: number): number => {
    const s = describeSuite(code);
    if (s.tls13) return 0;
    const kx = s.kx === 'ECDHE' ? 0 : s.kx === 'RSA' ? 1 : s.kx === 'DHE' ? 2 : 6;
    const cipher = s.cipher === 'AES' || s.cipher === 'CHACHA20' ? 0 : s.cipher === '3DES' || s.cipher === 'RC4' ? 1 : s.cipher === 'CAMELLIA' ? 2 : 4;
    return kx + cipher + (s.export || s.auth === 'anon' || s.auth === 'PSK' ? 10 : 0);
  };
  return suites.map((code, i) => ({ code, i, r: rank(code) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.code);
}

const endDetail = (end: EliminationEnd): string =>
  end.kind === 'exhausted' ? 'every offered suite accepted' : end.kind === 'chosen' ? `chose ${suiteLabel(end.code)}` : end.detail;

/** One TLS version (SSLv3 to TLS 1.3): full offer, split offers when the full one gets no clear answer. */
export async function enumerateVersion(ctx: AskContext, version: HelloVersion): Promise<VersionSuites> {
  const base = fullOffer(version, ctx.serverName);
  const full = await eliminateSuites(ctx, version, base);
  if (full.chosen.length > 0 || full.end.kind !== 'ambiguous' || base.suites.length <= SPLIT_SIZE) return fromRuns(version, [full], false, null);
  // No reply, a reset or decode_error to the full offer: a refusal of the version, or of a long hello. A short offer
  // of the common suites tells them apart; only when it is answered do the other parts follow.
  const parts = splitOffer({ ...base, suites: commonFirst(base.suites) }, SPLIT_SIZE);
  const first = await eliminateSuites(ctx, version, parts[0]!);
  if (first.chosen.length === 0 && first.end.kind === 'ambiguous') {
    const refusal = `${endDetail(full.end)}; to ${parts[0]!.suites.length} suites: ${endDetail(first.end)}`;
    return { accepted: false, sequence: [], split: true, refusal, problems: first.problems };
  }
  const runs = [full, first];
  for (const part of parts.slice(1)) runs.push(await eliminateSuites(ctx, version, part));
  return fromRuns(version, runs, true, `${endDetail(full.end)} to the full offer of ${base.suites.length} suites`);
}

function fromRuns(version: HelloVersion, runs: readonly Elimination[], split: boolean, note: string | null): VersionSuites {
  const sequence = runs.flatMap((run) => run.chosen);
  const problems = runs.flatMap((run) => run.problems);
  if (sequence.length > 0) return { accepted: true, sequence, split, refusal: note, problems };
  const last = runs[runs.length - 1]!.end;
  if (last.kind === 'refused' || last.kind === 'ambiguous') return { accepted: false, sequence, split, refusal: last.detail, problems };
  if (problems.length === 0) problems.push(`${version}: ${endDetail(last)}`);
  return { accepted: null, sequence, split, refusal: null, problems };
}

/**
 * SSLv2 (draft-hickman-netscape-ssl-00 2.5/2.6): one CLIENT-HELLO with every cipher spec; the SERVER-HELLO lists the
 * specs the server accepts among them. A spec that was not offered is a protocol error, never accepted.
 */
export async function enumerateSslv2(ctx: AskContext): Promise<VersionSuites & { readonly specs: readonly Named[] }> {
  const answer = await ctx.ask({ kind: 'sslv2' });
  const no = (refusal: string) => ({ accepted: false, sequence: [], split: false, refusal, problems: [], specs: [] });
  const unknown = (problem: string) => ({ accepted: null, sequence: [], split: false, refusal: null, problems: [`SSLv2: ${problem}`], specs: [] });
  if (answer.kind === 'failed') return unknown(answer.problem);
  const result = answer.result;
  switch (result.kind) {
    case 'sslv2-server-hello': {
      const offered = new Set(SSLV2_CIPHERS.map((spec) => spec.code));
      const valid = result.cipherSpecs.filter((code) => offered.has(code));
      const problems = result.cipherSpecs.filter((code) => !offered.has(code))
        .map((code) => `SSLv2: the server listed cipher spec 0x${code.toString(16).padStart(6, '0')}, which was not offered`);
      const specs = valid.map((code) => ({ code, name: sslv2CipherByCode(code)?.name ?? `UNKNOWN_0x${code.toString(16)}` }));
      return { accepted: valid.length > 0 ? true : problems.length > 0 ? null : false, sequence: valid, split: false,
        refusal: valid.length > 0 ? null : 'SERVER-HELLO without a common cipher spec', problems, specs };
    }
    case 'sslv2-error': return no(`SSLv2 ERROR ${result.name ?? result.code}`);
    case 'no-reply': return no(result.how === 'reset' ? 'connection reset without reply' : 'closed without reply');
    case 'alert': return no(`alert ${result.name ?? 'unknown'} (${result.description})`);
    case 'flight': return no(`answered with a ${versionName(result.version)} ServerHello`);
    case 'hello-retry': return unknown('a HelloRetryRequest in reply to an SSLv2 hello');
    case 'malformed': return unknown(`malformed reply at byte ${result.offset}: ${result.problem}`);
    case 'too-large': return unknown(`reply larger than ${result.limit} bytes`);
    case 'truncated': return unknown(`connection ended after ${result.bytes} bytes`);
  }
}
