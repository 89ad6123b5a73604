import { describe, expect, it } from 'vitest';
import { mxCertificateCheck } from '../../../checks/mail/mx-certificate.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { Settings } from '../../../src/config/settings.ts';
import type { CertificateFacts, Probes, TlsFacts } from '../../../src/probes/types.ts';
import { contextFor, httpHop, tlsFacts } from '../../support/fake-probes.ts';
import { cert } from '../certificates.ts';
import { mailProbes, NOT_ADVERTISED } from './smtp-facts.ts';

const MX = 'mx1.example.nl';
const leaf = (overrides: Partial<CertificateFacts> = {}) => cert({ subject: `CN=${MX}`, subjectAltNames: [`DNS:${MX}`], ...overrides });
const session = (tls: Partial<TlsFacts> = {}, chain = [leaf()]) =>
  ({ tls: tlsFacts({ endpoint: `${MX}:25 (192.0.2.1)`, hostname: MX, alpn: null, chain, ...tls }) });

/** `_mta-sts` TXT and a policy in `mode`, fetched over a trusted certificate; `null` publishes no MTA-STS. */
function mtaSts(mode: 'enforce' | 'testing' | null, fetch?: ProbeError) {
  const policy = `version: STSv1\nmode: ${mode}\nmx: *.example.nl\nmax_age: 604800\n`;
  const extra: Partial<Probes> = {
    tls: async (ep) => tlsFacts({ endpoint: `${ep.hostname}:443 (192.0.2.1)`, hostname: ep.hostname }),
    http: async () => {
      if (fetch) throw fetch;
      return httpHop({ url: 'https://mta-sts.example.nl/.well-known/mta-sts.txt', headers: { 'content-type': ['text/plain'] }, body: policy });
    },
  };
  return { zone: mode ? { '_mta-sts.example.nl': { TXT: ['v=STSv1; id=20260101'] } } : {}, extra };
}

async function judge(script: ReturnType<typeof session> | Parameters<typeof mailProbes>[0][string], sts = mtaSts(null), settings: Partial<Settings> = {}) {
  return mxCertificateCheck.run(contextFor(mailProbes({ [MX]: script }, sts), {}, settings));
}

