import { ProbeError } from '../../../src/core/errors.ts';
import type { Endpoint } from '../../../src/core/types.ts';
import type { DnsType, Probes, SmtpFacts } from '../../../src/probes/types.ts';
import { endpointsFor, fakeProbes, FIXED_TIME, tlsFacts, zone } from '../../support/fake-probes.ts';

/** A good STARTTLS session on `hostname`'s first address; override what the test is about. */
export function smtpFacts(hostname = 'mx1.example.nl', overrides: Partial<SmtpFacts> = {}): SmtpFacts {
  const endpoint = `${hostname}:25 (192.0.2.1)`;
  return {
    endpoint, hostname, address: '192.0.2.1', banner: { code: 220, lines: [`${hostname} ESMTP`] }, ehloName: 'scanner.test',
    extensions: ['PIPELINING', 'STARTTLS'], starttlsAdvertised: true, starttlsReply: { code: 220, lines: ['Ready to start TLS'] },
    tls: tlsFacts({ endpoint, hostname, alpn: null }), tlsError: null,
    transcript: [`S: 220 ${hostname} ESMTP`, 'C: EHLO scanner.test', 'S: 250-PIPELINING', 'S: 250 STARTTLS', 'C: STARTTLS',
      'S: 220 Ready to start TLS', '* TLS TLSv1.3 TLS_AES_128_GCM_SHA256', 'C: QUIT', 'S: 221 bye'],
    observedAt: FIXED_TIME, ...overrides,
  };
}

/** STARTTLS not advertised. */
export const NOT_ADVERTISED: Partial<SmtpFacts> = { extensions: ['PIPELINING'], starttlsAdvertised: false, starttlsReply: null, tls: null };
/** Advertised, answered 454. */
export const REFUSED_454: Partial<SmtpFacts> = { starttlsReply: { code: 454, lines: ['4.7.0 TLS not available'] }, tls: null };
/** 220, then the handshake failed. */
export const HANDSHAKE_FAILED: Partial<SmtpFacts> = { tls: null, tlsError: 'mx1.example.nl:25 (192.0.2.1): connection closed during the TLS handshake' };

type HostScript = Partial<SmtpFacts> | ProbeError;

/**
 * Probes for a domain `example.nl` with MX hosts mx1 (and mx2 when scripted), each with one address unless
 * `addresses` says otherwise; `smtp` answers from `hosts` (keyed by host name, or `host@address`).
 */
export function mailProbes(
  hosts: Record<string, HostScript>,
  options: { mx?: readonly string[]; zone?: Record<string, Partial<Record<DnsType, readonly string[]>>>; addresses?: Record<string, readonly string[]>; extra?: Partial<Probes> } = {},
): Probes {
  const mx = options.mx ?? Object.keys(hosts).filter((k) => !k.includes('@')).map((h, i) => `${(i + 1) * 10} ${h}`);
  return fakeProbes({
    dns: zone({ 'example.nl': { MX: mx }, ...options.zone }),
    endpoints: async (hostname, port) => {
      const list = options.addresses?.[hostname];
      if (!list) return endpointsFor(hostname, port);
      const endpoints: Endpoint[] = list.map((address) => ({ hostname, port, address, dialPort: port }));
      return { hostname, port, source: 'dns', endpoints, answers: [] };
    },
    smtp: async (ep) => {
      const script = hosts[`${ep.hostname}@${ep.address}`] ?? hosts[ep.hostname];
      if (script === undefined) throw new Error(`unexpected smtp probe of ${ep.hostname}`);
      if (script instanceof ProbeError) throw script;
      return smtpFacts(ep.hostname, { endpoint: `${ep.hostname}:25 (${ep.address})`, address: ep.address, ...script });
    },
    ...options.extra,
  });
}
