import { describe, expect, it } from 'vitest';
import { crossOriginIsolationCheck } from '../../../checks/http/cross-origin-isolation.ts';
import { contextFor } from '../../support/fake-probes.ts';
import { landing, unreachable } from './site.ts';

const ALL = {
  'cross-origin-opener-policy': ['same-origin'],
  'cross-origin-embedder-policy': ['require-corp'],
  'cross-origin-resource-policy': ['same-origin'],
};
const run = (headers: Record<string, readonly string[]>) => crossOriginIsolationCheck.run(contextFor(landing(headers)));

describe('http.cross-origin-isolation', () => {
  it.each([
    [ALL, 'pass', 'Cross-Origin-Opener, -Embedder and -Resource-Policy are all set'],
    [{ ...ALL, 'cross-origin-opener-policy': ['same-origin; report-to="coop"'] }, 'pass', 'Cross-Origin-Opener, -Embedder and -Resource-Policy are all set'], // RFC 8941 parameters
    [{ ...ALL, 'cross-origin-opener-policy': ['same-origin; report-to'] }, 'pass', 'Cross-Origin-Opener, -Embedder and -Resource-Policy are all set'],
    [{ ...ALL, 'cross-origin-embedder-policy': ['credentialless'], 'cross-origin-resource-policy': ['cross-origin'] }, 'pass',
      'Cross-Origin-Opener, -Embedder and -Resource-Policy are all set'],
    [{ ...ALL, 'cross-origin-opener-policy': ['unsafe-none'] }, 'warn', 'Missing or unsafe-none: cross-origin-opener-policy'],
    [{ 'cross-origin-resource-policy': ['same-site'] }, 'warn', 'Missing or unsafe-none: cross-origin-opener-policy, cross-origin-embedder-policy'],
    [{}, 'warn', 'Missing or unsafe-none: cross-origin-opener-policy, cross-origin-embedder-policy, cross-origin-resource-policy'],
    [{ ...ALL, 'cross-origin-opener-policy': ['whimsy'] }, 'fail', 'Invalid or repeated cross-origin-opener-policy: browsers ignore it'],
    [{ ...ALL, 'cross-origin-opener-policy': ['"same-origin"'] }, 'fail', 'Invalid or repeated cross-origin-opener-policy: browsers ignore it'], // a string is not a token
    [{ ...ALL, 'cross-origin-opener-policy': ['same-origin; report-to=coop endpoint'] }, 'fail', 'Invalid or repeated cross-origin-opener-policy: browsers ignore it'],
    [{ ...ALL, 'cross-origin-opener-policy': ['same-origin', 'unsafe-none'] }, 'fail', 'Invalid or repeated cross-origin-opener-policy: browsers ignore it'],
    [{ ...ALL, 'cross-origin-resource-policy': ['SAME-ORIGIN'] }, 'fail', 'Invalid or repeated cross-origin-resource-policy: browsers ignore it'], // Fetch compares exactly
  ] as const)('%j -> %s', async (headers, status, summary) => {
    expect(await run(headers)).toMatchObject({ status, summary });
  });

  it('shows each header with its state', async () => {
    expect(await run({ 'cross-origin-opener-policy': ['same-origin'] })).toMatchObject({ evidence: { pages: [{
      'cross-origin-opener-policy': { values: ['same-origin'], state: 'good' },
      'cross-origin-embedder-policy': { values: [], state: 'absent' },
      'cross-origin-resource-policy': { values: [], state: 'absent' },
    }] } });
  });

  it('handles a 1 MB header value', { timeout: 2000 }, async () => {
    expect((await run({ ...ALL, 'cross-origin-opener-policy': [`same-origin${'; a=b'.repeat(200_000)}`] })).status).toBe('pass');
    expect((await run({ ...ALL, 'cross-origin-opener-policy': [`same-origin${'; a=b'.repeat(200_000)} x`] })).status).toBe('fail');
  });

  it('reports a ProbeError on the only address as error, not as a finding', async () => {
    expect(await crossOriginIsolationCheck.run(contextFor(unreachable()))).toMatchObject({ status: 'error', reason: 'timeout' });
  });
});
