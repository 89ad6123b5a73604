/**
 * Changes whenever the OCSP request sent (and so the answer to expect) changes; part of the probe's cache key. In a
 * module of its own so that the probe can name its cache key without loading the ASN.1 libraries at start-up.
 */
export const OCSP_REQUEST_SPEC = 'ocsp-request-v1';
