import { getDomain } from 'tldts';

/**
 * The Organizational Domain of a DNS name (RFC 7489 3.2): the public suffix plus one label, from the Public Suffix
 * List bundled with `tldts`. Only the list's ICANN section is used: the PSL's own guidance for DMARC is to ignore
 * the PRIVATE section, and treating e.g. `github.io` tenants as separate organisations would let one tenant's
 * record stand in for "the organisation". Case and a trailing dot are ignored.
 * Returns null for an IP address, an invalid name, or a name that is itself a public suffix (`co.uk`).
 * RFC 9989 (DMARCbis) replaces this with a DNS tree walk; the PSL gives the same answer for ordinary domains.
 */
export function organizationalDomain(name: string): string | null {
  const domain = getDomain(name.toLowerCase().replace(/\.$/, ''), { allowPrivateDomains: false });
  return domain === null || domain === '' ? null : domain;
}

/** Whether two names share an Organizational Domain; a name without one is never in the same organisation. */
export function sameOrganization(a: string, b: string): boolean {
  const left = organizationalDomain(a);
  return left !== null && left === organizationalDomain(b);
}
