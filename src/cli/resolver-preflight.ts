import type { Logger } from 'pino';
import type { Config, ResolverAddress } from '../config/config.ts';
import { systemResolvers } from '../config/resolvers.ts';
import type { Check } from '../core/check.ts';
import { ExitError, ProbeError } from '../core/errors.ts';
import { createResolver } from '../probes/dns.ts';
import { serverLabel } from '../probes/dns-wire.ts';
import { connectToMatcher } from '../runner/probe-kinds/connect-to.ts';
import { EXIT } from './exit-codes.ts';
import { printable, type CliIo } from './io.ts';

/** How one resolver took the preflight question: it answered (any DNS reply, even SERVFAIL), or why not. */
export type ResolverCheck = { readonly resolver: string; readonly silent: string | null };

/** What the scan does about its resolvers: stop (nothing would resolve) with this line, or go on with these warnings. */
export type PreflightVerdict = { readonly stop: string | null; readonly warnings: readonly string[] };

/**
 * One line for an estate-wide problem instead of the same DNS error on every domain: no resolver answering stops
 * the scan; a silent one among answering ones is a warning (each query waits for it before failing over).
 */
export function preflightVerdict(checks: readonly ResolverCheck[]): PreflightVerdict {
  const silent = checks.filter((c) => c.silent !== null);
  if (silent.length === 0) return { stop: null, warnings: [] };
  if (silent.length === checks.length) {
    const lines = silent.map((c) => `DNS resolver ${c.resolver} does not answer (${c.silent})`);
    return { stop: `${lines.join('; ')}: nothing was scanned (check --resolver, "resolvers:" or /etc/resolv.conf)`, warnings: [] };
  }
  const answering = checks.filter((c) => c.silent === null).map((c) => c.resolver).join(', ');
  // In failover order: a silent resolver before an answering one costs every query its timeout.
  const lastAnswering = checks.findLastIndex((c) => c.silent === null);
  return {
    stop: null,
    warnings: checks.flatMap((c, i) => (c.silent === null ? [] : [`DNS resolver ${c.resolver} does not answer (${c.silent}); scanning with ${answering}`
      + (i < lastAnswering ? ', every query waits for it first' : ', asked only when those fail')])),
  };
}

/**
 * Whether any result can depend on DNS: a selected check needs it (every domain and mail check does), or a web
 * check scans a name that no `--connect-to` rule gives an address for (port 443). A lab or a staging run with
 * every name pinned needs no resolver, and its placeholder one (the discard port) must not stop it.
 */
export function scanNeedsDns(config: Pick<Config, 'targets' | 'connectTo'>, checks: readonly Pick<Check, 'scope' | 'needs'>[]): boolean {
  const scanned = { domain: config.targets.length > 0, web: config.targets.some((t) => t.web), mail: config.targets.some((t) => t.mail) };
  if (checks.some((c) => c.needs.includes('dns') && scanned[c.scope])) return true;
  if (!checks.some((c) => c.scope === 'web')) return false;
  const rule = connectToMatcher(config.connectTo);
  return config.targets.some((t) => t.web && !rule(t.domain, 443)?.address);
}

/**
 * Asks every resolver the scan will use one question (the first domain's SOA), all at once, each on its own in two
 * attempts within `timeoutMs` (one lost UDP datagram must not stop a nightly run). Through Vouch's own stub resolver,
 * as the scan will ask. Rejects only when `signal` aborts.
 */
export async function askResolvers(
  servers: readonly ResolverAddress[], question: { readonly name: string }, timeoutMs: number, signal: AbortSignal,
): Promise<ResolverCheck[]> {
  const attemptMs = Math.max(100, Math.floor(timeoutMs / 2));
  return Promise.all(servers.map(async (server): Promise<ResolverCheck> => {
    const resolver = createResolver({ servers: [server], timeoutMs: attemptMs, retries: 1 });
    const label = serverLabel(server);
    try {
      await resolver.query(question.name, 'SOA', signal);
      return { resolver: label, silent: null };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      // An error rcode (SERVFAIL, REFUSED, a referral) is an answer: the resolver is there, the domain's DNS is judged by its checks.
      if (err instanceof ProbeError && err.reason === 'dns-failure') return { resolver: label, silent: null };
      const why = err instanceof ProbeError && err.reason === 'timeout' ? `timeout after ${attemptMs * 2} ms` : describe(err);
      return { resolver: label, silent: why };
    } finally {
      resolver.close();
    }
  }));
}

/** The resolvers a scan with `config` uses, in failover order. */
export function scanResolvers(config: Pick<Config, 'resolvers'>): readonly ResolverAddress[] {
  return config.resolvers ?? systemResolvers();
}

function describe(err: unknown): string {
  if (err instanceof ProbeError) return `${err.reason}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Before the scan: asks the resolvers (when the scan needs DNS at all) and stops with one line and exit 69 when none
 * answers, or warns once per silent one. Within the scan's probe timeout.
 */
export async function checkResolvers(prepared: { readonly config: Config; readonly checks: readonly Check[] }, io: CliIo, log: Logger, signal: AbortSignal): Promise<void> {
  const { config, checks } = prepared;
  const first = config.targets[0];
  if (!first || !scanNeedsDns(config, checks)) return;
  const started = performance.now();
  const asked = await askResolvers(scanResolvers(config), { name: first.domain }, config.probe.timeoutMs, signal);
  log.debug({ resolvers: asked, ms: Math.round(performance.now() - started) }, 'resolvers asked before the scan');
  const verdict = preflightVerdict(asked);
  if (verdict.stop) throw new ExitError(EXIT.noResolver, verdict.stop);
  for (const warning of verdict.warnings) io.stderr.write(`vouch: warning: ${printable(warning)}\n`);
}
