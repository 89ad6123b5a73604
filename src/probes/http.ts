import { setMaxListeners } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import type { Readable } from 'node:stream';
import type { Client } from 'undici';
import type { Endpoint } from '../core/types.ts';
import { endpointLabel } from '../core/endpoint-label.ts';
import { ProbeError, toProbeError } from '../core/errors.ts';
import { abortReason, deadline, untilAborted } from '../core/deadline.ts';
import { MAX_HEADER_BYTES_PER_NAME, MAX_HEADER_VALUE_CHARS, TRUNCATION_MARK, type HttpHop, type HttpRequest } from './types.ts';

/** URL schemes the HTTP client speaks (HTTP/1.1 only, in clear or over TLS). */
export type HttpScheme = 'http' | 'https';

/**
 * Opens the transport for one endpoint: a connected `net.Socket` for `http`, a TLS socket whose handshake has
 * completed for `https`. Injected so HTTPS can reuse the handshake the certificate checks already made. The socket
 * must not have negotiated ALPN `h2`: undici would then speak HTTP/2 on it.
 */
export type HttpConnect = (endpoint: Endpoint, scheme: HttpScheme, signal: AbortSignal) => Promise<net.Socket | tls.TLSSocket>;

export type HttpClientOptions = {
  readonly connect: HttpConnect;
  /** Bound on waiting for the response headers, and on any gap between body chunks; and on connecting by default. */
  readonly timeoutMs: number;
  /**
   * Bound on getting a connection from `connect`, when that includes waiting (a per-host limit, a shared handshake);
   * the injected connect bounds its own network work.
   */
  readonly connectTimeoutMs?: number;
  /** Larger header blocks fail the request as `protocol` (the connection is dropped, nothing more is read). */
  readonly maxHeaderBytes: number;
  /** Bytes of body kept; the rest is not read (the connection is dropped) and the hop says `bodyTruncated`. */
  readonly maxBodyBytes: number;
  /** Sent on every request unless the request names its own; see `userAgentFor`. */
  readonly userAgent: string;
  /** How long an idle keep-alive connection stays open (default 2 s); the probe session shortens it (politeness). */
  readonly keepAliveMs?: number;
};

/** Run-wide HTTP client: one keep-alive connection per endpoint, closed together at the end of the run. */
export type HttpClients = {
  /** One request, redirects not followed. Rejects with a ProbeError when no response could be read. */
  request(endpoint: Endpoint, req: HttpRequest, signal: AbortSignal): Promise<HttpHop>;
  /** Drops every connection, including requests still in flight. Later requests reject. */
  close(): Promise<void>;
};


/** The User-Agent Vouch announces itself with, so operators can recognise (and allowlist) the scanner. */
export function userAgentFor(version: string): string {
  return `Vouch/${version} (+compliance scanner)`;
}

/**
 * Plain `net.connect` / `tls.connect` to `address:dialPort`, with SNI set to the hostname. Certificates are not
 * verified here: the TLS probe records trust as facts, and an HTTP check must still see the headers of a site
 * whose certificate is bad.
 */
