import type { TrustAnchor } from '../../dnssec/anchors.ts';
import { ProbeError } from '../../core/errors.ts';
import type { DnssecFetch, Validation, Validator } from '../../dnssec/index.ts';
import type { RawReply } from '../../probes/dns.ts';
import type { DnsType } from '../../probes/types.ts';
import type { ProbeContext } from './context.ts';
import { probeKind } from './kind.ts';

/**
 * Vouch's own DNSSEC validation as probe kinds (issue 13). `dnssecQuestion` is one question asked with DO and CD
 * through the configured resolvers (their reply's bytes, for the validator to read records as they were signed);
 * `dnssec` is the validator's verdict on a name and type, the recorded fact checks judge. The validator asks its
 * questions through the session's cache, so the keys of shared zones (the root, a TLD, an MX provider's zone) are
 * fetched once per run, and it keeps the zones it has verified between validations.
 */

/** A validation, as recorded: the verdict, the chain of steps, the resolver's AD bit as a cross-check. */
export type DnssecFacts = Validation & {
  /** Where the chain starts: `the IANA root anchors (built in)`, or the configured file. */
  readonly anchors: string;
  readonly observedAt: string;
};

const bare = (name: string): string => name.toLowerCase().replace(/\.$/, '');
const absolute = (name: string): string => `${bare(name)}.`;

/**
 * Zone keys and delegations (DNSKEY, DS) and anything at the root or a TLD serve every domain under them: kept for
 * the run. The rest is one domain's.
 */
const sharedQuestion = (name: string, type: string): boolean =>
  type === 'DNSKEY' || type === 'DS' || bare(name).split('.').filter(Boolean).length <= 1;

export const dnssecQuestion = probeKind({
  name: 'dnssecQuestion',
  key: (name: string, type: string) => `dnssec-question:${type}:${absolute(name)}`,
  lifetime: (name: string, type: string) => (sharedQuestion(name, type) ? 'run' : 'domain'),
  host: (name: string, _type: string) => name,
  load(ctx, name, type): Promise<RawReply> {
    ctx.stats.dnsQueries++;
    return ctx.resolver.queryRaw(name, type as DnsType, ctx.runSignal);
  },
  artifact: (reply) => ({ resolver: reply.resolver, bytes: reply.bytes.length }),
});

export const dnssec = probeKind({
  name: 'dnssec',
  key: (name: string, type: string) => `dnssec:v1:${type}:${absolute(name)}`,
  // TLSA records at an MX host (RFC 7672) are asked by every domain that points at it.
  lifetime: (name: string, type: string) => (type === 'TLSA' && bare(name).startsWith('_25._tcp.') ? 'run' : 'domain'),
  host: (name: string, _type: string) => name,
  async load(ctx, name, type): Promise<DnssecFacts> {
    const { validator, anchors } = await validatorOf(ctx);
    const validation = await validator.validate(absolute(name), type);
    if (validation.reason === 'resolver-no-dnssec') announceNoDnssec(ctx, validation.detail);
    return { ...validation, anchors, observedAt: new Date().toISOString() };
  },
});

type SessionValidator = { readonly validator: Validator; readonly anchors: string };

/** One validator per session: its cache of verified zones is shared by every domain of the run. */
const validators = new WeakMap<ProbeContext, Promise<SessionValidator>>();

function validatorOf(ctx: ProbeContext): Promise<SessionValidator> {
  let known = validators.get(ctx);
  if (!known) validators.set(ctx, known = makeValidator(ctx));
  return known;
}

/** The validator's modules (~30) load with the first DNSSEC question, not at start-up (issue 11's budget). */
async function makeValidator(ctx: ProbeContext): Promise<SessionValidator> {
  const { createValidator, fetchedFromMessage, parseMessage } = await import('../../dnssec/index.ts');
  const { trustAnchorsSource, trustAnchorsText } = ctx.config.dnssec;
  const { parseTrustAnchors } = await import('../../dnssec/anchors.ts');
  const anchors = trustAnchorsOf(parseTrustAnchors, trustAnchorsText, trustAnchorsSource);
  const fetch: DnssecFetch = async (name, type) => {
    const reply = await ctx.probes.dnssecQuestion(name, type);
    const parsed = parseMessage(reply.bytes);
    if (!parsed.ok) throw new ProbeError('protocol', reply.resolver, `undecodable reply to ${name} ${type}: ${parsed.error}`);
    return fetchedFromMessage(parsed.message);
  };
  return { validator: createValidator({ fetch, anchors, now: new Date() }), anchors: trustAnchorsSource };
}

/** The configuration loader has checked the text already; a failure here is a programming error. */
function trustAnchorsOf(parseTrustAnchors: typeof import('../../dnssec/anchors.ts').parseTrustAnchors, text: string, source: string): readonly TrustAnchor[] {
  const parsed = parseTrustAnchors(text, source);
  if (!parsed.ok) throw new Error(`trust anchors from ${source}: ${parsed.errors.join('; ')}`);
  return parsed.anchors;
}

/** Runs told that their resolver cannot serve DNSSEC records: the operator reads it once per scan, not per domain. */
const announced = new WeakSet<AbortSignal>();

function announceNoDnssec(ctx: ProbeContext, detail: string): void {
  if (announced.has(ctx.runSignal)) return;
  announced.add(ctx.runSignal);
  ctx.log.warn({ detail }, 'the resolver cannot serve DNSSEC records (signatures stripped or DO ignored): '
    + 'DNSSEC results are "error" (client-limitation), not failures; configure a resolver that passes DNSSEC records along');
}
