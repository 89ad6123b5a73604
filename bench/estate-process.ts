import { startEstate, type SiteSpec } from '../src/lab/estate.ts';
import { GOOD_HEADERS } from '../src/demo/sites.ts';
import { startLatencyProxy } from './latency-proxy.ts';

/**
 * The benchmark's simulated domains, in a process of their own so that the scanner's CPU time is measured alone.
 * argv: count, one-way latency in ms. Prints one JSON line with what the scanner needs, then serves until killed.
 */
const count = Number(process.argv[2] ?? 500);
const SECURITY_TXT = `Contact: mailto:security@bench.test\nExpires: ${new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 19)}Z\n`;
const oneWayMs = Number(process.argv[3] ?? 0);
const sites: SiteSpec[] = Array.from({ length: count }, (_, i) => ({
  domain: `site${i}.bench.test`,
  https: { routes: {
    '/': { status: 200, headers: GOOD_HEADERS, body: '<!doctype html><p>bench</p>' },
    '/.well-known/security.txt': { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: SECURITY_TXT },
  } },
  http: 'redirect',
  records: { ad: true },
}));
// A signed parent with CAA, so the DNS checks pass as they would for a well-run estate.
sites.push({ domain: 'bench.test', records: { ad: true, CAA: [{ flags: 0, tag: 'issue', value: 'ca.bench.test' }] } });
// `prepare`: contexts and staples are built before the scan, as a real server has them; only serving is measured.
const estate = await startEstate(sites, { caName: 'Vouch Bench CA', prepare: true, ...(oneWayMs > 0 ? { dnsDelayMs: oneWayMs * 2 } : {}) });
let connectTo = [...estate.connectTo];
if (oneWayMs > 0) {
  // Every port the scanner dials goes through a delaying relay; one relay per distinct server port.
  const ports = [...new Set(connectTo.map((rule) => rule.split('::')[1]))];
  const relays = new Map<string, number>();
  for (const port of ports) relays.set(port!, (await startLatencyProxy({ host: '127.0.0.1', port: Number(port) }, oneWayMs)).port);
  connectTo = connectTo.map((rule) => { const [head, port] = rule.split('::'); return `${head}::${relays.get(port!)}`; });
}
process.stdout.write(`${JSON.stringify({ dns: `127.0.0.1:${estate.dns.port}`, connectTo, caPem: estate.ca.certPem, domains: sites.slice(0, count).map((s) => s.domain) })}\n`);
process.on('SIGTERM', () => { void estate.close().then(() => process.exit(0)); });
