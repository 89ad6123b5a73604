import type { Logger } from 'pino';
import type { Config, ResolverAddress } from '../config/config.ts';
import { systemResolvers } from '../config/resolvers.ts';
import type { Check } from '../core/check.ts';
import { ExitError, ProbeError } from '../core/errors.ts';
import { fullRcode } from '../probes/dns-answer.ts';
import { udpTransport } from '../probes/dns-udp.ts';
import { serverLabel } from '../probes/dns-wire.ts';
import { connectToMatcher } from '../runner/probe-kinds/connect-to.ts';
import { EXIT } from './exit-codes.ts';
import { printable, type CliIo } from './io.ts';

/**
 * How one resolver took the preflight question: it serves us (null), or why not, as the rest of a sentence that
 * starts "DNS resolver X": "does not answer (timeout after 5000 ms)", "refuses our questions (REFUSED)".
 */
export type ResolverCheck = { readonly resolver: string; readonly problem: string | null };

/** What the scan does about its resolvers: stop (nothing would resolve) with this line, or go on with these warnings. */
export type PreflightVerdict = { readonly stop: string | null; readonly warnings: readonly string[] };

/**
 * One line for an estate-wide problem instead of the same DNS error on every domain: no resolver serving us stops
 * the scan; one that does not among serving ones is a warning (each query asks it, or waits for it, before failing
 * over).
 */
export function preflightVerdict(checks: readonly ResolverCheck[]): PreflightVerdict {
  const unusable = checks.filter((c) => c.problem !== null);
  if (unusable.length === 0) return { stop: null, warnings: [] };
  if (unusable.length === checks.length) {
    const lines = unusable.map((c) => `DNS resolver ${c.resolver} ${c.problem}`);
    return { stop: `${lines.join('; ')}: nothing was scanned (check --resolver, "resolvers:" or /etc/resolv.conf)`, warnings: [] };
  }
  const serving = checks.filter((c) => c.problem === null).map((c) => c.resolver).join(', ');
  // In failover order: a silent resolver before a serving one costs every query its timeout, a refusing one a round trip.
  const lastServing = checks.findLastIndex((c) => c.problem === null);
  const cost = (c: ResolverCheck) => (c.problem!.startsWith('refuses') ? ', every query asks it first' : ', every query waits for it first');
  return {
    stop: null,
    warnings: checks.flatMap((c, i) => (c.problem === null ? [] : [`DNS resolver ${c.resolver} ${c.problem}; scanning with ${serving}`
      + (i < lastServing ? cost(c) : ', asked only when those fail')])),
  };
}

/**
 * Whether a reply's rcode means the resolver serves us. Any well-formed reply does (NOERROR, NXDOMAIN, even SERVFAIL:
 * a broken name is judged by the checks, and the lab's authoritative-only servers answer `. NS` with NXDOMAIN),
 * except REFUSED and NOTIMP, which a resolver gives every question it will not take (an ACL, a closed resolver):
 * the scan's every query would get the same. Returns the problem, or null.
 */
export function rcodeProblem(rcode: number): string | null {
  if (rcode === RCODE_NOTIMP) return 'refuses our questions (NOTIMP)';
  if (rcode === RCODE_REFUSED) return 'refuses our questions (REFUSED)';
  return null;
}

const RCODE_NOTIMP = 4;
const RCODE_REFUSED = 5;

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
 * Asks every resolver the scan will use one question every recursive resolver answers (`. NS`, the root's name
 * servers: never the first domain's own DNS, which may be broken), all at once, each on its own in two attempts
 * within `timeoutMs` (one lost UDP datagram must not stop a nightly run), with the packets and UDP sockets the scan
 * uses. Rejects only when `signal` aborts.
 */
export async function askResolvers(servers: readonly ResolverAddress[], timeoutMs: number, signal: AbortSignal): Promise<ResolverCheck[]> {
  const attemptMs = Math.max(100, Math.floor(timeoutMs / 2));
  const udp = udpTransport(undefined);
  try {
    return await Promise.all(servers.map(async (server): Promise<ResolverCheck> => {
      const resolver = serverLabel(server);
      let problem = `does not answer (timeout after ${attemptMs * 2} ms)`;
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          // A truncated reply still carries its rcode: no TCP retry is needed to know the resolver is there.
          const reply = await udp.exchange(server, { name: '.', type: 'NS', checkingDisabled: false }, attemptMs, signal);
          return { resolver, problem: rcodeProblem(fullRcode(reply)) };
        } catch (err) {
          if (signal.aborted) throw signal.reason;
          if (err instanceof ProbeError && err.reason === 'timeout') continue;
          problem = `does not answer (${describe(err)})`;
          break;
        }
      }
      return { resolver, problem };
    }));
  } finally {
    udp.close(new Error('preflight done'));
  }
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
 * serves us (silent, or refusing), or warns once per such one. Within the scan's probe timeout.
 */
export async function checkResolvers(prepared: { readonly config: Config; readonly checks: readonly Check[] }, io: CliIo, log: Logger, signal: AbortSignal): Promise<void> {
  const { config, checks } = prepared;
  if (config.targets.length === 0 || !scanNeedsDns(config, checks)) return;
  const started = performance.now();
  const asked = await askResolvers(scanResolvers(config), config.probe.timeoutMs, signal);
  log.debug({ resolvers: asked, ms: Math.round(performance.now() - started) }, 'resolvers asked before the scan');
  const verdict = preflightVerdict(asked);
  if (verdict.stop) throw new ExitError(EXIT.noResolver, verdict.stop);
  for (const warning of verdict.warnings) io.stderr.write(`vouch: warning: ${printable(warning)}\n`);
}
