import { withDeadline } from '../../core/deadline.ts';
import { OCSP_RESPONDER_SPEC, queryOcspResponder, type OcspResponderFacts } from '../../probes/ocsp-responder.ts';
import type { TlsFacts } from '../../probes/types.ts';
import { probeKind } from './kind.ts';

/**
 * The leaf's own OCSP responder asked about it over HTTP (config `ocsp.queryResponder`), once per certificate:
 * keyed by issuer and serial, not by endpoint, so every name and MX serving the same leaf shares one question to its CA.
 */
export const ocspResponder = probeKind({
  name: 'ocspResponder',
  key: (facts: TlsFacts) => `ocsp-responder:${OCSP_RESPONDER_SPEC}:${facts.chain[0]?.issuer ?? '-'}:${facts.chain[0]?.serialNumber ?? '-'}`,
  load: (ctx, facts): Promise<OcspResponderFacts> => queryOcspResponder(facts, {
    endpoints: ctx.probes.endpoints, allow: ctx.allow, trustedCa: ctx.config.trustedCaPems,
    // Politeness: a CA's responder serves the whole web; one request at a time per responder host.
    post: (ep, url, body) => ctx.responder(ep.hostname, () => withDeadline(ctx.runSignal, ctx.config.probe.timeoutMs * 3, `ocsp ${url}`, (signal) =>
      ctx.http.request(ep, { url, method: 'POST', body, keepBytes: true,
        headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' } }, signal))),
  }),
  artifact: ({ issuerPem: _issuer, ...artifact }) => artifact,
});
