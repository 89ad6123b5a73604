import { parseMxRecords } from '../parse/mx.ts';
import type { Target } from '../core/types.ts';
import type { Probes } from '../probes/types.ts';
import { zoneNameServers } from './zone.ts';

/** An address the domain depends on and why: `web <host>`, `ns <host>`, `mx <host>`. */
export type RoleAddress = { readonly address: string; readonly roles: readonly string[] };

/** The A and AAAA records of `host` (no connectTo: these are the addresses the world routes to). */
export async function addressesOf(probes: Pick<Probes, 'dns'>, host: string): Promise<string[]> {
  const answers = await Promise.all([probes.dns(host, 'A'), probes.dns(host, 'AAAA')]);
  return answers.flatMap((a) => [...a.records]);
}

/**
 * Every address the domain depends on (internet.nl's RPKI test): the web host's (when web is scanned), every name
 * server's of its zone, every MX host's (when mail is scanned). Each address once, with all its roles.
 */
export async function dependedAddresses(probes: Pick<Probes, 'dns'>, target: Target): Promise<RoleAddress[]> {
  const hosts: { host: string; role: string }[] = [];
  if (target.web) hosts.push({ host: target.domain, role: 'web' });
  const { nameServers } = await zoneNameServers(probes, target.domain);
  hosts.push(...nameServers.map((host) => ({ host, role: 'ns' })));
  if (target.mail) {
    const mx = await probes.dns(target.domain, 'MX');
    for (const r of parseMxRecords(mx.records).records) if (r.exchange !== '.') hosts.push({ host: r.exchange, role: 'mx' });
  }
  const roles = new Map<string, string[]>();
  for (const { host, role } of hosts) {
    for (const address of await addressesOf(probes, host)) {
      const list = roles.get(address) ?? [];
      if (!list.includes(`${role} ${host}`)) list.push(`${role} ${host}`);
      roles.set(address, list);
    }
  }
  return [...roles].map(([address, r]) => ({ address, roles: r }));
}
