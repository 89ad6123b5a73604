import type { Logger } from 'pino';
import type { Probes } from '../probes/types.ts';
import type { Settings } from '../config/settings.ts';
import type { ErrorReason, JsonObject, Outcome, Scope, SkipReason, Target } from './types.ts';

/** What a check gets: one domain, the shared probes, the run's settings, its own budget and logger. */
export type CheckContext = {
  readonly target: Target;
  readonly probes: Probes;
  readonly settings: Settings;
  readonly signal: AbortSignal;
  readonly log: Logger;
};

/** A check turns probe facts into a verdict on one promise for one domain. It does no socket work itself. */
export type Check = {
  /** Stable, dotted, kebab-case: `<area>.<subject>`, e.g. `http.hsts`. Never reuse a retired id. */
  readonly id: string;
  readonly title: string;
  /** Ids of the promises (controls) in the catalogue that this check evidences. */
  readonly promises: readonly string[];
  /** `web` runs for domains with web enabled, `mail` for mail, `domain` for every domain. */
  readonly scope: Scope;
  /** What the check needs from outside: shown by `vouch checks`. */
  readonly needs: readonly ('dns' | 'web' | 'mail')[];
  readonly remediation: string;
  /** Standards the verdict follows (RFC sections, NCSC-NL guideline), and where Vouch deliberately differs. */
  readonly references?: readonly string[];
  run(ctx: CheckContext): Promise<Outcome>;
};

/** Identity function that exists for type inference and one place to hang documentation. */
export function defineCheck(check: Check): Check {
  return check;
}

export const pass = (summary: string, evidence: JsonObject): Outcome => ({ status: 'pass', summary, evidence });
export const warn = (summary: string, evidence: JsonObject, remediation: string): Outcome =>
  ({ status: 'warn', summary, evidence, remediation });
export const fail = (summary: string, evidence: JsonObject, remediation: string): Outcome =>
  ({ status: 'fail', summary, evidence, remediation });
export const skip = (summary: string, reason: SkipReason): Outcome => ({ status: 'skip', summary, reason });
/**
 * Could not establish the verdict, with the cause AND what was seen on the way (per-version results, the addresses
 * that answered): an auditor sees why the check is inconclusive instead of an invented probe error.
 */
export const inconclusive = (summary: string, reason: ErrorReason, evidence: JsonObject): Outcome =>
  ({ status: 'error', summary, reason, evidence });
