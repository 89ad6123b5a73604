import pino from 'pino';
import type { CheckContext } from '../../src/core/check.ts';
import type { Endpoint, Target } from '../../src/core/types.ts';
import type { Settings } from '../../src/config/settings.ts';
import { DEFAULT_SETTINGS, defaultTarget } from '../../src/config/defaults.ts';
import type { DnsAnswer, DnsType, HttpHop, Probes, TlsFacts } from '../../src/probes/types.ts';

/** A fixed clock for check unit tests: 2026-06-01T00:00:00Z. */
export const FIXED_NOW = new Date('2026-06-01T00:00:00Z');
export const FIXED_TIME = FIXED_NOW.toISOString();

/** Scripted probes for check unit tests: any call that was not scripted fails loudly. */
export function fakeProbes(scripted: Partial<Probes>): Probes {
  const unexpected = (name: string) => () => Promise.reject(new Error(`unexpected probe call: ${name}`));
  return {
    dns: unexpected('dns'), endpoints: unexpected('endpoints'), tls: unexpected('tls'),
    tlsVersion: unexpected('tlsVersion'), http: unexpected('http'), smtp: unexpected('smtp'),
    smtpTlsVersion: unexpected('smtpTlsVersion'), tlsEnumeration: unexpected('tlsEnumeration'),
    smtpTlsEnumeration: unexpected('smtpTlsEnumeration'), tlsHygiene: unexpected('tlsHygiene'),
    smtpTlsHygiene: unexpected('smtpTlsHygiene'), tlsRenegotiation: unexpected('tlsRenegotiation'),
    smtpTlsRenegotiation: unexpected('smtpTlsRenegotiation'), tlsSession: unexpected('tlsSession'),
    smtpTlsSession: unexpected('smtpTlsSession'), tlsWeakness: unexpected('tlsWeakness'),
    smtpTlsWeakness: unexpected('smtpTlsWeakness'), ocspResponder: unexpected('ocspResponder'),
    nameServerSoa: unexpected('nameServerSoa'), ipv6Client: unexpected('ipv6Client'), rpkiValidity: unexpected('rpkiValidity'),
    browser: unexpected('browser'), dnssecQuestion: unexpected('dnssecQuestion'), dnssec: unexpected('dnssec'), ...scripted,
  };
}

/** Authoritative semantics from a plain object: a missing name is NXDOMAIN, a name without that type NODATA. */
export function zone(records: Record<string, Partial<Record<DnsType, readonly string[]>>>): Probes['dns'] {
  const lower = new Map(Object.entries(records).map(([name, node]) => [name.toLowerCase().replace(/\.$/, ''), node]));
  return async (name: string, type: DnsType): Promise<DnsAnswer> => {
    const node = lower.get(name.toLowerCase().replace(/\.$/, ''));
    const found = node?.[type] ?? [];
    const result = !node ? 'nxdomain' : found.length ? 'records' : 'nodata';
    return { name, type, resolver: 'fixture', result, records: found, authenticated: false, cnames: [], observedAt: FIXED_TIME };
  };
}

/** One endpoint per hostname on 192.0.2.1 (never dialled: unit tests use fake probes). */
export function singleEndpoint(hostname: string, port: number): Endpoint {
  return { hostname, port, address: '192.0.2.1', dialPort: port };
}

export const endpointsFor: Probes['endpoints'] = async (hostname, port) =>
  ({ hostname, port, source: 'dns', endpoints: [singleEndpoint(hostname, port)], answers: [] });

/** An HTTP response with sensible defaults; override what the test is about. */
export function httpHop(overrides: Partial<HttpHop> = {}): HttpHop {
  return {
    url: 'https://example.nl/', method: 'GET', endpoint: 'example.nl:443 (192.0.2.1)', status: 200,
    headers: {}, headersTruncated: false, droppedHeaderValues: {}, body: '', bodyBytes: 0, bodyTruncated: false, bodyUtf8: true,
    observedAt: FIXED_TIME, ...overrides,
  };
}

export function tlsFacts(overrides: Partial<TlsFacts> = {}): TlsFacts {
  const chain = overrides.chain ?? [];
  const top = chain[chain.length - 1];
  // By default the chain is served complete and in order, below a bundled root (trust errors such as an expired
  // leaf are other facts); a test about the path overrides `chainPath`.
  const chainPath: TlsFacts['chainPath'] = {
    path: chain.map((_, i) => i), issuedByNext: chain.slice(1).map(() => true),
    anchor: top ? { subject: top.issuer, fingerprintSha256: 'FAKE-ROOT', source: 'bundled', served: false } : null,
  };
  return {
    endpoint: 'example.nl:443 (192.0.2.1)', hostname: 'example.nl', address: '192.0.2.1', protocol: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256', alpn: 'http/1.1', chainTrusted: true, hostnameMatches: true,
    authorizationError: null, chain, chainTruncated: false, chainPath, observedAt: FIXED_TIME, ...overrides,
  };
}

const silent = pino({ level: 'silent' });

/** A check context around scripted probes, with the fixed clock and default thresholds unless overridden. */
export function contextFor(
  probes: Probes,
  target: Partial<Target> & { domain?: string } = {},
  settings: Partial<Settings> = {},
): CheckContext {
  return {
    target: { ...defaultTarget(target.domain ?? 'example.nl'), ...target },
    probes,
    settings: { ...DEFAULT_SETTINGS, now: () => FIXED_NOW, ...settings },
    signal: new AbortController().signal,
    log: silent,
  };
}
