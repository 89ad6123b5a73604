import type { TlsEnumeration, VersionFacts } from '../../../src/tls/enumerate.ts';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from '../../../src/tls/types.ts';
import { FIXED_TIME } from '../../support/fake-probes.ts';

/** Per version: accepted, refused, or not established with these problems. */
export type VersionScript = boolean | { readonly problems: readonly string[] };

const SUITE = { code: 0x1301, name: 'TLS_AES_128_GCM_SHA256' };
const SPEC = { code: 0x0700c0, name: 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5' };

/** Enumeration facts as the probe returns them, accepting `accepted` (others refused unless `unknown` scripts them). */
export function enumerationFacts(
  accepted: readonly ProtocolVersion[], unknown: Partial<Record<ProtocolVersion, readonly string[]>> = {}, endpoint = 'example.nl:443 (192.0.2.1)',
): TlsEnumeration {
  const versions = Object.fromEntries(PROTOCOL_VERSIONS.map((v): [ProtocolVersion, VersionFacts] => {
    const problems = unknown[v];
    const base = { serverOrder: null, order: null, chachaFirst: null, splitOffer: false } as const;
    if (problems) return [v, { ...base, accepted: null, suites: [], refusal: null, problems }];
    if (accepted.includes(v)) return [v, { ...base, accepted: true, suites: [v === 'SSLv2' ? SPEC : SUITE], refusal: null, problems: [] }];
    return [v, { ...base, accepted: false, suites: [], refusal: 'alert protocol_version (70)', problems: [] }];
  })) as unknown as TlsEnumeration['versions'];
  return {
    endpoint, transport: 'tls', versions, groups: null, ecdheCurves: null, dh: null, keyExchangeSignature: null, problems: [],
    connections: 7, observedAt: FIXED_TIME,
  };
}
