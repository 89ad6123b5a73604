import type { Rr } from '../message.ts';

/** What the validator asks for and what it answers: the interface the probes and checks use. */

/** What the resolver returned for one question asked with DO and CD set (RFC 4035 3.2.1, 3.2.2). */
export type FetchedAnswer = {
  readonly rcode: number;
  readonly answer: readonly Rr[];
  readonly authority: readonly Rr[];
  /** The AD bit (RFC 4035 3.2.3): only a cross-check in the evidence, it decides nothing. */
  readonly authenticated?: boolean;
};

/**
 * Asks one question: the name in presentation form with its final dot (`www.example.`, the root `.`), the type as a
 * mnemonic (`DNSKEY`) or `TYPE<n>`. Rejects when no answer came; the validation is then indeterminate, naming the
 * question and the error's message.
 */
export type DnssecFetch = (name: string, type: string) => Promise<FetchedAnswer>;

export type DnssecState = 'secure' | 'insecure' | 'bogus' | 'indeterminate';

export type BogusReason =
  | 'signature-expired' | 'signature-not-yet-valid' | 'no-matching-dnskey' | 'bad-signature' | 'missing-rrsig'
  | 'missing-denial' | 'invalid-denial' | 'unsupported-algorithm' | 'wrong-signer' | 'malformed';
export type InsecureReason = 'unsigned-delegation' | 'opt-out' | 'nsec3-iterations' | 'unsupported-algorithm';
export type IndeterminateReason = 'fetch-failed' | 'no-trust-anchor' | 'verification-limit' | 'depth-limit' | 'resolver-no-dnssec' | 'dname-not-validated';

/** How one RRSIG fared. */
export type SignatureEvidence = {
  /** `A www.example.`: the RRset it covers. */
  readonly covers: string;
  readonly signer: string;
  readonly keyTag: number;
  readonly algorithm: string;
  readonly inception: string;
  readonly expiration: string;
  readonly result: 'verified' | 'expired' | 'not-yet-valid' | 'bad-signature' | 'no-matching-key'
    | 'unsupported-algorithm' | 'wrong-signer' | 'malformed' | 'not-tried';
};

/** One link of the chain, as an auditor reads it. */
export type Step = {
  /** The zone whose keys did the checking, or whose keys were established. */
  readonly zone: string;
  readonly check: 'trust-anchor' | 'dnskey' | 'ds' | 'no-ds' | 'not-a-cut' | 'answer' | 'denial' | 'cname';
  /** The question asked for this step: `secure.test. DS`. */
  readonly question?: string;
  readonly outcome: 'ok' | 'insecure' | 'failed' | 'indeterminate';
  /** The records checked, in presentation form. */
  readonly records?: readonly string[];
  readonly signatures?: readonly SignatureEvidence[];
  readonly detail: string;
};

/** The verdict on one name and type, with the chain that led to it. */
export type Validation = {
  readonly name: string;
  readonly type: string;
  readonly state: DnssecState;
  /** Why, when not secure. */
  readonly reason?: BogusReason | InsecureReason | IndeterminateReason;
  readonly detail: string;
  /** What the final answer said, once it was fetched and read. */
  readonly answer?: 'records' | 'nodata' | 'nxdomain';
  /** Algorithms and digests the chain rests on that RFC 8624 no longer recommends (RSASHA1, SHA-1 DS). */
  readonly weak: readonly string[];
  readonly steps: readonly Step[];
  /** The resolver's AD bit on the final answer. */
  readonly resolverAuthenticated?: boolean;
  /** Signature verifications this validation made (cached zone keys cost nothing). */
  readonly verifications: number;
};

/** What a part of the walk concluded when it did not end in a secure link. */
export type Failure =
  | { readonly state: 'insecure'; readonly reason: InsecureReason; readonly detail: string }
  | { readonly state: 'bogus'; readonly reason: BogusReason; readonly detail: string }
  | { readonly state: 'indeterminate'; readonly reason: IndeterminateReason; readonly detail: string };
