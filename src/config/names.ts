import { isIP } from 'node:net';

/**
 * A host name to scan (RFC 1123 2.1, RFC 1035 2.3.4): at least two labels of 1-63 letters, digits and hyphens,
 * not starting or ending with a hyphen, 253 characters in all. No underscores: a domain that serves web or mail is
 * a host name, not a service label such as `_dmarc`. Internationalised names must be given in A-label (xn--) form.
 */
export function isDomainName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253 || isIP(name) !== 0) return false;
  return name.split('.').every((label) => /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i.test(label)) && name.includes('.');
}

export function normalizeDomain(text: string): string {
  return text.trim().toLowerCase().replace(/\.$/, '');
}

/** `*.example.nl` or `example.*`-style globs for waivers and check ids; `*` matches any run of characters. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}
