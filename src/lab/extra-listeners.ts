import net from 'node:net';

/** `server.listen(port, host)` as a promise that rejects on the listen error (an address in use, one not configured). */
export function listenOn(server: net.Server, port: number, host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(server); });
  });
}

/**
 * One lab server on several loopback addresses (the bench's shared-hosting addresses): each extra address gets a
 * bare listener at the same port that hands its sockets to `server`, so counters, TLS and sessions stay one.
 * Closes everything it opened, and `server`, if one address cannot be listened on.
 */
export async function listenAlsoOn(server: net.Server, port: number, addresses: readonly string[]): Promise<net.Server[]> {
  const extra: net.Server[] = [];
  try {
    for (const address of addresses) extra.push(await listenOn(net.createServer((socket) => server.emit('connection', socket)), port, address));
  } catch (err) {
    for (const listener of [server, ...extra]) listener.close();
    throw err;
  }
  return extra;
}
