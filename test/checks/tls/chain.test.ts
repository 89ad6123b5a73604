/**
 * Certificate checks on long chains served by a real TLS server on loopback, read by the real TLS probe: every
 * certificate that was read is judged, and a chain cut by the probe's cap never passes.
 */
import { describe, expect, it } from 'vitest';
import { certificateExpiryCheck } from '../../../checks/tls/certificate-expiry.ts';
import { certificateHostnameCheck } from '../../../checks/tls/certificate-hostname.ts';
import { certificateKeyCheck } from '../../../checks/tls/certificate-key.ts';
import { certificateSignatureCheck } from '../../../checks/tls/certificate-signature.ts';
import { certificateTrustCheck } from '../../../checks/tls/certificate-trust.ts';
import type { Check } from '../../../src/core/check.ts';
import type { Endpoint } from '../../../src/core/types.ts';
import { createCa, createIntermediateChain, issueLeaf, type CaOptions } from '../../../src/lab/pki.ts';
import { startTlsServer } from '../../../src/lab/tls-server.ts';
import { tlsHandshake } from '../../../src/probes/tls.ts';
import type { Probes } from '../../../src/probes/types.ts';
import { cleanupAfterEach } from '../../support/cleanup.ts';
import { contextFor, fakeProbes } from '../../support/fake-probes.ts';

const HOST = 'chain.vouch.test';
const root = createCa({ name: 'Vouch Chain Test Root' });
const { defer } = cleanupAfterEach();

/** A TLS server on 127.0.0.1 serving a leaf under `intermediates` CAs, with `weak` options at depth 30. */
async function servedChain(intermediates: number, weak: Partial<CaOptions> = {}): Promise<Probes> {
  const leaf = issueLeaf(createIntermediateChain(root, intermediates, (depth) => (depth === 30 ? weak : {})), { hosts: [HOST] });
  // Security level 0 lets the server load an RSA-1024 or SHA-1 intermediate at all.
  const server = await startTlsServer({ key: leaf.keyPem, cert: leaf.chainPem, ciphers: 'DEFAULT@SECLEVEL=0' });
  defer(() => server.close());
  const endpoint: Endpoint = { hostname: HOST, port: 443, address: '127.0.0.1', dialPort: server.port };
  return fakeProbes({
    endpoints: async (hostname, port) => ({ hostname, port, source: 'connect-to', endpoints: [endpoint], answers: [] }),
    tls: async (ep) => {
      const { facts, socket } = await tlsHandshake(ep, { ca: [root.certPem] }, new AbortController().signal);
      socket.destroy();
      return facts;
    },
  });
}

/** The real clock: these certificates are made now, not at the unit tests' fixed date. */
const run = async (check: Check, probes: Probes) => check.run(contextFor(probes, { domain: HOST }, { now: () => new Date() }));

describe('a chain of 40 certificates, judged whole', () => {
  it('fails the key check for an RSA-1024 intermediate at depth 30', async () => {
    const outcome = await run(certificateKeyCheck, await servedChain(39, { keyType: 'rsa', rsaBits: 1024 }));
    expect(outcome).toMatchObject({ status: 'fail', summary: 'weak RSA 1024-bit key in "O=Vouch Lab, CN=Vouch Lab Intermediate 30"' });
  });

  it('fails the signature check for a SHA-1 signed intermediate at depth 30', async () => {
    const outcome = await run(certificateSignatureCheck, await servedChain(39, { signatureHash: 'sha1' }));
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toContain('"O=Vouch Lab, CN=Vouch Lab Intermediate 30" is signed with ecdsa-with-SHA1');
  });

  it('passes the same 40 certificates when none is weak', async () => {
    const probes = await servedChain(39);
    expect((await run(certificateKeyCheck, probes)).status).toBe('pass');
    expect((await run(certificateSignatureCheck, probes)).status).toBe('pass');
  });
});

describe('a chain longer than the probe reads (150 certificates)', () => {
  it('is an error (client-limitation) for the key and signature checks, with the evidence read', async () => {
    const probes = await servedChain(149);
    for (const check of [certificateKeyCheck, certificateSignatureCheck]) {
      const outcome = await run(check, probes);
      expect(outcome).toMatchObject({ status: 'error', reason: 'client-limitation' });
      expect(outcome.summary).toContain('more than 100 certificates');
      expect(outcome).toMatchObject({ evidence: { addresses: [{ chainTruncated: true, certificatesRead: 100, maxCertificates: 100 }] } });
    }
  });

  it('still fails when the weak certificate is in the part that was read', async () => {
    const outcome = await run(certificateKeyCheck, await servedChain(149, { keyType: 'rsa', rsaBits: 1024 }));
    expect(outcome.status).toBe('fail');
  });

  it('keeps leaf-only verdicts and says in the evidence that the chain was cut', async () => {
    const probes = await servedChain(149);
    for (const check of [certificateHostnameCheck, certificateExpiryCheck]) {
      const outcome = await run(check, probes);
      expect(outcome.status, outcome.summary).toBe('pass');
      expect(outcome).toMatchObject({ evidence: { addresses: [{ chainTruncated: true, certificatesRead: 100 }] } });
    }
    // OpenSSL verifies at most 100 certificates deep, so a chain this long is not trusted anyway.
    expect((await run(certificateTrustCheck, probes)).status).toBe('fail');
  });
});
