import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { GOOD_TLS } from '../src/lab/estate.ts';
import { GOOD_HEADERS } from '../src/demo/sites.ts';
import { startHttpServer, type LabHttpServer, type Route } from '../src/lab/http-server.ts';
import { startSmtpServer, type LabSmtpServer } from '../src/lab/smtp-server.ts';
import { createCa, issueLeaf } from '../src/lab/pki.ts';
import { createStapler } from '../src/lab/ocsp.ts';
import { startLatencyProxy } from './latency-proxy.ts';
import { addresses, ZONE, type Layout } from './layout.ts';
import type { DnsThreadData } from './dns-thread.ts';

/** What the servers saw, for "connections per domain" measured at the far end, where nothing can be left out. */
export type EstateCounters = {
  readonly httpsConnections: number; readonly httpsRequests: number;
  readonly httpConnections: number; readonly httpRequests: number;
  readonly smtpConnections: number; readonly smtpHandshakes: number;
  readonly dnsQueries: number;
  /** DNS questions by type and name shape (digits replaced by N; ` +cd` for DO+CD ones): which queries a scan sends per domain. */
  readonly dnsByShape: Readonly<Record<string, number>>;
};

export type BenchEstate = {
  readonly dns: string;
  /** Wildcard connect-to rules (`:443::port`): the estate's DNS gives the address, the rule only the port. */
  readonly connectTo: readonly string[];
  readonly caPem: string;
  /** The trust anchor of the estate's signed DNS (its lab root's DS), for the scan's `dnssec.trustAnchors`. */
  readonly anchorsText: string;
  counters(): Promise<EstateCounters>;
  close(): Promise<void>;
};

const PAGE = '<!doctype html><title>bench</title><p>bench</p>';
const SECURITY_TXT = `Contact: mailto:security@${ZONE}\nExpires: ${new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 19)}Z\n`;

/**
 * Starts the estate of `layout`: one DNS server (bench/bench-zone.ts, on a thread of its own), one HTTPS, one HTTP and one
 * SMTP server listening on every address of the layout, one certificate (`*.bench.test`) with one OCSP staple.
 * Every domain passes the web, DNS and mail checks except MTA-STS, which is not published (its policy host,
 * `mta-sts.<domain>`, would need a certificate per domain); its DNS is really signed, so Vouch's own DNSSEC
 * validation ends `secure` from the estate's trust anchor (`anchorsText`). `oneWayMs` puts a delaying relay in
 * front of each server and delays every DNS answer by a round trip.
 */
