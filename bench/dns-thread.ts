import { parentPort, workerData } from 'node:worker_threads';
import { startDnsServer } from '../src/lab/dns-server.ts';
import { benchZone, type ZoneKeys } from './bench-zone.ts';
import type { Layout } from './layout.ts';

/**
 * The bench estate's DNS server, on a thread of its own: on the estate's main thread, the servers' TLS handshakes
 * keep the event loop busy for long enough that a burst of questions (500 domains starting at once) overflows the
 * UDP receive buffer, and the lost answers then cost the scanner its retry timeouts. A real estate's resolver is
 * another machine. Posts `{ port }` once listening, then answers every message with `{ queries, byShape }`.
 */
export type DnsThreadData = { readonly layout: Layout; readonly keys: ZoneKeys; readonly delayMs: number };

const { layout, keys, delayMs } = workerData as DnsThreadData;
const byShape = new Map<string, number>();
let queries = 0;
const dns = await startDnsServer({
  ...benchZone(layout, keys),
  onQuery: (name, type) => {
    queries++;
    const shape = `${type} ${name.replace(/\d+/g, 'N')}`;
    byShape.set(shape, (byShape.get(shape) ?? 0) + 1);
  },
  ...(delayMs > 0 ? { delayMs } : {}),
});
parentPort!.on('message', (message: string) => {
  if (message === 'close') void dns.close().then(() => parentPort!.close());
  else parentPort!.postMessage({ queries, byShape: Object.fromEntries(byShape) });
});
parentPort!.postMessage({ port: dns.port });
