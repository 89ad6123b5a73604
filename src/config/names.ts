import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

/** `https://...`, `smtp://...`, or a path after the host: a name pasted as a URL. */
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\/|\//i;
/** The host of a URL as written (before any percent-encoding `URL` applies to hosts of schemes it does not know). */
const URL_HOST = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/?#]*@)?(\[[^\]]*\]|[^/?#:]*)/i;
const NON_ASCII = /[^\u0000-\u007f]/;

/** A domain as someone wrote it: whether it was a URL, and its host as written (the text itself when not a URL). */
export function hostAsWritten(text: string): { readonly url: boolean; readonly host: string } {
  const given = text.trim();
  return URL_LIKE.test(given) ? { url: true, host: URL_HOST.exec(given)?.[1] ?? '' } : { url: false, host: given };
}

/** An internationalised (U-label) host in its A-label (xn--) form, as `node:url` applies UTS 46; null if it has none. */
export function aLabelForm(host: string): string | null {
  if (!NON_ASCII.test(host)) return host;
  return domainToASCII(host) || null;
}

/**
 * A host name to scan (RFC 1123 2.1, RFC 1035 2.3.4): at least two labels of 1-63 letters, digits and hyphens,
 * not starting or ending with a hyphen, 253 characters in all. No underscores: a domain that serves web or mail is
 * a host name, not a service label such as `_dmarc`. Internationalised names are checked in A-label (xn--) form: the
 * readers (src/config/domains.ts, src/cli/domain-input.ts) convert U-labels first.
 */
export function isDomainName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253 || isIP(name) !== 0) return false;
  return name.split('.').every((label) => /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i.test(label)) && name.includes('.');
}

export function normalizeDomain(text: string): string {
  return text.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * `*.example.nl` or `example.*`-style globs for waivers, check ids and cookie names; `*` matches any run of
 * characters. Case-insensitive unless asked: domain names and check ids are, cookie names are not (RFC 6265 5.3).
 */
export function globToRegExp(glob: string, options: { caseSensitive?: boolean } = {}): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, options.caseSensitive ? 's' : 'is');
}
