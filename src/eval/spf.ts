/**
 * SPF check_host() (RFC 7208 4-6): is <ip> allowed to send mail for <domain>? Never throws: DNS failures become
 * temperror and broken records permerror, as the RFC defines them.
 */
import { checkHostDomainProblem, queryNameProblem, withoutTrailingDot } from '../parse/spf/domain.ts';
import { parseClientIp } from '../parse/spf/ip.ts';
import type { ClientIp } from '../parse/spf/ip.ts';
import { expandDomainSpec, expandMacroString, macroValues, parseMacroString, usesMacro } from '../parse/spf/macro.ts';
import type { MacroString } from '../parse/spf/macro.ts';
import { isSpfRecord, parseSpfRecord } from '../parse/spf/record.ts';
import type { SpfMechanism, SpfQualifier } from '../parse/spf/record.ts';
import { limitedDns } from './spf-dns.ts';
import type { LimitedDns, SpfDns } from './spf-dns.ts';
import { matchA, matchExists, matchMx, matchNetwork, matchPtr, pickValidatedName, validatedNames } from './spf-mechanisms.ts';
import type { MechanismMatch } from './spf-mechanisms.ts';

export { limitedDns, SPF_LIMITS } from './spf-dns.ts';
export type { LimitedDns, SpfDns, SpfLimits, SpfLookup } from './spf-dns.ts';

/** RFC 7208 2.6 results. */
export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';

/** What to evaluate: the connecting client and the identity it claims (RFC 7208 4.1). */
export type SpfInput = {
  /** The client address; an IPv4-mapped IPv6 address counts as IPv4. */
  readonly ip: string;
  /** The domain whose policy is evaluated (the MAIL FROM or HELO domain). */
  readonly domain: string;
  /** MAIL FROM as `local@domain`; empty means the null reverse-path, evaluated as `postmaster@<domain>` (2.4). */
  readonly sender: string;
  readonly helo: string;
  readonly dns: SpfDns;
  /** The clock for the `t` macro. */
  readonly now?: Date;
  /** This host's name for the `r` macro; `unknown` by default (RFC 7208 7.2). */
  readonly receiver?: string;
};

/** One check_host() result with the evidence that led to it. */
export type SpfEvaluation = {
  readonly result: SpfResult;
  /** The term that decided the result in the top-level record (or its redirect target), e.g. `include:_spf.x`. */
  readonly mechanism: string | null;
  /** The expanded exp= text, for `fail` only, when the deciding record has one that could be fetched (6.2). */
  readonly explanation: string | null;
  /** `domain: record` for every record on the deciding chain, then the term that matched or what went wrong. */
  readonly path: readonly string[];
  /** Why the result is none, permerror or temperror; null otherwise. */
  readonly problem: string | null;
  /** DNS-querying terms evaluated (limit 10) and void lookups seen (limit 2), RFC 7208 4.6.4. */
  readonly lookups: number;
  readonly voidLookups: number;
};

type Run = {
  readonly ldns: LimitedDns; readonly ip: ClientIp; readonly sender: string; readonly helo: string;
  readonly now: Date; readonly receiver: string; validated: Promise<readonly string[]> | null;
};

/** check_host() for one domain; `exp` is the deciding record's exp= when the result is fail. */
type HostOutcome = {
  readonly result: SpfResult; readonly mechanism: string | null; readonly problem: string | null;
  readonly path: readonly string[]; readonly exp: { readonly spec: MacroString; readonly domain: string } | null;
};

type TermOutcome = MechanismMatch & { readonly path?: readonly string[] };

const QUALIFIER_RESULT: Readonly<Record<SpfQualifier, SpfResult>> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };

/**
 * Runs check_host(ip, domain, sender) with its own lookup counters.
 * @example
 * const spf = await evaluateSpf({
 *   ip: '192.0.2.1', domain: 'example.nl', sender: 'postmaster@example.nl', helo: 'example.nl', dns: probes.dns,
 * });
 * spf.result // 'pass' | 'fail' | ...
 */
