/**
 * An OpenSSL error line without its per-thread and per-build parts: OpenSSL 3 writes
 * `<thread id hex>:error:<code>:<library>:<function>:<reason>:<source file>:<line>:`, e.g.
 * `803CE340197F0000:error:0A000153:SSL routines:ssl3_read_bytes:no renegotiation:../ssl/record/rec_layer_s3.c:1617:`.
 * The thread id differs between runs and worker threads, and the source path between builds, so a verdict quoting
 * the raw line would read as changed evidence every night. Keeps `<code>:<library>:<reason>`; other text as it is.
 */
export function stableOpenSslMessage(message: string): string {
  const m = OPENSSL_LINE.exec(message);
  if (!m) return message;
  const [, before, code, library, reason, after] = m;
  return `${before}${code}:${library}:${reason}${after ? ` (${after})` : ''}`;
}

const OPENSSL_LINE = /^(.*?)\b[0-9A-F]{8,16}:error:([0-9A-F]{8}):([^:]*):[^:]*:([^:]*):[^:]*:\d+:(.*)$/;
