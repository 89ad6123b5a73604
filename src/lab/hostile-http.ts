import type { Writable } from 'node:stream';
import { startHttpServer } from './http-server.ts';
import type { HttpServerOptions, LabHttpServer, RouteHandler } from './http-server.ts';

/** Where each hostile behaviour is served by `hostileRoutes` and `startHostileHttpServer`. */
export const HOSTILE_PATHS = {
  /** `200` whose header block never ends before `headerBytes` (10 MiB by default). */
  hugeHeaders: '/huge-headers',
  /** `200` with a `bodyBytes` body (50 MiB by default), streamed with backpressure. */
  hugeBody: '/huge-body',
  /** `200` with `cookies` (10,000 by default) separate Set-Cookie headers. */
  manyCookies: '/many-cookies',
  /**
   * `200` with `cookies` Set-Cookie headers, each `Secure; SameSite=Lax` except the last, which lacks Secure: only a
   * client that reads every one sees the finding. Values are padded to `cookieValueBytes`.
   */
  lastCookieInsecure: '/last-cookie-insecure',
  /** `302` to `/loop/1`, which redirects to `/loop/2`, and so on without end. */
  redirectLoop: '/loop/0',
  /** Headers (promising 1 KiB of body), a few bytes of body, then silence until the client gives up. */
  stallAfterHeaders: '/stall',
  /** Reads the request and never answers at all. */
  stallBeforeHeaders: '/silent',
} as const;

export type HostileSizes = {
  readonly headerBytes?: number;
  readonly bodyBytes?: number;
  readonly cookies?: number;
  /** Characters of each cookie's value on `lastCookieInsecure` (default: just its number). */
  readonly cookieValueBytes?: number;
};

const CHUNK_BYTES = 64 * 1024;

/**
 * Route handlers for the hostile behaviours, to mount on any lab server (the demo mixes them into its domains).
 * Nothing is buffered whole: big responses are written a 64 KiB chunk at a time and stop when the client leaves.
 */
export function hostileRoutes(sizes: HostileSizes = {}): Record<string, RouteHandler> {
  const headerBytes = sizes.headerBytes ?? 10 * 1024 * 1024;
  const bodyBytes = sizes.bodyBytes ?? 50 * 1024 * 1024;
  const cookies = sizes.cookies ?? 10_000;
  return {
    [HOSTILE_PATHS.hugeHeaders]: (req) => {
      // Written on the socket directly: Node's ServerResponse would buffer the whole header block first.
      const socket = req.socket;
      const lines = fillerHeaderLines();
      socket.write('HTTP/1.1 200 OK\r\n');
      // Whole chunks only, so the block stays well-formed header lines whatever size was asked for.
      void pump(socket, Math.ceil(headerBytes / lines.length) * lines.length, lines).then(() => {
        if (!socket.destroyed) socket.end('content-length: 0\r\n\r\n');
      });
    },
    [HOSTILE_PATHS.hugeBody]: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bodyBytes) });
      void pump(res, bodyBytes, Buffer.alloc(CHUNK_BYTES, 0x61)).then(() => {
        if (!res.destroyed) res.end();
      });
    },
    [HOSTILE_PATHS.manyCookies]: (_req, res) => {
      res.setHeader('set-cookie', Array.from({ length: cookies }, (_, i) => `c${i}=v${i}; Path=/`));
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    },
    [HOSTILE_PATHS.lastCookieInsecure]: (_req, res) => {
      const value = (i: number) => String(i).padStart(sizes.cookieValueBytes ?? 0, '0');
      res.setHeader('set-cookie', Array.from({ length: cookies }, (_, i) =>
        `c${i}=${value(i)}; Path=/${i === cookies - 1 ? '' : '; Secure'}; SameSite=Lax`));
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    },
    '/loop/*': (req, res) => {
      const n = Number((req.url ?? '').split('?')[0]?.slice('/loop/'.length)) || 0;
      res.writeHead(302, { location: `/loop/${n + 1}`, 'content-length': '0' });
      res.end();
    },
    [HOSTILE_PATHS.stallAfterHeaders]: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1024' });
      res.write('partial');
    },
    [HOSTILE_PATHS.stallBeforeHeaders]: () => undefined,
  };
}

/**
 * A lab server (HTTP, or HTTPS with `tls`) serving every hostile behaviour at `HOSTILE_PATHS`; other paths are
 * `200 ok`. Closing it destroys the stalled connections too.
 */
export function startHostileHttpServer(
  options: Omit<HttpServerOptions, 'routes' | 'fallback'> & { readonly sizes?: HostileSizes } = {},
): Promise<LabHttpServer> {
  const { sizes, ...server } = options;
  return startHttpServer({ ...server, routes: hostileRoutes(sizes), fallback: { status: 200, body: 'ok' } });
}

/** One 64 KiB chunk of complete `x-filler: aaa…` header lines, reused for every write. */
function fillerHeaderLines(): Buffer {
  const line = `x-filler: ${'a'.repeat(1000)}\r\n`;
  return Buffer.from(line.repeat(Math.floor(CHUNK_BYTES / line.length)), 'latin1');
}

/** Writes `total` bytes of `chunk` repeated, waiting for drain; stops early once the peer has gone. */
async function pump(out: Writable, total: number, chunk: Buffer): Promise<void> {
  let sent = 0;
  while (sent < total && !out.destroyed) {
    const piece = total - sent >= chunk.length ? chunk : chunk.subarray(0, total - sent);
    sent += piece.length;
    if (!out.write(piece)) await drainedOrClosed(out);
  }
}

function drainedOrClosed(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done).off('close', done);
      resolve();
    };
    out.once('drain', done).once('close', done);
  });
}