export function defaultConnect(endpoint: Endpoint, scheme: HttpScheme, signal: AbortSignal): Promise<net.Socket | tls.TLSSocket> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  const target = { host: endpoint.address, port: endpoint.dialPort };
  const socket = scheme === 'https'
    ? tls.connect({
      ...target,
      // RFC 6066 3: SNI carries host names only; Node warns when given an IP literal.
      ...(net.isIP(endpoint.hostname) ? {} : { servername: endpoint.hostname }),
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    })
    : net.connect(target);
  socket.setNoDelay(true); // Nagle plus delayed ACK cost ~40 ms per request on loopback (performance guide)
  const ready = scheme === 'https' ? 'secureConnect' : 'connect';
  return new Promise((resolve, reject) => {
    const settle = (fn: () => void) => {
      socket.off(ready, onReady).off('error', onError);
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onReady = () => settle(() => resolve(socket));
    const onError = (err: Error) => settle(() => { socket.destroy(); reject(err); });
    const onAbort = () => onError(abortReason(signal));
    socket.once(ready, onReady).once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Creates the run's HTTP clients. Requests to one endpoint (scheme, hostname, port, address, dial port) share one
 * undici `Client`, hence one keep-alive connection, and queue behind each other on it.
 * @example
 * const http = createHttpClients({ connect: defaultConnect, timeoutMs: 5000, maxHeaderBytes: 65536,
 *   maxBodyBytes: 262144, userAgent: userAgentFor('1.0.0') });
 * const hop = await http.request(endpoint, { url: 'https://example.nl/' }, signal);
 * await http.close();
 */
export function createHttpClients(options: HttpClientOptions): HttpClients {
  const clients = new Map<string, Client>();
  // Requests in flight per client: a client idle past its keep-alive time is closed and forgotten, so a run over
  // 100,000 domains holds the clients of the domains in flight, not one per endpoint ever asked.
  const active = new Map<string, number>();
  const idleMs = (options.keepAliveMs ?? 2_000) + 1_000;
  const forgetWhenIdle = (key: string) => {
    setTimeout(() => {
      if ((active.get(key) ?? 0) > 0) return;
      const client = clients.get(key);
      clients.delete(key);
      active.delete(key);
      void client?.close().catch(() => undefined);
    }, idleMs).unref();
  };
  // undici is loaded on the first request: loading it costs ~0.1 s of CPU, which a run without HTTP checks
  // (`vouch scan --only tls.protocol-versions`) should not pay.
  let undici: Promise<typeof import('undici')> | undefined;
  // Aborts connection attempts still running when the run ends; connects are not tied to one request's signal
  // because every request queued on the client shares the connection being made.
  const closing = new AbortController();
  setMaxListeners(0, closing.signal); // one listener per connection being made: many at once by design

  const clientFor = async (endpoint: Endpoint, scheme: HttpScheme, label: string): Promise<Client> => {
    const key = clientKey(endpoint, scheme);
    let client = clients.get(key);
    if (!client) {
      const { Client } = await (undici ??= import('undici'));
      if (closing.signal.aborted) throw new Error('HTTP clients are closed');
      // Another request to the same endpoint may have made the client while this one waited for the module.
      const made = clients.get(key);
      if (made) return made;
      const host = net.isIPv6(endpoint.hostname) ? `[${endpoint.hostname}]` : endpoint.hostname;
      // The origin only names the Host header (`hostname[:port]`, the port dropped when default); the socket comes
      // from the connector, so undici's own DNS lookup and connect timeout never run.
      client = new Client(`${scheme}://${host}:${endpoint.port}`, {
        connect: (_opts, callback) => {
          connectWithin(options, endpoint, scheme, label, closing.signal).then(
            (socket) => callback(null, socket),
            (err: unknown) => callback(toProbeError(err, label), null),
          );
        },
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        maxHeaderSize: options.maxHeaderBytes,
        pipelining: 1,
        // A domain's requests come in one burst; an idle connection kept for the rest of the run only costs memory
        // on both ends, so it is closed after 2 s (a late request simply connects again).
        keepAliveTimeout: options.keepAliveMs ?? 2_000,
        keepAliveMaxTimeout: options.keepAliveMs ?? 2_000,
      });
      clients.set(key, client);
    }
    return client;
  };

  return {
    async request(endpoint, req, signal) {
      if (closing.signal.aborted) throw new Error('HTTP clients are closed');
      const url = new URL(req.url);
      const scheme = requireMatchingUrl(url, endpoint);
      const label = endpointLabel(endpoint);
      const method = req.method ?? 'GET';
      const headers: Record<string, string> = { 'user-agent': options.userAgent, accept: '*/*' };
      for (const [name, value] of Object.entries(req.headers ?? {})) {
        // Host always names the endpoint, or the hop would not be evidence about the host it claims to be.
        if (name.toLowerCase() !== 'host') headers[name.toLowerCase()] = value;
      }
      const key = clientKey(endpoint, scheme);
      active.set(key, (active.get(key) ?? 0) + 1);
      try {
        const res = await (await clientFor(endpoint, scheme, label)).request({
          path: `${url.pathname}${url.search}`, method, headers, signal, responseHeaders: 'raw',
          ...(req.body ? { body: Buffer.from(req.body) } : {}),
        });
        const observedAt = new Date().toISOString();
        // With responseHeaders 'raw' undici hands over the flat [name, value, ...] list (latin1), typed as a record.
        const raw = res.headers as unknown as readonly string[];
        const body = await readCapped(res.body, options.maxBodyBytes);
        return {
          url: url.href, method, endpoint: label, status: res.statusCode, ...collectHeaders(raw),
          ...decodeBody(body.bytes, body.truncated), bodyBytes: body.bytes.length, bodyTruncated: body.truncated,
          ...(req.keepBytes ? { bytes: body.bytes } : {}), observedAt,
        };
      } catch (err) {
        throw describeFailure(err, signal, label, options);
      } finally {
        const left = (active.get(key) ?? 1) - 1;
        active.set(key, left);
        if (left === 0) forgetWhenIdle(key);
      }
    },

    async close() {
      closing.abort(new ProbeError('timeout', 'http', 'the run ended'));
      const all = [...clients.values()];
      clients.clear();
      await Promise.all(all.map((client) => client.destroy().catch(() => undefined)));
    },
  };
}

/** One client per endpoint and scheme: requests to it share (keep-alive) connections. */
const clientKey = (endpoint: Endpoint, scheme: HttpScheme) =>
  [scheme, endpoint.hostname.toLowerCase(), endpoint.port, endpoint.address, endpoint.dialPort].join('|');

/** Runs the injected connect under `timeoutMs`, and drops a socket that arrives after the deadline or the run. */
async function connectWithin(
  options: HttpClientOptions, endpoint: Endpoint, scheme: HttpScheme, label: string, closing: AbortSignal,
): Promise<net.Socket | tls.TLSSocket> {
  const connectMs = options.connectTimeoutMs ?? options.timeoutMs;
  const limit = deadline(closing, connectMs, label);
  const attempt = options.connect(endpoint, scheme, limit.signal);
  try {
    // An injected connect may ignore the signal; the deadline must hold anyway.
    return await untilAborted(attempt, limit.signal);
  } catch (err) {
    // A socket that arrives after we gave up would otherwise stay open until the peer closes it.
    attempt.then((socket) => socket.destroy(), () => undefined);
    if (limit.signal.aborted && !closing.aborted) {
      // This bound covers waiting for a slot or a shared handshake too, so it is no evidence about the server: the
      // injected connect reports its own socket's refusal or timeout as the connect-stage fact.
      throw new ProbeError('timeout', label, `${scheme} connect not completed within ${connectMs} ms (including any wait for a connection slot)`,
        { cause: err, stage: 'exchange' });
    }
    throw err;
  } finally {
    limit.dispose();
  }
}

/** The scheme of `url`, after checking it names the endpoint: anything else is a caller bug, not a probe fact. */
function requireMatchingUrl(url: URL, endpoint: Endpoint): HttpScheme {
  const scheme = url.protocol === 'https:' ? 'https' : url.protocol === 'http:' ? 'http' : null;
  if (!scheme) throw new Error(`not an http(s) URL: ${url.href}`);
  const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host !== endpoint.hostname.toLowerCase() || port !== endpoint.port) {
    throw new Error(`URL ${url.href} does not name endpoint ${endpoint.hostname}:${endpoint.port}`);
  }
  return scheme;
}

type CollectedHeaders = Pick<HttpHop, 'headers' | 'headersTruncated' | 'droppedHeaderValues'>;

/**
 * Lower-case names, every value kept in order: each value up to `MAX_HEADER_VALUE_CHARS` (marked when cut), each
 * name's values up to `MAX_HEADER_BYTES_PER_NAME` bytes, later ones counted as dropped. Maps first, so `__proto__`
 * stays a header name. The raw list is latin1, so a string's length is its byte count.
 */
function collectHeaders(raw: readonly string[]): CollectedHeaders {
  const byName = new Map<string, { values: string[]; bytes: number; dropped: number }>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    let entry = byName.get(name);
    if (!entry) byName.set(name, (entry = { values: [], bytes: 0, dropped: 0 }));
    const value = raw[i + 1]!;
    const kept = value.length > MAX_HEADER_VALUE_CHARS ? value.slice(0, MAX_HEADER_VALUE_CHARS) + TRUNCATION_MARK : value;
    // Once a value does not fit, later ones are dropped too: what is kept stays the first part, in order.
    if (entry.dropped > 0 || entry.bytes + kept.length > MAX_HEADER_BYTES_PER_NAME) {
      entry.dropped++;
      continue;
    }
    entry.bytes += kept.length;
    entry.values.push(kept);
  }
  const dropped = [...byName].filter(([, e]) => e.dropped > 0).map(([name, e]) => [name, e.dropped] as const);
  return {
    headers: Object.fromEntries([...byName].map(([name, e]) => [name, e.values])),
    headersTruncated: dropped.length > 0,
    droppedHeaderValues: Object.fromEntries(dropped),
  };
}

/** Reads at most `max` bytes, then destroys the stream so the rest never crosses the socket into memory. */
async function readCapped(body: Readable, max: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const room = max - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        size += room;
        truncated = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } finally {
    if (!body.destroyed) body.destroy();
  }
  return { bytes: Buffer.concat(chunks, size), truncated };
}

/**
 * A fatal decode decides `bodyUtf8`; in streaming mode when truncated, so a character cut at the cap does not
 * count as invalid. The kept text has replacement characters where the bytes were not UTF-8.
 */
function decodeBody(bytes: Buffer, truncated: boolean): { body: string; bodyUtf8: boolean } {
  try {
    return { body: new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: truncated }), bodyUtf8: true };
  } catch {
    return { body: new TextDecoder('utf-8').decode(bytes, { stream: truncated }), bodyUtf8: false };
  }
}

/** Our vocabulary for a failed request, with messages an auditor can read instead of undici's class names. */
function describeFailure(err: unknown, signal: AbortSignal, label: string, options: HttpClientOptions): ProbeError {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof ProbeError ? reason : new ProbeError('timeout', label, 'request aborted', { cause: reason ?? err });
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'UND_ERR_HEADERS_OVERFLOW') {
    return new ProbeError('protocol', label, `response headers exceed ${options.maxHeaderBytes} bytes`, { cause: err });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new ProbeError('timeout', label, `no response headers within ${options.timeoutMs} ms`, { cause: err });
  }
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return new ProbeError('timeout', label, `response body stalled for ${options.timeoutMs} ms`, { cause: err });
  }
  return toProbeError(err, label);
}
