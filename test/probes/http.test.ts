import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/core/types.ts';
import { ProbeError } from '../../src/core/errors.ts';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import type { LabCert } from '../../src/lab/pki.ts';
import { startHttpServer } from '../../src/lab/http-server.ts';
import type { HttpServerOptions, LabHttpServer } from '../../src/lab/http-server.ts';
import { HOSTILE_PATHS, startHostileHttpServer } from '../../src/lab/hostile-http.ts';
import {
  createHttpClients, defaultConnect,
  userAgentFor,
} from '../../src/probes/http.ts';
import { endpointLabel } from '../../src/core/endpoint-label.ts';
import { MAX_HEADER_BYTES_PER_NAME, MAX_HEADER_VALUE_CHARS, TRUNCATION_MARK } from '../../src/probes/types.ts';
import type { HttpClientOptions, HttpClients, HttpConnect } from '../../src/probes/http.ts';
import { cleanupAfterEach } from '../support/cleanup.ts';

const HOST = 'www.example.test';
let cert: LabCert;
const { defer } = cleanupAfterEach();

beforeAll(() => {
  cert = issueLeaf(createCa({ name: 'Vouch HTTP Test CA' }), { hosts: [HOST] });
});


async function serve(options: HttpServerOptions): Promise<LabHttpServer> {
  const server = await startHttpServer(options);
  defer(() => server.close());
  return server;
}

async function hostile(tls = false): Promise<LabHttpServer> {
  const server = await startHostileHttpServer(tls ? { tls: { key: cert.keyPem, cert: cert.chainPem } } : {});
  defer(() => server.close());
  return server;
}

function clients(overrides: Partial<HttpClientOptions> = {}): HttpClients {
  const http = createHttpClients({
    connect: defaultConnect, timeoutMs: 2_000, maxHeaderBytes: 64 * 1024, maxBodyBytes: 256 * 1024,
    userAgent: userAgentFor('0.0.0-test'), ...overrides,
  });
  defer(() => http.close());
  return http;
}

/** The endpoint as the world names it (HOST on the scheme's default port), dialled on the lab server's port. */
function endpointOf(server: LabHttpServer, port = server.scheme === 'https' ? 443 : 80, hostname = HOST): Endpoint {
  return { hostname, port, address: '127.0.0.1', dialPort: server.port };
}

const signal = () => new AbortController().signal;

/** Echoes what the server saw, so tests can assert the request Vouch sent. */
const echo: HttpServerOptions['routes'] = {
  '/echo': (req, res) => {
    const sni = 'servername' in req.socket ? req.socket.servername : null;
    const alpn = 'alpnProtocol' in req.socket ? req.socket.alpnProtocol : null;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, sni, alpn }));
  },
};

async function failure(promise: Promise<unknown>): Promise<ProbeError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProbeError);
  return err as ProbeError;
}

