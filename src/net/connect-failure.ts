import { ProbeError, toProbeError } from '../core/errors.ts';

/**
 * A failed plain TCP connect in our vocabulary, with `stage: 'connect'` only for what the destination itself did:
 * refused the connection (ECONNREFUSED), or let the socket's own connect timer (or the kernel's, ETIMEDOUT) run out.
 * That is the only evidence that nothing is served there. A local limit (EMFILE, ENFILE: client-limitation), an
 * unreachable route (EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL) or a stopped run (`runSignal` aborted) says nothing
 * about the server and keeps the default stage.
 */
export function connectFailure(err: unknown, label: string, runSignal: AbortSignal): ProbeError {
  const e = toProbeError(err, label);
  const byTheServer = e.reason === 'refused' || (e.reason === 'timeout' && !runSignal.aborted);
  const message = e.message.startsWith(`${e.endpoint}: `) ? e.message.slice(e.endpoint.length + 2) : e.message;
  return new ProbeError(e.reason, e.endpoint, message, { cause: err, stage: byTheServer ? 'connect' : 'exchange' });
}
