import type { TrustAnchor } from '../anchors.ts';
import { nameFromText, nameToText, type Name } from '../name.ts';
import { TYPE, typeName, typeNumber } from '../rr-types.ts';
import { checkAnswer } from './answer.ts';
import { ask, signerOf } from './ask.ts';
import { createChains } from './chain.ts';
import type { DnssecFetch, Failure, Step, Validation } from './types.ts';
import { MAX_VERIFICATIONS_PER_VALIDATION } from './verify-rrset.ts';
import type { WalkContext } from './zone-trust.ts';

/**
 * Validation of one question (RFC 4035 5): ask it, then establish the zone that must vouch for the answer, by the
 * signer named in the answer's RRSIGs or, for an unsigned answer, by walking down from the anchor to prove an
 * unsigned delegation, and check the answer (records, wildcard expansion, or denial of existence) against that
 * zone's keys. CNAMEs are followed, each target validated in its own right.
 */

export type ValidatorOptions = {
  readonly fetch: DnssecFetch;
  readonly anchors: readonly TrustAnchor[];
  /** The validator's clock for RRSIG validity periods (RFC 4035 5.3.1). */
  readonly now: Date;
  /** Signature verifications per validation (default MAX_VERIFICATIONS_PER_VALIDATION). */
  readonly maxVerifications?: number;
  /** Zones whose trust is kept between validations (default MAX_CACHED_ZONES), least recently used dropped first. */
  readonly maxCachedZones?: number;
};

export type Validator = {
  /** Validates one name (presentation form) and type (mnemonic); throws RangeError only for a malformed name or type. */
  validate(name: string, type: string): Promise<Validation>;
};

/** CNAME links followed, each one validated (BIND gives up after 11 restarts, Unbound after 8). */
export const MAX_CNAME_LINKS = 8;

type Outcome = {
  readonly failure?: Failure; readonly steps: readonly Step[]; readonly weak: readonly string[];
  readonly answer?: Validation['answer']; readonly authenticated?: boolean;
};

export function createValidator(options: ValidatorOptions): Validator {
  const { fetch } = options;
  const nowSeconds = Math.floor(options.now.getTime() / 1000);
  const limit = options.maxVerifications ?? MAX_VERIFICATIONS_PER_VALIDATION;
  const chains = createChains(options.anchors, options.maxCachedZones);

  async function follow(name: Name, type: number, context: WalkContext, links: number): Promise<Outcome> {
    // RFC 4034 5: a DS RRset lives in the parent zone, so its chain ends one label higher.
    const owner = type === TYPE.DS ? name.slice(1) : name;
    const anchor = type === TYPE.DS && name.length === 0 ? undefined : chains.anchorFor(owner);
    if (!anchor) return { failure: { state: 'indeterminate', reason: 'no-trust-anchor', detail: `no trust anchor covers ${nameToText(owner)}` }, steps: [], weak: [] };
    const asked = await ask(fetch, owner, name, type);
    if (!asked.ok) return { failure: asked.failure, steps: [asked.step], weak: [] };
    const { answer, authority } = asked.reply;
    const signer = signerOf(answer, [type, TYPE.CNAME], name, anchor, type === TYPE.DS, name)
      ?? signerOf(authority, [TYPE.NSEC, TYPE.NSEC3, TYPE.SOA], name, anchor, type === TYPE.DS);
    const trust = signer ? await chains.zoneTrust(signer, context) : await chains.enclosingZone(owner, context);
    if (trust.state !== 'secure') return { failure: trust, steps: trust.steps, weak: [] };
    const final = checkAnswer(trust, name, type, asked, context);
    const here: Outcome = {
      steps: [...trust.steps, ...final.steps], weak: [...new Set([...trust.weak, ...final.weak])],
      ...(final.failure ? { failure: final.failure } : {}), ...(final.answer ? { answer: final.answer } : {}),
      ...(final.authenticated === undefined ? {} : { authenticated: final.authenticated }),
    };
    if (final.failure || !final.cnameTarget) return here;
    if (links >= MAX_CNAME_LINKS) {
      return { ...here, failure: { state: 'indeterminate', reason: 'depth-limit', detail: `more than ${MAX_CNAME_LINKS} CNAME links from ${nameToText(name)}` } };
    }
    // The alias is authentic; what it points to stands or falls on its own chain.
    const target = await follow(final.cnameTarget, type, context, links + 1);
    return { ...target, steps: [...here.steps, ...target.steps], weak: [...new Set([...here.weak, ...target.weak])],
      ...(here.authenticated === undefined ? {} : { authenticated: here.authenticated }) };
  }

  return {
    async validate(nameText, typeText) {
      const name = nameFromText(nameText);
      const type = typeNumber(typeText);
      if (!name || type === undefined) throw new RangeError(`validate: not a name and type: ${nameText} ${typeText}`);
      const context: WalkContext = { fetch, nowSeconds, budget: { limit, used: 0 } };
      const outcome = await follow(name, type, context, 0);
      const { failure } = outcome;
      return {
        name: nameToText(name), type: typeName(type), state: failure?.state ?? 'secure',
        ...(failure ? { reason: failure.reason } : {}),
        detail: failure?.detail ?? `the chain from the trust anchor to ${nameToText(name)} ${typeName(type)} holds`,
        ...(outcome.answer ? { answer: outcome.answer } : {}),
        weak: outcome.weak, steps: outcome.steps,
        ...(outcome.authenticated === undefined ? {} : { resolverAuthenticated: outcome.authenticated }),
        verifications: context.budget.used,
      };
    },
  };
}

/** One validation with a fresh cache; `createValidator` shares zone keys between validations. */
export function validate(name: string, type: string, fetch: DnssecFetch, anchors: readonly TrustAnchor[], now: Date): Promise<Validation> {
  return createValidator({ fetch, anchors, now }).validate(name, type);
}