describe('requests', () => {
  it('GETs over http with the real Host header, our User-Agent and Accept, and no redirect following', async () => {
    const server = await serve({ routes: { ...echo, '/moved': { status: 301, headers: { location: '/echo' } } } });
    const http = clients();
    const ep = endpointOf(server);
    const hop = await http.request(ep, { url: `http://${HOST}/echo?q=1#fragment` }, signal());
    expect(hop).toMatchObject({
      url: `http://${HOST}/echo?q=1#fragment`, method: 'GET', endpoint: endpointLabel(ep), status: 200,
      bodyTruncated: false, bodyUtf8: true,
    });
    expect(hop.headers['content-type']).toEqual(['application/json']);
    const seen = JSON.parse(hop.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/echo?q=1');
    expect(seen.headers).toMatchObject({ host: HOST, 'user-agent': 'Vouch/0.0.0-test (+compliance scanner)', accept: '*/*' });
    expect(hop.bodyBytes).toBe(Buffer.byteLength(hop.body));

    const moved = await http.request(ep, { url: `http://${HOST}/moved` }, signal());
    expect(moved.status).toBe(301);
    expect(moved.headers['location']).toEqual(['/echo']);
  });

  it('names a non-default port in Host, adds request headers and never lets them replace Host', async () => {
    const server = await serve({ routes: echo });
    const ep = endpointOf(server, 8080);
    const hop = await clients().request(ep, {
      url: `http://${HOST}:8080/echo`, method: 'OPTIONS', headers: { Origin: 'https://evil.test', Host: 'other.test' },
    }, signal());
    const seen = JSON.parse(hop.body) as { method: string; headers: Record<string, string> };
    expect(seen.method).toBe('OPTIONS');
    expect(seen.headers).toMatchObject({ host: `${HOST}:8080`, origin: 'https://evil.test' });
    expect(hop.method).toBe('OPTIONS');
  });

  it('GETs over https with SNI set to the hostname and ALPN http/1.1 (defaultConnect)', async () => {
    const server = await serve({ tls: { key: cert.keyPem, cert: cert.chainPem }, routes: echo });
    const hop = await clients().request(endpointOf(server), { url: `https://${HOST}/echo` }, signal());
    expect(hop.status).toBe(200);
    expect(JSON.parse(hop.body)).toMatchObject({ sni: HOST, alpn: 'http/1.1', headers: { host: HOST } });
  });

  it('sends HEAD and reads no body', async () => {
    const server = await serve({ routes: { '/': { status: 200, body: 'hello' } } });
    const hop = await clients().request(endpointOf(server), { url: `http://${HOST}/`, method: 'HEAD' }, signal());
    expect(hop).toMatchObject({ status: 200, body: '', bodyBytes: 0, bodyTruncated: false });
  });

  it('rejects a URL that does not name the endpoint: a caller bug, not a probe fact', async () => {
    const server = await serve({});
    const err = await clients().request(endpointOf(server), { url: 'http://other.test/' }, signal()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ProbeError);
  });
});

describe('headers', () => {
  it('keeps every value of a repeated header, in order, under a lower-case name', async () => {
    const server = await serve({
      routes: { '/': { status: 200, headers: { 'X-Dup': ['one', 'two'], 'Set-Cookie': ['a=1', 'b=2', 'c=3'] } } },
    });
    const hop = await clients().request(endpointOf(server), { url: `http://${HOST}/` }, signal());
    expect(hop.headers['x-dup']).toEqual(['one', 'two']);
    expect(hop.headers['set-cookie']).toEqual(['a=1', 'b=2', 'c=3']);
  });

  it('marks a value cut at the cap', async () => {
    const long = 'x'.repeat(MAX_HEADER_VALUE_CHARS + 5_000);
    const server = await serve({ routes: { '/': { status: 200, headers: { 'x-long': long } } } });
    const hop = await clients({ maxHeaderBytes: 1024 * 1024 }).request(endpointOf(server), { url: `http://${HOST}/` }, signal());
    expect(hop.headers['x-long']).toEqual([long.slice(0, MAX_HEADER_VALUE_CHARS) + TRUNCATION_MARK]);
  });

  it('keeps every one of 10,000 Set-Cookie headers when the header cap lets them through (no count cap)', async () => {
    const server = await hostile();
    const http = clients({ maxHeaderBytes: 1024 * 1024 });
    const hop = await http.request(endpointOf(server), { url: `http://${HOST}${HOSTILE_PATHS.manyCookies}` }, signal());
    const cookies = hop.headers['set-cookie'] ?? [];
    expect(cookies).toHaveLength(10_000);
    expect(cookies[0]).toBe('c0=v0; Path=/');
    expect(cookies.at(-1)).toBe('c9999=v9999; Path=/');
    expect(hop).toMatchObject({ headersTruncated: false, droppedHeaderValues: {} });
  });

  it('keeps one header\'s values up to its byte budget and counts the values it drops, without crowding out others', async () => {
    // 12,000 cookies of ~120 bytes: about 1.4 MiB of Set-Cookie, over the 1 MiB kept per name, under a 4 MiB read cap.
    const server = await startHostileHttpServer({ sizes: { cookies: 12_000, cookieValueBytes: 100 } });
    defer(() => server.close());
    const http = clients({ maxHeaderBytes: 4 * 1024 * 1024 });
    const hop = await http.request(endpointOf(server), { url: `http://${HOST}${HOSTILE_PATHS.lastCookieInsecure}` }, signal());
    const kept = hop.headers['set-cookie'] ?? [];
    expect(kept.reduce((bytes, v) => bytes + v.length, 0)).toBeLessThanOrEqual(MAX_HEADER_BYTES_PER_NAME);
    expect(kept.length).toBeGreaterThan(5_000);
    expect(hop.headersTruncated).toBe(true);
    expect(hop.droppedHeaderValues).toEqual({ 'set-cookie': 12_000 - kept.length });
    expect(kept[0]).toMatch(/^c0=0+; Path=\/; Secure; SameSite=Lax$/);
    expect(hop.headers['content-type']).toEqual(['text/plain']);
  });

  it('fails 10,000 Set-Cookie headers as protocol under the default 64 KiB cap', async () => {
    const server = await hostile();
    const err = await failure(clients().request(endpointOf(server), { url: `http://${HOST}${HOSTILE_PATHS.manyCookies}` }, signal()));
    expect(err.reason).toBe('protocol');
  });

  it.each([false, true])('fails a 10 MB header block as protocol without reading it (tls: %s)', async (tls) => {
    const server = await hostile(tls);
    const scheme = tls ? 'https' : 'http';
    const err = await failure(clients().request(endpointOf(server), { url: `${scheme}://${HOST}${HOSTILE_PATHS.hugeHeaders}` }, signal()));
    expect(err.reason).toBe('protocol');
    expect(err.message).toContain('response headers exceed 65536 bytes');
  });
});

describe('bodies', () => {
  it('reads a 50 MB body only up to the cap and marks it truncated', async () => {
    const server = await hostile();
    const http = clients({ maxBodyBytes: 64 * 1024 });
    const hop = await http.request(endpointOf(server), { url: `http://${HOST}${HOSTILE_PATHS.hugeBody}` }, signal());
    expect(hop).toMatchObject({ status: 200, bodyBytes: 64 * 1024, bodyTruncated: true, bodyUtf8: true });
    expect(hop.body).toBe('a'.repeat(64 * 1024));
    // The client dropped the connection, so the next request needs (and gets) a fresh one.
    const next = await http.request(endpointOf(server), { url: `http://${HOST}/` }, signal());
    expect(next.body).toBe('ok');
  });

  it('reports a non-UTF-8 body with bodyUtf8 false and replacement characters', async () => {
    const server = await serve({ routes: { '/': (_req, res) => res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9])) } });
    const hop = await clients().request(endpointOf(server), { url: `http://${HOST}/` }, signal());
    expect(hop).toMatchObject({ body: 'caf\ufffd', bodyBytes: 4, bodyUtf8: false });
  });

  it('does not call a body invalid UTF-8 because the cap split a character', async () => {
    const server = await serve({ routes: { '/': { status: 200, body: 'aé and more' } } }); // é is 2 bytes
    const hop = await clients({ maxBodyBytes: 2 }).request(endpointOf(server), { url: `http://${HOST}/` }, signal());
    expect(hop).toMatchObject({ body: 'a', bodyBytes: 2, bodyTruncated: true, bodyUtf8: true });
  });
});

