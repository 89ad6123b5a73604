import type { LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import type { Check } from '../core/check.ts';
import { checkDeadline } from '../core/deadline.ts';
import { ProbeError } from '../core/errors.ts';
import { ERROR_REASONS, SKIP_REASONS, STATUSES, type CheckResult, type Outcome, type Target } from '../core/types.ts';
import type { Settings } from '../config/settings.ts';
import type { DomainRecord } from '../core/domain-record.ts';
import type { DomainProbeScope } from './probes.ts';

/**
 * A check has `checkTimeoutMs` of its own time, not counting its waits for probe answers (in line for a politeness
 * slot, or for a fact another check is loading: src/core/deadline.ts), and at most this many times that in all.
 */
export const CHECK_WAIT_CAP_FACTOR = 10;

/** What running one domain needs: it never imports a concrete check or probe. */
export type DomainRunDeps = {
  readonly checks: readonly Check[];
  /** The domain's probe scope (src/runner/probes.ts): one view per check, then the domain's artifacts and facts. */
  readonly scope: DomainProbeScope;
  readonly settings: Settings;
  readonly checkTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Optional cap on checks in flight across the domains this process runs (config `concurrency.checks`). */
  readonly checkLimit?: LimitFunction;
};

/**
 * Runs every check on one domain, all at once (they mostly wait on shared probes), and returns its record. Never
 * throws: a crashing check is `error/internal`, an overrun `error/timeout`; a stopped run gives a record marked
 * incomplete, so a resumed scan runs the domain again.
 */
export async function runDomain(job: { readonly index: number; readonly target: Target }, deps: DomainRunDeps): Promise<DomainRecord> {
  // One instant per domain, read once from the run's clock and recorded as its `startedAt`: every time-dependent
  // verdict (certificate lifetimes, expiries) is judged at it, so a replay, whose clock gives that recorded instant,
  // judges at exactly the same time and "expires in 4 days" cannot become 5.
  const judgedAt = deps.settings.now();
  const startedAt = judgedAt.toISOString();
  const frozen = { ...deps, settings: { ...deps.settings, now: () => new Date(judgedAt) } };
  const run = (check: Check) => runOne(check, job.target, frozen);
  const results = await Promise.all(deps.checks.map((check) => (deps.checkLimit ? deps.checkLimit(() => run(check)) : run(check))));
  const { artifacts, facts } = deps.scope.finish();
  return {
    index: job.index, domain: job.target.domain, startedAt, finishedAt: new Date().toISOString(),
    complete: !deps.signal.aborted, results, artifacts, facts,
  };
}

/** A check that does not apply to this domain (web or mail switched off) is `skip`, without running. */
export function notApplicable(check: Check, target: Target): Outcome | null {
  if (check.scope === 'web' && !target.web) return { status: 'skip', summary: 'web checks are off for this domain', reason: 'not-applicable' };
  if (check.scope === 'mail' && !target.mail) return { status: 'skip', summary: 'mail checks are off for this domain', reason: 'not-applicable' };
  return null;
}

async function runOne(check: Check, target: Target, deps: DomainRunDeps): Promise<CheckResult> {
  const started = new Date();
  const artifacts = new Set<string>();
  // The child logger is made on first use: most checks never log, and the debug line below is usually off.
  let childLog: Logger | undefined;
  const logger = (): Logger => (childLog ??= deps.log.child({ check: check.id, domain: target.domain }));
  let outcome = notApplicable(check, target);
  if (!outcome && deps.signal.aborted) {
    // Queued behind an interrupt: never start it (and never start its probes).
    outcome = { status: 'error', summary: 'not started: the scan was interrupted', reason: 'interrupted' };
  }
  if (!outcome) {
    const budget = checkDeadline(deps.signal, deps.checkTimeoutMs, deps.checkTimeoutMs * CHECK_WAIT_CAP_FACTOR, `check ${check.id}`);
    try {
      // Getters: the deadline's AbortSignal and the logger are made only if the check reads them (see LazyDeadline).
      const work = check.run({
        target, probes: deps.scope.probesFor((key, answer) => { artifacts.add(key); budget.waitFor(answer); }), settings: deps.settings,
        get signal() { return budget.signal; }, get log() { return logger(); },
      });
      outcome = validOutcome(await budget.race(work));
    } catch (err) {
      outcome = deps.signal.aborted
        ? { status: 'error', summary: 'not finished: the scan was interrupted', reason: 'interrupted' }
        : outcomeFromError(err);
      if (outcome.reason === 'internal') logger().error({ err }, 'check crashed');
    } finally {
      budget.dispose();
    }
  }
  if (deps.log.isLevelEnabled('debug')) logger().debug({ status: outcome.status }, outcome.summary);
  return {
    checkId: check.id, title: check.title, domain: target.domain, promises: check.promises,
    startedAt: started.toISOString(), durationMs: Date.now() - started.getTime(), artifacts: [...artifacts].sort(), ...outcome,
  };
}

const REASONS: Readonly<Record<string, readonly string[]>> = { error: ERROR_REASONS, skip: SKIP_REASONS };

/**
 * A plugin may return anything. What the report cannot carry (evidence that is not plain JSON, a reason outside the
 * vocabulary, a fail without remediation) is the plugin's bug: reported as error/internal, so one bad check can
 * never cost the whole report.
 */
function validOutcome(outcome: Outcome): Outcome {
  const o = outcome as Partial<Record<string, unknown>> | null;
  const bad = (why: string): Outcome => ({ status: 'error', summary: `check returned a malformed outcome: ${why}`, reason: 'internal' });
  if (o === null || typeof o !== 'object' || typeof o['summary'] !== 'string') return bad('no summary');
  const status = String(o['status']);
  if (!(STATUSES as readonly string[]).includes(status)) return bad(`unknown status "${status}"`);
  if ((status === 'error' || status === 'skip') && !REASONS[status]!.includes(String(o['reason']))) return bad(`unknown reason "${String(o['reason'])}"`);
  if ((status === 'warn' || status === 'fail') && typeof o['remediation'] !== 'string') return bad(`${status} without remediation`);
  if (o['evidence'] !== undefined && !isPlainJson(o['evidence'])) return bad('evidence is not plain JSON');
  return outcome;
}

/** JSON-only values (no BigInt, functions, class instances, cycles or non-finite numbers), as the report needs. */
function isPlainJson(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  // Plain loops, not every(): this walks every result's evidence, and a closure per node was measurable.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (i in value && !isPlainJson(value[i], depth + 1)) return false; // every() skips holes
    return true;
  }
  if (typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const v of Object.values(value as Record<string, unknown>)) if (!isPlainJson(v, depth + 1)) return false;
  return true;
}

/** ProbeError becomes error/<its reason>; anything else is a bug in the check: error/internal. */
export function outcomeFromError(err: unknown): Extract<Outcome, { status: 'error' }> {
  if (err instanceof ProbeError) return { status: 'error', summary: err.message, reason: err.reason };
  const message = err instanceof Error ? err.message : String(err);
  return { status: 'error', summary: `check crashed: ${message}`, reason: 'internal' };
}
