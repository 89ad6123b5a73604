import type { ErrorReason } from './types.ts';

/** A network probe could not establish a fact. Expected and reportable, never a bug. */
export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  readonly reason: Exclude<ErrorReason, 'internal'>;
  /** Where it happened: `host:port (address)`, a resolver, or a probe label. */
  readonly endpoint: string;
  /** `connect` when no connection was ever established (nothing listening or reachable), else `exchange`. */
  readonly stage: 'connect' | 'exchange';

  constructor(
    reason: Exclude<ErrorReason, 'internal'>, endpoint: string, message: string,
    options?: ErrorOptions & { stage?: 'connect' | 'exchange' },
  ) {
    super(`${endpoint}: ${message}`, options);
    this.reason = reason;
    this.endpoint = endpoint;
    this.stage = options?.stage ?? (reason === 'refused' ? 'connect' : 'exchange');
  }
}

const CODE_TO_REASON: Readonly<Record<string, Exclude<ErrorReason, 'internal'>>> = {
  ETIMEDOUT: 'timeout', ABORT_ERR: 'timeout', UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout', UND_ERR_BODY_TIMEOUT: 'timeout',
  ECONNREFUSED: 'refused',
  ECONNRESET: 'unreachable', EHOSTUNREACH: 'unreachable', ENETUNREACH: 'unreachable', EPIPE: 'unreachable',
  EADDRNOTAVAIL: 'unreachable', ENOTFOUND: 'dns-failure', EAI_AGAIN: 'dns-failure',
  ERR_SSL_WRONG_VERSION_NUMBER: 'tls-handshake', ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'tls-handshake',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'tls-handshake', ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'tls-handshake',
  UND_ERR_HEADERS_OVERFLOW: 'protocol', UND_ERR_SOCKET: 'unreachable', HPE_HEADER_OVERFLOW: 'protocol',
  // Out of file descriptors or buffers here: a limit of this machine, never a fact about the peer.
  EMFILE: 'client-limitation', ENFILE: 'client-limitation', ENOBUFS: 'client-limitation',
};

/**
 * The one place where Node and undici error codes become our vocabulary. Matches codes, never message text.
 * Errors without a known code become `protocol`: the peer did something we could not make sense of.
 */
export function toProbeError(err: unknown, endpoint: string): ProbeError {
  if (err instanceof ProbeError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' ? CODE_TO_REASON[code] : undefined;
  const fallback = typeof code === 'string' && code.startsWith('ERR_SSL_') ? 'tls-handshake' : 'protocol';
  const message = err instanceof Error ? err.message : String(err);
  return new ProbeError(reason ?? fallback, endpoint, message, { cause: err });
}

/** Raised by commands for an expected, user-facing failure that maps to an exit code (64 for bad usage). */
export class ExitError extends Error {
  override readonly name = 'ExitError';
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.exitCode = exitCode;
  }
}
