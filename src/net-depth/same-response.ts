/** Headers that make a response's security what it is, compared between IPv4 and IPv6 (plus `location`: where it sends). */
export const COMPARED_HEADERS = [
  'location', 'strict-transport-security', 'content-security-policy', 'x-frame-options', 'x-content-type-options',
  'referrer-policy', 'permissions-policy', 'cross-origin-opener-policy', 'cross-origin-embedder-policy',
] as const;

/** What is compared of a response: its status and headers (lower-case names, every value kept). */
export type ComparedResponse = { readonly status: number; readonly headers: Readonly<Record<string, readonly string[]>> };

/**
 * The differences between the response over IPv4 and over IPv6, in words (empty: the same). Pure: the same site
 * must give the same status and the same security headers whichever family a visitor comes over (internet.nl).
 */
export function responseDifferences(ipv4: ComparedResponse, ipv6: ComparedResponse): string[] {
  const differences: string[] = [];
  if (ipv4.status !== ipv6.status) differences.push(`status ${ipv4.status} over IPv4, ${ipv6.status} over IPv6`);
  for (const name of COMPARED_HEADERS) {
    const four = (ipv4.headers[name] ?? []).join(', ');
    const six = (ipv6.headers[name] ?? []).join(', ');
    if (four !== six) differences.push(`${name}: ${four === '' ? '(none)' : JSON.stringify(four)} over IPv4, ${six === '' ? '(none)' : JSON.stringify(six)} over IPv6`);
  }
  return differences;
}
