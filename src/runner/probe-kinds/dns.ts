import type { DnsAnswer, DnsQueryOptions, DnsType } from '../../probes/types.ts';
import { probeKind } from './kind.ts';

/** One DNS question, asked through the configured resolvers (src/probes/dns.ts). */
export const dns = probeKind({
  name: 'dns',
  key: (name: string, type: DnsType, options?: DnsQueryOptions) =>
    `dns:${type}:${name.toLowerCase().replace(/\.$/, '')}${options?.checkingDisabled ? ':cd' : ''}`,
  load(ctx, name, type, options): Promise<DnsAnswer> {
    ctx.stats.dnsQueries++;
    // Follow-up queries for a CNAME chain the resolver returned only part of share this one deadline.
    return ctx.bounded(`dns ${type} ${name}`, (signal) => ctx.resolver.query(name, type, signal, options), ctx.dnsBudgetMs);
  },
});
