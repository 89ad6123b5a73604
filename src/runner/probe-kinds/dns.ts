import type { DnsAnswer, DnsQueryOptions, DnsType } from '../../probes/types.ts';
import { parseMxRecords } from '../../parse/mx.ts';
import { probeKind } from './kind.ts';

/** One DNS question, asked through the configured resolvers (src/probes/dns.ts). */
export const dns = probeKind({
  name: 'dns',
  key: (name: string, type: DnsType, options?: DnsQueryOptions) =>
    `dns:${type}:${name.toLowerCase().replace(/\.$/, '')}${options?.checkingDisabled ? ':cd' : ''}`,
  // An MX host's TLSA records (DANE, RFC 7672) are asked by every domain that points at it: kept for the run.
  lifetime: (name: string, type: DnsType, _options?: DnsQueryOptions) => (type === 'TLSA' && name.toLowerCase().startsWith('_25._tcp.') ? 'run' : 'domain'),
  host: (name: string, _type: DnsType, _options?: DnsQueryOptions) => name,
  // An MX answer's exchanges (a null MX, ".", names none): one MX host serves many domains.
  sharedHostsIn: (answer: DnsAnswer) => (answer.type === 'MX' ? parseMxRecords(answer.records).records.map((r) => r.exchange).filter((host) => host !== '.') : []),
  load(ctx, name, type, options): Promise<DnsAnswer> {
    ctx.stats.dnsQueries++;
    // The resolver bounds the whole query (ctx.dnsBudgetMs, CNAME follow-ups included) from when it leaves the
    // resolver's line of questions in flight: a deadline set here would count the wait in line too.
    return ctx.resolver.query(name, type, ctx.runSignal, options);
  },
});