describe('connections', () => {
  it('reuses one keep-alive connection per endpoint, also for concurrent requests', async () => {
    const server = await serve({ routes: { '/': { status: 200, body: 'ok' } } });
    const http = clients();
    const ep = endpointOf(server);
    await http.request(ep, { url: `http://${HOST}/` }, signal());
    await http.request(ep, { url: `http://${HOST}/` }, signal());
    await Promise.all([1, 2, 3].map(() => http.request(ep, { url: `http://${HOST}/` }, signal())));
    expect(server.requests()).toBe(5);
    expect(server.connections()).toBe(1);
  });

  it('reuses the https connection, and keeps endpoints with another hostname on their own', async () => {
    const server = await serve({ tls: { key: cert.keyPem, cert: cert.chainPem }, routes: { '/': { status: 200 } } });
    const http = clients();
    await http.request(endpointOf(server), { url: `https://${HOST}/` }, signal());
    await http.request(endpointOf(server), { url: `https://${HOST}/` }, signal());
    await http.request(endpointOf(server, 443, 'example.test'), { url: 'https://example.test/' }, signal());
    expect(server.connections()).toBe(2);
  });

  it('asks the injected connect for sockets, once per connection', async () => {
    const server = await serve({ routes: { '/': { status: 200 } } });
    const calls: string[] = [];
    const connect: HttpConnect = (ep, scheme, s) => {
      calls.push(`${scheme} ${ep.hostname}`);
      return defaultConnect(ep, scheme, s);
    };
    const http = clients({ connect });
    await http.request(endpointOf(server), { url: `http://${HOST}/` }, signal());
    await http.request(endpointOf(server), { url: `http://${HOST}/` }, signal());
    expect(calls).toEqual([`http ${HOST}`]);
  });

  it('reports a closed port as refused', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const ep: Endpoint = { hostname: HOST, port: 80, address: '127.0.0.1', dialPort: port };
    const err = await failure(clients().request(ep, { url: `http://${HOST}/` }, signal()));
    expect(err.reason).toBe('refused');
  });

  it('times out a connect that never completes, even when the injected connect ignores its signal', async () => {
    const server = await serve({});
    const http = clients({ timeoutMs: 100, connect: () => new Promise(() => undefined) });
    const err = await failure(http.request(endpointOf(server), { url: `http://${HOST}/` }, signal()));
    expect(err.reason).toBe('timeout');
    expect(err.message).toContain('http connect not completed within 100 ms');
  });

  it('refuses requests after close', async () => {
    const server = await serve({ routes: { '/': { status: 200 } } });
    const http = clients();
    await http.request(endpointOf(server), { url: `http://${HOST}/` }, signal());
    await http.close();
    await expect(http.request(endpointOf(server), { url: `http://${HOST}/` }, signal())).rejects.toThrow('closed');
  });
});

