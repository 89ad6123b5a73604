import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Estate, SiteSpec } from '../../src/lab/estate.ts';
import { rawTlsHandler, startRawTlsServer, type RawTlsOptions } from '../../src/lab/raw-tls-server.ts';
import { garbageHandler, startStarttlsFront } from '../../src/lab/starttls-front.ts';
import { startClosingServer, type LabServer } from '../../src/lab/tls-server.ts';
import { allResults } from '../../reports/memory.ts';
import type { ReportResult, ScanReport } from '../../reports/types.ts';
import { runCli } from './cli.ts';

/**
 * The scaffolding of an end-to-end TLS test: one CLI scan of a lab estate plus servers the test starts beside it,
 * read back from `latest.json`. Loopback only: every name resolves through the estate's DNS, every port is remapped.
 */

export type LabScanOptions = {
  readonly domains: readonly string[];
  /** `--only`: the checks to run (and any they need, e.g. `mail.starttls`). */
  readonly checks: readonly string[];
  /**
   * Servers that answer for `host:port` (e.g. `mx.garbage.test:25`) instead of the estate's. Their `--connect-to`
   * rules come before the estate's; the first rule that matches wins.
   */
  readonly servers?: Readonly<Record<string, { readonly port: number }>>;
  /** `--timeout` in ms (default 1500). */
  readonly timeoutMs?: number;
  /** `--format` (default `json`, which is always read). */
  readonly formats?: readonly string[];
};

export type LabScan = {
  readonly report: ScanReport;
  /** The `--out` directory, for the other formats' `latest.*`. */
  readonly out: string;
  /** The result of `check` on `domain`; throws if the scan has none. */
  result(domain: string, check: string): ReportResult;
};

/** Runs `vouch scan` in-process against `estate`, with the estate's CA trusted and its DNS as the resolver. */
export async function scanLab(estate: Estate, options: LabScanOptions): Promise<LabScan> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-lab-scan-'));
  await writeFile(join(dir, 'ca.pem'), estate.ca.certPem);
  await writeFile(join(dir, 'anchors.txt'), estate.dnssecAnchorsText);
  const rules = [...Object.entries(options.servers ?? {}).map(([where, server]) => `${where}::${server.port}`), ...estate.connectTo];
  const out = join(dir, 'out');
  await runCli(['scan', ...options.domains, '--only', options.checks.join(','),
    '--resolver', `127.0.0.1:${estate.dns.port}`, '--ca', join(dir, 'ca.pem'), '--trust-anchors', join(dir, 'anchors.txt'), ...rules.flatMap((r) => ['--connect-to', r]),
    '--timeout', String(options.timeoutMs ?? 1500), '--out', out, '--format', (options.formats ?? ['json']).join(','), '--log-level', 'silent']);
  const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as ScanReport;
  return { report, out, result: resultFinder(report) };
}

/** `result(domain, check)` over a report's results. */
export function resultFinder(report: ScanReport): LabScan['result'] {
  const results = allResults(report);
  return (domain, check) => {
    const r = results.find((x) => x.domain === domain && x.checkId === check);
    if (!r) throw new Error(`no result for ${check} on ${domain}`);
    return r;
  };
}

/** A site that is only a name and an MX `mx.<domain>` at 127.0.0.1: its ports 443 and 25 are the test's servers. */
export function mxOnlySite(domain: string): SiteSpec {
  return { domain, records: { MX: [{ preference: 10, exchange: `mx.${domain}` }] }, zone: { [`mx.${domain}`]: { A: ['127.0.0.1'] } } };
}

/**
 * The error case of a TLS check, web and mail: port 443 of `domain` answers the hello with an HTTP 400, and its MX
 * says 220 to STARTTLS and then answers with bytes that are not TLS. Keyed by `host:port` for `servers`.
 */
export async function startGarbageServers(domain: string): Promise<Record<string, LabServer>> {
  return {
    [`${domain}:443`]: await startClosingServer({ reply: Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n') }),
    [`mx.${domain}:25`]: await startStarttlsFront({ name: `mx.${domain}`, onTls: garbageHandler }),
  };
}

/** Port 443 of `domain` and, behind STARTTLS, its MX: the raw TLS lab server with `options` (its flaws) on both. */
export async function startRawTlsServers(domain: string, options?: RawTlsOptions): Promise<Record<string, LabServer>> {
  return {
    [`${domain}:443`]: await startRawTlsServer(options),
    [`mx.${domain}:25`]: await startStarttlsFront({ name: `mx.${domain}`, onTls: rawTlsHandler(options) }),
  };
}
