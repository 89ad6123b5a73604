/**
 * Text that waits a long time (facts kept for the run, rendered domains waiting for their turn in a report), held as
 * UTF-8 in a buffer outside V8's heap. V8 sizes its old generation as a multiple of the live heap (up to 4x while
 * collection is cheap, docs/benchmark.md 2026-12-05), so megabytes of waiting strings cost several times their size
 * in RSS; the same bytes in an ArrayBuffer count once. Unpooled: a slice of Node's shared 8 KB pool would keep the
 * whole slab alive for as long as the text waits. `byteLength`, when the caller has measured it already.
 */
export function offHeapUtf8(text: string, byteLength = Buffer.byteLength(text, 'utf8')): Buffer {
  const bytes = Buffer.allocUnsafeSlow(byteLength);
  bytes.write(text, 'utf8');
  return bytes;
}
