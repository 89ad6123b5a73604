import { STATUSES, type CheckResult, type Json, type JsonObject, type Scope, type Status } from '../src/core/types.ts';

/**
 * The report's contract version: bump on any breaking change to the JSON shape (reports/schema/). 2 (issue 11):
 * results and artifacts grouped per domain (`domains[]`), so a report of any size is written and read as a stream;
 * the migration from 1 is in docs/report-schema.md.
 */
export const SCHEMA_VERSION = 2;

/** A check that took part in the scan, as `vouch checks` lists it. */
export type CheckInfo = { readonly id: string; readonly title: string; readonly promises: readonly string[]; readonly scope: Scope };

/**
 * A result's status as reported: a check's own verdict, or `waived` when a waiver accepted a warn or fail. The
 * waived verdict is kept in `originalStatus`; it never counts towards the exit code.
 */
export type ReportStatus = Status | 'waived';
/** Every reported status, in the order summaries and metrics list them. */
export const REPORT_STATUSES: readonly ReportStatus[] = [...STATUSES, 'waived'];

/** Who accepted a finding, why, and until when (see WaiverState for the waiver itself). */
export type WaiverNote = { readonly reason: string; readonly owner: string; readonly expires: string };

/** The fields every result has, whatever its status. */
export type ResultBase = Pick<CheckResult, 'checkId' | 'title' | 'domain' | 'promises' | 'startedAt' | 'durationMs' | 'artifacts'>;

/** A warn or fail that a waiver accepted: evidence and remediation stay, because the finding is still true. */
export type WaivedResult = ResultBase & {
  readonly status: 'waived';
  readonly originalStatus: 'warn' | 'fail';
  readonly summary: string;
  readonly evidence: JsonObject;
  readonly remediation: string;
  readonly waiver: WaiverNote;
};

/**
 * One result as reported. `since` (ISO time) is set when the scan had a baseline: since when this domain and check
 * have had the same verdict (for a waived result, the waived verdict), across runs. `previousStatus` is set when the
 * verdict changed since the baseline: its status there (absent for a check or domain the baseline lacked).
 */
export type ReportResult = (CheckResult | WaivedResult) & { readonly since?: string; readonly previousStatus?: ReportStatus };

/** How a promise stands. Automated: from its checks' results. Manual: from attestations (checks can only disprove). */
export const PROMISE_STATES = [
  'met', 'met-with-warnings', 'not-met', 'not-verified', 'not-assessed', 'attested', 'unattested', 'attestation-expired',
] as const;
export type PromiseState = (typeof PROMISE_STATES)[number];

/** A framework control a promise maps to, e.g. ISO/IEC 27001:2022 A.8.24 "Use of cryptography". */
export type ControlRef = { readonly framework: string; readonly id: string; readonly title: string };

/** A person's statement that a manual promise is kept, with a link to the evidence and an expiry date. */
export type Attestation = {
  readonly promiseId: string;
  readonly by: string;
  /** ISO date (or date-time) of the attestation. */
  readonly date: string;
  readonly evidenceUrl: string;
  /** ISO date (valid through that day, UTC) or date-time. */
  readonly expires: string;
};

/** One promise's roll-up: the statement's clause, the mapped controls, and the counts behind the status. */
export type PromiseStatus = {
  readonly id: string;
  readonly title: string;
  readonly kind: 'automated' | 'manual';
  readonly clauseNl: string;
  readonly clauseEn: string;
  readonly status: PromiseState;
  readonly controls: readonly ControlRef[];
  readonly standards: readonly string[];
  readonly checks: readonly { readonly checkId: string; readonly counts: Readonly<Record<ReportStatus, number>> }[];
  readonly attestation: Attestation | null;
};

/** A configured waiver and what became of it in this scan. */
export type WaiverState = {
  readonly domain: string;
  readonly checkId: string;
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
  /** `active`: waived at least one result; `unused`: valid but matched no warn/fail; `expired`: no longer applies. */
  readonly state: 'active' | 'unused' | 'expired';
  /** Results it waived (active) or would have waived (expired). */
  readonly matched: number;
};

