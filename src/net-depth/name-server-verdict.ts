import type { ErrorReason, JsonObject } from '../core/types.ts';
import type { NameServerAddress, NameServerFacts } from '../probes/dns-authoritative.ts';

/**
 * How one address of a name server answered for its zone (pure, table-tested):
 * `serves`: authoritative SOA (AA set, NOERROR, the zone's SOA in the answer);
 * `lame`: it answered but not as an authority for the zone (REFUSED, no AA, another rcode, no SOA): RFC 1912 2.8;
 * `silent`: no answer (timeout, unreachable): lame too, unless no name server answered at all (then nothing is known);
 * `untested`: this scanner cannot reach the address's family (no IPv6 here): never held against the zone.
 */
export type AddressState = 'serves' | 'lame' | 'silent' | 'untested';

export type JudgedAddress = { readonly state: AddressState; readonly summary: string; readonly serial: number | null };

export function judgeAddress(row: NameServerAddress, zone: string, ipv6Untestable: boolean): JudgedAddress {
  if (row.error) {
    if (ipv6Untestable) return { state: 'untested', summary: `not tested: ${row.error.message}`, serial: null };
    return { state: 'silent', summary: `no answer (${row.error.reason}): ${row.error.message}`, serial: null };
  }
  const reply = row.reply;
  if (!reply) return { state: 'silent', summary: 'no answer', serial: null };
  if (reply.rcode !== 'NOERROR') return { state: 'lame', summary: `answers ${reply.rcode} for the SOA of ${zone}`, serial: null };
  if (!reply.authoritative) return { state: 'lame', summary: `answers for ${zone} without the AA bit: not an authority for the zone`, serial: null };
  if (reply.serial === null) return { state: 'lame', summary: `answers authoritatively but without the SOA of ${zone}`, serial: null };
  return { state: 'serves', summary: `authoritative, SOA serial ${reply.serial}`, serial: reply.serial };
}

/** The verdict on a zone's name servers, before it becomes an Outcome. */
export type NameServersVerdict = {
  readonly status: 'pass' | 'warn' | 'fail' | 'error';
  readonly summary: string;
  /** On `error`: why nothing could be asked. */
  readonly reason?: ErrorReason;
  readonly evidence: JsonObject;
};

/**
 * Judges the delegation: at least two name servers (RFC 1034 4.1, RFC 2182 5), each address of each answering
 * authoritatively (a lame one is a fail: resolvers that pick it get no answer), every serial the same (a warn: right
 * after an update the secondaries lag for seconds, so one differing sample does not prove a stale copy). When no
 * address answered at all the zone's servers could not be reached: `error`, not a finding.
 */
export function judgeNameServers(zone: string, facts: readonly NameServerFacts[], untestable: (address: string) => boolean): NameServersVerdict {
  const lame: string[] = [];
  let answered = 0;
  let silent = 0;
  let silence: ErrorReason = 'timeout';
  const serials = new Set<number>();
  const nameServers = facts.map((ns) => {
    const addresses = ns.addresses.map((row) => {
      const judged = judgeAddress(row, zone, untestable(row.address));
      if (judged.state === 'serves' || judged.state === 'lame') answered++;
      if (judged.state === 'silent') { silent++; silence = row.error?.reason ?? 'timeout'; }
      if (judged.serial !== null) serials.add(judged.serial);
      if (judged.state === 'lame' || judged.state === 'silent') lame.push(`${ns.nameServer} (${row.address}): ${judged.summary}`);
      return {
        address: row.address, ...(row.dialPort === undefined ? {} : { dialPort: row.dialPort }), state: judged.state, summary: judged.summary,
        rcode: row.reply?.rcode ?? null, authoritative: row.reply?.authoritative ?? null, serial: judged.serial,
      };
    });
    if (ns.resolutionError === null && ns.addresses.length === 0) lame.push(`${ns.nameServer}: has no A or AAAA record`);
    return { name: ns.nameServer, resolutionError: ns.resolutionError, addresses };
  });
  const evidence = { zone, nameServers, serials: [...serials].sort((a, b) => a - b) };
  const unresolved = facts.filter((ns) => ns.resolutionError !== null).map((ns) => ns.resolutionError as string);
  if (facts.length < 2) {
    return { status: 'fail', summary: `${zone} has ${facts.length === 0 ? 'no name servers' : `only one name server (${facts[0]?.nameServer})`}: RFC 2182 5 asks for at least two`, evidence };
  }
  if (answered === 0) {
    const why = unresolved.length > 0 ? unresolved.join('; ') : `none of the ${silent} address(es) answered`;
    return { status: 'error', reason: silent > 0 ? silence : 'dns-failure', summary: `No name server of ${zone} could be asked: ${why}`, evidence };
  }
  if (lame.length > 0) return { status: 'fail', summary: `Lame delegation of ${zone}: ${lame.join('; ')}`, evidence };
  if (unresolved.length > 0) return { status: 'error', reason: 'dns-failure', summary: `Not every name server of ${zone} could be resolved: ${unresolved.join('; ')}`, evidence };
  if (serials.size > 1) {
    return { status: 'warn', summary: `The name servers of ${zone} serve different SOA serials (${[...serials].join(', ')}): a secondary may not follow the primary`, evidence };
  }
  return { status: 'pass', summary: `${facts.length} name servers answer authoritatively for ${zone} with SOA serial ${[...serials][0]}`, evidence };
}
