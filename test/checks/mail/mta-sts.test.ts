import { describe, expect, it } from 'vitest';
import { mtaStsCheck } from '../../../checks/mail/mta-sts.ts';
import { ProbeError } from '../../../src/core/errors.ts';
import type { Target } from '../../../src/core/types.ts';
import type { HttpHop, Probes, TlsFacts } from '../../../src/probes/types.ts';
import { contextFor, endpointsFor, fakeProbes, httpHop, tlsFacts, zone } from '../../support/fake-probes.ts';

const POLICY = 'version: STSv1\nmode: enforce\nmx: mx1.example.nl\nmx: *.mail.example\nmax_age: 1209600\n';
const POLICY_URL = 'https://mta-sts.example.nl/.well-known/mta-sts.txt';

type Setup = {
  txt?: readonly string[]; mx?: readonly string[]; tls?: Partial<TlsFacts>; hop?: Partial<HttpHop>; body?: string;
  noAddress?: boolean;
};

function probesFor(setup: Setup = {}): Probes {
  const dns = zone({
    '_mta-sts.example.nl': { TXT: setup.txt ?? ['v=STSv1; id=20260601'] },
    'example.nl': { MX: setup.mx ?? ['10 mx1.example.nl', '20 mx2.mail.example'] },
  });
  return fakeProbes({
    dns,
    endpoints: setup.noAddress ? async (hostname, port) => ({ hostname, port, source: 'dns', endpoints: [], answers: [] }) : endpointsFor,
    tls: async (ep) => tlsFacts({ endpoint: `${ep.hostname}:443 (192.0.2.1)`, hostname: ep.hostname, ...setup.tls }),
    http: async (_ep, request) => httpHop({
      url: request.url, headers: { 'content-type': ['text/plain'] }, body: setup.body ?? POLICY, ...setup.hop,
    }),
  });
}

const run = (setup: Setup = {}, target: Partial<Target> = {}) => mtaStsCheck.run(contextFor(probesFor(setup), target));