describe('mail.mx-certificate', () => {
  it.each([
    { name: 'trusted, named, current, strong', tls: {}, chain: [leaf()], status: 'pass' },
    { name: 'untrusted chain, opportunistic', tls: { chainTrusted: false, authorizationError: 'SELF_SIGNED_CERT_IN_CHAIN' }, chain: [leaf()], status: 'warn' },
    { name: 'wrong host name, opportunistic', tls: { hostnameMatches: false }, chain: [leaf({ subjectAltNames: ['DNS:other.example'] })], status: 'warn' },
    { name: 'expires in 20 days', tls: {}, chain: [leaf({ notAfter: '2026-06-21T00:00:00.000Z' })], status: 'warn' },
    { name: 'expires in 3 days', tls: {}, chain: [leaf({ notAfter: '2026-06-04T00:00:00.000Z' })], status: 'fail' },
    { name: 'expired (always fail)', tls: { chainTrusted: false, authorizationError: 'CERT_HAS_EXPIRED' }, chain: [leaf({ notAfter: '2026-05-01T00:00:00.000Z' })], status: 'fail' },
    { name: 'RSA 1024 key', tls: {}, chain: [leaf({ keyType: 'rsa', keyBits: 1024, curve: null })], status: 'fail' },
    { name: 'SHA-1 signature', tls: {}, chain: [leaf({ signatureAlgorithm: 'sha1WithRSAEncryption' })], status: 'fail' },
    // NCSC-NL 2025-05 (the default TLS profile): RSA 2048-3071 is phase-out, 3072 and more good.
    { name: 'RSA 2048 key (phase-out)', tls: {}, chain: [leaf({ keyType: 'rsa', keyBits: 2048, curve: null })], status: 'warn' },
    { name: 'RSA 3072 key', tls: {}, chain: [leaf({ keyType: 'rsa', keyBits: 3072, curve: null })], status: 'pass' },
  ])('$name -> $status', async ({ tls, chain, status }) => {
    const outcome = await judge(session(tls, chain)); expect(outcome.status, JSON.stringify(outcome.summary)).toBe(status);
  });

  it.each([
    { name: 'MTA-STS enforce', sts: mtaSts('enforce'), settings: {}, status: 'fail' },
    { name: 'MTA-STS testing', sts: mtaSts('testing'), settings: {}, status: 'warn' },
    { name: 'strictMxCertificates configured', sts: mtaSts(null), settings: { strictMxCertificates: true }, status: 'fail' },
  ])('an untrusted MX certificate under $name -> $status', async ({ sts, settings, status }) => {
    const outcome = await judge(session({ chainTrusted: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }), sts, settings);
    expect(outcome.status).toBe(status);
  });

  it('says "could not test" for a name problem when the MTA-STS policy (warn or fail?) cannot be fetched', async () => {
    const sts = mtaSts('enforce', new ProbeError('timeout', 'mta-sts.example.nl:443', 'no answer'));
    const outcome = await judge(session({ hostnameMatches: false }), sts);
    expect(outcome).toMatchObject({ status: 'error', reason: 'timeout' });
    expect(outcome.summary).toContain('whether MTA-STS enforces it is unknown');
  });

  it('still passes a good certificate when the MTA-STS policy cannot be fetched', async () => {
    const sts = mtaSts('enforce', new ProbeError('timeout', 'mta-sts.example.nl:443', 'no answer'));
    const outcome = await judge(session({}), sts);
    expect(outcome.status).toBe('pass');
    expect(JSON.stringify(outcome)).toContain('MTA-STS policy could not be fetched');
  });

  it('skips (prerequisite) when there is no certificate to judge: mail.starttls reports that fail once', async () => {
    expect(await judge(NOT_ADVERTISED)).toMatchObject({ status: 'skip', reason: 'prerequisite', summary: expect.stringContaining('see mail.starttls') });
  });

  it('turns a ProbeError from the SMTP session into error', async () => {
    expect(await judge(new ProbeError('refused', MX, '421 busy'))).toMatchObject({ status: 'error', reason: 'refused' });
  });

  it('names every finding and shows the certificate and the mode as evidence', async () => {
    const outcome = await judge(session({ chainTrusted: false, authorizationError: 'CERT_HAS_EXPIRED', hostnameMatches: false },
      [leaf({ notAfter: '2026-05-01T00:00:00.000Z', subjectAltNames: ['DNS:old.example'] })]));
    expect(outcome.status).toBe('fail');
    if (outcome.status !== 'fail') return;
    expect(outcome.summary).toBe(`${MX}: chain not trusted: CERT_HAS_EXPIRED; not valid for ${MX} (names: DNS:old.example); `
      + 'certificate expired on 2026-05-01T00:00:00.000Z');
    expect(outcome.evidence).toMatchObject({
      mx: [{ host: MX, addresses: [{
        address: '192.0.2.1', strict: false, mode: 'no valid MTA-STS record: opportunistic TLS', chainTrusted: false,
        authorizationError: 'CERT_HAS_EXPIRED', leaf: { subject: `CN=${MX}`, subjectAltNames: ['DNS:old.example'] },
      }] }],
    });
  });

  it('names each key and signature with its class and clause under the configured profile', async () => {
    const outcome = await judge(session({}, [leaf({ keyType: 'rsa', keyBits: 2048, curve: null })]));
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toContain('RSA 2048-bit key in "CN=' + MX + '" is phase-out under ncsc-2025-05');
    expect(outcome).toMatchObject({ evidence: { mx: [{ addresses: [{ policy: { id: 'ncsc-2025-05' },
      keys: [{ keyType: 'rsa', keyBits: 2048, class: 'phase-out', clause: expect.stringContaining('§3.3.2.1') }],
      signatures: [{ hash: 'sha256', class: 'sufficient' }] }] }] } });
  });
});
