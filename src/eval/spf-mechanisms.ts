/**
 * How each RFC 7208 section 5 mechanism matches once its target name is known. DNS goes through the evaluation's
 * {@link LimitedDns}; the caller has already charged the term against the lookup limit.
 */
import { parseMxRecords } from '../parse/mx.ts';
import { isSameOrSubdomain, queryNameProblem, withoutTrailingDot } from '../parse/spf/domain.ts';
import { inPrefix, parseIp4, parseIp6, reverseName } from '../parse/spf/ip.ts';
import type { ClientIp } from '../parse/spf/ip.ts';
import type { SpfMechanism } from '../parse/spf/record.ts';
import type { LimitedDns } from './spf-dns.ts';

/** A mechanism's outcome: it matched, it did not, or it ended check_host() with an error (RFC 7208 4.6.2). */
export type MechanismMatch =
  | { readonly kind: 'match' }
  | { readonly kind: 'no-match' }
  | { readonly kind: 'error'; readonly result: 'permerror' | 'temperror'; readonly problem: string };

/** RFC 7208 4.6.4: at most 10 MX names per `mx` (more is a permerror) and 10 PTR names per `ptr` (the rest ignored). */
const MAX_MX_NAMES = 10;
const MAX_PTR_NAMES = 10;

const MATCH: MechanismMatch = { kind: 'match' };
const NO_MATCH: MechanismMatch = { kind: 'no-match' };

/** RFC 7208 5.6: `ip4`/`ip6` compare the client against the network; an IPv4 client never meets `ip6` (RFC 7208 5). */
export function matchNetwork(ip: ClientIp, mechanism: SpfMechanism): MechanismMatch {
  const family = mechanism.kind === 'ip4' ? 4 : 6;
  if (ip.family !== family || !mechanism.network) return NO_MATCH;
  return inPrefix(ip.bytes, mechanism.network, family === 4 ? mechanism.cidr4 : mechanism.cidr6) ? MATCH : NO_MATCH;
}

/**
 * RFC 7208 5.3: the client matches one of the target's addresses of its own family, within the CIDR length.
 * A target name that cannot be queried (empty or over-long label, perhaps from macro expansion) is treated as
 * non-existent, by analogy with RFC 7208 4.3; the RFC leaves this case undefined.
 */
export async function matchA(ldns: LimitedDns, ip: ClientIp, target: string, mechanism: SpfMechanism): Promise<MechanismMatch> {
  if (queryNameProblem(target)) return NO_MATCH;
  const lookup = await ldns.query(target, ip.family === 4 ? 'A' : 'AAAA', true);
  if (!lookup.ok) return { kind: 'error', result: lookup.result, problem: lookup.problem };
  return anyInPrefix(ip, lookup.answer.records, mechanism) ? MATCH : NO_MATCH;
}

/**
 * RFC 7208 5.4: the client matches an address of one of the target's MX hosts. More than 10 MX records is a
 * permerror (4.6.4). A null MX (RFC 7505) names no host. No MX records means no match: there is no implicit MX.
 */
export async function matchMx(ldns: LimitedDns, ip: ClientIp, target: string, mechanism: SpfMechanism): Promise<MechanismMatch> {
  if (queryNameProblem(target)) return NO_MATCH;
  const lookup = await ldns.query(target, 'MX', true);
  if (!lookup.ok) return { kind: 'error', result: lookup.result, problem: lookup.problem };
  const { records } = parseMxRecords(lookup.answer.records);
  if (records.length > MAX_MX_NAMES) {
    const problem = `${target} has ${records.length} MX records; "mx" allows at most ${MAX_MX_NAMES} (RFC 7208 4.6.4)`;
    return { kind: 'error', result: 'permerror', problem };
  }
  for (const { exchange } of records) {
    if (exchange === '.' || queryNameProblem(exchange)) continue;
    const addresses = await ldns.query(exchange, ip.family === 4 ? 'A' : 'AAAA', false);
    if (!addresses.ok) return { kind: 'error', result: addresses.result, problem: addresses.problem };
    if (anyInPrefix(ip, addresses.answer.records, mechanism)) return MATCH;
  }
  return NO_MATCH;
}

