import { describe, expect, it } from 'vitest';
import { httpsRedirectCheck } from '../../../checks/https/redirect.ts';
import { ProbeError, toProbeError } from '../../../src/core/errors.ts';
import { MAX_HEADER_VALUE_CHARS, TRUNCATION_MARK } from '../../../src/probes/types.ts';
import type { HttpHop } from '../../../src/probes/types.ts';
import { contextFor, endpointsFor, fakeProbes, httpHop } from '../../support/fake-probes.ts';

const emfile = toProbeError(Object.assign(new Error('EMFILE'), { code: 'EMFILE' }), 'x');
const redirect = (url: string, location: string, status = 301): HttpHop => httpHop({ url, status, headers: { location: [location] } });

function probesServing(hops: Record<string, HttpHop | ProbeError>) {
  return fakeProbes({
    endpoints: endpointsFor,
    http: async (_ep, req) => {
      const hop = hops[req.url];
      if (hop instanceof ProbeError) throw hop;
      if (!hop) throw new Error(`unexpected ${req.url}`);
      return hop;
    },
  });
}

describe('https.redirect', () => {
  it.each([
    ['redirects straight to https', { 'http://example.nl/': redirect('http://example.nl/', 'https://example.nl/'), 'https://example.nl/': httpHop() }, 'pass'],
    ['relative Location resolved against the request', {
      'http://example.nl/': redirect('http://example.nl/', 'https://example.nl/start', 308),
      'https://example.nl/start': redirect('https://example.nl/start', '/home', 302), 'https://example.nl/home': httpHop({ url: 'https://example.nl/home' }),
    }, 'pass'],
    ['serves 200 over plain HTTP', { 'http://example.nl/': httpHop({ url: 'http://example.nl/' }) }, 'fail'],
    ['first hop to another host', { 'http://example.nl/': redirect('http://example.nl/', 'https://www.example.nl/') }, 'fail'],
    ['first hop stays on http', { 'http://example.nl/': redirect('http://example.nl/', 'http://example.nl/x') }, 'fail'],
    ['redirect without Location', { 'http://example.nl/': httpHop({ url: 'http://example.nl/', status: 302 }) }, 'fail'],
    ['ends on plain HTTP after https', {
      'http://example.nl/': redirect('http://example.nl/', 'https://example.nl/'),
      'https://example.nl/': redirect('https://example.nl/', 'http://example.nl/plain'), 'http://example.nl/plain': httpHop({ url: 'http://example.nl/plain' }),
    }, 'fail'],
    ['nothing listens on port 80', { 'http://example.nl/': new ProbeError('refused', 'x', 'ECONNREFUSED') }, 'pass'],
    ['port 80 filtered (connect timeout)', { 'http://example.nl/': new ProbeError('timeout', 'x', 'connect', { stage: 'connect' }) }, 'pass'],
    ['answer timed out after connecting', { 'http://example.nl/': new ProbeError('timeout', 'x', 'headers') }, 'error'],
    // Port 80 never reached: no evidence that nothing is served there.
    ['out of file descriptors (EMFILE)', { 'http://example.nl/': new ProbeError(emfile.reason, 'x', 'EMFILE', { stage: 'connect' }) }, 'error'],
    ['no route (EHOSTUNREACH) at connect', { 'http://example.nl/': new ProbeError('unreachable', 'x', 'EHOSTUNREACH', { stage: 'connect' }) }, 'error'],
    ['waited for a connection slot too long', { 'http://example.nl/': new ProbeError('timeout', 'x', 'http connect not completed within 15000 ms (including any wait for a connection slot)') }, 'error'],
    ['redirect to plain HTTP on a private address', {
      'http://example.nl/': redirect('http://example.nl/', 'https://example.nl/'), 'https://example.nl/': redirect('https://example.nl/', 'http://10.1.2.3/'),
    }, 'fail'],
  ] as const)('%s -> %s', async (_name, hops, status) => {
    expect((await httpsRedirectCheck.run(contextFor(probesServing(hops)))).status).toBe(status);
  });

  it('reports a redirect loop as an error, not a hang', async () => {
    const outcome = await httpsRedirectCheck.run(contextFor(probesServing({
      'http://example.nl/': redirect('http://example.nl/', 'https://example.nl/a'),
      'https://example.nl/a': redirect('https://example.nl/a', 'https://example.nl/b'),
      'https://example.nl/b': redirect('https://example.nl/b', 'https://example.nl/a'),
    })));
    expect(outcome).toMatchObject({ status: 'error', reason: 'protocol' });
    expect(outcome.summary).toContain('redirect loop');
  });

  it('keeps the whole chain as evidence', async () => {
    const outcome = await httpsRedirectCheck.run(contextFor(probesServing({
      'http://example.nl/': redirect('http://example.nl/', 'https://example.nl/'), 'https://example.nl/': httpHop(),
    })));
    expect(outcome).toMatchObject({ evidence: { port: 80, addresses: [{ chain: [
      { url: 'http://example.nl/', status: 301, location: 'https://example.nl/' }, { url: 'https://example.nl/', status: 200, location: null },
    ] }] } });
  });

  it('says "could not test" with the chain when the walk stops at a private address', async () => {
    const outcome = await httpsRedirectCheck.run(contextFor(probesServing({
      'http://example.nl/': redirect('http://example.nl/', 'https://example.nl/'), 'https://example.nl/': redirect('https://example.nl/', 'https://192.168.0.1/'),
    })));
    const stopped = 'redirect target 192.168.0.1 is a private address (RFC 1918); not followed (see allowRedirectsTo)';
    expect(outcome).toMatchObject({ status: 'error', reason: 'client-limitation', summary: stopped, evidence: { addresses: [{ stopped, chain: [
      { url: 'http://example.nl/', status: 301 }, { url: 'https://example.nl/', location: 'https://192.168.0.1/' },
    ] }] } });
  });

  it('never follows a Location cut by the read cap', async () => {
    const cut = `https://example.nl/${'a'.repeat(MAX_HEADER_VALUE_CHARS)}${TRUNCATION_MARK}`;
    const outcome = await httpsRedirectCheck.run(contextFor(probesServing({ 'http://example.nl/': redirect('http://example.nl/', cut) })));
    expect(outcome).toMatchObject({ status: 'error', reason: 'client-limitation' });
    expect(outcome.summary).toContain('Location header was cut');
  });
});
