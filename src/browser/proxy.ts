/**
 * The proxy every page's traffic goes through (issue 14): Chromium never resolves a name or opens a connection of its
 * own (`--host-resolver-rules=MAP * ~NOTFOUND`), so each request reaches here, where `route` decides where the host
 * goes (Vouch's resolver and `--connect-to`) and whether it may (the address allow-list). HTTP CONNECT for https:,
 * absolute-form requests for plain http:. One proxy per visit, so its record of hosts is that page's alone.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { VISIT_LIMITS, type ContactedHost } from './facts.ts';

/** Where a host's connection goes, or why it may not be made. */
export type ProxyRoute = { readonly address: string; readonly port: number } | { readonly refused: string };
/** `tunnel`: a CONNECT (TLS inside, which the browser verifies unless told the router does, see route.ts). */
export type Router = (host: string, port: number, tunnel: boolean) => Promise<ProxyRoute>;

export type VisitProxy = {
  /** `http://127.0.0.1:<port>`, for Chromium's `--proxy-server` or a browser context's `proxyServer`. */
  readonly url: string;
  /** The hosts asked for so far, in the order first asked, at most VISIT_LIMITS.hosts. */
  contacted(): ContactedHost[];
  close(): Promise<void>;
};

/** `host:port` of a CONNECT target or a URL, IPv6 without brackets; null when it is not one. */
export function splitAuthority(authority: string, defaultPort: number): { host: string; port: number } | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]/\s]+))(?::(\d{1,5}))?$/.exec(authority);
  if (!match) return null;
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (port < 1 || port > 65_535) return null;
  return { host: (match[1] ?? match[2]!).toLowerCase(), port };
}

export async function startVisitProxy(router: Router): Promise<VisitProxy> {
  const hosts = new Map<string, { host: string; port: number; address: string | null; refused: string | null; connections: number }>();
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => { sockets.add(socket); socket.once('close', () => sockets.delete(socket)); };

  const decide = async (host: string, port: number, tunnel: boolean): Promise<ProxyRoute> => {
    let route: ProxyRoute;
    try {
      route = await router(host, port, tunnel);
    } catch (err) {
      route = { refused: err instanceof Error ? err.message : String(err) };
    }
    const key = `${host}:${port}`;
    const entry = hosts.get(key);
    if (entry) entry.connections++;
    else if (hosts.size < VISIT_LIMITS.hosts) {
      hosts.set(key, { host, port, address: 'address' in route ? route.address : null, refused: 'refused' in route ? route.refused : null, connections: 1 });
    }
    return route;
  };

  const server = createServer((req, res) => void forwardPlain(req, res, decide, track));
  server.on('connection', track);
  server.on('connect', (req: IncomingMessage, client: net.Socket, head: Buffer) => {
    track(client);
    client.on('error', () => client.destroy());
    const target = splitAuthority(req.url ?? '', 443);
    if (!target) { client.end('HTTP/1.1 400 Bad Request\r\n\r\n'); return; }
    void decide(target.host, target.port, true).then((route) => {
      if ('refused' in route) { client.end('HTTP/1.1 403 Forbidden\r\n\r\n'); return; }
      const upstream = net.connect(route.port, route.address);
      track(upstream);
      upstream.once('connect', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => { client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'); client.destroy(); });
      client.on('close', () => upstream.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    contacted: () => [...hosts.values()].map((h) => ({ ...h })),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A plain-http request in absolute form (`GET http://host/path`), sent on to the routed address. */
async function forwardPlain(req: IncomingMessage, res: ServerResponse, decide: Router, track: (s: net.Socket) => void): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '');
  } catch {
    res.writeHead(400).end();
    return;
  }
  const target = url.protocol === 'http:' ? splitAuthority(url.host, 80) : null;
  if (!target) { res.writeHead(400).end(); return; }
  const route = await decide(target.host, target.port, false);
  if ('refused' in route) { res.writeHead(403).end(); return; }
  const headers = { ...req.headers };
  delete headers['proxy-connection'];
  const upstream = request({ host: route.address, port: route.port, method: req.method, path: `${url.pathname}${url.search}`, headers });
  upstream.on('socket', track);
  upstream.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
    answer.pipe(res);
  });
  upstream.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
  req.pipe(upstream);
}
