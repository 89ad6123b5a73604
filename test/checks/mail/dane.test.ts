import { createHash, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { daneCheck } from '../../../checks/mail/dane.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import { createCa, issueLeaf } from '../../../src/lab/pki.ts';
import { certificateFacts } from '../../../src/probes/tls.ts';
import type { Probes, SmtpFacts } from '../../../src/probes/types.ts';
import { validation } from '../../support/fake-dnssec.ts';
import { contextFor, tlsFacts, zone } from '../../support/fake-probes.ts';
import { mailProbes, NOT_ADVERTISED } from './smtp-facts.ts';

const ca = createCa({ name: 'DANE Test CA' });
const mx1 = issueLeaf(ca, { hosts: ['mx1.example.nl'] });
const mx2 = issueLeaf(ca, { hosts: ['mx2.example.nl'] });
const spkiSha256 = (pem: string) =>
  createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
const certSha256 = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

const EE_MX1 = `3 1 1 ${spkiSha256(mx1.certPem)}`;
const EE_MX2 = `3 1 1 ${spkiSha256(mx2.certPem)}`;
const TA = `2 0 1 ${certSha256(ca.certPem)}`;

/** An SMTP session whose TLS chain is the real certificate(s), so TLSA digests can match. */
const serving = (host: string, ...pems: string[]): Partial<SmtpFacts> => ({
  tls: tlsFacts({ endpoint: `${host}:25 (192.0.2.1)`, hostname: host, chain: pems.map((p) => certificateFacts(new X509Certificate(p), p)) }),
});

type Tlsa = Record<string, readonly string[]>;

/** A zone where `secure` names validate (Vouch's validation, and the resolver's AD bit, which only the notes read). */
function probes(tlsa: Tlsa, sessions: Parameters<typeof mailProbes>[0], secure: readonly string[] = [...Object.keys(tlsa), 'example.nl']): Probes {
  const records = zone({ 'example.nl': { MX: Object.keys(sessions).map((h, i) => `${(i + 1) * 10} ${h}`) },
    ...Object.fromEntries(Object.entries(tlsa).map(([host, rrs]) => [`_25._tcp.${host}`, { TLSA: rrs }])) });
  const dns: Probes['dns'] = async (name, type) => {
    const answer = await records(name, type);
    const host = name.replace(/^_25\._tcp\./, '');
    return { ...answer, authenticated: secure.includes(host) };
  };
  const dnssec: Probes['dnssec'] = async (name, type) => validation(name, type, secure.includes(name.replace(/^_25\._tcp\./, '')) ? 'secure' : 'insecure');
  return mailProbes(sessions, { extra: { dns, dnssec } });
}

const run = (p: Probes) => daneCheck.run(contextFor(p));
// RFC 7672 3.1.2: a server using DANE-TA sends the trust anchor in its chain, so these do.
const both = { 'mx1.example.nl': serving('mx1.example.nl', mx1.certPem, ca.certPem), 'mx2.example.nl': serving('mx2.example.nl', mx2.certPem, ca.certPem) };

describe('mail.dane', () => {
  it.each([
    { name: 'DANE-EE matches on both MX', tlsa: { 'mx1.example.nl': [EE_MX1], 'mx2.example.nl': [EE_MX2] }, status: 'pass' },
    { name: 'DANE-TA matches on both MX', tlsa: { 'mx1.example.nl': [TA], 'mx2.example.nl': [TA] }, status: 'pass' },
    { name: 'one matching record of several (rollover)', tlsa: { 'mx1.example.nl': [EE_MX2, EE_MX1], 'mx2.example.nl': [EE_MX2] }, status: 'pass' },
    { name: 'no TLSA anywhere', tlsa: {}, status: 'warn' }, // recommended, as internet.nl
    { name: 'TLSA on one MX only', tlsa: { 'mx1.example.nl': [EE_MX1] }, status: 'warn' },
    { name: 'TLSA that matches nothing', tlsa: { 'mx1.example.nl': [EE_MX2], 'mx2.example.nl': [EE_MX2] }, status: 'fail' },
    { name: 'only PKIX usages (RFC 7672 3.1.3)', tlsa: { 'mx1.example.nl': [`1 1 1 ${spkiSha256(mx1.certPem)}`], 'mx2.example.nl': [EE_MX2] }, status: 'fail' },
  ])('$name -> $status', async ({ tlsa, status }) => {
    expect((await run(probes(tlsa, both))).status).toBe(status);
  });

  it('fails DANE-TA when the server does not send the trust anchor (RFC 7672 3.1.2)', async () => {
    const outcome = await run(probes({ 'mx1.example.nl': [TA] }, { 'mx1.example.nl': serving('mx1.example.nl', mx1.certPem) }));
    expect(outcome).toMatchObject({ status: 'fail', summary: expect.stringContaining('matches the certificate chain served') });
  });

  it('fails TLSA records that do not validate secure (RFC 7672 2.2), and says why', async () => {
    const outcome = await run(probes({ 'mx1.example.nl': [EE_MX1] }, { 'mx1.example.nl': both['mx1.example.nl'] }, ['example.nl']));
    expect(outcome).toMatchObject({ status: 'fail', summary: expect.stringContaining('are not DNSSEC-signed (unsigned-delegation') });
  });

  it('is an error, not a verdict, when the TLSA records could not be validated', async () => {
    const base = probes({ 'mx1.example.nl': [EE_MX1] }, { 'mx1.example.nl': both['mx1.example.nl'] });
    const outcome = await run({ ...base, dnssec: async (name, type) => validation(name, type, 'indeterminate') });
    expect(outcome).toMatchObject({ status: 'error', summary: expect.stringContaining('could not validate the TLSA records') });
  });

  it('fails when TLSA is published but the MX offers no TLS (senders defer mail)', async () => {
    const outcome = await run(probes({ 'mx1.example.nl': [EE_MX1] }, { 'mx1.example.nl': NOT_ADVERTISED }));
    expect(outcome).toMatchObject({ status: 'fail', summary: expect.stringContaining('no TLS session') });
  });

  it('passes with a note when the MX RRset itself is not signed (RFC 7672 2.2.1 allows DANE then)', async () => {
    const outcome = await run(probes({ 'mx1.example.nl': [EE_MX1] }, { 'mx1.example.nl': both['mx1.example.nl'] }, ['mx1.example.nl']));
    expect(outcome).toMatchObject({ status: 'pass', summary: expect.stringContaining('MX RRset of example.nl is not DNSSEC-authenticated') });
  });

  it('turns a TLSA lookup failure (SERVFAIL) into error for that host', async () => {
    const base = probes({}, both);
    const dns: Probes['dns'] = (name, type) =>
      (type === 'TLSA' ? Promise.reject(new ProbeError('dns-failure', 'resolver', `SERVFAIL for TLSA ${name}`)) : base.dns(name, type));
    expect(await run({ ...base, dns })).toMatchObject({ status: 'error', reason: 'dns-failure' });
  });

  it('shows each record, how it fared and the certificate fingerprint as evidence', async () => {
    const outcome = await run(probes({ 'mx1.example.nl': [EE_MX2, EE_MX1] }, { 'mx1.example.nl': both['mx1.example.nl'] }));
    expect(outcome.status).toBe('pass');
    if (outcome.status !== 'pass') return;
    expect(outcome.summary).toBe('mx1.example.nl: TLSA DANE-EE(3) SPKI(1) SHA2-256(1) matches the leaf');
    expect(outcome.evidence).toMatchObject({
      mx: [{
        host: 'mx1.example.nl', tlsaName: '_25._tcp.mx1.example.nl', tlsaAuthenticated: true, mxAuthenticated: true,
        addresses: [{ address: '192.0.2.1', records: [
          { record: EE_MX2, usable: true, matchedDepth: null, problem: 'does not match the leaf' },
          { record: EE_MX1, usable: true, matchedDepth: 0, problem: null },
        ], chainLength: 2, leafFingerprintSha256: new X509Certificate(mx1.certPem).fingerprint256 }],
      }],
    });
  });
});