export async function startBenchEstate(layout: Layout, options: { oneWayMs?: number } = {}): Promise<BenchEstate> {
  const oneWayMs = options.oneWayMs ?? 0;
  const ca = createCa({ name: 'Vouch Bench CA' });
  const leaf = issueLeaf(ca, { hosts: [`*.${ZONE}`, ZONE] });
  const staple = createStapler(ca)(leaf.certPem, 'good');
  const spkiHash = (der: Buffer) => createHash('sha256').update(der).digest('hex');
  const spki = spkiHash(new X509Certificate(leaf.certPem).publicKey.export({ type: 'spki', format: 'der' }));
  // DANE rollover (RFC 7671 8.1): a TLSA record for the next key too, published before it serves.
  const nextSpki = spkiHash(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }));
  const dkimKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64');

  const { web, mx } = addresses(layout);
  const [firstWeb, ...moreWeb] = web;
  const [firstMx, ...moreMx] = mx;
  const routes: Record<string, Route> = {
    '/': { status: 200, headers: GOOD_HEADERS, body: PAGE },
    '/.well-known/security.txt': { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: SECURITY_TXT },
  };
  const tls = { key: leaf.keyPem, cert: leaf.chainPem, ...GOOD_TLS, staple: () => staple };
  const redirect: Route = (req, res) => {
    res.statusCode = 301;
    res.setHeader('location', `https://${(req.headers.host ?? '').replace(/:\d+$/, '')}${req.url ?? '/'}`);
    res.end();
  };
  // One port on every address: bound on the first address with port 0, then the same port on the others.
  const https = await onEveryAddress(() => startHttpServer({ tls, routes, host: firstWeb!, alsoListenOn: moreWeb }));
  const http = await onEveryAddress(() => startHttpServer({ fallback: redirect, host: firstWeb!, alsoListenOn: moreWeb }));
  const smtp = await onEveryAddress(() => startSmtpServer({
    key: leaf.keyPem, cert: leaf.chainPem, variant: 'good', name: `mx.${ZONE}`, host: firstMx!, alsoListenOn: moreMx,
    ciphers: GOOD_TLS.ciphers, honorCipherOrder: true, ecdhCurve: GOOD_TLS.ecdhCurve, sigalgs: GOOD_TLS.sigalgs,
    staple: () => staple, recordCommands: false,
  }));

  const dns = await startDnsThread({ layout, keys: { spki, nextSpki, dkimKey }, delayMs: 2 * oneWayMs });

  const servers: { close(): Promise<void> }[] = [dns, https, http, smtp];
  let ports = { https: https.port, http: http.port, smtp: smtp.port };
  if (oneWayMs > 0) {
    const relays = await Promise.all([
      startLatencyProxy(web, https.port, oneWayMs), startLatencyProxy(web, http.port, oneWayMs), startLatencyProxy(mx, smtp.port, oneWayMs),
    ]);
    servers.push(...relays);
    ports = { https: relays[0].port, http: relays[1].port, smtp: relays[2].port };
  }
  return {
    dns: `127.0.0.1:${dns.port}`,
    // Port 53: the zone's name servers (bench/bench-zone.ts) are the estate's DNS server, asked directly for the SOA.
    connectTo: [`:443::${ports.https}`, `:80::${ports.http}`, `:25::${ports.smtp}`, `:53::${dns.port}`],
    caPem: ca.certPem,
    anchorsText: dns.anchorsText,
    counters: async () => {
      const { queries, byShape } = await dns.counters();
      return {
        httpsConnections: https.connections(), httpsRequests: https.requests(),
        httpConnections: http.connections(), httpRequests: http.requests(),
        smtpConnections: smtp.connections(), smtpHandshakes: smtp.handshakes(),
        dnsQueries: queries, dnsByShape: byShape,
      };
    },
    close: async () => { await Promise.all(servers.map((s) => s.close())); },
  };
}

/** The DNS server on a thread of its own (bench/dns-thread.ts says why). */
async function startDnsThread(data: DnsThreadData) {
  const worker = new Worker(builtScript('./dns-thread.js'), { workerData: data });
  const [ready] = (await once(worker, 'message')) as [{ port: number; anchorsText: string }];
  return {
    port: ready.port,
    anchorsText: ready.anchorsText,
    counters: async (): Promise<{ queries: number; byShape: Record<string, number> }> => {
      worker.postMessage('counters');
      return ((await once(worker, 'message')) as [{ queries: number; byShape: Record<string, number> }])[0];
    },
    close: async () => { worker.postMessage('close'); await once(worker, 'exit'); },
  };
}

/**
 * A script next to this module when running the built code; when this module runs from its TypeScript source (the
 * test runner), the built copy, since a worker thread cannot load TypeScript (`npm test` builds first).
 */
function builtScript(relative: string): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL(relative, import.meta.url);
  const built = new URL(`../dist/bench/${relative.slice(2)}`, import.meta.url);
  if (!existsSync(fileURLToPath(built))) throw new Error('the bench estate\'s DNS thread needs the built code: run "npm run build"');
  return built;
}

/**
 * Starts a server that listens on one port on many addresses: the first address picks a free port, which
 * another process may hold on one of the others (EADDRINUSE), so try again with a new port a few times.
 */
async function onEveryAddress<T extends LabHttpServer | LabSmtpServer>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= 5 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
}
