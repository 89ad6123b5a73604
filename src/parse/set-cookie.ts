/**
 * One `Set-Cookie` field value as a browser reads it: RFC 6265bis (draft-ietf-httpbis-rfc6265bis) §5.6, with the
 * cookie-date algorithm of §5.1.1 and the name prefixes of §4.1.3. Pure and total.
 */

export type SameSite = 'strict' | 'lax' | 'none';

/** A cookie and its attributes; when an attribute repeats, the last one counts (§5.7, "the last attribute"). */
export type SetCookie = {
  readonly name: string;
  readonly value: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly partitioned: boolean;
  /** Null when absent; `invalid` for an unknown value, which §5.6.7 treats as "Default" enforcement. */
  readonly sameSite: SameSite | 'invalid' | null;
  /** The SameSite value as written (capped), when present. */
  readonly sameSiteRaw: string | null;
  /** Lower-cased, leading "." removed (§5.6.3); null when absent. */
  readonly domain: string | null;
  /** Null when absent or not starting with "/" (§5.6.4: the default path applies). */
  readonly path: string | null;
  /** ISO timestamp of a parseable Expires (§5.6.1), else null. */
  readonly expires: string | null;
  /** Seconds from a valid Max-Age (§5.6.2), else null. Max-Age wins over Expires (§5.7). */
  readonly maxAge: number | null;
  readonly prefix: '__Host-' | '__Secure-' | null;
  /** §4.1.3 / §5.7: browsers reject a prefixed cookie that breaks these rules. */
  readonly prefixProblems: readonly string[];
  /** Attributes a browser would ignore: bad values, over-long values, unknown names (capped). */
  readonly ignored: readonly string[];
};

/** `ok: false` when a browser would ignore the whole field value. */
export type SetCookieParse = { readonly ok: true; readonly cookie: SetCookie } | { readonly ok: false; readonly problem: string };

const MAX_IGNORED = 8;
const WSP = /^[ \t]+|[ \t]+$/g;

/** Parses one Set-Cookie field value following RFC 6265bis §5.6 step by step. */
export function parseSetCookie(raw: string): SetCookieParse {
  // §5.6 step 1: a control character other than HTAB makes the browser drop the whole value.
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(raw)) return { ok: false, problem: 'contains a control character' };
  const semicolon = raw.indexOf(';');
  const pair = semicolon === -1 ? raw : raw.slice(0, semicolon);
  const equals = pair.indexOf('=');
  // §5.6 step 3: a pair without "=" is a nameless cookie whose value is the whole pair.
  const name = (equals === -1 ? '' : pair.slice(0, equals)).replace(WSP, '');
  const value = (equals === -1 ? pair : pair.slice(equals + 1)).replace(WSP, '');
  if (name === '' && value === '') return { ok: false, problem: 'empty name and value' };
  if (octets(name) + octets(value) > 4096) return { ok: false, problem: 'name and value exceed 4096 octets (§5.6 step 5)' };

  const attributes = new Map<string, string>();
  const ignored: string[] = [];
  const ignore = (text: string) => { if (ignored.length < MAX_IGNORED) ignored.push(text.slice(0, 80)); };
  const avs = semicolon === -1 ? [] : raw.slice(semicolon + 1).split(';');
  for (const av of avs) {
    const eq = av.indexOf('=');
    const attrName = (eq === -1 ? av : av.slice(0, eq)).replace(WSP, '');
    const attrValue = (eq === -1 ? '' : av.slice(eq + 1)).replace(WSP, '');
    if (attrName === '') continue;
    if (octets(attrValue) > 1024) { ignore(`${attrName} (value over 1024 octets)`); continue; } // §5.6 step 4.4 of the loop
    const key = attrName.toLowerCase();
    if (!KNOWN.has(key)) { ignore(attrName); continue; }
    if (key === 'expires' && parseCookieDate(attrValue) === null) { ignore(`Expires=${attrValue}`); continue; }
    if (key === 'max-age' && !/^-?\d+$/.test(attrValue)) { ignore(`Max-Age=${attrValue}`); continue; } // §5.6.2
    if (key === 'domain' && attrValue === '') { ignore('Domain (empty)'); continue; } // §5.6.3: SHOULD ignore
    attributes.set(key, attrValue);
  }

  const sameSiteRaw = attributes.get('samesite');
  const path = attributes.get('path');
  const expires = attributes.has('expires') ? parseCookieDate(attributes.get('expires') ?? '') : null;
  const cookie = {
    name, value,
    secure: attributes.has('secure'),
    httpOnly: attributes.has('httponly'),
    partitioned: attributes.has('partitioned'),
    sameSite: sameSiteRaw === undefined ? null : sameSiteOf(sameSiteRaw),
    sameSiteRaw: sameSiteRaw === undefined ? null : sameSiteRaw.slice(0, 64),
    domain: attributes.has('domain') ? (attributes.get('domain') ?? '').replace(/^\./, '').toLowerCase() : null,
    path: path !== undefined && path.startsWith('/') ? path : null,
    expires: expires ? expires.toISOString() : null,
    maxAge: attributes.has('max-age') ? clampSeconds(Number(attributes.get('max-age'))) : null,
  };
  return { ok: true, cookie: { ...cookie, ...prefixRules(cookie), ignored } };
}

