import { parentPort, workerData } from 'node:worker_threads';
import { startDnsServer } from '../src/lab/dns-server.ts';
import { labDnssec, type LabDnssec } from '../src/lab/dnssec/lab-mirror.ts';
import { benchZone, CD_SUFFIX, type ZoneKeys } from './bench-zone.ts';
import type { Layout } from './layout.ts';

/**
 * The bench estate's DNS server, on a thread of its own: on the estate's main thread, the servers' TLS handshakes
 * keep the event loop busy for long enough that a burst of questions (500 domains starting at once) overflows the
 * UDP receive buffer, and the lost answers then cost the scanner its retry timeouts. A real estate's resolver is
 * another machine. The zone is really signed (src/lab/dnssec/lab-mirror.ts, online: each RRset at its first DNSSEC
 * question), under keys made here. Posts `{ port, anchorsText }` once listening, then answers every message with
 * `{ queries, byShape }`.
 */
export type DnsThreadData = { readonly layout: Layout; readonly keys: ZoneKeys; readonly delayMs: number };

const { layout, keys, delayMs } = workerData as DnsThreadData;
const byShape = new Map<string, number>();
let queries = 0;
let shape = '';
const signed = labDnssec();
// The server shows every decoded question to onQuery, then to the signed copy: the shape is counted there, with the
// CD bit (RFC 4035 3.2.2) that tells the validator's questions from the checks' own.
const dnssec: LabDnssec = {
  ...signed,
  answer: (query, transport, zone) => {
    const tag = shape + (query.length > 3 && (query[3]! & 0x10) !== 0 ? CD_SUFFIX : '');
    byShape.set(tag, (byShape.get(tag) ?? 0) + 1);
    return signed.answer(query, transport, zone);
  },
};
const dns = await startDnsServer({
  ...benchZone(layout, keys),
  dnssec,
  onQuery: (name, type) => {
    queries++;
    shape = `${type} ${name.replace(/\d+/g, 'N')}`;
  },
  ...(delayMs > 0 ? { delayMs } : {}),
});
parentPort!.on('message', (message: string) => {
  if (message === 'close') void dns.close().then(() => parentPort!.close());
  else parentPort!.postMessage({ queries, byShape: Object.fromEntries(byShape) });
});
parentPort!.postMessage({ port: dns.port, anchorsText: signed.anchorsText });
