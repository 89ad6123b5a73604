import type { Target } from '../core/types.ts';
import type { Thresholds } from './settings.ts';
import type { ComplianceConfig } from './compliance.ts';
import type { TlsConfig } from './tls.ts';
import type { OcspConfig } from './ocsp.ts';
import type { BrowserSettings } from '../browser/pages.ts';
import type { DnssecConfig } from './dnssec.ts';
import type { RpkiConfig } from './network-depth.ts';
import type { PrometheusPerResult } from '../../reports/types.ts';
import type { QueueConfig } from './queue.ts';

/** `HOST:PORT:ADDR:PORT` as curl's --connect-to: empty HOST/PORT match any; empty ADDR keeps the resolved address. */
export type ConnectToRule = {
  readonly host: string | null;
  readonly port: number | null;
  readonly address: string | null;
  readonly dialPort: number | null;
  readonly text: string;
};

export type ResolverAddress = { readonly address: string; readonly port: number };

export type ProbeConfig = {
  readonly timeoutMs: number;
  readonly checkTimeoutMs: number;
  /** Domains scanned at once (the pipeline's window, per run across all workers): memory grows with it, not with the estate. */
  readonly domainsInFlight: number;
  /** Optional cap on checks running at once in each worker (null: every check of every domain in flight may run). */
  readonly checksInFlight: number | null;
  /** Worker threads (null: the number of cores, never more than one per WORKER_MIN_DOMAINS domains). */
  readonly workers: number | null;
  /** Connections at once to one web destination (address and port), whatever the host names behind it. */
  readonly connectionsPerHost: number;
  /** SMTP connections at once to one MX address: 1 by default, as polite as a single sending MTA. */
  readonly mxConnectionsPerAddress: number;
  readonly ipFamilies: readonly (4 | 6)[];
  readonly ehloName: string;
  /** `raw`: hand-built ClientHellos (every version, fast); `node`: node:tls handshakes (OpenSSL's limits apply). */
  readonly tlsVersionProbe: 'raw' | 'node';
  readonly maxHeaderBytes: number;
  readonly maxBodyBytes: number;
  readonly maxRedirects: number;
};

/** A validated configuration: every default applied, every path resolved, every file read. */
export type Config = {
  /** The file it came from, or null for command-line-only scans. */
  readonly source: string | null;
  /** SHA-256 of the effective configuration, so a report says exactly what was scanned and how. */
  readonly digest: string;
  readonly targets: readonly Target[];
  /** null: the system's resolvers from /etc/resolv.conf. */
  readonly resolvers: readonly ResolverAddress[] | null;
  readonly trustedCaFiles: readonly string[];
  readonly trustedCaPems: readonly string[];
  readonly connectTo: readonly ConnectToRule[];
  readonly probe: ProbeConfig;
  readonly thresholds: Thresholds;
  readonly checks: { readonly only: readonly string[]; readonly skip: readonly string[] };
  readonly output: {
    readonly dir: string | null; readonly formats: readonly string[]; readonly stdoutFormat: string;
    /** Runs to keep in `dir` (per-run files beyond the newest N are deleted); null keeps all. */
    readonly retain: number | null;
  };
  readonly compliance: ComplianceConfig;
  readonly plugins: readonly string[];
  readonly cookieCategories: readonly string[];
  readonly strictMxCertificates: boolean;
  /** Special networks redirects may lead into (`loopback`, `private`, ... or prefixes), validated; empty by default. */
  readonly allowRedirectsTo: readonly string[];
  /** The TLS profile (`tls.profile`) and the policy loaded from it; its content is part of the digest. */
  readonly tls: TlsConfig;
  /** `ocsp.queryResponder`: ask each leaf's OCSP responder directly (off by default). */
  readonly ocsp: OcspConfig;
  /** `browser:` (issue 14): headless Chromium visits, off by default. */
  readonly browser: BrowserSettings;
  /** `rpki`: route origin sources for `net.rpki` (issue 13). */
  readonly rpki: RpkiConfig;
  /** `dnssec`: the trust anchors of Vouch's own DNSSEC validation (issue 13). */
  readonly dnssec: DnssecConfig;
  /**
   * `prometheus.textfile` (absolute, resolved against the configuration file's directory): the one file
   * node_exporter's textfile collector reads, rewritten after every scan. Absent: no such file is written.
   */
  readonly prometheusTextfile?: string;
  /** `prometheus.perResult`: which results get a Prometheus series of their own (`findings` by default). */
  readonly prometheusPerResult: PrometheusPerResult;
  /** `queue:` (issue 12): how the scan is run, like `concurrency`, so not part of the digest. */
  readonly queue: QueueConfig;
};

/**
 * Values from the command line that replace the file's (positional domains replace its domain list). Paths in it
 * are already absolute: they are relative to where the command ran, not to the configuration file.
 */
export type ConfigOverrides = {
  readonly domains?: readonly string[];
  readonly connectTo?: readonly string[];
  readonly resolvers?: readonly string[];
  readonly trustedCaFiles?: readonly string[];
  /** `--trust-anchors`: replaces `dnssec.trustAnchors`. */
  readonly trustAnchorsFile?: string;
  readonly only?: readonly string[];
  readonly outDir?: string;
  readonly formats?: readonly string[];
  readonly timeoutMs?: number;
  /** `--concurrency`: domains in flight. */
  readonly concurrency?: number;
  readonly workers?: number;
  /** Replaces `prometheus.textfile`. */
  readonly prometheusTextfile?: string;
  /** `--browser`: visit pages in headless Chromium (`browser.enabled`). */
  readonly browser?: boolean;
  /** `--queue`: replaces `queue.url` (as the journal keeps it: without its password, see src/cli/commands/scan.ts). */
  readonly queueUrl?: string;
  /** `--queue-ca`: replaces `queue.caFile`. */
  readonly queueCaFile?: string;
};