const KNOWN = new Set(['expires', 'max-age', 'domain', 'path', 'secure', 'httponly', 'samesite', 'partitioned']);

// A 400-digit Max-Age is still a valid delta-seconds; keep it a finite JSON number.
const clampSeconds = (n: number) => Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n));

function octets(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** §5.6.7: "None", "Strict" and "Lax" in any case; anything else is enforced as "Default". */
function sameSiteOf(value: string): SameSite | 'invalid' {
  const lower = value.toLowerCase();
  return lower === 'none' || lower === 'strict' || lower === 'lax' ? lower : 'invalid';
}

type PrefixFacts = { readonly name: string; readonly value: string; readonly secure: boolean; readonly domain: string | null; readonly path: string | null };

/**
 * §4.1.3 and the storage model (§5.7): `__Secure-` needs Secure; `__Host-` needs Secure, no Domain and Path=/.
 * The draft matches the prefixes case-insensitively, as current browsers do, and a nameless cookie whose value
 * starts with a prefix is rejected so it cannot pose as one.
 */
function prefixRules(cookie: PrefixFacts): { prefix: SetCookie['prefix']; prefixProblems: string[] } {
  const lower = cookie.name.toLowerCase();
  const problems: string[] = [];
  if (cookie.name === '' && /^__(?:secure|host)-/i.test(cookie.value)) problems.push('a nameless cookie may not have a value starting with a prefix');
  if (lower.startsWith('__host-')) {
    if (!cookie.secure) problems.push('__Host- requires Secure');
    if (cookie.domain !== null) problems.push('__Host- forbids Domain');
    if (cookie.path !== '/') problems.push('__Host- requires Path=/');
    return { prefix: '__Host-', prefixProblems: problems };
  }
  if (lower.startsWith('__secure-')) {
    if (!cookie.secure) problems.push('__Secure- requires Secure');
    return { prefix: '__Secure-', prefixProblems: problems };
  }
  return { prefix: null, prefixProblems: problems };
}

/** True when the field deletes the cookie rather than setting it: Max-Age ≤ 0, or else an Expires in the past. */
export function isDeletion(cookie: SetCookie, now: Date): boolean {
  if (cookie.maxAge !== null) return cookie.maxAge <= 0;
  return cookie.expires !== null && Date.parse(cookie.expires) <= now.getTime();
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** §5.1.1 delimiter: %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E. */
function isDelimiter(code: number): boolean {
  return code === 0x09 || (code >= 0x20 && code <= 0x2f) || (code >= 0x3b && code <= 0x40)
    || (code >= 0x5b && code <= 0x60) || (code >= 0x7b && code <= 0x7e);
}

/**
 * RFC 6265bis §5.1.1 cookie-date: tokens between delimiters, the first of each kind (time, day, month, year)
 * taken in that order of preference, two-digit years mapped (70-99 → 19xx, 0-69 → 20xx), then range checks.
 */
export function parseCookieDate(text: string): Date | null {
  const tokens: string[] = [];
  let current = '';
  for (const char of text.slice(0, 1024)) {
    if (isDelimiter(char.charCodeAt(0))) {
      if (current) tokens.push(current);
      current = '';
    } else current += char;
  }
  if (current) tokens.push(current);
  let time: number[] | null = null;
  let day: number | null = null;
  let month: number | null = null;
  let year: number | null = null;
  for (const token of tokens) {
    const hms: RegExpExecArray | null = time ? null : /^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\D|$)/.exec(token);
    if (hms) { time = [Number(hms[1]), Number(hms[2]), Number(hms[3])]; continue; }
    const dom: RegExpExecArray | null = day === null ? /^(\d{1,2})(?:\D|$)/.exec(token) : null;
    if (dom) { day = Number(dom[1]); continue; }
    const mon: number = month === null ? MONTHS.indexOf(token.slice(0, 3).toLowerCase()) : -1;
    if (mon !== -1) { month = mon; continue; }
    const yr: RegExpExecArray | null = year === null ? /^(\d{2,4})(?:\D|$)/.exec(token) : null;
    if (yr) year = Number(yr[1]);
  }
  if (!time || day === null || month === null || year === null) return null;
  if (year >= 70 && year <= 99) year += 1900;
  else if (year >= 0 && year <= 69) year += 2000;
  const [hour = 0, minute = 0, second = 0] = time;
  if (day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(Date.UTC(year, month, day, hour, minute, second));
  // Date.UTC rolls 31 Feb over into March; §5.1.1 step 5 says such a date fails.
  return date.getUTCDate() === day ? date : null;
}
