/**
 * RFC 3986 URI syntax (Appendix A), checked character by character. Deliberately not the WHATWG URL parser, which
 * repairs what RFC 3986 rejects (spaces, backslashes, bare "%", non-ASCII) and so cannot say whether a file that
 * requires RFC 3986 (RFC 9116 §2.5, for one) is valid. Pure and total: no input throws, every pass is linear.
 */

/** The parts of a URI (RFC 3986 §3), exactly as written: nothing is decoded or normalised. */
export type UriParts = {
  readonly scheme: string;
  /** Present when the hier-part starts with "//" (§3.2); `host` may be empty (`file:///x`). */
  readonly authority: { readonly userinfo: string | null; readonly host: string; readonly port: string | null } | null;
  readonly path: string;
  readonly query: string | null;
  readonly fragment: string | null;
};

export type UriParse = { readonly ok: true; readonly uri: UriParts } | { readonly ok: false; readonly problem: string };

// §2.3 unreserved, §2.2 sub-delims; pct-encoded (§2.1) is checked separately so these stay single characters.
const UNRESERVED = "A-Za-z0-9\\-._~";
const SUB_DELIMS = "!$&'()*+,;=";
const PCHAR = new RegExp(`[${UNRESERVED}${SUB_DELIMS}:@]`);
const USERINFO = new RegExp(`[${UNRESERVED}${SUB_DELIMS}:]`);
const REG_NAME = new RegExp(`[${UNRESERVED}${SUB_DELIMS}]`);
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const HEX = /^[0-9A-Fa-f]$/;
const SECTION: Readonly<Record<string, string>> = { userinfo: '3.2.1', host: '3.2.2', path: '3.3', query: '3.4', fragment: '3.5' };

const show = (ch: string) => (ch === ' ' ? 'a space' : /[\x21-\x7e]/.test(ch) ? `"${ch}"` : `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);

/**
 * Finds the first character of `text` that `allowed` (plus "%" HEXDIG HEXDIG, §2.1) does not admit, and says why;
 * null when every character is allowed.
 */
function badChar(text: string, allowed: RegExp, extra: string, where: string): string | null {
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    if (allowed.test(ch) || extra.includes(ch)) continue;
    if (ch === '%') {
      if (HEX.test(text.charAt(i + 1)) && HEX.test(text.charAt(i + 2))) { i += 2; continue; }
      return `"%" not followed by two hex digits in the ${where} (RFC 3986 §2.1)`;
    }
    const code = text.codePointAt(i) ?? 0;
    return `${show(String.fromCodePoint(code))} is not allowed in the ${where} (RFC 3986 §${SECTION[where] ?? '3'})`;
  }
  return null;
}

/** RFC 3986 §3.2.2 IPv4address: four dec-octets, no leading zeros. */
export function isIpv4Address(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/.test(p));
}

/** RFC 3986 §3.2.2 IPv6address: eight h16 groups, or fewer with one "::", the last 32 bits optionally an IPv4address. */
export function isIpv6Address(text: string): boolean {
  if (text.length > 45) return false;
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const all = [...head, ...tail];
  const last = all.at(-1);
  const v4 = last !== undefined && last.includes('.');
  if (v4 && !isIpv4Address(last)) return false;
  const h16 = v4 ? all.slice(0, -1) : all;
  if (!h16.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const width = h16.length + (v4 ? 2 : 0);
  return halves.length === 2 ? width <= 7 : width === 8;
}

/** §3.2.2 IP-literal: "[" ( IPv6address / IPvFuture ) "]"; `inner` is the text between the brackets. */
function ipLiteralProblem(inner: string): string | null {
  if (/^[vV]/.test(inner)) {
    return new RegExp(`^[vV][0-9A-Fa-f]+\\.[${UNRESERVED}${SUB_DELIMS}:]+$`).test(inner)
      ? null : `"[${inner}]" is not a valid IPvFuture literal (RFC 3986 §3.2.2)`;
  }
  return isIpv6Address(inner) ? null : `"[${inner}]" is not a valid IPv6 address (RFC 3986 §3.2.2)`;
}

function parseAuthority(text: string): { readonly value: NonNullable<UriParts['authority']> } | { readonly problem: string } {
  const at = text.lastIndexOf('@');
  const userinfo = at === -1 ? null : text.slice(0, at);
  const hostPort = text.slice(at + 1);
  if (userinfo !== null) {
    const bad = badChar(userinfo, USERINFO, '', 'userinfo');
    if (bad) return { problem: bad };
  }
  let host: string;
  let rest: string;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close === -1) return { problem: 'IP literal without "]" (RFC 3986 §3.2.2)' };
    const bad = ipLiteralProblem(hostPort.slice(1, close));
    if (bad) return { problem: bad };
    host = hostPort.slice(0, close + 1);
    rest = hostPort.slice(close + 1);
  } else {
    const colon = hostPort.indexOf(':');
    host = colon === -1 ? hostPort : hostPort.slice(0, colon);
    rest = colon === -1 ? '' : hostPort.slice(colon);
    // An IPv4address is also a reg-name (§3.2.2), so the reg-name character set decides.
    const bad = badChar(host, REG_NAME, '', 'host');
    if (bad) return { problem: bad };
  }
  if (rest !== '' && !rest.startsWith(':')) return { problem: `"${rest.slice(0, 16)}" after the host is not a port (RFC 3986 §3.2.3)` };
  const port = rest === '' ? null : rest.slice(1);
  if (port !== null && !/^[0-9]*$/.test(port)) return { problem: `port "${port.slice(0, 16)}" is not digits (RFC 3986 §3.2.3)` };
  return { value: { userinfo, host, port } };
}

/**
 * Parses `text` as an RFC 3986 `URI` (§3: scheme ":" hier-part [ "?" query ] [ "#" fragment ]), the absolute form
 * with an optional fragment. Relative references are rejected: they have no scheme.
 */
export function parseUri(text: string): UriParse {
  const colon = text.indexOf(':');
  const scheme = colon === -1 ? '' : text.slice(0, colon);
  if (colon === -1 || !SCHEME.test(scheme)) {
    return { ok: false, problem: 'no scheme: a URI starts with a scheme such as "https:" or "mailto:" (RFC 3986 §3.1)' };
  }
  let rest = text.slice(colon + 1);
  const hash = rest.indexOf('#');
  const fragment = hash === -1 ? null : rest.slice(hash + 1);
  if (hash !== -1) rest = rest.slice(0, hash);
  const question = rest.indexOf('?');
  const query = question === -1 ? null : rest.slice(question + 1);
  if (question !== -1) rest = rest.slice(0, question);
  let authority: UriParts['authority'] = null;
  let path = rest;
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const end = slash === -1 ? rest.length : slash;
    const parsed = parseAuthority(rest.slice(2, end));
    if ('problem' in parsed) return { ok: false, problem: parsed.problem };
    authority = parsed.value;
    path = rest.slice(end); // path-abempty
  } else if (path.startsWith('//')) {
    return { ok: false, problem: 'a path may not start with "//" without an authority (RFC 3986 §3.3)' };
  }
  const bad = badChar(path, PCHAR, '/', 'path')
    ?? (query === null ? null : badChar(query, PCHAR, '/?', 'query'))
    ?? (fragment === null ? null : badChar(fragment, PCHAR, '/?', 'fragment'));
  if (bad) return { ok: false, problem: bad };
  return { ok: true, uri: { scheme, authority, path, query, fragment } };
}