export async function evaluateSpf(input: SpfInput): Promise<SpfEvaluation> {
  const ldns = limitedDns(input.dns);
  const ip = parseClientIp(input.ip);
  if (!ip) {
    const problem = `invalid client IP address ${JSON.stringify(input.ip)}`;
    return { result: 'permerror', mechanism: null, explanation: null, path: [], problem, lookups: 0, voidLookups: 0 };
  }
  const run: Run = {
    ldns, ip, sender: normalSender(input.sender, input.domain), helo: input.helo,
    now: input.now ?? new Date(), receiver: input.receiver ?? 'unknown', validated: null,
  };
  const outcome = await checkHost(run, input.domain, false);
  const { exp } = outcome;
  const explanation = outcome.result === 'fail' && exp ? await explain(run, exp.spec, exp.domain) : null;
  return {
    result: outcome.result, mechanism: outcome.mechanism, explanation, path: outcome.path, problem: outcome.problem,
    lookups: ldns.lookups, voidLookups: ldns.voidLookups,
  };
}

/** RFC 7208 4.3: a sender without a local-part gets `postmaster`; the null reverse-path uses the domain (2.4). */
function normalSender(sender: string, domain: string): string {
  if (sender === '') return `postmaster@${domain}`;
  const at = sender.lastIndexOf('@');
  if (at === -1) return `postmaster@${sender}`;
  return at === 0 ? `postmaster${sender}` : sender;
}

function outcome(result: SpfResult, problem: string | null, path: readonly string[], mechanism: string | null = null): HostOutcome {
  return { result, mechanism, problem, path, exp: null };
}

/** RFC 7208 4.3-4.7. `nested` marks include/redirect targets, whose TXT lookup is the term's (void-counted) query. */
async function checkHost(run: Run, domain: string, nested: boolean): Promise<HostOutcome> {
  const invalid = checkHostDomainProblem(domain);
  if (invalid) return outcome('none', invalid, [`${domain}: ${invalid}`]);
  const lookup = await run.ldns.query(withoutTrailingDot(domain), 'TXT', nested);
  if (!lookup.ok) return outcome(lookup.result, lookup.problem, [`${domain}: ${lookup.problem}`]);
  const records = lookup.answer.records.filter(isSpfRecord);
  if (records.length === 0) return outcome('none', `no SPF record at ${domain}`, [`${domain}: no SPF record`]);
  if (records.length > 1) {
    const problem = `${records.length} SPF records at ${domain}; exactly one is allowed (RFC 7208 4.5)`;
    return outcome('permerror', problem, records.map((r) => `${domain}: ${r}`));
  }
  const text = records[0]!;
  const line = `${domain}: ${text}`;
  const parsed = parseSpfRecord(text);
  if (!parsed.ok) return outcome('permerror', `SPF record at ${domain}: ${parsed.problem}`, [line]);
  const { record } = parsed;
  for (const mechanism of record.mechanisms) {
    const term = await evaluateTerm(run, domain, mechanism);
    if (term.kind === 'no-match') continue;
    if (term.kind === 'error') {
      const path = [line, ...(term.path ?? [`${domain}: ${mechanism.text}: ${term.result}`])];
      return outcome(term.result, term.problem, path, mechanism.text);
    }
    const result = QUALIFIER_RESULT[mechanism.qualifier];
    return {
      result, mechanism: mechanism.text, problem: null,
      path: [line, ...(term.path ?? [`${domain}: ${mechanism.text} matched`])],
      exp: result === 'fail' && record.exp ? { spec: record.exp.value, domain } : null,
    };
  }
  if (!record.redirect) return outcome('neutral', null, [line, `${domain}: no mechanism matched, default neutral (RFC 7208 4.7)`]);
  // RFC 7208 6.1: redirect replaces this record's result (and its exp=) with the target's.
  const redirect = record.redirect.text;
  const over = run.ldns.charge(redirect);
  if (over) return outcome('permerror', over, [line, `${domain}: ${redirect}: permerror`]);
  const target = await expandTarget(run, domain, record.redirect.value);
  const next = await checkHost(run, target, true);
  if (next.result === 'none') {
    return outcome('permerror', `${redirect}: ${next.problem ?? 'no SPF record'} (RFC 7208 6.1: permerror)`, [line, ...next.path]);
  }
  return { ...next, path: [line, ...next.path] };
}

