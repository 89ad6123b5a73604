/**
 * Who wrote a cookie from script: an init script, run in every frame before the page's own scripts, wraps the
 * `document.cookie` setter and reports each write with the calling stack to a binding only Vouch listens on. The
 * setter still works as before; the page sees no difference but a native-looking accessor.
 */

/** One `document.cookie = ...` as reported: the cookie's name, the document's host, and the script URL on the stack. */
export type ScriptCookieWrite = { readonly name: string; readonly host: string; readonly script: string };

/** The source of the init script that reports writes to `binding` (a random name per visit). */
export function cookieWriteRecorder(binding: string): string {
  return `(() => {
  const descriptor = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  const report = globalThis[${JSON.stringify(binding)}];
  if (!descriptor || !descriptor.set || typeof report !== 'function') return;
  delete globalThis[${JSON.stringify(binding)}];
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true, enumerable: descriptor.enumerable, get: descriptor.get,
    set(value) {
      try { report(JSON.stringify({ value: String(value).slice(0, 300), host: location.hostname, stack: String(new Error().stack).slice(0, 2000) })); } catch {}
      return descriptor.set.call(this, value);
    },
  });
})();`;
}

/** The cookie name of a `document.cookie` assignment (`name=value; attrs`, or a nameless `value`), as RFC 6265bis §5.6 reads it. */
export function cookieNameOf(assignment: string): string {
  const pair = assignment.split(';', 1)[0] ?? '';
  const eq = pair.indexOf('=');
  return eq < 0 ? '' : pair.slice(0, eq).trim();
}

/**
 * The script that made the write: the first http(s) URL on the stack below the setter (V8 frames `at f (URL:l:c)`
 * or `at URL:l:c`); an inline script's frames name the document itself. Null when the stack names no URL.
 */
export function scriptOfStack(stack: string): string | null {
  for (const line of stack.split('\n').slice(1)) {
    const match = /(https?:\/\/[^\s()]+?)(?::\d+){1,2}\)?\s*$/.exec(line.trim());
    if (match) return match[1]!;
  }
  return null;
}

/** A binding report as sent by the init script, or null for anything else (a page may call the binding too). */
export function parseCookieWrite(payload: string): ScriptCookieWrite | null {
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const { value, host, stack } = data as Record<string, unknown>;
  if (typeof value !== 'string' || typeof host !== 'string' || typeof stack !== 'string') return null;
  const script = scriptOfStack(stack);
  return { name: cookieNameOf(value), host: host.toLowerCase(), script: script ?? `inline script on ${host}` };
}
