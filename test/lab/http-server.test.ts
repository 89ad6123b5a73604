import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createCa, issueLeaf } from '../../src/lab/pki.ts';
import { startHttpServer } from '../../src/lab/http-server.ts';
import type { HttpServerOptions, LabHttpServer } from '../../src/lab/http-server.ts';
import { HOSTILE_PATHS, startHostileHttpServer } from '../../src/lab/hostile-http.ts';
import { cleanupAfterEach } from '../support/cleanup.ts';

const { defer } = cleanupAfterEach();

async function serve(options: HttpServerOptions): Promise<LabHttpServer> {
  const server = await startHttpServer(options);
  defer(() => server.close());
  return server;
}

async function hostile(sizes?: { headerBytes?: number; bodyBytes?: number; cookies?: number }): Promise<LabHttpServer> {
  const server = await startHostileHttpServer(sizes ? { sizes } : {});
  defer(() => server.close());
  return server;
}

type Reply = { status: number; rawHeaders: string[]; body: string };

/** A plain node:http GET (16 KiB header limit unless raised), body read in full. */
function get(server: LabHttpServer, path: string, options: https.RequestOptions = {}): Promise<Reply> {
  const client = server.scheme === 'https' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get({ host: '127.0.0.1', port: server.port, path, rejectUnauthorized: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Raw bytes of the response to one request, up to `limit` or until the server closes. */
function rawResponse(server: LabHttpServer, path: string, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nhost: lab\r\nconnection: close\r\n\r\n`));
    const chunks: Buffer[] = [];
    let size = 0;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) socket.destroy();
    });
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

describe('startHttpServer', () => {
  it('serves route specs with repeated headers, handlers, prefix routes and a 404 fallback', async () => {
    const server = await serve({
      routes: {
        '/': { status: 200, headers: { 'set-cookie': ['a=1', 'b=2'], 'x-one': 'yes' }, body: 'home' },
        '/hello': (req, res) => res.end(`hello ${req.url}`),
        '/files/*': { status: 200, body: 'any file' },
        '/files/special': { status: 418 },
      },
    });
    const home = await get(server, '/?q=1');
    expect(home).toMatchObject({ status: 200, body: 'home' });
    expect(home.rawHeaders.filter((_, i, all) => all[i - 1]?.toLowerCase() === 'set-cookie')).toEqual(['a=1', 'b=2']);
    expect((await get(server, '/hello?x')).body).toBe('hello /hello?x');
    expect((await get(server, '/files/a/b')).body).toBe('any file');
    expect((await get(server, '/files/special')).status).toBe(418);
    expect((await get(server, '/nothing')).status).toBe(404);
  });

  it('uses the given fallback', async () => {
    const server = await serve({ fallback: { status: 200, body: 'anything' } });
    expect(await get(server, '/x')).toMatchObject({ status: 200, body: 'anything' });
  });

  it('serves HTTPS with the given certificate', async () => {
    const leaf = issueLeaf(createCa({ name: 'Lab server test CA' }), { hosts: ['localhost'] });
    const server = await serve({ tls: { key: leaf.keyPem, cert: leaf.chainPem }, routes: { '/': { status: 204 } } });
    expect(server.scheme).toBe('https');
    expect((await get(server, '/', { servername: 'localhost' })).status).toBe(204);
  });

  it('counts TCP connections and requests separately', async () => {
    const server = await serve({ routes: { '/': { status: 200, body: 'ok' } } });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    defer(() => agent.destroy());
    await get(server, '/', { agent });
    await get(server, '/', { agent });
    await get(server, '/'); // default agent: a connection of its own
    expect(server.requests()).toBe(3);
    expect(server.connections()).toBe(2);
  });

  it('closes promptly while a keep-alive connection is idle and a response is stalled', async () => {
    const server = await startHttpServer({ routes: { '/': { status: 200 }, '/stall': (_req, res) => res.write('x') } });
    const agent = new http.Agent({ keepAlive: true });
    defer(() => agent.destroy());
    await get(server, '/', { agent });
    const stalled = get(server, '/stall').catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await server.close(); // would wait for the keep-alive timeout (5 s) and forever for /stall without destroying
    expect(await stalled).toBeInstanceOf(Error);
  });
  it('serves the same port on more loopback addresses, with one set of counters', async () => {
    const server = await serve({ routes: { '/': { status: 204 } }, host: '127.88.0.1', alsoListenOn: ['127.88.0.2', '127.88.0.3'] });
    for (const host of ['127.88.0.1', '127.88.0.2', '127.88.0.3']) expect((await get(server, '/', { host, agent: false })).status).toBe(204);
    expect([server.connections(), server.requests()]).toEqual([3, 3]);
    await expect(get(server, '/', { host: '127.88.0.4', agent: false })).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('hostile server', () => {
  it('redirects every loop path to the next one', async () => {
    const server = await hostile();
    const first = await get(server, HOSTILE_PATHS.redirectLoop);
    expect(first.status).toBe(302);
    expect(first.rawHeaders).toContain('/loop/1');
    expect((await get(server, '/loop/41')).rawHeaders).toContain('/loop/42');
  });

  it('sends 10,000 separate Set-Cookie headers', async () => {
    const server = await hostile();
    // Raw bytes: node:http's client would stop counting at its maxHeadersCount (2,000 lines).
    const head = (await rawResponse(server, HOSTILE_PATHS.manyCookies, Number.POSITIVE_INFINITY)).toString('latin1');
    expect(head.split('\r\n\r\n')[0]?.match(/\r\nset-cookie: c\d+=v\d+; Path=\//gi)).toHaveLength(10_000);
  });

  it('sends a header block that does not end within 1 MiB', async () => {
    const server = await hostile();
    const bytes = await rawResponse(server, HOSTILE_PATHS.hugeHeaders, 1024 * 1024);
    expect(bytes.length).toBeGreaterThanOrEqual(1024 * 1024);
    expect(bytes.subarray(0, 17).toString()).toBe('HTTP/1.1 200 OK\r\n');
    expect(bytes.includes('\r\n\r\n')).toBe(false);
  });

  it('ends the header block when it is small enough to finish', async () => {
    const server = await hostile({ headerBytes: 1 });
    const bytes = await rawResponse(server, HOSTILE_PATHS.hugeHeaders, Number.POSITIVE_INFINITY);
    expect(bytes.toString('latin1').endsWith('content-length: 0\r\n\r\n')).toBe(true);
  });

  it('announces a 50 MiB body and streams it', async () => {
    const server = await hostile();
    const head = await rawResponse(server, HOSTILE_PATHS.hugeBody, 256 * 1024);
    expect(head.toString('latin1')).toMatch(/content-length: 52428800\r\n/i);
    expect(head.length).toBeGreaterThanOrEqual(256 * 1024);
  });

  it('streams the whole body when it is small', async () => {
    const server = await hostile({ bodyBytes: 100_000 });
    expect((await get(server, HOSTILE_PATHS.hugeBody)).body).toHaveLength(100_000);
  });

  it('sends headers and part of the body, then stalls', async () => {
    const server = await hostile();
    const bytes = await new Promise<Buffer>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => socket.write('GET /stall HTTP/1.1\r\nhost: lab\r\n\r\n'));
      let seen = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => (seen = Buffer.concat([seen, chunk])));
      setTimeout(() => { socket.destroy(); resolve(seen); }, 200);
    });
    const text = bytes.toString('latin1');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/content-length: 1024\r\n/i);
    expect(text.endsWith('partial')).toBe(true);
  });
});