async function evaluateTerm(run: Run, domain: string, mechanism: SpfMechanism): Promise<TermOutcome> {
  if (mechanism.kind === 'all') return { kind: 'match' };
  if (mechanism.kind === 'ip4' || mechanism.kind === 'ip6') return matchNetwork(run.ip, mechanism);
  const over = run.ldns.charge(mechanism.text);
  if (over) return { kind: 'error', result: 'permerror', problem: over };
  const target = mechanism.domainSpec ? await expandTarget(run, domain, mechanism.domainSpec) : withoutTrailingDot(domain);
  switch (mechanism.kind) {
    case 'a': return matchA(run.ldns, run.ip, target, mechanism);
    case 'mx': return matchMx(run.ldns, run.ip, target, mechanism);
    case 'ptr': return matchPtr(run.ldns, run.ip, target);
    case 'exists': return matchExists(run.ldns, target);
    case 'include': return include(run, mechanism.text, target);
  }
}

/** RFC 7208 5.2: only a `pass` of the target matches; none and permerror become permerror, temperror stays. */
async function include(run: Run, term: string, target: string): Promise<TermOutcome> {
  const inner = await checkHost(run, target, true);
  switch (inner.result) {
    case 'pass': return { kind: 'match', path: inner.path };
    case 'fail': case 'softfail': case 'neutral': return { kind: 'no-match' };
    case 'temperror': case 'permerror':
      return { kind: 'error', result: inner.result, problem: inner.problem ?? inner.result, path: inner.path };
    case 'none': {
      const problem = `${term}: ${inner.problem ?? 'no SPF record'} (RFC 7208 5.2: permerror)`;
      return { kind: 'error', result: 'permerror', problem, path: inner.path };
    }
  }
}

async function valuesFor(run: Run, domain: string, macro: MacroString) {
  const validatedName = usesMacro(macro, 'p') ? pickValidatedName(await validatedForMacro(run), domain) : 'unknown';
  return macroValues({ sender: run.sender, domain, ip: run.ip, helo: run.helo, validatedName, receiver: run.receiver, now: run.now });
}

/**
 * The `p` macro's PTR work, once per evaluation. RFC 7208 4.6.4 does not count it as a term of its own, and its
 * void answers are not counted: the PTR data belongs to whoever controls the client's address.
 */
function validatedForMacro(run: Run): Promise<readonly string[]> {
  run.validated ??= validatedNames(run.ldns, run.ip, false).then((v) => (v.ok ? v.names : []));
  return run.validated;
}

async function expandTarget(run: Run, domain: string, spec: MacroString): Promise<string> {
  return expandDomainSpec(spec, await valuesFor(run, domain, spec));
}

/**
 * RFC 7208 6.2: fetch and expand the explanation. Any problem (a name that cannot be queried, a DNS error, not
 * exactly one TXT record, a syntax error or non-ASCII text) means "proceed as if no exp modifier was given".
 * The lookup counts toward no limit (4.6.4): it happens after the result is known.
 */
async function explain(run: Run, spec: MacroString, domain: string): Promise<string | null> {
  const name = await expandTarget(run, domain, spec);
  if (queryNameProblem(name)) return null;
  const lookup = await run.ldns.query(name, 'TXT', false);
  if (!lookup.ok || lookup.answer.records.length !== 1) return null;
  const text = parseMacroString(lookup.answer.records[0]!, 'explain-string');
  if (!text.ok) return null;
  return expandMacroString(text.value, await valuesFor(run, domain, text.value));
}
