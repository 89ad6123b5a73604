/**
 * tls.certificate-transparency's judge over its three SCT sources (RFC 6962 3.3): embedded, the TLS extension (the
 * fingerprint's TLS <= 1.2 ServerHello) and the OCSP staple's SingleResponse extension. No network.
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainPath } from '../../src/probes/chain-path.ts';
import { certificateFacts } from '../../src/probes/tls.ts';
import type { TlsFacts } from '../../src/probes/types.ts';
import { createCa, issueLeaf, type LabCert } from '../../src/lab/pki.ts';
import { buildOcspResponse, fakeSctList, type StapleVariant } from '../../src/lab/ocsp.ts';
import { judgeTransparency, readSctExtension, type SctExtensionRead } from '../../src/tls/judge/certificate-transparency.ts';
import type { TlsEnumeration } from '../../src/tls/enumerate.ts';
import { tlsFacts } from '../support/fake-probes.ts';

const root = createCa({ name: 'Vouch CT Sources Root' });
const HOST = 'ct.vouch.test';
const DAY_MS = 86_400_000;

function facts(cert: LabCert, staple: StapleVariant | null = null, publicRoot = false): TlsFacts {
  const x509 = [new X509Certificate(cert.certPem)];
  const path = chainPath(x509, [root.certPem]);
  return tlsFacts({
    chain: x509.map((c) => certificateFacts(c, c.toString())),
    chainPath: publicRoot ? { ...path, anchor: { ...path.anchor!, source: 'bundled' } } : path,
    ocspStaple: staple === null ? null : { der: buildOcspResponse(root, cert.certPem, staple).toString('base64'), issuerPem: root.certPem, issuerFrom: 'trust-store' },
  });
}

/** TLS facts from a handshake that did not ask for a staple (the field is absent). */
function withoutStaple(given: TlsFacts): TlsFacts {
  const { ocspStaple: _unasked, ...rest } = given;
  return rest;
}

const ext = (...logs: string[]): SctExtensionRead => ({ read: true, fact: { version: 'TLSv1.2', listHex: fakeSctList(logs, Date.now()).toString('hex') } });
const NONE: SctExtensionRead = { read: true, fact: { version: 'TLSv1.2', listHex: null } };
const PER_NAME: SctExtensionRead = { read: false, why: 'not read: with tls.measure per-name no fingerprint hellos are sent' };

const noScts = issueLeaf(root, { hosts: [HOST], scts: 0 });
const oneSct = issueLeaf(root, { hosts: [HOST], scts: 1 });
const long = issueLeaf(root, { hosts: [HOST], scts: 2, notAfter: new Date(Date.now() + 200 * DAY_MS) });

describe('judgeTransparency over embedded, TLS extension and staple SCTs', () => {
  it.each<readonly [string, TlsFacts, SctExtensionRead, string, RegExp]>([
    ['embedded and TLS extension pooled', facts(oneSct), ext('Log X'), 'pass',
      /^1 embedded SCT \+ 1 SCT in the TLS extension from 2 distinct logs \(2 needed with SCTs delivered in the handshake; counted, not verified\)$/],
    ['the staple alone', facts(noScts, 'with-scts'), NONE, 'pass', /^0 embedded SCTs \+ 2 SCTs in the OCSP staple from 2 distinct logs/],
    ['the TLS extension alone', facts(noScts), ext('Log X', 'Log Y'), 'pass', /2 SCTs in the TLS extension from 2 distinct logs/],
    ['a delivered SCT lowers a 200-day certificate\'s need to 2', facts(long), ext('Log X'), 'pass', /2 embedded SCTs \+ 1 SCT in the TLS extension from 3 distinct logs/],
    ['200 days, embedded only: 3 needed', facts(long), NONE, 'fail', /2 embedded SCTs from 2 distinct logs; 3 needed for a 2\d\d(\.\d)?-day certificate/],
    ['two SCTs from one log', facts(noScts), ext('Log X', 'Log X'), 'fail', /2 SCTs in the TLS extension from 1 distinct log; 2 needed .*takes part in CT/],
    ['a TLS extension list that does not parse', facts(noScts), { read: true, fact: { version: 'TLSv1.2', listHex: '0005ff' } }, 'fail', /an SCT list does not parse/],
    ['one SCT, TLS extension not read (per-name)', facts(oneSct), PER_NAME, 'error', /and the SCTs of tls-extension were not read, which could make up the difference/],
    ['one SCT, TLS 1.3 only (not read)', facts(oneSct), { read: true, fact: null }, 'error', /tls-extension were not read/],
    ['one SCT, staple not asked for', withoutStaple(facts(oneSct)), NONE, 'error', /ocsp-staple were not read/],
    ['one SCT, publicly trusted', facts(oneSct, 'good', true), NONE, 'fail', /browsers reject this publicly trusted certificate/],
    ['none anywhere under a configured root', facts(noScts, 'good'), NONE, 'warn', /^no embedded SCTs, none in the TLS extension or the OCSP staple; browsers require/],
    ['none, TLS extension not read', facts(noScts), PER_NAME, 'warn', /\(not read: tls-extension\); browsers require/],
  ])('%s: %s', (_name, given, extension, status, summary) => {
    const v = judgeTransparency(given, extension);
    expect(v.status, v.summary).toBe(status);
    expect(v.summary).toMatch(summary);
    expect(v.evidence).toMatchObject({ verified: false });
  });

  it('says per SCT where it came from, and per source what was read', () => {
    const v = judgeTransparency(facts(oneSct, 'with-scts'), ext('Log X'));
    const evidence = v.evidence as { scts: { source: string }[]; sources: Record<string, { read: boolean; scts: number; note: string }> };
    expect(evidence.scts.map((s) => s.source)).toEqual(['embedded', 'tls-extension', 'ocsp-staple', 'ocsp-staple']);
    expect(evidence.sources['tls-extension']).toMatchObject({ read: true, scts: 1, note: expect.stringContaining('TLSv1.2 ServerHello') });
    expect(evidence.sources['ocsp-staple']).toMatchObject({ read: true, scts: 2 });
    expect(v.evidence).toMatchObject({ embedded: 1, tlsExtension: 1, ocspStaple: 2, distinctLogs: 4, required: 2 });
  });

  it('counts a staple\'s SCTs only from the answer about this certificate', () => {
    const other = issueLeaf(root, { hosts: [HOST], scts: 0 });
    const given = facts(noScts);
    const foreign = { ...given, ocspStaple: { der: buildOcspResponse(root, other.certPem, 'with-scts').toString('base64'), issuerPem: root.certPem, issuerFrom: 'trust-store' as const } };
    const v = judgeTransparency(foreign, NONE);
    expect(v.status).toBe('warn');
    expect(JSON.stringify(v.evidence)).toContain('no answer for this certificate');
  });
});

describe('readSctExtension', () => {
  const enumeration = (fingerprint: TlsEnumeration['fingerprint']) => async () => ({ fingerprint } as TlsEnumeration);
  it('reads the fingerprint\'s fact, says per-name when there is none, and never throws', async () => {
    const fact = { version: 'TLSv1.2' as const, listHex: null };
    expect(await readSctExtension(enumeration({ answers: [], connections: 5, sctExtension: fact }))).toEqual({ read: true, fact });
    expect(await readSctExtension(enumeration(undefined))).toMatchObject({ read: false, why: expect.stringContaining('per-name') });
    expect(await readSctExtension(async () => { throw new Error('timeout'); })).toMatchObject({ read: false, why: expect.stringContaining('timeout') });
  });
});