/** Ed25519 signature over the canonical report content (everything but `digest` and `signature`). */
export type ReportSignature = {
  readonly algorithm: 'ed25519';
  /** `sha256:<hex>` of the public key's DER SubjectPublicKeyInfo. */
  readonly publicKeyFingerprint: string;
  readonly value: string;
};

/** When and how far an interrupted scan was taken up again (`vouch scan --resume`). */
export type ResumeNote = { readonly at: string; readonly domainsDone: number };

/**
 * Everything in a report except its per-domain entries, its digest and its signature. Some members are known when
 * the scan starts (schemaVersion to baseline: the JSON writes them before `domains`), the others only at its end
 * (status, finishedAt, durationMs, resumed and the folds of every domain: summary, promises, waivers; written after
 * `domains`, see reports/json.ts and docs/report-schema.md). Reports written during the scan fold them as domains
 * finish (src/report-live/); a report written from a journal folds them in one pass unless given them.
 */
export type ReportHeader = {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: { readonly name: string; readonly version: string };
  readonly runId: string;
  /** `interrupted` when SIGINT/SIGTERM stopped the scan: unfinished checks are `error` (interrupted). */
  readonly status: 'complete' | 'interrupted';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly config: { readonly source: string | null; readonly digest: string };
  /** `address:port` of each DNS resolver used, in failover order. */
  readonly resolvers: readonly string[];
  /** Set when the scan was resumed after an interruption, once per resumption. */
  readonly resumed?: readonly ResumeNote[];
  readonly checks: readonly CheckInfo[];
  /** Results per status; `waived` is present once waivers were applied. */
  readonly summary: Readonly<Record<Status, number>> & { readonly waived?: number };
  /** Every promise in the catalogue, rolled up from the results and attestations. */
  readonly promises?: readonly PromiseStatus[];
  /** Every configured waiver, including expired and unused ones, so none goes unnoticed. */
  readonly waivers?: readonly WaiverState[];
  /** When `since` was computed: the baseline report it was carried from. */
  readonly baseline?: { readonly runId: string; readonly startedAt: string };
};

/** One domain's part of a report: its results (check order) and the raw probe facts they reference, by key (sorted). */
export type ReportDomain = {
  readonly domain: string;
  readonly results: readonly ReportResult[];
  readonly artifacts: Readonly<Record<string, Json>>;
};

/** One scan, as written to JSON (schema 2). In memory only for small scans and tests; writers take a ReportStream. */
export type ScanReport = ReportHeader & {
  /** Domain order as configured. */
  readonly domains: readonly ReportDomain[];
  /** `sha256:<hex>` of the canonical report content without `digest` and `signature` (src/compliance/integrity.ts). */
  readonly digest?: string;
  readonly signature?: ReportSignature;
};

/**
 * Which results get a series of their own in the Prometheus metrics (config `prometheus.perResult`): `findings` (fail,
 * error, warn; the default), `all`, or `none` (totals only). One series per result is 6.8 M lines at 100,000 domains.
 */
export const PROMETHEUS_PER_RESULT = ['findings', 'all', 'none'] as const;
export type PrometheusPerResult = (typeof PROMETHEUS_PER_RESULT)[number];

/**
 * A report as a stream: the header, then the domains in configured order. `domains()` may be called more than once
 * (each call reads the journal again) and yields one domain at a time, so memory stays flat in the number of domains.
 */
export type ReportStream = {
  readonly header: ReportHeader;
  domains(): AsyncIterable<ReportDomain>;
  /** The Ed25519 private key (PEM) to sign the JSON report with, if any. */
  readonly signingKeyPem?: string;
  /** Which results the Prometheus writer gives a series of their own; `findings` when absent. */
  readonly prometheusPerResult?: PrometheusPerResult;
};

/**
 * One output format, written as a stream in linear time: `write` hands the text to `out` in chunks (awaiting it, so
 * a slow disk applies back-pressure). Where the text goes is the CLI's business.
 */
export type ReportWriter = {
  readonly format: string;
  readonly extension: string;
  write(report: ReportStream, out: (chunk: string) => void | Promise<void>): Promise<void>;
};
