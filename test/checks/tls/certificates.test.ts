import { describe, expect, it } from 'vitest';
import { certificateExpiryCheck } from '../../../checks/tls/certificate-expiry.ts';
import { certificateHostnameCheck } from '../../../checks/tls/certificate-hostname.ts';
import { certificateKeyCheck } from '../../../checks/tls/certificate-key.ts';
import { certificateSignatureCheck } from '../../../checks/tls/certificate-signature.ts';
import { certificateTrustCheck } from '../../../checks/tls/certificate-trust.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { Check } from '../../../src/core/check.ts';
import type { TlsFacts } from '../../../src/probes/types.ts';
import { contextFor, endpointsFor, fakeProbes, tlsFacts } from '../../support/fake-probes.ts';
import { cert } from '../certificates.ts';

const run = (check: Check, facts: Partial<TlsFacts>) =>
  check.run(contextFor(fakeProbes({ endpoints: endpointsFor, tls: async () => tlsFacts({ chain: [cert()], ...facts }) })));
const root = cert({ subject: 'CN=Root', selfSigned: true, signatureAlgorithm: 'sha1WithRSAEncryption', keyType: 'rsa', keyBits: 1024 });

describe('certificate checks (clock fixed at 2026-06-01)', () => {
  it.each([
    [certificateTrustCheck, {}, 'pass'],
    [certificateTrustCheck, { chainTrusted: false, authorizationError: 'SELF_SIGNED_CERT_IN_CHAIN' }, 'fail'],
    [certificateHostnameCheck, {}, 'pass'],
    [certificateHostnameCheck, { hostnameMatches: false }, 'fail'],
    [certificateExpiryCheck, {}, 'pass'],
    [certificateExpiryCheck, { chain: [cert({ notAfter: '2026-06-20T00:00:00Z' })] }, 'warn'],   // 19 days < 30
    [certificateExpiryCheck, { chain: [cert({ notAfter: '2026-06-05T00:00:00Z' })] }, 'fail'],   // 4 days < 7
    [certificateExpiryCheck, { chain: [cert({ notAfter: '2026-05-01T00:00:00Z' })] }, 'fail'],   // expired
    [certificateExpiryCheck, { chain: [cert({ notBefore: '2026-07-01T00:00:00Z' })] }, 'fail'],  // not yet valid
    [certificateExpiryCheck, { chain: [] }, 'fail'],
    [certificateKeyCheck, {}, 'pass'],
    [certificateKeyCheck, { chain: [cert(), root] }, 'pass'],                                    // a root's key is not judged
    [certificateKeyCheck, { chain: [cert({ keyType: 'rsa', keyBits: 1024 })] }, 'fail'],
    [certificateKeyCheck, { chain: [cert(), cert({ subject: 'CN=Intermediate', keyType: 'rsa', keyBits: 1024 })] }, 'fail'],
    [certificateKeyCheck, { chain: [cert({ keyType: 'ec', keyBits: 224 })] }, 'fail'],
    [certificateSignatureCheck, {}, 'pass'],
    [certificateSignatureCheck, { chain: [cert(), root] }, 'pass'],                              // a root's own signature is never checked
    [certificateSignatureCheck, { chain: [cert({ signatureAlgorithm: 'sha1WithRSAEncryption' })] }, 'fail'],
    [certificateSignatureCheck, { chain: [cert({ signatureAlgorithm: 'md5WithRSAEncryption' })] }, 'fail'],
  ] as const)('%#: %s -> %s', async (check, facts, status) => {
    expect((await run(check, facts)).status).toBe(status);
  });

  it('shows the leaf facts and days left as evidence', async () => {
    const outcome = await run(certificateExpiryCheck, {});
    expect(outcome).toMatchObject({ status: 'pass', evidence: { host: 'example.nl', port: 443, addresses: [{
      address: '192.0.2.1', daysLeft: 214, leaf: { subject: 'CN=example.nl', notAfter: '2027-01-01T00:00:00.000Z' },
    }] } });
  });

  it('reports a probe failure as error with its reason', async () => {
    const ctx = contextFor(fakeProbes({ endpoints: endpointsFor, tls: async () => { throw new ProbeError('timeout', 'x', 'slow'); } }));
    expect(await certificateTrustCheck.run(ctx)).toMatchObject({ status: 'error', reason: 'timeout' });
  });

  it('fails when the name has no addresses', async () => {
    const ctx = contextFor(fakeProbes({ endpoints: async (hostname, port) => ({ hostname, port, source: 'dns', endpoints: [], answers: [] }) }));
    expect(await certificateTrustCheck.run(ctx)).toMatchObject({ status: 'fail', summary: 'example.nl has no A or AAAA record' });
  });

  it('judges every address: one bad backend fails the check and is named', async () => {
    const endpoints = async (hostname: string, port: number) => ({
      hostname, port, source: 'dns' as const, answers: [],
      endpoints: ['192.0.2.1', '192.0.2.2'].map((address) => ({ hostname, port, address, dialPort: port })),
    });
    const tls = async (ep: { address: string }) => tlsFacts({ chain: [cert()], hostnameMatches: ep.address === '192.0.2.1' });
    const outcome = await certificateHostnameCheck.run(contextFor(fakeProbes({ endpoints, tls })));
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toContain('(192.0.2.2)');
  });
});
