import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startLabRedis, type LabRedis } from '../../src/lab/redis-server.ts';
import { openRedis, parseQueueUrl } from '../../src/queue/redis-connection.ts';

/**
 * Two lab Redis servers for a describe block (started before it, closed after it with every client): `server`
 * without persistence, for speed (the lab's persistence syncs every write, some 3 ms each), and `persistent` for the
 * tests that restart Redis and must find their keys again. `connect` opens a connection of its own, as each worker
 * process would have, that rides out a Redis stopped on purpose (ioredis reconnects).
 */
export function useLabRedisPair(): { readonly server: LabRedis; readonly persistent: LabRedis; connect(url?: string): Redis } {
  let server: LabRedis | undefined, persistent: LabRedis | undefined;
  const clients: Redis[] = [];
  beforeAll(async () => { [server, persistent] = await Promise.all([startLabRedis({}), startLabRedis({ persistence: true })]); });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all([server?.close(), persistent?.close()]);
  });
  return {
    get server() { return server!; },
    get persistent() { return persistent!; },
    connect(url = server!.url) {
      const endpoint = parseQueueUrl(url);
      if (typeof endpoint === 'string') throw new Error(endpoint);
      const client = openRedis(endpoint, { blocking: false });
      client.on('error', () => {});
      clients.push(client);
      return client;
    },
  };
}
