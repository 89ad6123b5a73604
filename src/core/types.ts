/** JSON-only values: everything that reaches a report is one of these (no Buffer, Date or class instances). */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

// Each vocabulary once, as a const array; the type is derived from it and the report schema lists the same words
// (test/reports/schema.test.ts compares them).

export const STATUSES = ['pass', 'warn', 'fail', 'error', 'skip'] as const;
export type Status = (typeof STATUSES)[number];

/**
 * Why a check could not establish evidence. Never a verdict on the target. `interrupted`: the scan was stopped
 * (SIGINT/SIGTERM) before the check started or finished; nothing is known about the target.
 */
export const ERROR_REASONS = [
  'timeout', 'refused', 'unreachable', 'dns-failure', 'protocol', 'tls-handshake', 'client-limitation', 'internal', 'interrupted',
] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

/**
 * Why a check did not judge: it does not apply, it needs configuration, it is switched off, or `prerequisite`: what
 * it looks at does not exist because another check's finding (named in the summary) already says so, e.g. no HTTPS
 * on port 443 for the header checks. A prerequisite skip is never "could not test": the finding is reported once.
 */
export const SKIP_REASONS = ['not-applicable', 'not-configured', 'disabled', 'prerequisite'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** A check id: dotted, lower-case, kebab-case parts (`http.hsts`, `mail.starttls-protocols`). Never reused. */
export const CHECK_ID_PATTERN = /^[a-z0-9]+(\.[a-z0-9]+(-[a-z0-9]+)*)+$/;

/** Every report format `--format` and `output.formats` accept, in the order `vouch --help` lists them. */
export const REPORT_FORMATS = ['json', 'text', 'html', 'junit', 'prometheus', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Which part of a domain a check looks at; `domain` checks need only DNS. */
export const SCOPES = ['domain', 'web', 'mail'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * A network endpoint as the world names it (`hostname`, `port`: used for SNI, Host and certificate matching)
 * and where we actually connect (`address`, `dialPort`), which differ under a connect-to override.
 */
export type Endpoint = {
  readonly hostname: string;
  readonly port: number;
  readonly address: string;
  readonly dialPort: number;
};

/** A cookie the organisation declares it sets, by exact name or `*` glob, with its purpose. */
export type CookieDeclaration = {
  readonly name: string; readonly category: string;
  /** Whose cookie it is in the browser's jar; absent: either. */
  readonly party?: 'first' | 'third';
};

/** A third-party host (exact or `*` glob) a domain's pages may contact before consent, with its purpose. */
export type ThirdPartyDeclaration = { readonly host: string; readonly purpose: string };

/** One configured domain as a check sees it (defaults applied). */
export type Target = {
  readonly domain: string;
  /** Whether web (HTTPS on the domain itself) and mail (MX, SPF, DKIM, DMARC...) checks apply. */
  readonly web: boolean;
  readonly mail: boolean;
  /** `parked`: sends and receives no mail (expects `v=spf1 -all`, DMARC p=reject, null MX or none). */
  readonly profile: 'standard' | 'parked';
  readonly dkimSelectors: readonly string[];
  readonly sendingIps: readonly string[];
  /** Extra HTTPS URLs to fetch besides the landing page (cookies, headers). */
  readonly urls: readonly string[];
  readonly cookies: readonly CookieDeclaration[];
  /** Declared third parties (`browser.third-parties`); absent: none. */
  readonly thirdParties?: readonly ThirdPartyDeclaration[];
};

/** The union forces remediation on warn/fail and a reason on error/skip. */
export type Outcome =
  | { readonly status: 'pass'; readonly summary: string; readonly evidence: JsonObject }
  | { readonly status: 'warn' | 'fail'; readonly summary: string; readonly evidence: JsonObject; readonly remediation: string }
  | { readonly status: 'skip'; readonly summary: string; readonly reason: SkipReason; readonly evidence?: JsonObject }
  | { readonly status: 'error'; readonly summary: string; readonly reason: ErrorReason; readonly evidence?: JsonObject };

/** A result as the runner writes it, so no check can forget its id, promises or timing. */
export type CheckResult = {
  readonly checkId: string;
  readonly title: string;
  readonly domain: string;
  readonly promises: readonly string[];
  readonly startedAt: string;
  readonly durationMs: number;
  /** Keys into the report's `artifacts`: the raw probe facts this verdict was made from. */
  readonly artifacts: readonly string[];
} & Outcome;
