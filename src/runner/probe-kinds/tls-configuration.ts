import type { Endpoint } from '../../core/types.ts';
import { ENUMERATION_SPEC, HYGIENE_SPEC, RENEGOTIATION_SPEC, SESSION_SPEC, WEAKNESS_SPEC } from '../../tls/fact-specs.ts';
import type { RawWeakness } from '../../tls/weakness/facts.ts';
import { endpointKey, probeKind } from './kind.ts';

/*
 * The TLS configuration behind an address (issues 9 and 10), on the web and, with an `smtp-` key and an `smtp` name,
 * after SMTP STARTTLS: measured once per address and configuration (src/runner/tls-configuration-probes.ts), cached
 * and recorded per name. Keys carry the spec versions the facts depend on.
 *
 * The MX kinds are kept for the run (`lifetime: 'run'`): an MX host's name is shared by every domain pointing at it.
 * The web kinds are not: a web name is one domain's, and what web names share is their address, whose measurement
 * the sharing keeps for the run through the name it was taken through (src/runner/shared-endpoints.ts).
 */

/** Accepted suites per version (SSLv2 to TLS 1.3), server order, groups, curves, DHE prime (src/tls/enumerate.ts). */
export const tlsEnumeration = probeKind({
  name: 'tlsEnumeration',
  key: (ep: Endpoint) => `tls-enumeration:${ENUMERATION_SPEC}:${endpointKey(ep)}`,
  load: (ctx, ep) => ctx.tlsConfiguration.enumeration(ep, 'tls'),
});
/** Like `tlsEnumeration` on an MX: every hello after its own EHLO and STARTTLS (connections are SMTP sessions). */
export const smtpTlsEnumeration = probeKind({
  name: 'smtpTlsEnumeration',
  lifetime: 'run',
  key: (ep: Endpoint) => `smtp-tls-enumeration:${ENUMERATION_SPEC}:${endpointKey(ep)}`,
  load: (ctx, ep) => ctx.tlsConfiguration.enumeration(ep, 'smtp-starttls'),
});

/** Secure renegotiation, compression, EMS, TLS_FALLBACK_SCSV, planned from the enumeration (src/tls/hygiene/probe.ts). */
export const tlsHygiene = probeKind({
  name: 'tlsHygiene',
  key: (ep: Endpoint) => `tls-hygiene:${HYGIENE_SPEC}:${ENUMERATION_SPEC}:${endpointKey(ep)}`,
  load: (ctx, ep) => ctx.tlsConfiguration.hygiene(ep, 'tls'),
});
export const smtpTlsHygiene = probeKind({
  name: 'smtpTlsHygiene',
  lifetime: 'run',
  key: (ep: Endpoint) => `smtp-tls-hygiene:${HYGIENE_SPEC}:${ENUMERATION_SPEC}:${endpointKey(ep)}`,
  load: (ctx, ep) => ctx.tlsConfiguration.hygiene(ep, 'smtp-starttls'),
});

/** Client-initiated renegotiations accepted on one TLS 1.2 connection, up to 11 (src/probes/tls-renegotiation.ts). */
export const tlsRenegotiation = probeKind({
  name: 'tlsRenegotiation',
  key: (ep: Endpoint) => `tls-renegotiation:${RENEGOTIATION_SPEC}:${endpointKey(ep)}`,
  load: (ctx, ep) => ctx.tlsConfiguration.renegotiation(ep, 'tls'),
});
export const smtpTlsRenegotiation = probeKind({
  name: 'smtpTlsRenegotiation',
  lifetime: 'run',
  key: (ep: Endpoint) => `smtp-tls-renegotiation:${RENEGOTIATION_SPEC}:${endpointKey(ep)}`,
  load: (ctx, ep) => ctx.tlsConfiguration.renegotiation(ep, 'smtp-starttls'),
});

/** Session resumption and the server's tickets (0-RTT), two node:tls handshakes (src/probes/tls-session.ts). */
export const tlsSession = probeKind({
  name: 'tlsSession',
  key: (ep: Endpoint) => `tls-session:${SESSION_SPEC}:${endpointKey(ep)}`,
  load: (ctx, ep) => ctx.tlsConfiguration.session(ep, 'tls'),
});
export const smtpTlsSession = probeKind({
  name: 'smtpTlsSession',
  lifetime: 'run',
  key: (ep: Endpoint) => `smtp-tls-session:${SESSION_SPEC}:${endpointKey(ep)}`,
  load: (ctx, ep) => ctx.tlsConfiguration.session(ep, 'smtp-starttls'),
});

/** Heartbleed, CCS injection, Ticketbleed or ROBOT, probed with raw hellos (src/tls/weakness/; ROBOT planned from the enumeration). */
export const tlsWeakness = probeKind({
  name: 'tlsWeakness',
  key: (ep: Endpoint, weakness: RawWeakness) => `tls-weakness:${weakness}:${WEAKNESS_SPEC}:${ENUMERATION_SPEC}:${endpointKey(ep)}`,
  load: (ctx, ep, weakness) => ctx.tlsConfiguration.weakness(ep, 'tls', weakness),
});
export const smtpTlsWeakness = probeKind({
  name: 'smtpTlsWeakness',
  lifetime: 'run',
  key: (ep: Endpoint, weakness: RawWeakness) => `smtp-tls-weakness:${weakness}:${WEAKNESS_SPEC}:${ENUMERATION_SPEC}:${endpointKey(ep)}`,
  load: (ctx, ep, weakness) => ctx.tlsConfiguration.weakness(ep, 'smtp-starttls', weakness),
});
