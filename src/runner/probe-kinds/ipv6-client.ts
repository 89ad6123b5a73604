import dgram from 'node:dgram';
import { probeKind } from './kind.ts';

/** Whether this scanner can reach an IPv6 destination at all: asked once per run per destination address. */
export type Ipv6ClientFacts = {
  readonly address: string;
  readonly usable: boolean;
  /** Why not, in words an operator can act on; null when usable. */
  readonly cause: string | null;
};

/** Runs whose missing IPv6 has been logged: the operator reads it once per scan, not once per address. */
const announced = new WeakSet<AbortSignal>();

/**
 * Whether IPv6 reachability of `address` can be tested from here: the configuration must scan IPv6 (`ipFamilies`),
 * and the kernel must have a route to the address. The route is found by connect() on a UDP socket, which sends
 * nothing (only the route lookup happens): ENETUNREACH or EADDRNOTAVAIL means this host has no IPv6 path there,
 * a limitation of the scanner, never a finding about the target.
 */
export const ipv6Client = probeKind({
  name: 'ipv6Client',
  lifetime: 'run',
  key: (address: string) => `ipv6-client:${address.toLowerCase()}`,
  async load(ctx, address): Promise<Ipv6ClientFacts> {
    const cause = ctx.config.probe.ipFamilies.includes(6)
      ? await routeProblem(address)
      : 'the configuration scans IPv4 only (ipFamilies excludes 6)';
    if (cause !== null && !announced.has(ctx.runSignal)) {
      announced.add(ctx.runSignal);
      ctx.log.warn({ cause }, 'IPv6 reachability cannot be tested from this host: those results are "error" (client-limitation), not failures');
    }
    return { address, usable: cause === null, cause };
  },
});

/** Null when the kernel has a route to `address`, else what connect() said. */
function routeProblem(address: string): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp6');
    const finish = (problem: string | null) => { socket.close(); resolve(problem); };
    socket.on('error', (err: NodeJS.ErrnoException) => finish(`no IPv6 route to ${address} (${err.code ?? err.message})`));
    socket.connect(9, address, () => finish(null));
  });
}
