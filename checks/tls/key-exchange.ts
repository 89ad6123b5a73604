import { defineCheck } from '../../src/core/check.ts';
import { judgeEndpoints } from '../../src/core/endpoints.ts';
import { HTTPS_LISTENING } from '../../src/core/prerequisites.ts';
import { judgeKeyExchange } from '../../src/tls/judge/key-exchange.ts';

const REMEDIATION = 'Use ECDHE with x25519, secp256r1 or secp384r1 (and TLS 1.3 groups of that list); for DHE use an '
  + 'RFC 7919 group of 3072 bits or more (ffdhe3072), never a prime of 1024 bits or fewer; sign the key exchange with SHA-256 or better.';

export const tlsKeyExchangeCheck = defineCheck({
  id: 'tls.key-exchange',
  title: 'Key exchange groups, ECDHE curves, DHE prime and its signature hash meet the TLS policy',
  promises: ['transport-encryption'],
  scope: 'web',
  needs: ['web'],
  remediation: REMEDIATION,
  references: [
    'NCSC-NL ICT-beveiligingsrichtlijnen voor TLS 2025-05, §3.3.2.1 (curves), §3.3.3.1 (FFDHE), §3.3.5 (key exchange hash)',
    'Mozilla Server Side TLS 5.7 (ecdh curves, dh_param_size)',
    'RFC 7919 (FFDHE groups), RFC 8422 5.1 (curves), RFC 8446 4.2.7 (TLS 1.3 groups)',
    'internet.nl: "Key exchange parameters" and "Hash function for key exchange"',
    'A DHE prime of 1024 bits or fewer is insufficient under every profile (Logjam)',
  ],

  run: (ctx) => judgeEndpoints(ctx, ctx.target.domain, 443, REMEDIATION,
    async (ep) => judgeKeyExchange(await ctx.probes.tlsEnumeration(ep), ctx.settings.tlsPolicy), { prerequisite: HTTPS_LISTENING }),
});
