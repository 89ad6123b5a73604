import net from 'node:net';

/**
 * A TCP relay that holds every chunk for `oneWayMs` in each direction, so each round trip through it costs
 * 2 x oneWayMs: a stand-in for the latency of real networks, which loopback does not have. It listens on every
 * address of `hosts` at one port and relays each connection to the same address at `targetPort`, so a scanner that
 * limits connections per destination address sees the same addresses through the relay as without it.
 */
export async function startLatencyProxy(
  hosts: readonly string[], targetPort: number, oneWayMs: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const relay = (from: net.Socket, to: net.Socket) => {
    from.on('data', (chunk) => setTimeout(() => { if (!to.destroyed) to.write(chunk); }, oneWayMs));
    from.on('end', () => setTimeout(() => to.end(), oneWayMs));
    from.on('error', () => to.destroy());
    from.on('close', () => setTimeout(() => to.destroy(), oneWayMs));
  };
  const onConnection = (client: net.Socket) => {
    const upstream = net.connect({ host: client.localAddress!, port: targetPort, noDelay: true });
    client.setNoDelay(true);
    for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); }
    relay(client, upstream);
    relay(upstream, client);
  };
  const listeners: net.Server[] = [];
  let port = 0;
  for (const host of hosts) {
    const server = net.createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(); });
    });
    port = (server.address() as net.AddressInfo).port;
    listeners.push(server);
  }
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      let open = listeners.length;
      for (const server of listeners) server.close(() => { if (--open === 0) resolve(); });
      for (const s of sockets) s.destroy();
      if (open === 0) resolve();
    }),
  };
}