/** RFC 7208 5.7: an A lookup (even for an IPv6 client) that returns any record matches. */
export async function matchExists(ldns: LimitedDns, target: string): Promise<MechanismMatch> {
  if (queryNameProblem(target)) return NO_MATCH;
  const lookup = await ldns.query(target, 'A', true);
  if (!lookup.ok) return { kind: 'error', result: lookup.result, problem: lookup.problem };
  return lookup.answer.result === 'records' ? MATCH : NO_MATCH;
}

/** RFC 7208 5.5: a validated PTR name equal to or under the target matches. */
export async function matchPtr(ldns: LimitedDns, ip: ClientIp, target: string): Promise<MechanismMatch> {
  if (queryNameProblem(target)) return NO_MATCH;
  const names = await validatedNames(ldns, ip, true, (name) => isSameOrSubdomain(name, target));
  if (!names.ok) return { kind: 'error', result: names.result, problem: names.problem };
  return names.names.length > 0 ? MATCH : NO_MATCH;
}

/** Validated host names of the client, or the error that ends check_host(). */
export type ValidatedNames =
  | { readonly ok: true; readonly names: readonly string[] }
  | { readonly ok: false; readonly result: 'permerror' | 'temperror'; readonly problem: string };

/**
 * RFC 7208 5.5 "validated domain names": PTR names (the first 10 only, 4.6.4) whose own A/AAAA records include the
 * client. A DNS error on the PTR lookup means no names and one on a name's address lookup skips that name
 * (RFC 7208 5.5), so only the void limit can end the evaluation here. `candidate` filters before any address
 * lookup, which saves queries for the `ptr` mechanism.
 */
export async function validatedNames(
  ldns: LimitedDns, ip: ClientIp, countVoid: boolean, candidate: (name: string) => boolean = () => true,
): Promise<ValidatedNames> {
  const ptr = await ldns.query(reverseName(ip), 'PTR', countVoid);
  if (!ptr.ok) return ptr.result === 'permerror' ? ptr : { ok: true, names: [] };
  const names: string[] = [];
  for (const raw of ptr.answer.records.slice(0, MAX_PTR_NAMES)) {
    const name = withoutTrailingDot(raw);
    if (!candidate(name) || queryNameProblem(name)) continue;
    const addresses = await ldns.query(name, ip.family === 4 ? 'A' : 'AAAA', false);
    if (addresses.ok && addresses.answer.records.some((a) => sameAddress(ip, a))) names.push(name);
  }
  return { ok: true, names };
}

/**
 * The `p` macro's value (RFC 7208 7.3): a validated name equal to <domain> first, then one under it, then any;
 * `unknown` when none validates.
 */
export function pickValidatedName(names: readonly string[], domain: string): string {
  const exact = names.find((n) => withoutTrailingDot(n).toLowerCase() === withoutTrailingDot(domain).toLowerCase());
  return exact ?? names.find((n) => isSameOrSubdomain(n, domain)) ?? names[0] ?? 'unknown';
}

function anyInPrefix(ip: ClientIp, records: readonly string[], mechanism: SpfMechanism): boolean {
  const prefix = ip.family === 4 ? mechanism.cidr4 : mechanism.cidr6;
  return records.some((text) => {
    const bytes = ip.family === 4 ? parseIp4(text) : parseIp6(text);
    return bytes !== null && inPrefix(ip.bytes, bytes, prefix);
  });
}

function sameAddress(ip: ClientIp, text: string): boolean {
  const bytes = ip.family === 4 ? parseIp4(text) : parseIp6(text);
  return bytes !== null && inPrefix(ip.bytes, bytes, ip.bytes.length * 8);
}
