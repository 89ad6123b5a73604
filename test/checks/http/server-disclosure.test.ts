import { describe, expect, it } from 'vitest';
import { serverDisclosureCheck } from '../../../checks/http/server-disclosure.ts';
import { contextFor } from '../../support/fake-probes.ts';
import { LANDING, landing, site, unreachable } from './site.ts';

const run = (headers: Record<string, readonly string[]>) => serverDisclosureCheck.run(contextFor(landing(headers)));

describe('http.server-disclosure', () => {
  it.each([
    [{}, 'pass', 'No software-identifying headers'],
    [{ server: ['nginx'] }, 'pass', 'No versions in server'],
    [{ server: ['AmazonS3'], via: ['1.1 abc123.cloudfront.net (CloudFront)'] }, 'pass', 'No versions in server, via'], // digits that are no version
    [{ server: ['mw2271.codfw.wmnet'] }, 'pass', 'No versions in server'],
    [{ server: ['Apache/2.4.41 (Ubuntu)'] }, 'warn', 'Software versions advertised: server: Apache/2.4.41 (Ubuntu)'],
    [{ server: ['Microsoft-IIS/10.0'], 'x-aspnet-version': ['4.0.30319'], 'x-powered-by': ['ASP.NET'] }, 'warn',
      'Software versions advertised: server: Microsoft-IIS/10.0; x-aspnet-version: 4.0.30319'],
    [{ 'x-powered-by': ['PHP/8.1.2'] }, 'warn', 'Software versions advertised: x-powered-by: PHP/8.1.2'],
    [{ 'x-generator': ['Drupal 10 (https://www.drupal.org)'] }, 'warn', 'Software versions advertised: x-generator: Drupal 10 (https://www.drupal.org)'],
    [{ 'x-aspnetmvc-version': ['5.2'] }, 'warn', 'Software versions advertised: x-aspnetmvc-version: 5.2'],
    [{ via: ['1.1 varnish (Varnish/6.0)'] }, 'warn', 'Software versions advertised: via: 1.1 varnish (Varnish/6.0)'], // RFC 9110 §7.6.3: "1.1" is the protocol
    [{ via: ['1.1 google'] }, 'pass', 'No versions in via'],
  ] as const)('%j -> %s', async (headers, status, summary) => {
    expect(await run(headers)).toMatchObject({ status, summary });
  });

  it('looks at redirect hops too and shows every value', async () => {
    const { probes } = site({
      [LANDING]: { status: 301, headers: { location: ['/nl/'], server: ['Apache/2.4.41'] } },
      'https://example.nl/nl/': { headers: { server: ['Apache'] } },
    });
    expect(await serverDisclosureCheck.run(contextFor(probes))).toMatchObject({
      status: 'warn', evidence: { pages: [{ headers: { server: ['Apache/2.4.41', 'Apache'] }, revealingVersions: ['server: Apache/2.4.41'] }] },
    });
  });

  it('caps a 1 MB header value in evidence', { timeout: 2000 }, async () => {
    const outcome = await run({ server: [`nginx/1.2 ${'x'.repeat(1_048_576)}`] });
    expect(outcome.status).toBe('warn');
    expect(JSON.stringify(outcome).length).toBeLessThan(4096);
  });

  it('reports a ProbeError on the only address as error, not as a finding', async () => {
    expect(await serverDisclosureCheck.run(contextFor(unreachable()))).toMatchObject({ status: 'error', reason: 'timeout' });
  });
});
