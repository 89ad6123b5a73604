import type { CheckResult, Json, Scope, Status } from '../src/core/types.ts';

/** The report's contract version: bump on any breaking change to the JSON shape (reports/schema/). */
export const SCHEMA_VERSION = 1;

export type CheckInfo = { readonly id: string; readonly title: string; readonly promises: readonly string[]; readonly scope: Scope };

/** One scan, as written to JSON and rendered by every writer. Field order here is the JSON's order. */
export type ScanReport = {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: { readonly name: string; readonly version: string };
  readonly runId: string;
  /** `interrupted` when SIGINT/SIGTERM stopped the scan: unfinished checks are `error` (timeout). */
  readonly status: 'complete' | 'interrupted';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly config: { readonly source: string | null; readonly digest: string };
  /** `address:port` of each DNS resolver used, in failover order. */
  readonly resolvers: readonly string[];
  readonly domains: readonly string[];
  readonly checks: readonly CheckInfo[];
  readonly summary: Readonly<Record<Status, number>>;
  /** Domain order as configured, then check order as registered. */
  readonly results: readonly CheckResult[];
  /** Raw probe facts by cache key, stored once and referenced from results. Sorted by key. */
  readonly artifacts: Readonly<Record<string, Json>>;
};

/** A pure function from a report to the text of one output format. Where the text goes is the CLI's business. */
export type ReportWriter = { readonly format: string; readonly extension: string; render(report: ScanReport): string };
