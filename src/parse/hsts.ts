/** A Strict-Transport-Security policy as a browser would apply it. */
export type HstsPolicy = { readonly maxAge: number; readonly includeSubDomains: boolean; readonly preload: boolean };

export type HstsParse =
  | { readonly ok: true; readonly policy: HstsPolicy; readonly notes: readonly string[] }
  | { readonly ok: false; readonly problem: string };

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

/**
 * Parses the Strict-Transport-Security header values of one HTTPS response (RFC 6797 6.1). Pure and total.
 * - 6.1: directive names are case-insensitive; values may be quoted-strings; unknown directives are ignored.
 * - 6.1 (2): a directive that appears twice makes the header invalid.
 * - 6.1.1: max-age is required and is delta-seconds (digits only).
 * - 8.1: with several header fields, a browser processes only the first; we do the same and say so.
 */
export function parseHsts(values: readonly string[]): HstsParse {
  const first = values[0];
  if (first === undefined) return { ok: false, problem: 'no Strict-Transport-Security header' };
  const notes = values.length > 1 ? [`${values.length} header fields sent; browsers use only the first (RFC 6797 8.1)`] : [];
  const directives = new Map<string, string | true>();
  for (const part of first.slice(0, 4096).split(';')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    if (!TOKEN.test(name)) return { ok: false, problem: `"${name}" is not a valid directive name` };
    if (directives.has(name)) return { ok: false, problem: `directive "${name}" appears twice (RFC 6797 6.1)` };
    const raw = eq === -1 ? true : part.slice(eq + 1).trim();
    directives.set(name, raw === true ? true : raw.replace(/^"(.*)"$/, '$1'));
  }
  const maxAge = directives.get('max-age');
  if (maxAge === undefined) return { ok: false, problem: 'max-age directive missing (RFC 6797 6.1.1)' };
  if (maxAge === true || !/^\d+$/.test(maxAge)) return { ok: false, problem: `max-age "${maxAge === true ? '' : maxAge}" is not a number of seconds` };
  for (const flag of ['includesubdomains', 'preload']) {
    if (typeof directives.get(flag) === 'string') notes.push(`${flag} takes no value; the value is ignored`);
  }
  return {
    ok: true,
    policy: { maxAge: Number(maxAge), includeSubDomains: directives.has('includesubdomains'), preload: directives.has('preload') },
    notes,
  };
}
