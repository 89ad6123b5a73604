/**
 * Node warns (a process warning) about DH parameters below 2048 bits; for a lab server built to show a 1024-bit prime
 * that is the point, so the warning is not printed in the middle of `vouch demo` or of every test run. Works for a
 * synchronous `make` and for one that returns a promise (restored when it settles).
 */
export function withoutDhWarning<T>(make: () => T): T {
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/DH parameter is less than 2048 bits/i.test(text)) return;
    (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    const result = make();
    if (result instanceof Promise) return result.finally(() => { process.emitWarning = original; }) as T;
    process.emitWarning = original;
    return result;
  } catch (err) {
    process.emitWarning = original;
    throw err;
  }
}
