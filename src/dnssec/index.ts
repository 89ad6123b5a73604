/**
 * Vouch's own DNSSEC validator (issue 13): from a trust anchor down to a name, over any DnssecFetch. The resolver
 * only has to pass DNSSEC records through (DO and CD set); its AD bit is kept as a cross-check and decides nothing.
 * @example
 * const validator = createValidator({ fetch: createWireFetch({ server, timeoutMs: 2000 }), anchors: ianaRootAnchors(), now: new Date() });
 * const result = await validator.validate('example.nl.', 'MX'); // result.state: 'secure' | 'insecure' | 'bogus' | 'indeterminate'
 */
export { createValidator, validate, MAX_CNAME_LINKS, type Validator, type ValidatorOptions } from './validator/validator.ts';
export { MAX_CACHED_ZONES, MAX_WALK_LABELS } from './validator/chain.ts';
export type {
  BogusReason, DnssecFetch, DnssecState, FetchedAnswer, IndeterminateReason, InsecureReason, SignatureEvidence, Step, Validation,
} from './validator/types.ts';
export { MAX_SIGNATURES_PER_RRSET, MAX_VERIFICATIONS_PER_RRSET, MAX_VERIFICATIONS_PER_VALIDATION } from './validator/verify-rrset.ts';
export { MAX_NSEC3_ITERATIONS } from './denial/index.ts';
export { anchorToText, parseTrustAnchors, type AnchorParse, type TrustAnchor } from './anchors.ts';
export { ianaRootAnchors, IANA_ROOT_ANCHORS_TEXT } from './root-anchors.ts';
export { createWireFetch, fetchedFromMessage, type WireFetchOptions } from './fetch.ts';
export { parseMessage, type Message, type Rr } from './message.ts';
