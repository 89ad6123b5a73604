import { globToRegExp } from '../config/names.ts';
import type { CheckResult } from '../core/types.ts';
import type { ReportResult, WaiverState } from '../../reports/types.ts';

/** A config entry that accepts a finding until it expires. */
export type Waiver = {
  /** Exact domain or `*` glob (`*.example.nl`); case-insensitive. */
  readonly domain: string;
  /** Exact check id or `*` glob (`tls.*`). */
  readonly checkId: string;
  readonly reason: string;
  readonly owner: string;
  /** ISO date (the waiver holds through that day, UTC) or ISO date-time (holds until that instant). */
  readonly expires: string;
};

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * The instant an expiry stops applying, in epoch ms; NaN for text that is not a date. A bare date means "through
 * that day" because that is how people write expiry dates; UTC so the answer does not depend on the scanner's zone.
 */
export function expiryInstant(expires: string): number {
  if (DATE_ONLY.test(expires)) {
    const start = Date.parse(`${expires}T00:00:00Z`);
    // Engines roll 2026-02-30 over to March 2; an impossible date is a typo, not a later expiry.
    if (Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== expires) return NaN;
    return start + DAY_MS;
  }
  return Date.parse(expires);
}

/** True once `expires` has passed, and for an unreadable date: a typo must never grant an open-ended exception. */
export function hasExpired(expires: string, now: Date): boolean {
  const instant = expiryInstant(expires);
  return Number.isNaN(instant) || now.getTime() >= instant;
}

/** What applyWaivers returns: the results with waived ones rewritten, and every waiver's state for the report. */
export type WaiverOutcome = { readonly results: ReportResult[]; readonly waivers: WaiverState[] };

/** Waivers applied domain by domain, counting as it goes: `states()` describes every result applied so far. */
export type WaiverApplier = {
  apply(results: readonly ReportResult[]): ReportResult[];
  states(): WaiverState[];
};

/**
 * Applies waivers to results, a domain (or any batch) at a time. A current waiver turns a matching `warn` or `fail`
 * into `status: 'waived'`, keeping the verdict in `originalStatus` and the evidence and remediation as they were.
 * `pass`, `skip` and `error` are never waived: there is nothing to accept in a pass or skip, and an error means we
 * do not know what we would accept. The first matching waiver in config order wins. Expired waivers apply to
 * nothing and are reported as `expired` (with how many results they would have covered); current waivers that
 * matched nothing are `unused`, which usually means the finding was fixed and the waiver can go. Patterns are
 * compiled once; each warn or fail is tested against each waiver, so the cost is results x waivers at most.
 */
export function createWaiverApplier(waivers: readonly Waiver[], now: Date): WaiverApplier {
  const compiled = waivers.map((w) => ({ waiver: w, domain: globToRegExp(w.domain), checkId: globToRegExp(w.checkId), current: !hasExpired(w.expires, now) }));
  const matched = waivers.map(() => 0);
  const applyOne = (result: ReportResult): ReportResult => {
    if (result.status !== 'warn' && result.status !== 'fail') return result;
    let chosen: Waiver | null = null;
    for (let i = 0; i < compiled.length; i++) {
      const c = compiled[i]!;
      if (!c.domain.test(result.domain) || !c.checkId.test(result.checkId)) continue;
      // An expired waiver counts what it would have covered; of the current ones, the first wins.
      if (!c.current) matched[i]!++;
      else if (chosen === null) {
        chosen = c.waiver;
        matched[i]!++;
      }
    }
    return chosen === null ? result : waive(result, chosen);
  };
  return {
    apply: (results) => results.map(applyOne),
    states: () => compiled.map(({ waiver: w, current }, i): WaiverState => ({
      domain: w.domain, checkId: w.checkId, reason: w.reason, owner: w.owner, expires: w.expires,
      state: !current ? 'expired' : matched[i]! > 0 ? 'active' : 'unused',
      matched: matched[i]!,
    })),
  };
}

/** All results at once: createWaiverApplier for a small, in-memory set. */
export function applyWaivers(results: readonly ReportResult[], waivers: readonly Waiver[], now: Date): WaiverOutcome {
  const applier = createWaiverApplier(waivers, now);
  return { results: applier.apply(results), waivers: applier.states() };
}

function waive(result: Extract<CheckResult, { status: 'warn' | 'fail' }> & { readonly since?: string }, waiver: Waiver): ReportResult {
  const { status, ...rest } = result;
  return { ...rest, status: 'waived', originalStatus: status, waiver: { reason: waiver.reason, owner: waiver.owner, expires: waiver.expires } };
}
