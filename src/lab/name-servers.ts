import { startDnsServer, type DnsServer, type Zone } from './dns-server.ts';

/** Authoritative servers for tests: one lab DNS server per name server, each on 127.0.0.1 and ::1 at one port. */
export type LabNameServers = {
  /** `connectTo` rules `<ns>:53::<port>`: each name server's own addresses (from the estate's DNS), its lab port. */
  readonly connectTo: readonly string[];
  /** The same as `host:53` -> port, the shape test/support/lab-scan.ts's `servers` takes. */
  readonly ports: Readonly<Record<string, { readonly port: number }>>;
  readonly servers: readonly DnsServer[];
  close(): Promise<void>;
};

/**
 * Starts one authoritative lab DNS server per entry of `zones` (name server name -> what it serves): the lab DNS
 * server sets AA on its answers, so `zones` decides what each says (SOA serials, `refused`, `silent`, `referral`).
 * Each listens on 127.0.0.1 and on ::1 at the same port, so a name server with A and AAAA records is asked over both
 * families; a scan reaches it through the `connectTo` rules, which keep the resolved address and change the port.
 */
export async function startNameServers(zones: Readonly<Record<string, Zone>>): Promise<LabNameServers> {
  const servers: DnsServer[] = [];
  const connectTo: string[] = [];
  const ports: Record<string, { port: number }> = {};
  try {
    for (const [name, zone] of Object.entries(zones)) {
      const { v4, v6 } = await bothFamilies(zone);
      servers.push(v4, v6);
      connectTo.push(`${name}:53::${v4.port}`);
      ports[`${name}:53`] = { port: v4.port };
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  return { connectTo, ports, servers, close: async () => { await Promise.all(servers.map((s) => s.close())); } };
}

/** A server on 127.0.0.1 and one on ::1 at the same port (a port free on one family may be taken on the other: retry). */
async function bothFamilies(zone: Zone): Promise<{ v4: DnsServer; v6: DnsServer }> {
  for (let attempt = 0; ; attempt++) {
    const v4 = await startDnsServer({ zone, host: '127.0.0.1' });
    try {
      return { v4, v6: await startDnsServer({ zone, host: '::1', port: v4.port }) };
    } catch (err) {
      await v4.close();
      if (attempt >= 10 || (err as { code?: string }).code !== 'EADDRINUSE') throw err;
    }
  }
}