describe('timeouts and cancellation', () => {
  it.each([HOSTILE_PATHS.stallAfterHeaders, HOSTILE_PATHS.stallBeforeHeaders])('times out on %s', async (path) => {
    const server = await hostile();
    const err = await failure(clients({ timeoutMs: 150 }).request(endpointOf(server), { url: `http://${HOST}${path}` }, signal()));
    expect(err.reason).toBe('timeout');
  });

  it('cancels a request when its signal aborts, keeping a ProbeError reason as given', async () => {
    const server = await hostile();
    const controller = new AbortController();
    const pending = clients().request(endpointOf(server), { url: `http://${HOST}${HOSTILE_PATHS.stallBeforeHeaders}` }, controller.signal);
    setTimeout(() => controller.abort(new ProbeError('timeout', 'check', 'budget spent')), 20);
    const err = await failure(pending);
    expect(err.message).toBe('check: budget spent');
  });

  it('reports a plain abort as a timeout', async () => {
    const server = await hostile();
    const controller = new AbortController();
    const pending = clients().request(endpointOf(server), { url: `http://${HOST}${HOSTILE_PATHS.stallAfterHeaders}` }, controller.signal);
    setTimeout(() => controller.abort(), 20);
    expect((await failure(pending)).reason).toBe('timeout');
  });
});
