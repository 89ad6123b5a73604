import type { KeyObject } from 'node:crypto';
import { algorithmLabel, algorithmStatus, publicKeyOf, verifySignature } from '../algorithms.ts';
import { signedData } from '../canonical.ts';
import type { Rr } from '../message.ts';
import { nameToText, namesEqual, type Name } from '../name.ts';
import { readRrsig, type Dnskey, type Rrsig } from '../rdata.ts';
import { TYPE, typeName } from '../rr-types.ts';
import { serialTimeToIso, signatureTime } from '../validity.ts';
import type { BogusReason, Failure, SignatureEvidence } from './types.ts';

/**
 * Verifying one RRset against a zone's trusted keys (RFC 4035 5.3), within a budget of signature verifications
 * (KeyTrap, CVE-2023-50387: many keys sharing a key tag times many RRSIGs must not cost unbounded CPU).
 */

/** A DNSKEY of a zone whose chain is established; the KeyObject is made once, when first needed. */
export type TrustedKey = { readonly tag: number; readonly dnskey: Dnskey; readonly rdata: Buffer; keyObject?: KeyObject | null };

/** RRSIGs looked at per RRset, and verifications tried per RRset (a key tag collision is rare; more is an attack). */
export const MAX_SIGNATURES_PER_RRSET = 8;
export const MAX_VERIFICATIONS_PER_RRSET = 4;
/** Verifications per validation; a cold chain from the root to a deep name with NSEC3 denials takes about 20. */
export const MAX_VERIFICATIONS_PER_VALIDATION = 32;

export type Budget = { readonly limit: number; used: number };

export type RrsetCheck =
  | { readonly ok: true; readonly signatures: readonly SignatureEvidence[]; readonly labels: number; readonly weak?: string }
  | { readonly ok: false; readonly reason: BogusReason | 'verification-limit'; readonly detail: string; readonly signatures: readonly SignatureEvidence[] };

/** Worst first: the reason reported when no RRSIG verifies is that of the RRSIG that got furthest. */
const FAILURE_ORDER: readonly { readonly result: SignatureEvidence['result']; readonly reason: BogusReason; readonly says: string }[] = [
  { result: 'bad-signature', reason: 'bad-signature', says: 'does not verify' },
  { result: 'expired', reason: 'signature-expired', says: 'has expired' },
  { result: 'not-yet-valid', reason: 'signature-not-yet-valid', says: 'is not yet valid' },
  { result: 'no-matching-key', reason: 'no-matching-dnskey', says: 'names a key the zone\'s trusted DNSKEYs do not hold' },
  { result: 'unsupported-algorithm', reason: 'unsupported-algorithm', says: 'uses an algorithm Vouch does not implement' },
  { result: 'wrong-signer', reason: 'wrong-signer', says: 'is signed by another zone' },
  { result: 'malformed', reason: 'malformed', says: 'is malformed' },
];

/**
 * Whether one of `rrsigs` (any RRSIGs of the section; those for this RRset are picked) signs `rrset` with one of
 * `keys` of `zone`, valid at `nowSeconds`. RFC 4035 5.3.1: the signer is the zone, the key tag and algorithm match
 * a zone key, the labels field is at most the owner's labels, the time is inside the validity period.
 */
export function verifyRrset(rrset: readonly Rr[], rrsigs: readonly Rr[], zone: Name, keys: readonly TrustedKey[], nowSeconds: number, budget: Budget): RrsetCheck {
  const first = rrset[0]!;
  const covers = `${typeName(first.type)} ${nameToText(first.owner)}`;
  const sigs = rrsigs.filter((rr) => rr.type === TYPE.RRSIG && rr.class === first.class && namesEqual(rr.owner, first.owner))
    .map((rr) => readRrsig(rr.rdata)).filter((sig): sig is Rrsig => sig?.typeCovered === first.type).slice(0, MAX_SIGNATURES_PER_RRSET);
  if (sigs.length === 0) return { ok: false, reason: 'missing-rrsig', detail: `no RRSIG covers ${covers}`, signatures: [] };
  const evidence: SignatureEvidence[] = [];
  let triedHere = 0;
  for (const sig of sigs) {
    const note = (result: SignatureEvidence['result']) => evidence.push({
      covers, signer: nameToText(sig.signer), keyTag: sig.keyTag, algorithm: algorithmLabel(sig.algorithm),
      inception: serialTimeToIso(sig.inception, nowSeconds), expiration: serialTimeToIso(sig.expiration, nowSeconds), result,
    });
    const early = precheck(sig, first.owner, zone, nowSeconds);
    if (early) { note(early); continue; }
    const candidates = keys.filter((k) => k.tag === sig.keyTag && k.dnskey.algorithm === sig.algorithm);
    if (candidates.length === 0) { note('no-matching-key'); continue; }
    const data = signedData(sig, rrset);
    if (!data) { note('malformed'); continue; }
    for (const key of candidates) {
      if (triedHere >= MAX_VERIFICATIONS_PER_RRSET || budget.used >= budget.limit) {
        note('not-tried');
        const limit = triedHere >= MAX_VERIFICATIONS_PER_RRSET ? `${MAX_VERIFICATIONS_PER_RRSET} for one RRset` : `${budget.limit} for one validation`;
        return { ok: false, reason: 'verification-limit', detail: `stopped verifying ${covers} at the limit of ${limit} signature verifications (KeyTrap, CVE-2023-50387)`, signatures: evidence };
      }
      triedHere++;
      budget.used++;
      key.keyObject ??= publicKeyOf(key.dnskey.algorithm, key.dnskey.publicKey) ?? null;
      if (key.keyObject && verifySignature(sig.algorithm, key.keyObject, data, sig.signature)) {
        note('verified');
        const weak = algorithmStatus(sig.algorithm) === 'weak' ? `${algorithmLabel(sig.algorithm)} signs ${covers}` : undefined;
        return { ok: true, signatures: evidence, labels: sig.labels, ...(weak ? { weak } : {}) };
      }
    }
    note('bad-signature');
  }
  const worst = FAILURE_ORDER.find((f) => evidence.some((e) => e.result === f.result)) ?? FAILURE_ORDER[0]!;
  return { ok: false, reason: worst.reason, detail: `the RRSIG over ${covers} ${worst.says}`, signatures: evidence };
}

function precheck(sig: Rrsig, owner: Name, zone: Name, nowSeconds: number): SignatureEvidence['result'] | undefined {
  if (!namesEqual(sig.signer, zone)) return 'wrong-signer';
  if (sig.labels > owner.length) return 'malformed'; // RFC 4035 5.3.1
  if (algorithmStatus(sig.algorithm) === 'unsupported') return 'unsupported-algorithm';
  const time = signatureTime(sig.inception, sig.expiration, nowSeconds);
  return time === 'valid' ? undefined : time;
}

/** A failed check as the walk's verdict: bogus, or indeterminate when the verification budget ran out. */
export function failureOf(check: Extract<RrsetCheck, { ok: false }>, detail: string): Failure {
  return check.reason === 'verification-limit'
    ? { state: 'indeterminate', reason: 'verification-limit', detail }
    : { state: 'bogus', reason: check.reason, detail };
}

/** The step outcome that goes with a verdict. */
export function outcomeOf(failure: Failure | undefined): 'ok' | 'insecure' | 'failed' | 'indeterminate' {
  return !failure ? 'ok' : failure.state === 'bogus' ? 'failed' : failure.state;
}
