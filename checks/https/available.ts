import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { ProbeError } from '../../src/core/errors.ts';
import { HTTPS_SERVED } from '../../src/core/prerequisites.ts';

const REMEDIATION = 'Serve the site over HTTPS on port 443 with a valid certificate on every address the name resolves to.';

export const httpsAvailableCheck = defineCheck({
  id: 'https.available',
  title: 'The website is served over HTTPS',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: ['NCSC-NL ICT-beveiligingsrichtlijnen voor Transport Layer Security (TLS)', 'internet.nl: HTTPS available'],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION, async (ep) => {
    try {
      const tls = await ctx.probes.tls(ep);
      const hop = await ctx.probes.http(ep, { url: `https://${ep.hostname}/` });
      return {
        status: 'pass', summary: `HTTPS answers (${tls.protocol ?? 'TLS'}, HTTP ${hop.status})`,
        evidence: { protocol: tls.protocol, cipher: tls.cipher, httpStatus: hop.status, url: hop.url },
      };
    } catch (err) {
      // A refused port or a failed handshake is an answer from the server (a finding); a timeout is not (error).
      // The checks that need HTTPS skip on exactly these (HTTPS_SERVED), so the finding is reported here, once.
      if (err instanceof ProbeError && HTTPS_SERVED.isFinding(err)) {
        return { status: 'fail', summary: `no HTTPS on port 443: ${err.message}`, evidence: { problem: err.reason } };
      }
      throw err;
    }
  }),
});
