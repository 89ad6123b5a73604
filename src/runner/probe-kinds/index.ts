import { browser } from './browser.ts';
import { dns } from './dns.ts';
import { dnssec, dnssecQuestion } from './dnssec.ts';
import { endpoints } from './endpoints.ts';
import { http } from './http.ts';
import { ipv6Client } from './ipv6-client.ts';
import { nameServerSoa } from './name-server.ts';
import { ocspResponder } from './ocsp-responder.ts';
import { rpkiValidity } from './rpki.ts';
import { smtp, smtpTlsVersion } from './smtp.ts';
import { tls, tlsVersion } from './tls.ts';
import {
  smtpTlsEnumeration, smtpTlsHygiene, smtpTlsRenegotiation, smtpTlsSession, smtpTlsWeakness,
  tlsEnumeration, tlsHygiene, tlsRenegotiation, tlsSession, tlsWeakness,
} from './tls-configuration.ts';
import { probeRegistry, type ProbesOf } from './kind.ts';

/**
 * Every kind of probe answer a check may ask for. A new kind is one module (see kind.ts) and one line here: the
 * session, the `Probes` type, the journal's facts and replay all follow from this list.
 */
export const PROBE_KINDS = probeRegistry(
  dns, endpoints, tls, tlsVersion, http, smtp, smtpTlsVersion,
  tlsEnumeration, smtpTlsEnumeration, tlsHygiene, smtpTlsHygiene, tlsRenegotiation, smtpTlsRenegotiation,
  tlsSession, smtpTlsSession, tlsWeakness, smtpTlsWeakness,
  ocspResponder,
  nameServerSoa, ipv6Client, rpkiValidity, browser,
  dnssecQuestion, dnssec,
);

/** Everything a check may ask of the network: one method per kind. Each call is cached per run and bounded by a deadline. */
export type Probes = ProbesOf<typeof PROBE_KINDS>;
