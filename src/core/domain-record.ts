import type { CheckResult, Json } from './types.ts';

/**
 * One probe answer as recorded for replay (issue 11): the cache key the probe was asked under, its kind (the probe
 * registry's name, e.g. `tlsEnumeration`) and either its value or its failure, encoded losslessly by the fact codec
 * (src/runner/fact-codec.ts: bytes, `undefined` and the like survive a JSON round trip). A replay answers the same
 * call with the same value or throws the same error, so the checks judge exactly what the scan saw.
 */
export type RecordedFact =
  | { readonly key: string; readonly kind: string; readonly value: Json }
  | { readonly key: string; readonly kind: string; readonly error: RecordedError };

/**
 * A probe failure as recorded: a ProbeError keeps its reason, and its endpoint and stage (checks read `stage`: a
 * refused connect is a finding, src/core/prerequisites.ts); anything else is recorded with reason null.
 */
export type RecordedError = {
  readonly name: string;
  readonly message: string;
  readonly reason: string | null;
  readonly endpoint?: string;
  readonly stage?: 'connect' | 'exchange';
};

/**
 * One domain's scan: the unit a worker returns, a journal line holds and a report is streamed from. Self-contained:
 * its artifacts (the report's raw evidence) and facts (the replay record) are those its own checks used, so a fact
 * shared with other domains (a common MX host) is in each of their records.
 */
export type DomainRecord = {
  /** Position in the configured domain list: reports are written in this order, whatever order domains finished in. */
  readonly index: number;
  readonly domain: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** False when the scan was stopped while this domain was in flight: a resumed scan runs it again. */
  readonly complete: boolean;
  /** One per selected check, in check order, before waivers and `since` (those are applied when reports are written). */
  readonly results: readonly CheckResult[];
  /** Every artifact key the results reference, with its value, sorted by key. */
  readonly artifacts: Readonly<Record<string, Json>>;
  /** Every probe answer the checks were given (not the probes' own internal steps), sorted by key. */
  readonly facts: readonly RecordedFact[];
};
