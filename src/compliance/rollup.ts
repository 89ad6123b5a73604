import type { Status } from '../core/types.ts';
import { globToRegExp } from '../config/names.ts';
import {
  REPORT_STATUSES, type Attestation, type PromiseState, type PromiseStatus, type ReportResult, type ReportStatus,
} from '../../reports/types.ts';
import type { Catalogue, PromiseDefinition } from './catalogue.ts';
import { expiryInstant, hasExpired } from './waivers.ts';

/** Results per reported status, every status present (zero when unseen): the report's `summary` after waivers. */
export type StatusTally = { add(results: readonly ReportResult[]): void; counts(): Record<Status, number> & { waived: number } };

/** A summary counted a domain at a time. */
export function createStatusTally(): StatusTally {
  const counts = zeroCounts();
  return {
    add(results) {
      for (const r of results) counts[r.status]++;
    },
    counts: () => ({ ...counts }),
  };
}

/** All results at once: createStatusTally for a small, in-memory set. */
export function summarizeResults(results: readonly ReportResult[]): Record<Status, number> & { waived: number } {
  const tally = createStatusTally();
  tally.add(results);
  return tally.counts();
}

function zeroCounts(): Record<ReportStatus, number> {
  return Object.fromEntries(REPORT_STATUSES.map((s) => [s, 0])) as Record<ReportStatus, number>;
}

/**
 * The status of an automated promise from the counts of its results:
 * - any `fail` -> `not-met` (a fail on one domain stands even if another could not be tested);
 * - else any `error` -> `not-verified` (we could not establish evidence, so we do not claim the promise is kept);
 * - else any `warn` or `waived` -> `met-with-warnings`: a warn is "implemented, but below our baseline", and a waived
 *   finding is an accepted exception; both keep the promise but must stay visible, so neither reads as plain `met`;
 * - else any `pass` -> `met`;
 * - nothing but `skip`, or no results at all -> `not-assessed` (no evidence either way).
 */
export function automatedState(counts: Readonly<Record<ReportStatus, number>>): PromiseState {
  if (counts.fail > 0) return 'not-met';
  if (counts.error > 0) return 'not-verified';
  if (counts.warn > 0 || counts.waived > 0) return 'met-with-warnings';
  if (counts.pass > 0) return 'met';
  return 'not-assessed';
}

/**
 * A manual promise: a `fail` among its checks disproves it whatever was attested (`not-met`); errors and warnings
 * do not, since the checks only ever see part of it. Otherwise the attestation decides: a current one is
 * `attested`, only lapsed ones `attestation-expired`, none `unattested`. Of several, the one valid longest counts.
 */
export function manualState(
  counts: Readonly<Record<ReportStatus, number>>, attestations: readonly Attestation[], now: Date,
): { readonly state: PromiseState; readonly attestation: Attestation | null } {
  const byExpiry = [...attestations].sort((a, b) => expiryOrder(b.expires) - expiryOrder(a.expires));
  const current = byExpiry.find((a) => !hasExpired(a.expires, now)) ?? null;
  const attestation = current ?? byExpiry[0] ?? null;
  if (counts.fail > 0) return { state: 'not-met', attestation };
  if (current) return { state: 'attested', attestation: current };
  return { state: attestation ? 'attestation-expired' : 'unattested', attestation };
}

/** Unreadable expiries sort last, so they are never chosen over a readable one. */
function expiryOrder(expires: string): number {
  const t = expiryInstant(expires);
  return Number.isNaN(t) ? -Infinity : t;
}

/**
 * For each result, the indexes of the catalogue promises it evidences: the check names the promise, or the catalogue
 * entry lists the check (glob). Globs are compiled once and the answer is kept per check id, checked against the
 * result's `promises` by content (results read back from a journal share no arrays), so a result costs a lookup.
 */
function evidenceIndex(promises: readonly PromiseDefinition[]): (result: ReportResult) => readonly number[] {
  const globs = promises.map((p) => p.checks.map((glob) => globToRegExp(glob)));
  const memo = new Map<string, { readonly names: readonly string[]; readonly indexes: readonly number[] }>();
  const same = (a: readonly string[], b: readonly string[]) => a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
  return (result) => {
    const known = memo.get(result.checkId);
    if (known && same(known.names, result.promises)) return known.indexes;
    const indexes = promises.flatMap((p, i) =>
      (result.promises.includes(p.id) || globs[i]!.some((re) => re.test(result.checkId)) ? [i] : []));
    memo.set(result.checkId, { names: result.promises, indexes });
    return indexes;
  };
}

/** The promise roll-up as a fold: results go in a domain at a time, the statuses come out at the end. */
export type PromiseRollup = { add(results: readonly ReportResult[]): void; finish(): PromiseStatus[] };

/**
 * Rolls every catalogue promise up from the results (after waivers) and the attestations, in catalogue order.
 * Attestations for promises not in the catalogue are ignored here; catalogueProblems/the config loader reports them.
 * Each promise lists its checks in the order their first result appears. State: counts per promise and check.
 */
export function createPromiseRollup(catalogue: Catalogue, attestations: readonly Attestation[], now: Date): PromiseRollup {
  const evidenced = evidenceIndex(catalogue.promises);
  const tallies = catalogue.promises.map(() => ({ perCheck: new Map<string, Record<ReportStatus, number>>(), total: zeroCounts() }));
  return {
    add(results) {
      for (const r of results) {
        for (const i of evidenced(r)) {
          const tally = tallies[i]!;
          let counts = tally.perCheck.get(r.checkId);
          if (!counts) tally.perCheck.set(r.checkId, (counts = zeroCounts()));
          counts[r.status]++;
          tally.total[r.status]++;
        }
      }
    },
    finish: () => catalogue.promises.map((promise, i) => {
      const { perCheck, total } = tallies[i]!;
      const { state, attestation } = promise.kind === 'automated'
        ? { state: automatedState(total), attestation: null }
        : manualState(total, attestations.filter((a) => a.promiseId === promise.id), now);
      return {
        id: promise.id, title: promise.title, kind: promise.kind, clauseNl: promise.clauseNl, clauseEn: promise.clauseEn,
        status: state, controls: promise.controls, standards: promise.standards,
        checks: [...perCheck].map(([checkId, counts]) => ({ checkId, counts: { ...counts } })),
        attestation,
      };
    }),
  };
}

/** All results at once: createPromiseRollup for a small, in-memory set. */
export function rollupPromises(
  catalogue: Catalogue, results: readonly ReportResult[], attestations: readonly Attestation[], now: Date,
): PromiseStatus[] {
  const rollup = createPromiseRollup(catalogue, attestations, now);
  rollup.add(results);
  return rollup.finish();
}

/** Problems with attestations against a catalogue: unknown promise ids, or attesting an automated promise. */
export function attestationProblems(catalogue: Catalogue, attestations: readonly Attestation[]): string[] {
  const byId = new Map(catalogue.promises.map((p) => [p.id, p]));
  return attestations.flatMap((a, i) => {
    const promise = byId.get(a.promiseId);
    if (!promise) return [`attestations[${i}]: no promise "${a.promiseId}" in the catalogue`];
    if (promise.kind === 'automated') return [`attestations[${i}]: "${a.promiseId}" is checked automatically and cannot be attested`];
    if (Number.isNaN(expiryInstant(a.expires))) return [`attestations[${i}]: expires is not a date`];
    return [];
  });
}
