import { createHash } from 'node:crypto';
import type { Endpoint, Json } from '../../core/types.ts';
import { TRUNCATION_MARK, type HttpHop, type HttpRequest } from '../../probes/types.ts';
import { probeKind } from './kind.ts';

const ARTIFACT_VALUE_CHARS = 1024;

/** The artifact of an HTTP hop: headers (each value capped at 1 KiB) and sizes, not the body; checks quote what they judged. */
function hopArtifact(hop: HttpHop): Json {
  const { body: _body, bytes: _bytes, headers, ...rest } = hop;
  const capped = Object.fromEntries(Object.entries(headers).map(([name, values]) =>
    [name, values.map((v) => (v.length > ARTIFACT_VALUE_CHARS ? `${v.slice(0, ARTIFACT_VALUE_CHARS)}${TRUNCATION_MARK}` : v))]));
  return { ...rest, headers: capped } as unknown as Json;
}

/**
 * One HTTP request, redirects not followed, on the endpoint's keep-alive connection. The key names the request and
 * the address it was sent to; `keepBytes` is not in it (only the OCSP responder asks for bytes, and not through here).
 */
export const http = probeKind({
  name: 'http',
  key: (ep: Endpoint, req: HttpRequest) =>
    `http:${req.method ?? 'GET'} ${req.url}${req.headers ? ` ${JSON.stringify(req.headers)}` : ''}${req.body ? ` body:${createHash('sha256').update(req.body).digest('hex')}` : ''} @${ep.address}:${ep.dialPort}`,
  // Connect (3x), headers and body are each bounded inside; this outer deadline is the safety net over them and
  // over waiting behind earlier requests on the same keep-alive connection.
  load: (ctx, ep, req): Promise<HttpHop> =>
    ctx.bounded(`http ${req.url}`, (signal) => ctx.http.request(ep, req, signal), ctx.config.probe.timeoutMs * 6),
  artifact: hopArtifact,
});