describe('mail.mta-sts', () => {
  it.each([
    { name: 'enforce, every MX matched', setup: {}, status: 'pass' },
    { name: 'text/plain with charset', setup: { hop: { headers: { 'content-type': ['text/plain; charset=utf-8'] } } }, status: 'pass' },
    { name: 'no TXT record', setup: { txt: [] }, status: 'warn' },
    { name: 'only unrelated TXT records', setup: { txt: ['v=spf1 -all'] }, status: 'warn' },
    { name: 'two TXT records', setup: { txt: ['v=STSv1; id=1', 'v=STSv1; id=2'] }, status: 'fail' }, // RFC 8461 3.1
    { name: 'invalid TXT record', setup: { txt: ['v=STSv1; id=2026-06-01'] }, status: 'fail' },
    { name: 'mistyped TXT record', setup: { txt: ['v=stsv1; id=1'] }, status: 'fail' },
    { name: 'policy host without address', setup: { noAddress: true }, status: 'fail' },
    { name: 'untrusted certificate', setup: { tls: { chainTrusted: false, authorizationError: 'CERT_HAS_EXPIRED' } }, status: 'fail' },
    { name: 'certificate for another host', setup: { tls: { hostnameMatches: false } }, status: 'fail' },
    { name: '404', setup: { hop: { status: 404 } }, status: 'fail' },
    { name: 'redirect', setup: { hop: { status: 301 } }, status: 'fail' },             // RFC 8461 3.3: not followed
    { name: 'text/html', setup: { hop: { headers: { 'content-type': ['text/html'] } } }, status: 'fail' },
    { name: 'no Content-Type', setup: { hop: { headers: {} } }, status: 'fail' },
    { name: 'truncated body', setup: { hop: { bodyTruncated: true } }, status: 'fail' },
    { name: 'invalid policy', setup: { body: POLICY.replace('STSv1', 'STSv2') }, status: 'fail' },
    { name: 'an MX outside the patterns', setup: { mx: ['10 mx1.example.nl', '20 backup.other.example'] }, status: 'fail' },
    { name: 'wildcard spanning two labels', setup: { mx: ['10 a.b.mail.example'] }, status: 'fail' },
    { name: 'testing mode', setup: { body: POLICY.replace('enforce', 'testing') }, status: 'warn' },
    { name: 'mode none', setup: { body: 'version: STSv1\nmode: none\nmax_age: 86400\n' }, status: 'warn' },
    { name: 'max_age under a day', setup: { body: POLICY.replace('1209600', '3600') }, status: 'warn' },
  ])('$name -> $status', async ({ setup, status }) => {
    expect((await run(setup)).status).toBe(status);
  });

  it('names the MX hosts no pattern matches', async () => {
    const outcome = await run({ mx: ['10 mx1.example.nl', '20 backup.other.example'] });
    expect(outcome.summary).toMatch(/^MX backup\.other\.example not matched/);
  });

  it('says why the policy is unusable', async () => {
    expect(await run({ hop: { status: 404 } })).toMatchObject({ summary: expect.stringContaining('HTTP 404') });
    expect(await run({ tls: { chainTrusted: false, authorizationError: 'CERT_HAS_EXPIRED' } }))
      .toMatchObject({ summary: expect.stringContaining('CERT_HAS_EXPIRED') });
  });

  it('records the record, the fetch and the MX matching as evidence', async () => {
    const outcome = await run();
    expect(outcome).toMatchObject({
      status: 'pass',
      summary: 'MTA-STS enforce, max_age 1209600s, 2 MX host(s) matched',
      evidence: {
        txtName: '_mta-sts.example.nl', txtRecords: ['v=STSv1; id=20260601'], id: '20260601',
        policyFetch: {
          url: POLICY_URL, host: 'mta-sts.example.nl', endpoint: 'mta-sts.example.nl:443 (192.0.2.1)', status: 200,
          contentType: 'text/plain', body: POLICY, problem: null,
          certificate: { chainTrusted: true, hostnameMatches: true, authorizationError: null },
        },
        mode: 'enforce', maxAge: 1_209_600, mxPatterns: ['mx1.example.nl', '*.mail.example'],
        mxHosts: [{ host: 'mx1.example.nl', pattern: 'mx1.example.nl' }, { host: 'mx2.mail.example', pattern: '*.mail.example' }],
      },
    });
  });

  it('asks mta-sts.<domain> for the well-known URL, on the endpoint whose certificate was checked', async () => {
    const calls: string[] = [];
    const base = probesFor();
    const probes: Probes = {
      ...base,
      tls: (ep) => { calls.push(`tls ${ep.hostname}:${ep.port}`); return base.tls(ep); },
      http: (ep, request) => { calls.push(`http ${ep.hostname}:${ep.port} ${request.url}`); return base.http(ep, request); },
    };
    await mtaStsCheck.run(contextFor(probes));
    expect(calls).toEqual(['tls mta-sts.example.nl:443', `http mta-sts.example.nl:443 ${POLICY_URL}`]);
  });

  it.each([
    { name: 'parked domain', target: { profile: 'parked' as const } },
  ])('skips: $name', async ({ target }) => {
    expect(await mtaStsCheck.run(contextFor(fakeProbes({}), target))).toMatchObject({ status: 'skip', reason: 'not-applicable' });
  });

  it('lets a DNS ProbeError propagate', async () => {
    const error = new ProbeError('timeout', '127.0.0.1:53', 'no answer');
    await expect(mtaStsCheck.run(contextFor(fakeProbes({ dns: () => Promise.reject(error) })))).rejects.toBe(error);
  });

  it('lets a policy fetch timeout propagate: could not test is not "no policy"', async () => {
    const error = new ProbeError('timeout', 'mta-sts.example.nl:443 (192.0.2.1)', 'headers timeout');
    const probes = { ...probesFor(), http: () => Promise.reject(error) };
    await expect(mtaStsCheck.run(contextFor(probes))).rejects.toBe(error);
  });
});
