import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startEstate, type SiteSpec } from '../../src/lab/estate.ts';
import { startSilentServer } from '../../src/lab/tls-server.ts';
import { issueLeaf } from '../../src/lab/pki.ts';
import { fakeSctList } from '../../src/lab/ocsp.ts';
import { startSctExtensionFront } from '../../src/lab/sct-front.ts';
import { cleanupAfterAll } from '../support/cleanup.ts';
import { scanLab, type LabScan } from '../support/lab-scan.ts';

// Issue 10's certificate-depth checks (chain, CT, usage, DANE for HTTPS) and the MX certificate's chain and expiry,
// end to end through the CLI against lab servers on 127.0.0.1: a pass, a fail and an error case for each. One scan.

const PAGE = { '/': { status: 200, body: 'ok' } };
const D = 'cd.test';
const TLSA_NOT_MATCHING = { usage: 3, selector: 1, matchingType: 1, certificate: '00'.repeat(32) };

const SITES: SiteSpec[] = [
  { domain: `good.${D}`, https: { routes: PAGE, dane: true }, mail: {} },
  { domain: `missing.${D}`, https: { cert: 'missing-intermediate', routes: PAGE }, mail: { cert: 'missing-intermediate' } },
  { domain: `order.${D}`, https: { cert: 'wrong-order', routes: PAGE } },
  { domain: `old-ca.${D}`, https: { cert: 'expired-intermediate', routes: PAGE }, mail: { cert: 'expired-intermediate' } },
  { domain: `client-auth.${D}`, https: { cert: 'client-auth-only', routes: PAGE } },
  { domain: `staple.${D}`, https: { cert: 'must-staple', routes: PAGE } },
  { domain: `one-sct.${D}`, https: { cert: 'one-sct', routes: PAGE } },
  { domain: `no-sct.${D}`, https: { cert: 'no-scts', routes: PAGE } },
  // SCTs only in the OCSP staple (RFC 6962 3.3), and only in the TLS extension (a front, see beforeAll).
  { domain: `staple-sct.${D}`, https: { cert: 'no-scts', tls: { staple: 'with-scts' }, routes: PAGE } },
  { domain: `ext-sct.${D}` },
  { domain: `dane-bad.${D}`, https: { routes: PAGE }, records: { ad: true }, zone: { [`_443._tcp.dane-bad.${D}`]: { TLSA: [TLSA_NOT_MATCHING], ad: true } } },
  { domain: `dane-unsigned.${D}`, https: { routes: PAGE }, zone: { [`_443._tcp.dane-unsigned.${D}`]: { TLSA: [TLSA_NOT_MATCHING] } } },
  { domain: `dane-servfail.${D}`, https: { routes: PAGE }, records: { ad: true }, zone: { [`_443._tcp.dane-servfail.${D}`]: { servfail: true } } },
  // Port 443 accepts connections and never answers: nothing can be judged.
  { domain: `silent.${D}` },
];

const WEB = ['tls.certificate-chain', 'tls.certificate-transparency', 'tls.certificate-usage'] as const;

const { track } = cleanupAfterAll();
let scan: LabScan;
let html: string;
let prom: string;

beforeAll(async () => {
  const estate = track(await startEstate(SITES));
  // The silent server's rule comes before the estate's, so it wins for silent.cd.test:443.
  const extCert = issueLeaf(estate.ca, { hosts: [`ext-sct.${D}`], keyType: 'rsa', scts: 0 });
  const servers = {
    [`silent.${D}:443`]: track(await startSilentServer()),
    [`ext-sct.${D}:443`]: track(await startSctExtensionFront({ keyPem: extCert.keyPem, certPem: extCert.certPem, sctList: fakeSctList(['Ext Log A', 'Ext Log B'], Date.now()) })),
  };
  scan = await scanLab(estate, { domains: SITES.map((s) => s.domain), checks: [...WEB, 'tls.dane', 'tls.certificate-expiry', 'mail.mx-certificate'],
    servers, formats: ['json', 'html', 'prometheus'] });
  html = await readFile(join(scan.out, 'latest.html'), 'utf8');
  prom = await readFile(join(scan.out, 'latest.metrics'), 'utf8');
}, 60_000);

/** The result of `check` on `<name>.cd.test`. */
const result = (name: string, check: string) => scan.result(`${name}.${D}`, check);

