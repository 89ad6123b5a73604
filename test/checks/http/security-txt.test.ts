import { describe, expect, it } from 'vitest';
import { securityTxtCheck } from '../../../checks/http/security-txt.ts';
import type { HttpHop } from '../../../src/probes/types.ts';
import { contextFor } from '../../support/fake-probes.ts';
import { noAddresses, site, timeoutOn, unreachable } from './site.ts';

const URL_ = 'https://example.nl/.well-known/security.txt';
const LEGACY = 'https://example.nl/security.txt';
const TEXT = { 'content-type': ['text/plain; charset=utf-8'] };
const FILE = 'Contact: mailto:security@example.nl\nExpires: 2026-12-31T00:00:00Z\nCanonical: https://example.nl/.well-known/security.txt\n';

const run = (file: Partial<HttpHop> | null, legacy?: Partial<HttpHop>, settings = {}) => {
  const { probes, requests } = site({ ...(file ? { [URL_]: file } : {}), ...(legacy ? { [LEGACY]: legacy } : {}) });
  return { outcome: securityTxtCheck.run(contextFor(probes, {}, settings)), requests };
};
const served = (body: string, headers: Record<string, readonly string[]> = TEXT, extra: Partial<HttpHop> = {}) => ({ headers, body, ...extra });

describe('http.security-txt', () => {
  it.each([
    [served(FILE), 'pass', 'security.txt with 1 Contact(s), expires 2026-12-31T00:00:00.000Z'],
    [served(FILE.replace('\nCanonical: https://example.nl/.well-known/security.txt', '')), 'pass', 'security.txt with 1 Contact(s), expires 2026-12-31T00:00:00.000Z'],
    [served(FILE, { 'content-type': ['text/plain'] }), 'warn', 'security.txt file: text/plain without charset=utf-8'],
    [served(FILE.replace('2026-12-31', '2027-12-31')), 'warn',
      'security.txt line 2: Expires 2027-12-31T00:00:00.000Z is more than 366 days ahead (RFC 9116 §2.5.5: less than a year)'],
    [served(`${FILE}Hiring jobs\n`), 'warn', 'security.txt line 4: neither a field nor a comment; a reader skips it'],
    [served(FILE.replace('2026-12-31', '2026-01-01')), 'fail', 'security.txt line 2: expired on 2026-01-01T00:00:00.000Z'],
    [served(FILE.replace('Contact: mailto:security@example.nl\n', '')), 'fail', 'security.txt file: no valid Contact field (RFC 9116 §2.5.3)'],
    [served(FILE.replace('Expires: 2026-12-31T00:00:00Z\n', '')), 'fail', 'security.txt file: no Expires field (RFC 9116 §2.5.5)'],
    [served(FILE.replace('Canonical: https://example.nl/', 'Canonical: https://other.example/')), 'fail',
      'security.txt line 3: Canonical does not list https://example.nl/.well-known/security.txt'],           // RFC 9116 §2.5.2
    [served(FILE, { 'content-type': ['text/html'] }), 'fail', 'security.txt file: served as "text/html", not text/plain'], // §3
    [served('<html>Not found</html>', { 'content-type': ['text/html'] }), 'fail', 'security.txt line 1: the last line does not end with a line break (RFC 9116 §2.2: every line MUST end with CRLF or LF) (+3 more)'],
    [served(FILE.trimEnd()), 'fail',
      'security.txt line 3: the last line does not end with a line break (RFC 9116 §2.2: every line MUST end with CRLF or LF)'],
    [served(FILE.replace('Contact: mailto:security@example.nl', 'Contact: https://example.nl/report a bug')), 'fail',
      'security.txt line 1: Contact: "https://example.nl/report a bug" is not a URI (e.g. mailto:security@example.nl or https://...): '
        + 'a space is not allowed in the path (RFC 3986 §3.3) (+1 more)'],                                   // RFC 9116 §2.5.3, not WHATWG URL
    [served(FILE.replace('Contact: ', 'Contact:')), 'fail', 'security.txt file: no valid Contact field (RFC 9116 §2.5.3)'], // §4 fs SP
    [served(`${FILE}Policy:https://example.nl/policy\n`), 'warn',
      'security.txt line 4: Policy: no space after the colon (RFC 9116 §4: field-name ":" SP value); a strict reader skips the field'],
    [served(`\ufeff\ufeff${FILE}`), 'fail',
      'security.txt line 1: a second byte-order mark starts the file; only one is an encoding signature (RFC 3629 §6), so line 1 is not a field (RFC 9116 §4) (+1 more)'],
    [served(`\ufeff${FILE}`), 'pass', 'security.txt with 1 Contact(s), expires 2026-12-31T00:00:00.000Z'],
    [{ status: 404 }, 'fail', 'No security.txt at /.well-known/security.txt'],
    [{ status: 500 }, 'fail', 'security.txt answered HTTP 500 at /.well-known/security.txt'],
  ] as const)('%j -> %s', async (file, status, summary) => {
    expect(await run(file).outcome).toMatchObject({ status, summary });
  });

  it('uses the configured expiry threshold', async () => {
    const file = served(FILE.replace('2026-12-31', '2027-12-31'));
    const thresholds = { ...contextFor(site({}).probes).settings.thresholds, securityTxtMaxExpiryDays: 730 };
    expect((await run(file, undefined, { thresholds }).outcome).status).toBe('pass');
  });

  it('notes a legacy /security.txt when /.well-known/ has none', async () => {
    const { outcome, requests } = run({ status: 404 }, served(FILE));
    expect(await outcome).toMatchObject({
      status: 'fail',
      summary: 'No security.txt at /.well-known/security.txt (only the legacy /security.txt exists; RFC 9116 §3 requires /.well-known/)',
      evidence: { pages: [{ legacy: { url: LEGACY, httpStatus: 200 } }] },
    });
    expect(requests.map((r) => r.request.url)).toEqual([URL_, LEGACY]);
  });

  it('still fails when /.well-known/ answers 404 and the legacy /security.txt cannot be fetched, saying why', async () => {
    const probes = timeoutOn(LEGACY, site({ [URL_]: { status: 404 } }).probes);
    expect(await securityTxtCheck.run(contextFor(probes))).toMatchObject({
      status: 'fail', summary: 'No security.txt at /.well-known/security.txt',
      evidence: { pages: [{ legacy: { url: LEGACY, error: 'example.nl:443 (192.0.2.1): no answer within 5000 ms' } }] },
    });
  });

  it('accepts a Canonical that lists the URL a redirect led to', async () => {
    const { probes } = site({
      [URL_]: { status: 301, headers: { location: ['https://www.example.nl/.well-known/security.txt'] } },
      'https://www.example.nl/.well-known/security.txt': served(FILE.replace('https://example.nl/', 'https://www.example.nl/')),
    }, {
      // A public address (never dialled): the fakes' 192.0.2.1 is a documentation address, which redirects never enter.
      endpoints: async (hostname, port) => ({ hostname, port, source: 'dns', answers: [], endpoints: [{ hostname, port, address: '93.184.215.14', dialPort: port }] }),
    });
    expect((await securityTxtCheck.run(contextFor(probes))).status).toBe('pass');
  });

  it('shows the fields, the signature and each problem with its line', async () => {
    const body = ['-----BEGIN PGP SIGNED MESSAGE-----', 'Hash: SHA256', '', FILE, 'Policy: http://example.nl/policy',
      '-----BEGIN PGP SIGNATURE-----', 'abc', '-----END PGP SIGNATURE-----', ''].join('\n');
    expect(await run(served(body)).outcome).toMatchObject({
      status: 'fail',
      summary: 'security.txt line 8: Policy: "http://example.nl/policy" is a web URI that does not use https://',
      evidence: { pages: [{
        url: URL_, httpStatus: 200, contentType: ['text/plain; charset=utf-8'], signed: true, signatureVerified: false,
        contact: ['mailto:security@example.nl'], expires: '2026-12-31T00:00:00.000Z', canonical: [URL_], policy: [],
        problems: ['MUST line 8: Policy: "http://example.nl/policy" is a web URI that does not use https://'],
      }] },
    });
  });

  it('fails a file that is not UTF-8, naming the line', { timeout: 2000 }, async () => {
    const body = Buffer.from(`${FILE}# Beveiligingsmeldingen voor caf\xe9s\n`, 'latin1').toString('utf8');
    expect(await run(served(body, TEXT, { bodyUtf8: false })).outcome)
      .toMatchObject({ status: 'fail', summary: 'security.txt line 4: the file is not valid UTF-8 (RFC 9116 §4)' });
  });

  it('warns, and suggests Canonical, for a signed file without Canonical (RFC 9116 §2.3, §2.5.2)', async () => {
    const body = ['-----BEGIN PGP SIGNED MESSAGE-----', 'Hash: SHA256', '', FILE.replace(/Canonical.*\n/, ''),
      '-----BEGIN PGP SIGNATURE-----', 'abc', '-----END PGP SIGNATURE-----', ''].join('\n');
    expect(await run(served(body)).outcome).toMatchObject({
      status: 'warn',
      summary: 'security.txt file: signed, but without a Canonical field the signature does not bind the file to its location (RFC 9116 §2.3, §2.5.2)',
    });
  });

  it('does not blame the file for a last line that the body cap cut', async () => {
    expect(await run(served(FILE.slice(0, FILE.indexOf('\n') + 5), TEXT, { bodyTruncated: true, bodyBytes: 40 })).outcome).toMatchObject({
      status: 'fail', summary: 'security.txt file: no Expires field (RFC 9116 §2.5.5)',
    });
  });

  it('warns when the file was larger than the body cap', async () => {
    expect((await run(served(FILE, TEXT, { bodyTruncated: true, bodyBytes: 262_144 })).outcome).status).toBe('warn');
  });

  it('fails without addresses', async () => {
    expect((await securityTxtCheck.run(contextFor(site({}, { endpoints: noAddresses }).probes))).status).toBe('fail');
  });

  it('reports a ProbeError on the only address as error, not as a finding', async () => {
    expect(await securityTxtCheck.run(contextFor(unreachable()))).toMatchObject({ status: 'error', reason: 'timeout' });
  });
});
