/*
 * The spec versions of the recorded TLS configuration facts. Cache keys and the journal's facts carry them: change one
 * whenever what its probe sends or the facts it records change, so that an old record is never taken for a new answer.
 * They live apart from the probes so that the probe-kind registry can name them without loading the probes (a scan
 * that asks no TLS configuration question does not pay for the TLS engine's modules at start-up).
 */

/** Accepted suites per version, server order, groups, curves and DHE prime (src/tls/enumerate.ts). */
export const ENUMERATION_SPEC = 'enum-3';
/** Secure renegotiation, compression, EMS and TLS_FALLBACK_SCSV hellos (src/tls/hygiene/probe.ts). */
export const HYGIENE_SPEC = 'hygiene-2';
/** Heartbleed, CCS injection, ROBOT and Ticketbleed: what each sends and how it concludes (src/tls/weakness/). */
export const WEAKNESS_SPEC = 'weak-2';
/** Client-initiated renegotiation attempts (src/probes/tls-renegotiation.ts). */
export const RENEGOTIATION_SPEC = 'reneg-v1';
/** Session resumption and tickets (src/probes/tls-session.ts). */
export const SESSION_SPEC = 'session-v2';