describe('certificate depth end to end through the CLI', () => {
  it.each<readonly [string, string, string, RegExp]>([
    ['good', 'tls.certificate-chain', 'pass', /complete chain in order: the leaf and 0 intermediates up to a configured root/],
    ['missing', 'tls.certificate-chain', 'fail', /incomplete chain: the issuer of .*Vouch Lab Intermediate \(not served\)/],
    ['order', 'tls.certificate-chain', 'fail', /out of order/],
    ['old-ca', 'tls.certificate-chain', 'fail', /intermediate "O=Vouch Lab, CN=Vouch Lab Expired Intermediate" expired on/],
    ['silent', 'tls.certificate-chain', 'error', /no answer within 1500 ms/],
    ['good', 'tls.certificate-transparency', 'pass', /2 embedded SCTs from 2 distinct logs .*counted, not verified/],
    ['one-sct', 'tls.certificate-transparency', 'fail', /1 embedded SCT from 1 distinct log; 2 needed/],
    ['no-sct', 'tls.certificate-transparency', 'warn', /no embedded SCTs, none in the TLS extension or the OCSP staple; browsers require them only for publicly trusted certificates/],
    ['silent', 'tls.certificate-transparency', 'error', /no answer within 1500 ms/],
    ['staple-sct', 'tls.certificate-transparency', 'pass', /^0 embedded SCTs \+ 2 SCTs in the OCSP staple from 2 distinct logs/],
    ['ext-sct', 'tls.certificate-transparency', 'pass', /^0 embedded SCTs \+ 2 SCTs in the TLS extension from 2 distinct logs/],
    ['good', 'tls.certificate-usage', 'pass', /extended key usage includes serverAuth$/],
    ['staple', 'tls.certificate-usage', 'pass', /must-staple \(RFC 7633\) is set/],
    ['client-auth', 'tls.certificate-usage', 'fail', /\(clientAuth\) does not include serverAuth/],
    ['silent', 'tls.certificate-usage', 'error', /no answer within 1500 ms/],
    ['good', 'tls.dane', 'pass', /TLSA DANE-EE\(3\) SPKI\(1\) SHA2-256\(1\) matches the leaf \(DNSSEC-authenticated\)/],
    ['missing', 'tls.dane', 'skip', /DANE for HTTPS not published: no TLSA records at _443\._tcp\.missing\.cd\.test/],
    ['dane-bad', 'tls.dane', 'fail', /no TLSA record at _443\._tcp\.dane-bad\.cd\.test matches the certificate chain served/],
    ['dane-unsigned', 'tls.dane', 'fail', /are not DNSSEC-signed \(unsigned-delegation/],
    ['dane-servfail', 'tls.dane', 'error', /SERVFAIL/i],
    ['good', 'mail.mx-certificate', 'pass', /trusted chain/],
    // Opportunistic SMTP (no MTA-STS enforce): a chain problem warns; an expired intermediate is an expiry, so it fails.
    ['missing', 'mail.mx-certificate', 'warn', /incomplete chain/],
    ['old-ca', 'mail.mx-certificate', 'fail', /intermediate .* expired on/],
  ])('%s %s: %s', (domain, check, status, summary) => {
    const r = result(domain, check);
    expect(r.status, r.summary).toBe(status);
    expect(r.summary).toMatch(summary);
  });

  it('says SCTs are counted, not verified, and what each source showed', () => {
    const evidence = JSON.stringify(result('good', 'tls.certificate-transparency').evidence);
    expect(evidence).toContain('"verified":false');
    expect(evidence).toContain('counted, not verified');
    expect(evidence).toContain('"source":"embedded"');
    // Keys in any order: the report writes objects with sorted keys (canonical JSON).
    const sources = (result('good', 'tls.certificate-transparency').evidence as { addresses: { sources: Record<string, unknown> }[] }).addresses[0]?.sources;
    expect(sources?.['tls-extension']).toEqual({ read: true, scts: 0, unknownVersions: 0, note: 'asked for at TLSv1.2: the ServerHello carried no signed_certificate_timestamp' });
    const ext = result('ext-sct', 'tls.certificate-transparency').evidence as { addresses: { scts: { source: string }[] }[] };
    expect(ext.addresses[0]!.scts.map((s) => s.source)).toEqual(['tls-extension', 'tls-extension']);
  });

  it('shows the served order and the missing issuer in the chain evidence', () => {
    const order = result('order', 'tls.certificate-chain').evidence as { addresses: { pathPositions: number[]; served: { issuedByNext: boolean | null }[] }[] };
    expect(order.addresses[0]!.pathPositions).toEqual([0, 2, 1]);
    expect(order.addresses[0]!.served.map((s) => s.issuedByNext)).toEqual([false, false, null]);
    expect(JSON.stringify(result('missing', 'tls.certificate-chain').evidence)).toContain('"missingIssuer":"O=Vouch Lab, CN=Vouch Lab Intermediate (not served)"');
  });

  it('puts the MX certificates in the HTML expiry table and the Prometheus metrics, like the web ones', () => {
    expect(prom).toMatch(/vouch_certificate_expiry_timestamp_seconds\{domain="good\.cd\.test",host="mx\.good\.cd\.test",port="25",service="smtp",address="127\.0\.0\.1"\} \d+\n/);
    expect(prom).toMatch(/vouch_certificate_expiry_timestamp_seconds\{domain="good\.cd\.test",host="good\.cd\.test",port="443",service="https",address="127\.0\.0\.1"\} \d+\n/);
    expect(html).toMatch(/Certificate expiry[\s\S]*mail\.mx-certificate/);
  });
});
