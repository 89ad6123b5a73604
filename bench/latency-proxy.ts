import net from 'node:net';

/**
 * A TCP relay that holds every chunk for `oneWayMs` in each direction, so each round trip through it costs
 * 2 x oneWayMs: a stand-in for the latency of real networks, which loopback does not have.
 */
export async function startLatencyProxy(target: { host: string; port: number }, oneWayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const relay = (from: net.Socket, to: net.Socket) => {
    from.on('data', (chunk) => setTimeout(() => { if (!to.destroyed) to.write(chunk); }, oneWayMs));
    from.on('end', () => setTimeout(() => to.end(), oneWayMs));
    from.on('error', () => to.destroy());
    from.on('close', () => setTimeout(() => to.destroy(), oneWayMs));
  };
  const server = net.createServer((client) => {
    const upstream = net.connect({ ...target, noDelay: true });
    client.setNoDelay(true);
    for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); }
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); for (const s of sockets) s.destroy(); }),
  };
}
