import type { Zone, ZoneNode } from '../src/lab/dns-server.ts';
import { DKIM_SELECTOR, domainIndex, mxByName, mxOf, webAddress, ZONE, type Layout } from './layout.ts';

/** The keys the records name: the certificate's SPKI hash and the next key's (TLSA), and the DKIM public key. */
export type ZoneKeys = { readonly spki: string; readonly nextSpki: string; readonly dkimKey: string };

/** TXT records under a scanned domain: DMARC (reports to the domain itself), the DKIM key, TLS-RPT. */
const TXT_UNDER_DOMAIN: readonly (readonly [prefix: string, record: (domain: string, dkimKey: string) => string])[] = [
  ['_dmarc.', (domain) => `v=DMARC1; p=reject; rua=mailto:dmarc@${domain}`],
  [`${DKIM_SELECTOR}._domainkey.`, (_domain, dkimKey) => `v=DKIM1; k=ed25519; p=${dkimKey}`],
  ['_smtp._tls.', (domain) => `v=TLSRPTv1; rua=mailto:tlsrpt@${domain}`],
];
const TLSA_PREFIX = '_25._tcp.';
/**
 * A question's shape as the estate counts it (bench/dns-thread.ts): type, name with digits as N, and this suffix
 * for the DNSSEC validator's questions (DO and CD set: RFC 4035 3.2.2), answered from the signed copy.
 */
export const CD_SUFFIX = ' +cd';
/** The zone's two name servers: both the estate's DNS server (its address; the port comes from a connect-to rule). */
const NAME_SERVERS = [`ns1.${ZONE}`, `ns2.${ZONE}`];
const DNS_ADDRESS = '127.0.0.1';

/**
 * The bench estate's DNS: the root and `bench.test` (CAA, two name servers) as a zone, every other name made from
 * the name. Every name is `ad`, and really signed when asked with DO and CD (the lab mirror signs online, in one zone
 * at the lab root: bench/dns-thread.ts), so Vouch's own DNSSEC validation ends `secure` for the domains, their MX
 * hosts and TLSA. SPF names the MX, DMARC rejects, DKIM and TLS-RPT are published, and each MX host has DANE records
 * for its key and the next (a rollover scheme). Not published: MTA-STS (its policy host, `mta-sts.<domain>`, would
 * need a certificate per domain: a wildcard covers one label) and IPv6 (AAAA): loopback has one IPv6 address, and
 * politeness is per address, so 100,000 domains on `::1` would queue behind two connections.
 */
export function benchZone(layout: Layout, keys: ZoneKeys): { zone: Zone; synthesize: (name: string) => ZoneNode | undefined } {
  const zone: Zone = {
    '': { SOA: [{ mname: 'a.root-servers.net', rname: 'nstld.verisign-grs.com' }], ad: true },
    [ZONE]: { SOA: [{ mname: NAME_SERVERS[0]!, rname: `hostmaster.${ZONE}` }], NS: NAME_SERVERS, CAA: [{ flags: 0, tag: 'issue', value: `ca.${ZONE}` }], ad: true },
    ...Object.fromEntries(NAME_SERVERS.map((ns) => [ns, { A: [DNS_ADDRESS], ad: true }])),
  };
  return { zone, synthesize: (name) => zoneNode(name, layout, keys) };
}

/** The records of one name; undefined: NXDOMAIN. */
function zoneNode(name: string, layout: Layout, keys: ZoneKeys): ZoneNode | undefined {
  const i = domainIndex(name, layout);
  if (i !== undefined) {
    return { A: [webAddress(i, layout)], MX: [{ preference: 10, exchange: mxOf(i, layout).name }], TXT: ['v=spf1 mx -all'], ad: true };
  }
  const mx = mxByName(name, layout);
  if (mx) return { A: [mx.address], ad: true };
  for (const [prefix, record] of TXT_UNDER_DOMAIN) {
    const domain = name.slice(prefix.length);
    if (name.startsWith(prefix) && domainIndex(domain, layout) !== undefined) return { TXT: [record(domain, keys.dkimKey)], ad: true };
  }
  if (name.startsWith(TLSA_PREFIX) && mxByName(name.slice(TLSA_PREFIX.length), layout)) {
    return { TLSA: [keys.spki, keys.nextSpki].map((certificate) => ({ usage: 3, selector: 1, matchingType: 1, certificate })), ad: true };
  }
  return undefined;
}
