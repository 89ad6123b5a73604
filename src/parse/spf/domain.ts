/** Domain-name rules SPF applies to names it is given or builds (RFC 7208 4.3, 7.1; RFC 1035 2.3.4). Pure and total. */

/**
 * RFC 7208 7.1 `toplabel`: alphanumerics with at least one letter, or alphanumerics joined by inner hyphens
 * (so IDN top-level labels such as `xn--zckzah` are valid, an all-numeric `123` or a leading `-com` are not).
 */
export function isTopLabel(label: string): boolean {
  return /^(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])$/.test(label);
}

/** The name without one trailing dot: SPF treats `example.com.` and `example.com` alike (RFC 7208 7.3). */
export function withoutTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * Why `name` cannot be put in a DNS question, or null: RFC 1035 2.3.4 allows labels of 1-63 octets and 253 in all.
 * Characters are not checked: macro expansion may legitimately produce `%` or spaces (RFC 7208 7.3).
 */
export function queryNameProblem(name: string): string | null {
  const bare = withoutTrailingDot(name);
  if (bare === '') return 'empty domain name';
  if (Buffer.byteLength(bare) > 253) return `domain name ${JSON.stringify(name)} is longer than 253 octets`;
  for (const label of bare.split('.')) {
    if (label === '') return `domain name ${JSON.stringify(name)} has an empty label`;
    if (Buffer.byteLength(label) > 63) return `domain name ${JSON.stringify(name)} has a label longer than 63 octets`;
  }
  return null;
}

/**
 * Why `domain` cannot be check_host()'s <domain>, or null. RFC 7208 4.3: a malformed name (bad label lengths) or
 * one that is not a multi-label domain name makes check_host() return "none" at once. A domain literal such as
 * `[192.0.2.1]` fails here because its last label is not a toplabel.
 */
export function checkHostDomainProblem(domain: string): string | null {
  const lengths = queryNameProblem(domain);
  if (lengths) return lengths;
  const labels = withoutTrailingDot(domain).split('.');
  if (labels.length < 2) return `${JSON.stringify(domain)} is not a multi-label domain name`;
  if (!isTopLabel(labels[labels.length - 1]!)) return `${JSON.stringify(domain)} does not end in a valid top-level label`;
  return null;
}

/** Case-insensitive "equal to or a subdomain of" (RFC 7208 5.5 `ptr` matching; DNS names are case-insensitive). */
export function isSameOrSubdomain(name: string, parent: string): boolean {
  const n = withoutTrailingDot(name).toLowerCase();
  const p = withoutTrailingDot(parent).toLowerCase();
  return n === p || n.endsWith(`.${p}`);
}
