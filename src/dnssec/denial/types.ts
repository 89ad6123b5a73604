import type { Rr } from '../message.ts';
import type { Name } from '../name.ts';

/**
 * What NSEC or NSEC3 records prove about a name and type. `records` are the denial records the proof rests on:
 * the proof holds only once each of their RRsets is verified.
 */
export type Denial =
  /**
   * The name exists (or is an empty non-terminal, or a wildcard stands for it) without the type. `delegation`: the
   * record at the name shows NS without SOA, a cut (for a DS question: an unsigned delegation). `optOut`: for a DS
   * question, an NSEC3 Opt-Out span covers the name, so it may be an unsigned delegation (RFC 5155 6).
   */
  | { readonly kind: 'nodata'; readonly records: readonly Rr[]; readonly delegation: boolean; readonly optOut: boolean; readonly wildcard?: Name }
  /** The name does not exist and no wildcard answers for it; `optOut`: the span is Opt-Out (RFC 5155 9.2: insecure). */
  | { readonly kind: 'nxdomain'; readonly records: readonly Rr[]; readonly closestEncloser: Name; readonly optOut: boolean }
  /** The name itself does not exist, so a wildcard expansion answering it is legitimate (RFC 4035 5.3.4, RFC 5155 8.8). */
  | { readonly kind: 'expanded'; readonly records: readonly Rr[]; readonly optOut: boolean }
  /** The records cannot be used, and RFC 9276 3.2 or RFC 5155 say to treat the answer as insecure. */
  | { readonly kind: 'insecure'; readonly records: readonly Rr[]; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };
