import type { Zone, ZoneNode } from '../src/lab/dns-server.ts';
import { DKIM_SELECTOR, domainIndex, mxByName, mxOf, webAddress, ZONE, type Layout } from './layout.ts';

/** The keys the records name: the certificate's SPKI hash (TLSA) and the DKIM public key. */
export type ZoneKeys = { readonly spki: string; readonly dkimKey: string };

/** TXT records under a scanned domain: DMARC (reports to the domain itself), the DKIM key, TLS-RPT. */
const TXT_UNDER_DOMAIN: readonly (readonly [prefix: string, record: (domain: string, dkimKey: string) => string])[] = [
  ['_dmarc.', (domain) => `v=DMARC1; p=reject; rua=mailto:dmarc@${domain}`],
  [`${DKIM_SELECTOR}._domainkey.`, (_domain, dkimKey) => `v=DKIM1; k=ed25519; p=${dkimKey}`],
  ['_smtp._tls.', (domain) => `v=TLSRPTv1; rua=mailto:tlsrpt@${domain}`],
];
const TLSA_PREFIX = '_25._tcp.';

/**
 * The bench estate's DNS: the root and `bench.test` (signed, CAA) as a zone, every other name made from the name.
 * Every name is signed (AD), so DNSSEC passes; SPF names the MX, DMARC rejects, DKIM and TLS-RPT are published, and
 * each MX host has a DANE record. MTA-STS is not published: its policy host, `mta-sts.<domain>`, would need a
 * certificate per domain (a wildcard covers one label).
 */
export function benchZone(layout: Layout, keys: ZoneKeys): { zone: Zone; synthesize: (name: string) => ZoneNode | undefined } {
  const zone: Zone = {
    '': { SOA: [{ mname: 'a.root-servers.net', rname: 'nstld.verisign-grs.com' }], ad: true },
    [ZONE]: { SOA: [{ mname: `ns.${ZONE}`, rname: `hostmaster.${ZONE}` }], CAA: [{ flags: 0, tag: 'issue', value: `ca.${ZONE}` }], ad: true },
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
    return { TLSA: [{ usage: 3, selector: 1, matchingType: 1, certificate: keys.spki }], ad: true };
  }
  return undefined;
}
